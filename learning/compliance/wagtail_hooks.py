"""Admin screens for compliance: units, memberships, requirements (managers and
admins edit them), API tokens, and the read-only logs (reminders, gate calls).

Registered as `ModelViewSet`s under one "Compliance" menu group (STYLE.md §4).
Rights come from Django model permissions: superusers have them all, and
`cms.roles.ensure_role_groups` does not grant them to anyone by default, so an
institution decides who edits its tree. The logs are read-only for everyone.
https://docs.wagtail.org/en/stable/extending/generic_views.html
"""

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.models import CreateView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import (
    ApiToken,
    GateCall,
    Membership,
    OrgUnit,
    Reminder,
    Requirement,
    new_token,
)
from .scope import is_manager


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Logs are written by the platform only: nobody adds, edits or deletes them."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


register_permission_policy(GateCall, ReadOnlyPolicy(GateCall))
register_permission_policy(Reminder, ReadOnlyPolicy(Reminder))


class OrgUnitForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        self.instance.parent = cleaned.get("parent")
        self.instance.clean()  # refuses cycles
        return cleaned


class OrgUnitViewSet(ModelViewSet):
    model = OrgUnit
    icon = "group"
    form_fields = ["code", "name", "parent"]
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    list_filter = ["parent"]
    inspect_view_enabled = True

    def get_form_class(self, for_update=False):
        self.base_form_class = OrgUnitForm
        return super().get_form_class(for_update)


class MembershipViewSet(ModelViewSet):
    model = Membership
    icon = "user"
    form_fields = ["user", "unit", "role", "joined_at"]
    list_display = ["user", "unit", "role", "joined_at"]
    list_filter = ["role", "unit"]
    search_fields = ["user__email", "user__last_name", "unit__code"]


class RequirementViewSet(ModelViewSet):
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


class ApiTokenViewSet(ModelViewSet):
    model = ApiToken
    icon = "key"
    add_view_class = ApiTokenCreateView
    form_fields = ["name", "requirements", "revoked"]
    list_display = ["name", "hint", "created_at", "last_used_at", "revoked"]


class GateCallViewSet(ModelViewSet):
    model = GateCall
    icon = "history"
    list_display = [
        "at",
        "token",
        "requirement_slug",
        "person",
        "http_status",
        "status",
        "cleared",
    ]
    list_filter = ["http_status", "requirement_slug", "token"]
    search_fields = ["person", "requirement_slug"]
    inspect_view_enabled = True
    form_fields = ["requirement_slug"]


class ReminderViewSet(ModelViewSet):
    model = Reminder
    icon = "mail"
    list_display = ["sent_at", "user", "requirement", "kind", "window"]
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
