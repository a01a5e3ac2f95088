"""A person's standing on a requirement: the one status function used everywhere.

`evaluate()` is the rule, a pure function of the facts. `standings()` gathers the
facts for many people and requirements in a fixed number of queries (no query per
person) and applies `evaluate()`; `standing()` is the same for one person. The
dashboard, the exports, the reminders and the gate API all go through them. The
dashboard's counts and ordering use the same rule written in SQL
(`status_sql.py`, checked against this one by tests/compliance/test_status_sql.py):
a change to the rule here must be made there too.

Dates come from certificates (completion date, validity), never from progress
rows: only a current certificate (neither revoked nor superseded) counts.

The rule, first match wins:

0. nobody vouched for the person's identity (e-mail address unconfirmed, no SSO
   or LTI account: accounts/identity.py): `identity_unverified`, never cleared,
   whatever the certificates (the gate API refuses them; the dashboard and its
   exports say so). The dates behind the training status below are kept, and
   that status too (`training_status`: what reminders are about);
1. a certificate still valid today: `expiring` when its expiry is within the
   requirement's reminder window, `compliant` otherwise;
2. a certificate that has lapsed: `expired` (even while renewing: not cleared);
3. never certified, due date passed: `overdue`;
4. never certified, enrolled in an acceptable course: `in_progress`;
5. never certified, not started: `due`.

The due date is the date the person joined the requirement's target unit (or,
when the requirement applies through a group, the account's creation date) plus
the requirement's due period; no due period means no deadline.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from wagtail.models import Page

from dateutil.relativedelta import relativedelta

from accounts.identity import identity_verified_annotation, is_identity_verified
from learning.certificates.models import Certificate
from learning.models import Enrollment, EnrollmentStatus

from .models import CLEARED_STATUSES, ComplianceStatus, Membership, Requirement
from .units import UnitTree


@dataclass(frozen=True)
class CertificateFacts:
    id: int
    code: str
    course_id: int
    completed_at: datetime
    valid_until: date | None


@dataclass(frozen=True)
class Standing:
    """The status of one person on one requirement, with the dates behind it."""

    user_id: int
    requirement_id: int
    status: ComplianceStatus
    valid_until: date | None = None
    completed_at: datetime | None = None
    certificate_id: int | None = None
    certificate_code: str | None = None
    due_date: date | None = None
    applies: bool = True
    #: the status by the training alone (rules 1 to 5), whatever the identity
    training_status: ComplianceStatus | None = None

    def __post_init__(self):
        if self.training_status is None:
            object.__setattr__(self, "training_status", self.status)

    @property
    def cleared(self) -> bool:
        return self.status in CLEARED_STATUSES

    @property
    def verification_url(self) -> str | None:
        if not self.certificate_code:
            return None
        return f"{settings.SITE_BASE_URL}/certificates/verify/{self.certificate_code}/"

    @property
    def status_label(self) -> str:
        return ComplianceStatus(self.status).label


def expiry(requirement: Requirement, certificate: CertificateFacts) -> date | None:
    """Last valid day: the requirement's validity if set, else the certificate's."""
    if requirement.validity_months:
        completed = timezone.localdate(certificate.completed_at)
        return completed + relativedelta(months=requirement.validity_months)
    return certificate.valid_until


def evaluate(
    requirement: Requirement,
    *,
    user_id: int,
    certificates: Iterable[CertificateFacts],
    enrolled: bool,
    start: date | None,
    today: date,
    applies: bool = True,
    identity_verified: bool = True,
) -> Standing:
    """The status rule (see the module docstring); a pure function of its arguments."""
    found = _by_training(
        requirement,
        user_id=user_id,
        certificates=certificates,
        enrolled=enrolled,
        start=start,
        today=today,
        applies=applies,
    )
    if identity_verified:
        return found
    return replace(found, status=ComplianceStatus.IDENTITY_UNVERIFIED)


def _by_training(
    requirement: Requirement,
    *,
    user_id: int,
    certificates: Iterable[CertificateFacts],
    enrolled: bool,
    start: date | None,
    today: date,
    applies: bool,
) -> Standing:
    """Rules 1 to 5: the status by the training alone."""
    best, best_expiry = None, None
    for certificate in certificates:
        until = expiry(requirement, certificate)
        key = (date.max if until is None else until, certificate.completed_at)
        if best is None or key > (
            date.max if best_expiry is None else best_expiry,
            best.completed_at,
        ):
            best, best_expiry = certificate, until
    due_date = (
        start + timedelta(days=requirement.due_days)
        if start is not None and requirement.due_days is not None
        else None
    )
    common = {
        "user_id": user_id,
        "requirement_id": requirement.pk,
        "due_date": due_date,
        "applies": applies,
    }
    if best is not None:
        certificate = {
            "valid_until": best_expiry,
            "completed_at": best.completed_at,
            "certificate_id": best.id,
            "certificate_code": best.code,
        }
        if best_expiry is None or best_expiry >= today:
            expiring = (
                best_expiry is not None
                and (best_expiry - today).days <= requirement.reminder_days
            )
            status = (
                ComplianceStatus.EXPIRING if expiring else ComplianceStatus.COMPLIANT
            )
        else:
            status = ComplianceStatus.EXPIRED
        return Standing(status=status, **certificate, **common)
    if due_date is not None and today > due_date:
        return Standing(status=ComplianceStatus.OVERDUE, **common)
    if enrolled:
        return Standing(status=ComplianceStatus.IN_PROGRESS, **common)
    return Standing(status=ComplianceStatus.DUE, **common)


def _acceptable_course_ids(requirements: list[Requirement]) -> dict[int, set[int]]:
    """Per requirement, its courses' page ids in every language (one query)."""
    keys: dict[int, set] = {}
    for requirement in requirements:
        keys[requirement.pk] = {c.translation_key for c in requirement.courses.all()}
    all_keys = set().union(*keys.values()) if keys else set()
    pages_by_key: dict = defaultdict(set)
    for pk, key in Page.objects.filter(translation_key__in=all_keys).values_list(
        "pk", "translation_key"
    ):
        pages_by_key[key].add(pk)
    return {
        rid: set().union(*(pages_by_key[k] for k in ks)) if ks else set()
        for rid, ks in keys.items()
    }


