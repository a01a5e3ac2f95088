"""Placing people in units: requests at sign-up and in the profile, the managers'
confirmation, administrators' placement, and units from the SSO.

A person who picks a unit asks to join it (`UnitRequest`); they enter the
dashboards only once one of that unit's managers (or a manager above it, or an
administrator) confirms, which creates a membership as a *member*. So nobody is
pulled into a manager's scope without asking, and nobody gets into a unit's
dashboards, register and gate answers on their own say-so. People who ask for
nothing are placed by administrators. A unit named by the institution's SSO
(`OIDC_UNIT_CLAIM`) is trusted like the identity it comes with: membership at once.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from learning.exceptions import NotAManager, OutOfScope

from .models import (
    Membership,
    MembershipRole,
    OrgUnit,
    UnitRequest,
    UnitRequestStatus,
)
from .scope import ManagerScope, manager_scope
from .units import UnitTree

#: At most this many rows in the dashboard's lists of people to place.
LIST_LIMIT = 100


def unit_paths(tree: UnitTree | None = None) -> list[tuple[int, str]]:
    """Every unit as (id, "Institute › Laboratory › Team"), in path order."""
    tree = tree or UnitTree.load()
    paths = [
        (pk, " › ".join(tree.name[a] for a in reversed(tree.ancestors(pk))))
        for pk in tree.code
    ]
    return sorted(paths, key=lambda item: item[1].casefold())


def unit_path(unit: OrgUnit | None, tree: UnitTree | None = None) -> str:
    if unit is None:
        return ""
    tree = tree or UnitTree.load()
    return " › ".join(tree.name[a] for a in reversed(tree.ancestors(unit.pk)))


def pending_request(user) -> UnitRequest | None:
    return (
        UnitRequest.objects.filter(user=user, status=UnitRequestStatus.PENDING)
        .select_related("unit")
        .first()
    )


def request_unit(
    user, unit: OrgUnit | int | None, *, source: str
) -> UnitRequest | None:
    """`user` asks to join `unit` (a unit or its id; None: withdraws their request).

    One pending request per person: a new choice replaces the previous one.
    Nothing is asked for a unit they already belong to, or that does not exist.
    """
    if isinstance(unit, int):
        unit = OrgUnit.objects.filter(pk=unit).first()
    with transaction.atomic():
        current = (
            UnitRequest.objects.select_for_update()
            .filter(user=user, status=UnitRequestStatus.PENDING)
            .first()
        )
        if unit is None or Membership.objects.filter(user=user, unit=unit).exists():
            if current is not None:
                current.delete()
            return None
        if current is not None:
            if current.unit_id == unit.pk:
                return current
            current.delete()
        return UnitRequest.objects.create(user=user, unit=unit, source=source)


def requests_for(scope: ManagerScope) -> QuerySet:
    """Pending requests for the units of `scope`, oldest first."""
    rows = UnitRequest.objects.filter(status=UnitRequestStatus.PENDING)
    if not scope.everything:
        rows = rows.filter(unit_id__in=scope.unit_ids)
    return rows.select_related("user", "unit").order_by("requested_at", "pk")


def _decide(manager, request_id: int, status: str) -> UnitRequest:
    scope = manager_scope(manager)
    if not scope:
        raise NotAManager
    with transaction.atomic():
        request = (
            UnitRequest.objects.select_for_update(of=("self",))
            .select_related("user", "unit")
            .filter(pk=request_id, status=UnitRequestStatus.PENDING)
            .first()
        )
        # Outside the scope, or one's own request: as if it did not exist.
        if (
            request is None
            or not scope.includes_unit(request.unit_id)
            or request.user_id == manager.pk
        ):
            raise OutOfScope
        request.status = status
        request.decided_by = manager
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        if status == UnitRequestStatus.CONFIRMED:
            Membership.objects.get_or_create(
                user=request.user,
                unit=request.unit,
                role=MembershipRole.MEMBER,
                defaults={"joined_at": timezone.localdate()},
            )
    return request


def confirm_request(manager, request_id: int) -> UnitRequest:
    """Confirm a pending request of the manager's units: the person becomes a
    member (joined today). OutOfScope outside the scope or for one's own."""
    return _decide(manager, request_id, UnitRequestStatus.CONFIRMED)


def refuse_request(manager, request_id: int) -> UnitRequest:
    """Refuse a pending request of the manager's units; the person may ask again."""
    return _decide(manager, request_id, UnitRequestStatus.REFUSED)


def unplaced_people(scope: ManagerScope) -> QuerySet:
    """Administrators only: active people in no unit and asking for none."""
    if not scope.everything:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False)
        .filter(unit_memberships__isnull=True)
        .exclude(unit_requests__status=UnitRequestStatus.PENDING)
        .order_by("-date_joined", "pk")
    )


def place_person(admin, person, unit: OrgUnit) -> Membership:
    """An administrator places `person` in `unit` as a member (managers cannot:
    they would pull any account into their scope)."""
    if not manager_scope(admin).everything:
        raise OutOfScope
    with transaction.atomic():
        membership, _created = Membership.objects.get_or_create(
            user=person,
            unit=unit,
            role=MembershipRole.MEMBER,
            defaults={"joined_at": timezone.localdate()},
        )
        UnitRequest.objects.filter(
            user=person, status=UnitRequestStatus.PENDING, unit=unit
        ).update(
            status=UnitRequestStatus.CONFIRMED,
            decided_by=admin,
            decided_at=timezone.now(),
        )
    return membership


# -- the SSO -----------------------------------------------------------------------


def claimed_units(claims: dict) -> list[OrgUnit]:
    """The units named by the `OIDC_UNIT_CLAIM` claim (a code or a name, or a list)."""
    name = settings.OIDC_UNIT_CLAIM
    if not name:
        return []
    values = claims.get(name)
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        return []
    wanted = [v.strip() for v in values if isinstance(v, str) and v.strip()][:20]
    query = Q()
    for value in wanted:
        query |= Q(code__iexact=value[:50]) | Q(name__iexact=value[:200])
    return list(OrgUnit.objects.filter(query)) if wanted else []


def place_from_sso(user, claims: dict) -> list[Membership]:
    """Make `user` a member of the units their identity provider names."""
    created = []
    for unit in claimed_units(claims):
        membership, new = Membership.objects.get_or_create(
            user=user,
            unit=unit,
            role=MembershipRole.MEMBER,
            defaults={"joined_at": timezone.localdate()},
        )
        if new:
            created.append(membership)
            UnitRequest.objects.filter(
                user=user, status=UnitRequestStatus.PENDING, unit=unit
            ).delete()
    return created


@dataclass(frozen=True)
class Placement:
    """Where a person stands: their units, their pending or refused request."""

    memberships: list
    pending: UnitRequest | None
    refused: UnitRequest | None


def placement_of(user) -> Placement:
    """For the profile page (two queries)."""
    memberships = list(
        user.unit_memberships.filter(role=MembershipRole.MEMBER).select_related("unit")
    )
    latest = (
        UnitRequest.objects.filter(user=user)
        .exclude(status=UnitRequestStatus.CONFIRMED)
        .select_related("unit")
        .order_by("-requested_at", "-pk")
        .first()
    )
    return Placement(
        memberships=memberships,
        pending=latest
        if latest and latest.status == UnitRequestStatus.PENDING
        else None,
        refused=latest
        if latest and latest.status == UnitRequestStatus.REFUSED
        else None,
    )
