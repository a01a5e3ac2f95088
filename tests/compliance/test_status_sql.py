"""The SQL form of the status rule agrees with `status.evaluate()` on the same data.

A table of people covers every branch of the rule (never certified, valid,
expiring, expired, revoked or superseded certificates, several acceptable
courses, validity from the requirement or from the certificate, end-of-month
validity, completion late in the evening, due dates, in progress, unit
descendants, two units, groups, identities verified or not), then both forms are compared on several days.
"""

import random
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

import pytest

from learning.certificates.models import Certificate
from learning.compliance.dashboard import STATUS_ORDER
from learning.compliance.models import Membership, Requirement
from learning.compliance.status import Rules, standings
from learning.compliance.status_sql import StatusQuery
from learning.compliance.units import UnitTree
from learning.models import Enrollment, EnrollmentStatus
from tests.factories import CoursePageFactory, UserFactory

pytestmark = pytest.mark.django_db

COMPLETIONS = [
    None,
    datetime(2025, 1, 31, 12, tzinfo=UTC),  # + 1 month: 28 February
    datetime(2025, 2, 28, 23, 30, tzinfo=UTC),  # 1 March in Paris
    datetime(2025, 3, 31, 8, tzinfo=UTC),
    datetime(2025, 12, 15, 8, tzinfo=UTC),
    datetime(2026, 1, 31, 22, 59, tzinfo=UTC),  # 31 January in Paris
    datetime(2026, 1, 31, 23, 1, tzinfo=UTC),  # 1 February in Paris
    datetime(2026, 2, 20, 8, tzinfo=UTC),
]
VALID_UNTIL = [None, date(2026, 2, 28), date(2026, 3, 10), date(2026, 3, 31)]
DAYS = [
    date(2026, 2, 28),
    date(2026, 3, 1),
    date(2026, 3, 10),
    date(2026, 3, 31),
    date(2026, 4, 1),
    date(2026, 12, 31),
]


@pytest.fixture
def world(catalogue, units):
    """Four requirements, two courses, a group, and 80 people drawn at random."""
    rng = random.Random(20261124)
    courses = [
        CoursePageFactory(parent=catalogue, title="Cours A", slug="cours-a"),
        CoursePageFactory(parent=catalogue, title="Cours B", slug="cours-b"),
    ]
    group = Group.objects.create(name="SNDS")
    specs = [
        # slug, validity months, reminder days, due days, courses, units, groups
        ("monthly", 1, 10, 30, courses[:1], ["institute"], []),
        ("certificate", None, 30, None, courses, ["lab_a"], [group]),
        ("yearly", 12, 30, 0, courses[1:], ["team"], [group]),
        ("zero", 0, 5, 10, courses, ["lab_b"], []),
    ]
    requirements = []
    for slug, months, reminder, due, accepted, targets, groups in specs:
        requirement = Requirement.objects.create(
            slug=slug,
            title=slug.title(),
            validity_months=months,
            reminder_days=reminder,
            due_days=due,
        )
        requirement.courses.set(accepted)
        requirement.units.set([units[name] for name in targets])
        requirement.groups.set(groups)
        requirements.append(requirement)
    placements = [["team"], ["lab_b"], ["lab_a", "lab_b"], ["institute"], ["team"]]
    for index in range(80):
        user = UserFactory(username=f"p{index}", last_name=f"Nom{rng.randint(0, 9)}")
        user.date_joined = timezone.make_aware(
            datetime(2026, 1, 1) + timedelta(days=rng.randint(0, 80), hours=23)
        )
        user.save()
        _identity(user, index)
        if index % 4 == 0:
            user.groups.add(group)
        for name in placements[index % len(placements)]:
            Membership.objects.create(
                user=user,
                unit=units[name],
                joined_at=date(2026, 1, 1) + timedelta(days=rng.randint(0, 80)),
            )
        for course in courses:
            _history(user, course, rng)
    return requirements