def prefetched(requirements: Iterable[Requirement]) -> list[Requirement]:
    """The requirements with their courses, units and groups (three queries)."""
    pks = [r.pk for r in requirements]
    return list(
        Requirement.objects.filter(pk__in=pks)
        .prefetch_related("courses", "units", "groups")
        .order_by("title")
    )


@dataclass
class Rules:
    """Requirements with what `standings()` needs to know about them."""

    requirements: list[Requirement]
    courses: dict[int, set[int]]  # acceptable course page ids (every language)
    targets: dict[int, set[int]]  # units it applies to, with their descendants
    groups: dict[int, set[int]]  # groups it applies to

    @classmethod
    def load(cls, requirements: Iterable[Requirement], tree: UnitTree) -> "Rules":
        """Five queries: requirements, their courses, units, groups, translations."""
        requirements = prefetched(requirements)
        return cls(
            requirements=requirements,
            courses=_acceptable_course_ids(requirements),
            targets={
                r.pk: tree.descendants(u.pk for u in r.units.all())
                for r in requirements
            },
            groups={r.pk: {g.pk for g in r.groups.all()} for r in requirements},
        )


def standings(
    users: QuerySet,
    requirements: Iterable[Requirement],
    *,
    today: date | None = None,
    tree: UnitTree | None = None,
    only_applicable: bool = True,
    rules: Rules | None = None,
) -> dict[tuple[int, int], Standing]:
    """Standings keyed by (user id, requirement id), in a bounded number of queries.

    `users` is a queryset (used as a subquery, never as a list of ids, so it
    scales to tens of thousands of people). With `only_applicable`, pairs where
    the requirement does not apply to the person are left out; without it,
    they are evaluated as if it applied, with no due date. `rules`, if given,
    stands for `requirements` already loaded.
    """
    today = today or timezone.localdate()
    if rules is None:
        rules = Rules.load(requirements, tree or UnitTree.load())
    requirements = rules.requirements
    if not requirements:
        return {}
    user_ids_qs = users.values("pk")
    courses = rules.courses
    all_courses = set().union(*courses.values())

    # Who each requirement applies to, and since when.
    targets = rules.targets
    group_ids = rules.groups
    joined: dict[tuple[int, int], date] = {}  # (user, requirement) -> start
    all_users: set[int] = set()
    # Whose identity is verified, read with the rows that list the people.
    verified: dict[int, bool] = {}
    target_list = list(targets.items())
    for user_id, unit_id, joined_at, is_verified in (
        Membership.objects.filter(user__in=user_ids_qs)
        .annotate(identity_verified=identity_verified_annotation("user__"))
        .values_list("user_id", "unit_id", "joined_at", "identity_verified")
    ):
        all_users.add(user_id)
        verified[user_id] = is_verified
        for rid, target in target_list:
            if unit_id in target:
                key = (user_id, rid)
                if key not in joined or joined_at < joined[key]:
                    joined[key] = joined_at
    wanted_groups = set().union(*group_ids.values())
    in_groups: dict[int, set[int]] = defaultdict(set)
    date_joined: dict[int, date] = {}
    if wanted_groups or not only_applicable:
        for user_id, when, is_verified in users.annotate(
            standing_identity_verified=identity_verified_annotation()
        ).values_list("pk", "date_joined", "standing_identity_verified"):
            date_joined[user_id] = timezone.localdate(when)
            verified[user_id] = is_verified
        all_users.update(date_joined)
    if wanted_groups:
        through = get_user_model().groups.through
        for user_id, group_id in through.objects.filter(
            user__in=user_ids_qs, group_id__in=wanted_groups
        ).values_list("user_id", "group_id"):
            in_groups[user_id].add(group_id)

    # What they did: current certificates and open enrolments in those courses.
    certificates: dict[int, list[CertificateFacts]] = defaultdict(list)
    for row in (
        Certificate.objects.current()
        .filter(enrollment__user__in=user_ids_qs, course_id__in=all_courses)
        .values_list(
            "enrollment__user_id",
            "pk",
            "code",
            "course_id",
            "completed_at",
            "valid_until",
        )
    ):
        certificates[row[0]].append(CertificateFacts(*row[1:]))
    enrolled: dict[int, set[int]] = defaultdict(set)
    for user_id, course_id in Enrollment.objects.filter(
        user__in=user_ids_qs, course_id__in=all_courses, status=EnrollmentStatus.ACTIVE
    ).values_list("user_id", "course_id"):
        enrolled[user_id].add(course_id)

    result: dict[tuple[int, int], Standing] = {}
    for r in requirements:
        rid = r.pk
        accepted = courses[rid]
        groups_of_r = group_ids[rid]
        for user_id in all_users:
            start = joined.get((user_id, rid))
            via_group = bool(
                groups_of_r and in_groups.get(user_id, set()) & groups_of_r
            )
            if start is None and via_group:
                start = date_joined.get(user_id)
            applies = start is not None or via_group
            if not applies and only_applicable:
                continue
            result[(user_id, rid)] = evaluate(
                r,
                user_id=user_id,
                certificates=[
                    c for c in certificates.get(user_id, ()) if c.course_id in accepted
                ],
                enrolled=bool(enrolled.get(user_id, set()) & accepted),
                start=start if applies else None,
                today=today,
                applies=applies,
                identity_verified=verified[user_id],
            )
    return result


def standing(user, requirement: Requirement, *, today: date | None = None) -> Standing:
    """One person's standing on one requirement (evaluated even if it does not apply)."""
    users = get_user_model().objects.filter(pk=user.pk)
    found = standings(users, [requirement], today=today, only_applicable=False)
    key = (user.pk, requirement.pk)
    if key in found:
        return found[key]
    return evaluate(
        requirement,
        user_id=user.pk,
        certificates=(),
        enrolled=False,
        start=None,
        today=today or timezone.localdate(),
        applies=False,
        identity_verified=is_identity_verified(user),
    )
