"""Admin screens for compliance: units, memberships, requirements (managers and
admins edit them), API tokens, and the read-only logs (reminders, gate calls).

Registered as `ModelViewSet`s under one "Compliance" menu group (STYLE.md §4).
Rights come from Django model permissions: superusers have them all, and
`cms.roles.ensure_role_groups` does not grant them to anyone by default, so an
institution decides who edits its tree. On top of them, a manager sees and
edits only what lies in their scope (`admin_scope.py`); the logs are
read-only for everyone and API tokens are for administrators.
https://docs.wagtail.org/en/stable/extending/generic_views.html
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.models import CreateView
from wagtail.admin.viewsets.base import ViewSetGroup

from .admin_scope import (
    MembershipFilterSet,
    OrgUnitFilterSet,
    ScopedViewSet,
    register_policies,
)
from .models import (
    ApiToken,
    GateCall,
    Membership,
    OrgUnit,
    Reminder,
    Requirement,
    new_token,
)
from .scope import (
    is_manager,
    manager_scope,
    membership_change_allowed,
    unit_change_allowed,
)

register_policies()


class ScopedForm(WagtailAdminModelForm):
    """A form that knows the editor's scope (`for_user` comes from Wagtail's views)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = manager_scope(self.for_user)


class OrgUnitForm(ScopedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.scope.everything:
            # A unit they manage keeps its parent: offer it, and their units.
            parents = self.scope.units() | OrgUnit.objects.filter(
                pk=self.instance.parent_id
            )
            self.fields["parent"].queryset = parents.distinct()

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get("parent")
        if not unit_change_allowed(self.scope, unit=self.instance, parent=parent):
            self.add_error("parent", _("Choose a parent among the units you manage."))
        self.instance.parent = parent
        self.instance.clean()  # refuses cycles
        return cleaned


class OrgUnitViewSet(ScopedViewSet):
    model = OrgUnit
    icon = "group"
    form_fields = ["code", "name", "parent"]
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    filterset_class = OrgUnitFilterSet
    inspect_view_enabled = True

    base_form_class = OrgUnitForm


class MembershipForm(ScopedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.scope.everything:
            self.fields["user"].queryset = self.scope.people().exclude(
                pk=self.for_user.pk
            )
            self.fields["unit"].queryset = self.scope.units()

    def clean(self):
        cleaned = super().clean()
        person, unit = cleaned.get("user"), cleaned.get("unit")
        if person and unit:
            current = self.instance if self.instance.pk else None
            if not membership_change_allowed(
                self.scope, person=person, unit=unit, current=current
            ):
                raise ValidationError(
                    _(
                        "You may give memberships only in the units you manage, "
                        "to people already in them, and never change your own."
                    )
                )
        return cleaned


class MembershipViewSet(ScopedViewSet):
    model = Membership
    icon = "user"
    form_fields = ["user", "unit", "role", "joined_at"]
    list_display = ["user", "unit", "role", "joined_at"]
    filterset_class = MembershipFilterSet
    search_fields = ["user__email", "user__last_name", "unit__code"]

    base_form_class = MembershipForm


class RequirementForm(ScopedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.scope.everything:
            self.fields["units"].queryset = self.scope.units()
            self.fields["units"].required = True
            # A group spans the whole institution: administrators only.
            del self.fields["groups"]


class RequirementViewSet(ScopedViewSet):
    model = Requirement
    icon = "tasks"
    form_fields = [
        "title",
        "slug",
        "courses",
        "units",
        "groups",
        "validity_months",
        "reminder_days",
        "due_days",
        "active",
    ]
    list_display = ["title", "slug", "validity_months", "reminder_days", "due_days"]
    search_fields = ["title", "slug"]

    base_form_class = RequirementForm


class ApiTokenCreateView(CreateView):
    """Generates the token, stores its hash, and shows it once."""

    def save_instance(self):
        token = new_token()
        self.form.instance.set_token(token)
        instance = super().save_instance()
        messages.warning(
            self.request,
            _("Copy this token now, it will not be shown again: %(token)s")
            % {"token": token},
        )
        return instance


class ApiTokenViewSet(ScopedViewSet):
    model = ApiToken
    icon = "key"
    add_view_class = ApiTokenCreateView
    form_fields = ["name", "requirements", "revoked"]
    list_display = ["name", "hint", "created_at", "last_used_at", "revoked"]


class GateCallViewSet(ScopedViewSet):
    model = GateCall
    icon = "history"
    list_display = [
        "at",
        "token",
        "requirement_slug",
        "person",
        "http_status",
        "calls",
        "status",
        "cleared",
    ]
    list_filter = ["http_status", "requirement_slug", "token"]
    search_fields = ["person", "requirement_slug"]
    inspect_view_enabled = True
    form_fields = ["requirement_slug"]


class ReminderViewSet(ScopedViewSet):
    model = Reminder
    icon = "mail"
    list_display = ["sent_at", "user", "requirement", "kind", "window", "sent_by"]
    list_filter = ["kind", "requirement"]
    search_fields = ["user__email", "user__last_name"]
    form_fields = ["kind"]


class ComplianceViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Compliance")
    menu_icon = "tasks"
    menu_order = 350
    items = (
        RequirementViewSet("compliance_requirements"),
        OrgUnitViewSet("compliance_units"),
        MembershipViewSet("compliance_memberships"),
        ApiTokenViewSet("compliance_tokens"),
        GateCallViewSet("compliance_gate_calls"),
        ReminderViewSet("compliance_reminders"),
    )


@hooks.register("register_admin_viewset")
def register_compliance_viewsets():
    return ComplianceViewSetGroup()


class DashboardMenuItem(MenuItem):
    """A link from the admin to the managers' dashboard on the site."""

    def is_shown(self, request):
        return is_manager(request.user)


@hooks.register("register_admin_menu_item")
def register_compliance_dashboard_link():
    return DashboardMenuItem(
        gettext_lazy("Compliance dashboard"),
        "/compliance/",
        icon_name="view",
        order=349,
    )