def _identity(user, index):
    """Most addresses confirmed; some vouched for by SSO or LTI; every seventh
    person unverified (never confirmed, or another address confirmed)."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    if index % 7 == 3:
        return
    if index % 7 == 5:
        EmailAddress.objects.create(
            user=user, email=f"other-{index}@example.org", verified=True
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=False)
    elif index % 11 == 1:
        SocialAccount.objects.create(user=user, provider="oidc", uid=f"u{index}")
    else:
        EmailAddress.objects.create(
            user=user, email=user.email.upper(), verified=True, primary=True
        )


def _history(user, course, rng):
    """Nothing, an enrolment, or certificates (some revoked or superseded)."""
    kind = rng.choice(["none", "active", "completed"])
    if kind == "none":
        return
    enrollment = Enrollment.objects.create(
        user=user,
        course=course,
        status=EnrollmentStatus.ACTIVE
        if kind == "active"
        else EnrollmentStatus.COMPLETED,
        enrolled_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    previous = None
    for _ in range(rng.randint(0 if kind == "active" else 1, 2)):
        completed = rng.choice(COMPLETIONS[1:])
        if Certificate.objects.filter(
            enrollment=enrollment, completed_at=completed
        ).exists():
            continue
        certificate = Certificate.objects.create(
            enrollment=enrollment,
            course=course,
            completed_at=completed,
            issued_at=completed,
            valid_until=rng.choice(VALID_UNTIL),
            learner_name=user.get_full_name(),
            course_title=course.title,
            course_version="1",
            institution_name="Institut",
            signature="test",
            key_id="test",
            revoked_at=completed if rng.random() < 0.15 else None,
        )
        if previous is not None and rng.random() < 0.3:
            previous.superseded_by = certificate
            previous.save()
        previous = certificate


def _compare(requirements, unit_ids, today):
    tree = UnitTree.load()
    rules = Rules.load(requirements, tree)
    shown = tree.descendants(unit_ids)
    people = (
        get_user_model().objects.filter(unit_memberships__unit_id__in=shown).distinct()
    )
    python = standings(people, (), today=today, rules=rules)
    query = StatusQuery(
        units=shown,
        requirements=rules.requirements,
        courses=rules.courses,
        targets=rules.targets,
        today=today,
    )
    sql = {(user, rid): status for user, rid, status in query.ordered()}
    assert sql == {key: item.status.value for key, item in python.items()}
    return tree, shown, python, query


@pytest.mark.parametrize("today", DAYS)
def test_sql_and_python_agree_on_every_person(world, units, today):
    """Same pairs, same statuses, for everyone and for one laboratory."""
    _tree, _shown, python, _query = _compare(world, [units["institute"].pk], today)
    statuses = {item.status for item in python.values()}
    assert len(statuses) >= 5  # the table covers the rule, not one branch
    assert "identity_unverified" in statuses
    _compare(world, [units["lab_a"].pk], today)


def test_sql_counts_match_python_counts(world, units):
    """Per unit row: each person once, whatever their number of units in it."""
    today = date(2026, 3, 10)
    tree, shown, python, query = _compare(world, [units["institute"].pk], today)
    rows = {
        pk: tree.descendants([pk])
        for pk in [units["institute"].pk] + tree.children[units["institute"].pk]
    }
    units_of = {}
    for user_id, unit_id in Membership.objects.values_list("user_id", "unit_id"):
        units_of.setdefault(user_id, set()).add(unit_id)
    expected = {}
    for (user_id, rid), item in python.items():
        for row, members in rows.items():
            if units_of.get(user_id, set()) & members:
                key = (row, rid, item.status.value)
                expected[key] = expected.get(key, 0) + 1
    assert query.counts(rows) == expected


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("valid_until", lambda s: s.valid_until or date.max),
        ("due_date", lambda s: s.due_date or date.max),
        ("status", lambda s: STATUS_ORDER.index(s.status)),
    ],
)
def test_sql_sort_keys_are_the_python_values(world, units, sort, key):
    """Sorting by dates or status in SQL orders rows by the values Python shows."""
    today = date(2026, 3, 10)
    _tree, _shown, python, query = _compare(world, [units["institute"].pk], today)
    ordered = [key(python[(u, r)]) for u, r, _s in query.ordered(sort=sort)]
    assert ordered == sorted(ordered)
    backwards = [key(python[(u, r)]) for u, r, _s in query.ordered(sort=f"-{sort}")]
    assert backwards == sorted(ordered, reverse=True)


def test_sql_pages_and_filters(world, units):
    """LIMIT/OFFSET pages are slices of the whole list; the status filter holds."""
    today = date(2026, 3, 10)
    _tree, _shown, python, query = _compare(world, [units["institute"].pk], today)
    whole = query.ordered(sort="name")
    assert query.ordered(sort="name", limit=7, offset=5) == whole[5:12]
    overdue = query.ordered(status="overdue")
    assert overdue == [row for row in whole if row[2] == "overdue"]
    assert len(overdue) == sum(1 for s in python.values() if s.status == "overdue")


def test_an_unsupported_database_is_named(monkeypatch):
    """Only PostgreSQL and SQLite have the date arithmetic: others fail clearly."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import connection

    from learning.compliance.status_sql import _Dialect

    monkeypatch.setattr(connection, "vendor", "mysql")
    with pytest.raises(ImproperlyConfigured, match="not mysql"):
        _Dialect()
