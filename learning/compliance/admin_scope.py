"""The compliance admin screens held to the manager's scope.

Each model's rule (which rows a person sees, which they may change or
delete) is written once, over `scope.manager_scope`, in `RULES`. A permission
policy applies it on top of the Django model permissions; the listings show
only the rows the person sees; every view that names an object (edit, delete,
inspect, history, usage, copy) answers 404 for a row outside the scope; the
forms offer only units and people of the scope and validate the change.
https://docs.wagtail.org/en/stable/extending/generic_views.html
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from django.forms import modelform_factory
from django.http import Http404
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

import django_filters

from .models import ApiToken, GateCall, Membership, OrgUnit, Reminder, Requirement
from .scope import (
    ManagerScope,
    manager_scope,
    membership_change_allowed,
    unit_change_allowed,
    unit_delete_allowed,
)

User = get_user_model()

#: actions a view performs on the object it names
VIEW, CHANGE, DELETE = "view", "change", "delete"


@dataclass(frozen=True)
class Rule:
    """Which rows of a model a scope sees, and what it may do to one of them."""

    rows: Callable[[ManagerScope, QuerySet], QuerySet]
    allows: Callable[[ManagerScope, Model, str], bool]


def _requirement_allowed(scope, requirement, _action) -> bool:
    return scope.requirements().filter(pk=requirement.pk).exists()


def _membership_allowed(scope, membership, action) -> bool:
    if action == VIEW:
        return scope.includes_unit(membership.unit_id)
    return membership_change_allowed(
        scope, person=membership.user_id, unit=membership.unit_id, current=membership
    )


def _unit_allowed(scope, unit, action) -> bool:
    if action == DELETE:
        return unit_delete_allowed(scope, unit)
    if action == CHANGE:
        return unit_change_allowed(scope, unit=unit, parent=unit.parent_id)
    return scope.includes_unit(unit.pk)


def _about_person(scope, row, _action) -> bool:
    return scope.everything or (
        row.user_id is not None and scope.includes_person(row.user_id)
    )


RULES: dict[type[Model], Rule] = {
    OrgUnit: Rule(lambda scope, rows: scope.units(rows), _unit_allowed),
    Membership: Rule(lambda scope, rows: scope.memberships(rows), _membership_allowed),
    Requirement: Rule(
        lambda scope, rows: scope.requirements(rows), _requirement_allowed
    ),
    Reminder: Rule(lambda scope, rows: scope.about_people(rows, "user"), _about_person),
    GateCall: Rule(lambda scope, rows: scope.about_people(rows, "user"), _about_person),
    # A token asks about anyone in the institution: administrators only.
    ApiToken: Rule(
        lambda scope, rows: rows if scope.everything else rows.none(),
        lambda scope, _token, _action: scope.everything,
    ),
    # The people admin edits groups and the administrator flag: administrators
    # only. Managers manage their people through memberships.
    User: Rule(
        lambda scope, rows: scope.people(rows),
        lambda scope, _person, _action: scope.everything,
    ),
}


def scoped_rows(user, queryset: QuerySet) -> QuerySet:
    """The rows of `queryset` that `user` sees in the admin."""
    return RULES[queryset.model].rows(manager_scope(user), queryset)


class ScopedPolicy(ModelPermissionPolicy):
    """The model permissions, and the scope rule for each object."""

    def __init__(self, model, *, read_only=False, admin_only=False, **kwargs):
        super().__init__(model, **kwargs)
        self.read_only = read_only
        self.admin_only = admin_only

    def user_has_permission(self, user, action):
        if self.read_only and action in {"add", CHANGE, DELETE}:
            return False
        if self.admin_only and not user.is_superuser:
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and RULES[self.model].allows(
            manager_scope(user), instance, action
        )

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return self.model._default_manager.none()
        return scoped_rows(user, self.model._default_manager.all())


class ScopedIndexView(generic.IndexView):
    """Lists only the rows of the viewer's scope, with buttons they may use."""

    def get_base_queryset(self):
        return scoped_rows(self.request.user, super().get_base_queryset())

    def _may(self, action, instance) -> bool:
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, action, instance
        )

    def get_edit_url(self, instance):
        return super().get_edit_url(instance) if self._may(CHANGE, instance) else None

    def get_delete_url(self, instance):
        return super().get_delete_url(instance) if self._may(DELETE, instance) else None


class ScopedViewSet(ModelViewSet):
    """A ModelViewSet whose every screen follows `RULES[model]`.

    Wagtail's object views load the object by its primary key alone; each is
    wrapped here so an object outside the scope answers 404 (after Wagtail's
    own 403 for people without the model permission).
    """

    index_view_class = ScopedIndexView
    #: the form the create and edit forms are built on (it receives `for_user`)
    base_form_class = None

    def get_form_class(self, for_update=False):
        if self.base_form_class is None:
            return super().get_form_class(for_update)
        return modelform_factory(
            self.model,
            form=self.base_form_class,
            formfield_callback=self.formfield_for_dbfield,
            fields=self.get_form_fields(),
        )

    def _guarded(self, view, action: str):
        model = self.model

        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            policy = policy_registry.get_by_type(model)
            if policy.user_has_permission(request.user, action):
                pk = unquote(str(kwargs.get("pk", "")))
                obj = model._default_manager.filter(pk=pk).first() if pk else None
                if obj is None or not RULES[model].allows(
                    manager_scope(request.user), obj, action
                ):
                    raise Http404
            return view(request, *args, **kwargs)

        return guarded

    @property
    def edit_view(self):
        return self._guarded(super().edit_view, CHANGE)

    @property
    def delete_view(self):
        return self._guarded(super().delete_view, DELETE)

    @property
    def inspect_view(self):
        return self._guarded(super().inspect_view, VIEW)

    @property
    def history_view(self):
        return self._guarded(super().history_view, VIEW)

    @property
    def history_results_view(self):
        return self._guarded(super().history_results_view, VIEW)

    @property
    def usage_view(self):
        return self._guarded(super().usage_view, VIEW)

    @property
    def copy_view(self):
        return self._guarded(super().copy_view, VIEW)


def register_policies() -> None:
    """Every compliance model (and the people admin) answers to its scope rule;
    the logs are read-only. Runs after `wagtail.users` registered its own policy
    for the user model, which this one replaces."""
    for model in RULES:
        register_permission_policy(
            model,
            ScopedPolicy(
                model,
                read_only=model in {GateCall, Reminder},
                admin_only=model in {ApiToken, User},
            ),
        )


def units_in_scope(request) -> QuerySet:
    """The unit choices of a listing filter: the viewer's units."""
    return manager_scope(request.user).units()


class MembershipFilterSet(WagtailFilterSet):
    unit = django_filters.ModelChoiceFilter(queryset=units_in_scope)

    class Meta:
        model = Membership
        fields = ["role", "unit"]


class OrgUnitFilterSet(WagtailFilterSet):
    parent = django_filters.ModelChoiceFilter(queryset=units_in_scope)

    class Meta:
        model = OrgUnit
        fields = ["parent"]
