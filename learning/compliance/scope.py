"""Whom a manager may act on: the one scope rule behind every manager action.

A manager acts on the units they manage and on every unit below them, and on
the people who belong to those units (any membership, member or manager).
Superusers (the administrators) act on everything, people without any
membership included. Everybody else acts on nobody.

Every entry point asks `manager_scope(user)` — the certificate pages and
downloads, revocation, ZIP exports, the compliance dashboard and its exports,
the admin screens of units, memberships, requirements and logs, the weekly
digest — so a page, a POST view, the admin and a command give the same answer.
`membership_change_allowed` and `unit_change_allowed` are the rules that keep
anyone from widening their own scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from learning.exceptions import OutOfScope

from .models import Membership, MembershipRole, OrgUnit, Requirement
from .units import UnitTree


@dataclass(frozen=True)
class ManagerScope:
    """The units (managed ones and their descendants) a person acts on."""

    unit_ids: frozenset[int]
    #: the units the person manages directly (the tops of `unit_ids`)
    managed_ids: frozenset[int] = frozenset()
    #: administrators: every unit and every person, with or without a unit
    everything: bool = False
    user_id: int | None = None

    def __bool__(self) -> bool:
        return self.everything or bool(self.unit_ids)

    # -- units -------------------------------------------------------------

    def includes_unit(self, unit) -> bool:
        pk = getattr(unit, "pk", unit)
        return self.everything or pk in self.unit_ids

    def units(self, queryset: QuerySet | None = None) -> QuerySet:
        """The units of `queryset` (default: all units) in the scope."""
        queryset = OrgUnit.objects.all() if queryset is None else queryset
        return queryset if self.everything else queryset.filter(pk__in=self.unit_ids)

    # -- people ------------------------------------------------------------

    def _member_ids(self) -> QuerySet:
        """A subquery: the ids of people with a membership in the scope."""
        return Membership.objects.filter(unit_id__in=self.unit_ids).values("user_id")

    def people(self, queryset: QuerySet | None = None) -> QuerySet:
        """The people of `queryset` (default: every account) in the scope."""
        queryset = get_user_model().objects.all() if queryset is None else queryset
        if self.everything:
            return queryset
        return queryset.filter(pk__in=self._member_ids())

    def includes_person(self, person) -> bool:
        """True if `person` (an account or its id) belongs to a unit of the scope."""
        if self.everything:
            return True
        if not self.unit_ids:
            return False
        pk = getattr(person, "pk", person)
        return Membership.objects.filter(user_id=pk, unit_id__in=self.unit_ids).exists()

    def about_people(self, queryset: QuerySet, person_field: str) -> QuerySet:
        """Rows of `queryset` whose `person_field` (e.g. "enrollment__user") is in scope."""
        if self.everything:
            return queryset
        return queryset.filter(**{f"{person_field}__in": self._member_ids()})

    # -- admin objects -------------------------------------------------------

    def memberships(self, queryset: QuerySet | None = None) -> QuerySet:
        """Memberships of the scope's units."""
        queryset = Membership.objects.all() if queryset is None else queryset
        if self.everything:
            return queryset
        return queryset.filter(unit_id__in=self.unit_ids)

    def requirements(self, queryset: QuerySet | None = None) -> QuerySet:
        """Requirements that apply only inside the scope.

        A requirement reaches every member of its target units and groups: a
        manager edits one only if all its units are theirs and it targets no
        group (a group spans the whole institution).
        """
        queryset = Requirement.objects.all() if queryset is None else queryset
        if self.everything:
            return queryset
        outside = Requirement.units.through.objects.exclude(
            orgunit_id__in=self.unit_ids
        ).values("requirement_id")
        grouped = Requirement.groups.through.objects.values("requirement_id")
        return (
            queryset.filter(units__in=self.unit_ids)
            .exclude(pk__in=outside)
            .exclude(pk__in=grouped)
            .distinct()
        )


NOBODY = ManagerScope(unit_ids=frozenset())


def manager_scope(user, *, tree: UnitTree | None = None) -> ManagerScope:
    """The scope `user` acts on as a manager (empty for non-managers).

    Two queries (the unit tree, the person's manager memberships), none for an
    anonymous or inactive person; pass `tree` when it is already loaded.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    if user.is_superuser:
        tree = tree or UnitTree.load()
        return ManagerScope(
            unit_ids=frozenset(tree.code), everything=True, user_id=user.pk
        )
    managed = frozenset(
        user.unit_memberships.filter(role=MembershipRole.MANAGER).values_list(
            "unit_id", flat=True
        )
    )
    if not managed:
        return ManagerScope(unit_ids=frozenset(), user_id=user.pk)
    tree = tree or UnitTree.load()
    return ManagerScope(
        unit_ids=frozenset(tree.descendants(managed)),
        managed_ids=managed,
        user_id=user.pk,
    )


def is_manager(user) -> bool:
    """`bool(manager_scope(user))` in one query: for menus and header links."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.unit_memberships.filter(role=MembershipRole.MANAGER).exists()


def membership_change_allowed(
    scope: ManagerScope, *, person, unit, current: Membership | None = None
) -> bool:
    """May the scope's owner give `person` a membership in `unit` (or change/delete
    `current`)?

    Administrators may do anything. A manager may touch only memberships of
    their units, of people already in their units, never their own: so no one
    makes themselves manager of a wider unit, nor pulls someone else's people in.
    """
    if scope.everything:
        return True
    person_id = getattr(person, "pk", person)
    if not scope or person_id is None or person_id == scope.user_id:
        return False
    if current is not None and (
        current.user_id == scope.user_id or not scope.includes_unit(current.unit_id)
    ):
        return False
    if unit is not None and not scope.includes_unit(unit):
        return False
    return scope.includes_person(person_id)


def unit_change_allowed(
    scope: ManagerScope, *, unit: OrgUnit | None, parent, tree: UnitTree | None = None
) -> bool:
    """May the scope's owner create `unit` (None) or save it under `parent`?

    A manager creates units only below a unit of their scope, edits only units
    of their scope, and moves a unit only to a parent in their scope: a unit
    they manage keeps its parent (moving it would hand it to another manager
    or take it from one).
    """
    if scope.everything:
        return True
    parent_id = getattr(parent, "pk", parent)
    if unit is None or unit.pk is None:
        return parent_id is not None and scope.includes_unit(parent_id)
    if not scope.includes_unit(unit.pk):
        return False
    unchanged = (
        parent_id
        == OrgUnit.objects.filter(pk=unit.pk)
        .values_list("parent_id", flat=True)
        .first()
    )
    return unchanged or (parent_id is not None and scope.includes_unit(parent_id))


def unit_delete_allowed(scope: ManagerScope, unit: OrgUnit) -> bool:
    """Managers delete units below the ones they manage, never those themselves."""
    if scope.everything:
        return True
    return scope.includes_unit(unit.pk) and unit.pk not in scope.managed_ids


def require_person_in_scope(user, person) -> ManagerScope:
    """The scope of `user`, or OutOfScope if `person` is not in it."""
    scope = manager_scope(user)
    if not scope.includes_person(person):
        raise OutOfScope
    return scope
