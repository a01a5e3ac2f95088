"""Bench data, generated in bulk (ORM bulk_create, PostgreSQL COPY), never over HTTP.

Courses, lessons and quizzes come from `seed_demo` (the real course folders);
people, org units, memberships, requirements, enrolments, certificates and the
statement store (with its filter index) are generated here, deterministically
(seeded random).
"""

import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

SCALES = {
    "small": {
        "people": 2_000,
        "units": 50,
        "requirements": 10,
        "statements": 50_000,
    },
    "full": {
        "people": 35_000,
        "units": 1_000,
        "requirements": 10,
        "statements": 1_000_000,
    },
}
SNDS_SLUG = "acces-snds-formation-obligatoire"
VERBS = ["launched", "completed", "answered", "passed", "failed", "registered"]
VERB_WEIGHTS = [30, 15, 45, 4, 2, 4]
ADL = "http://adlnet.gov/expapi/verbs/"
ACT = "http://adlnet.gov/expapi/activities/"


@dataclass
class Dataset:
    """What the scenarios need to know about the generated data."""

    people: int
    statements: int
    manager_id: int
    team_manager_id: int
    learner_id: int
    actors: list[str]  # pseudonyms with statements
    registrations: list[str]
    course_iris: list[str]
    lesson_iris: list[str]
    question_iris: list[str]
    generation_s: dict


def _sha1(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _utc(when: datetime) -> str:
    return (
        when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def make_people(count: int, rng: random.Random) -> list[int]:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    now = datetime.now(UTC)
    users = [
        User(
            username=f"person{i:06d}",
            email=f"person{i:06d}@bench.example",
            first_name=f"Prenom{i % 997}",
            last_name=f"Nom{i:06d}",
            password="!",  # unusable
            date_joined=now - timedelta(days=rng.randint(0, 2000)),
            pseudonym=uuid.UUID(int=rng.getrandbits(128), version=4),
        )
        for i in range(count)
    ]
    User.objects.bulk_create(users, batch_size=5000)
    return list(
        User.objects.filter(username__startswith="person")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def make_units(count: int) -> list[int]:
    """An institute > laboratories > teams tree of `count` units."""
    from learning.compliance.models import OrgUnit

    root = OrgUnit.objects.create(code="INST", name="Institut")
    labs_n = max(1, round(count**0.5))
    labs = OrgUnit.objects.bulk_create(
        [
            OrgUnit(code=f"LAB{i:03d}", name=f"Laboratoire {i}", parent=root)
            for i in range(labs_n)
        ]
    )
    teams_n = count - 1 - labs_n
    OrgUnit.objects.bulk_create(
        [
            OrgUnit(code=f"T{i:04d}", name=f"Equipe {i}", parent=labs[i % labs_n])
            for i in range(teams_n)
        ]
    )
    return [root.pk, *[lab.pk for lab in labs]]


def make_compliance(user_ids, n_units, n_requirements, rng):
    from django.contrib.auth.models import Group

    from courses.models import CoursePage
    from learning.compliance.models import (
        Membership,
        MembershipRole,
        OrgUnit,
        Requirement,
    )

    root_id, *lab_ids = make_units(n_units)
    teams = list(
        OrgUnit.objects.filter(code__startswith="T").values_list("pk", "parent_id")
    )
    memberships = []
    today = datetime.now(UTC).date()
    for user_id in user_ids:
        team, _lab = rng.choice(teams)
        memberships.append(
            Membership(
                user_id=user_id,
                unit_id=team,
                joined_at=today - timedelta(days=rng.randint(0, 1500)),
            )
        )
        if rng.random() < 0.05:  # a few people in two teams
            memberships.append(
                Membership(user_id=user_id, unit_id=rng.choice(teams)[0])
            )
    Membership.objects.bulk_create(memberships, batch_size=5000, ignore_conflicts=True)
    # The institute's manager sees everyone; a team manager sees one team.
    manager_id, team_manager_id = user_ids[0], user_ids[1]
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=manager_id, unit_id=root_id, role=MembershipRole.MANAGER
            ),
            Membership(
                user_id=team_manager_id,
                unit_id=teams[0][0],
                role=MembershipRole.MANAGER,
            ),
        ]
    )
    managers, _ = Group.objects.get_or_create(name="Managers")
    courses = list(CoursePage.objects.filter(locale__language_code="fr"))
    for index in range(n_requirements):
        requirement = Requirement.objects.create(
            slug=f"req-{index:02d}",
            title=f"Formation obligatoire {index:02d}",
            validity_months=[None, 12, 24, 36][index % 4],
            reminder_days=30,
            due_days=[None, 30, 90][index % 3],
        )
        requirement.courses.set([courses[index % len(courses)]])
        if index == 0:
            requirement.units.set([root_id])
        else:
            requirement.units.set(rng.sample(lab_ids, max(1, len(lab_ids) // 3)))
    return manager_id, team_manager_id, managers


def make_enrollments(user_ids, rng):
    """1-3 enrolments per person; about 55 % completed, most with a certificate."""
    from courses.models import CoursePage
    from learning.certificates.models import Certificate, new_code
    from learning.models import Enrollment, EnrollmentStatus

    courses = list(CoursePage.objects.filter(locale__language_code="fr"))
    now = datetime.now(UTC)
    enrollments, certificates = [], []
    for user_id in user_ids:
        for course in rng.sample(courses, rng.choice([1, 1, 2, 3])):
            enrolled = now - timedelta(days=rng.randint(1, 1400))
            completed = rng.random() < 0.55
            done_at = (
                enrolled + timedelta(days=rng.randint(0, 20)) if completed else None
            )
            done_at = min(done_at, now) if done_at else None
            enrollment = Enrollment(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                user_id=user_id,
                course=course,
                status=EnrollmentStatus.COMPLETED
                if completed
                else EnrollmentStatus.ACTIVE,
                enrolled_at=enrolled,
                completed_at=done_at,
                last_activity_at=done_at or enrolled,
            )
            enrollments.append(enrollment)
            if completed and rng.random() < 0.9:
                certificates.append(
                    Certificate(
                        code=new_code(),
                        enrollment=enrollment,
                        completed_at=done_at,
                        course=course,
                        learner_name=f"Person {user_id}",
                        course_title=course.title,
                        course_version=course.version,
                        issued_at=done_at,
                        valid_until=(done_at + timedelta(days=730)).date(),
                        institution_name="Institut",
                        signature="bench",
                        key_id="bench",
                    )
                )
    Enrollment.objects.bulk_create(enrollments, batch_size=5000)
    Certificate.objects.bulk_create(certificates, batch_size=5000)
    return enrollments


class _Index:
    """Drop a table's secondary indexes for a COPY, recreate them after."""

    def __init__(self, table: str):
        self.table = table

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.tablename = %s AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
                """,
                [self.table],
            )
            self.indexes = cursor.fetchall()
            for name, _definition in self.indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            # Foreign keys too: one validating join after the COPY beats a
            # deferred trigger per row.
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [self.table],
            )
            self.foreign_keys = cursor.fetchall()
            for name, _definition in self.foreign_keys:
                cursor.execute(f'ALTER TABLE "{self.table}" DROP CONSTRAINT "{name}"')
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in self.indexes:
                cursor.execute(definition)
            for name, definition in self.foreign_keys:
                cursor.execute(
                    f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{name}" {definition}'
                )
            cursor.execute(f'ANALYZE "{self.table}"')


def _copy(table: str, columns: list[str], lines) -> None:
    raw = connection.connection  # psycopg 3
    with raw.cursor() as cursor:
        with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
            buffer = []
            for line in lines:
                buffer.append(line)
                if len(buffer) >= 5000:
                    copy.write("".join(buffer))
                    buffer.clear()
            if buffer:
                copy.write("".join(buffer))


def make_statements(count, enrollments, pseudonyms, rng):
    """`count` statements of the learners' registrations, stored over two years."""
    from courses.models import CoursePage, LessonPage
    from learning.xapi.statements import activity_iri

    base = settings.SITE_BASE_URL
    home = base
    authority = {
        "objectType": "Agent",
        "account": {"homePage": base, "name": "atelier-platform"},
    }
    authority_key = _sha1(f"account:{base} atelier-platform")
    course_iri = {
        c.pk: activity_iri("course", c)
        for c in CoursePage.objects.filter(locale__language_code="fr")
    }
    lessons_of: dict[int, list[str]] = {pk: [] for pk in course_iri}
    for lesson in LessonPage.objects.filter(locale__language_code="fr"):
        parent = lesson.get_parent().pk
        if parent in lessons_of:
            lessons_of[parent].append(activity_iri("lesson", lesson))
    questions_of = {
        pk: [f"{iri}/question/q{n}" for n in range(1, 31)]
        for pk, iri in course_iri.items()
    }
    for pk in lessons_of:
        lessons_of[pk] = lessons_of[pk] or [course_iri[pk] + "/lesson"]
    verbs = {name: ADL + name for name in VERBS}
    verb_keys = {name: _sha1(iri) for name, iri in verbs.items()}
    keys: dict[str, str] = {}

    def key(iri):
        found = keys.get(iri)
        if found is None:
            found = keys[iri] = _sha1(iri)
        return found

    now = datetime.now(UTC) - timedelta(minutes=5)
    start = now - timedelta(days=730)
    span = (now - start).total_seconds()
    picks = [(e.id, e.user_id, e.course_id) for e in enrollments]
    stmt_columns = [
        "id",
        "actor_account_name",
        "actor_account_home_page",
        "verb",
        "activity_id",
        "registration",
        "timestamp",
        "stored",
        "data",
    ]
    relations: list[str] = []

    def statement_lines():
        offsets = sorted(rng.random() * span for _ in range(count))
        for n in range(count):
            registration, user_id, course_id = picks[rng.randrange(len(picks))]
            pseudonym = pseudonyms[user_id]
            verb = rng.choices(VERBS, VERB_WEIGHTS)[0]
            course = course_iri[course_id]
            if verb == "answered":
                obj, kind = rng.choice(questions_of[course_id]), "cmi.interaction"
            elif verb in ("passed", "failed"):
                obj, kind = course + "/quiz", "assessment"
            elif verb == "registered":
                obj, kind = course, "course"
            else:
                obj, kind = rng.choice(lessons_of[course_id]), "lesson"
            when = start + timedelta(seconds=offsets[n])
            stamp = _utc(when)
            sid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            reg = str(registration)
            data = {
                "id": sid,
                "actor": {
                    "objectType": "Agent",
                    "account": {"homePage": home, "name": pseudonym},
                },
                "verb": {"id": verbs[verb], "display": {"en": verb, "fr": verb}},
                "object": {
                    "objectType": "Activity",
                    "id": obj,
                    "definition": {"type": ACT + kind},
                },
                "context": {
                    "registration": reg,
                    "contextActivities": {
                        "parent": [{"objectType": "Activity", "id": course}]
                    },
                    "platform": "Atelier",
                    "language": "fr",
                },
                "timestamp": stamp,
                "stored": stamp,
                "authority": authority,
                "version": "1.0.0",
            }
            if verb in ("answered", "passed", "failed"):
                data["result"] = {
                    "success": verb != "failed",
                    "completion": True,
                    "score": {"scaled": round(rng.random(), 2)},
                }
            text = json.dumps(data, separators=(",", ":")).replace("\\", "\\\\")
            # The index rows the LRS writes (ingest.relations): one per
            # (kind, key), the direct one winning, each carrying `stored`.
            rows = [
                (1, key(f"account:{home} {pseudonym}"), "t"),
                (2, key(obj), "t"),
                (3, verb_keys[verb], "t"),
                (4, key(reg), "t"),
                (1, authority_key, "f"),
            ]
            if obj != course:  # a "registered" statement's object is the course
                rows.append((2, key(course), "f"))
            relations.extend(
                f"{sid}\t{kind}\t{k}\t{direct}\t{stamp}\n" for kind, k, direct in rows
            )
            yield (
                f"{sid}\t{pseudonym}\t{home}\t{verbs[verb]}\t{obj}\t{reg}\t"
                f"{stamp}\t{stamp}\t{text}\n"
            )

    timings = {}
    t0 = time.monotonic()
    with transaction.atomic(), _Index("learning_statement"):
        _copy("learning_statement", stmt_columns, statement_lines())
        timings["statements_copy_s"] = time.monotonic() - t0
    timings["statements_total_s"] = time.monotonic() - t0
    t1 = time.monotonic()
    with transaction.atomic(), _Index("xapi_statementrelation"):
        _copy(
            "xapi_statementrelation",
            ["statement_id", "kind", "key", "direct", "stored"],
            iter(relations),
        )
    relations.clear()
    timings["relations_total_s"] = time.monotonic() - t1
    return (
        timings,
        list(course_iri.values()),
        [iri for items in lessons_of.values() for iri in items],
        [iri for items in questions_of.values() for iri in items],
    )


def generate(scale: str, log) -> Dataset:
    """Everything but the demo content: people, compliance, records, statements."""
    from django.contrib.auth import get_user_model

    sizes = SCALES[scale]
    rng = random.Random(20261124)
    timings = {}
    t = time.monotonic()
    user_ids = make_people(sizes["people"], rng)
    timings["people_s"] = time.monotonic() - t
    log(f"  {len(user_ids)} people in {timings['people_s']:.1f} s")
    t = time.monotonic()
    manager_id, team_manager_id, _ = make_compliance(
        user_ids, sizes["units"], sizes["requirements"], rng
    )
    timings["compliance_s"] = time.monotonic() - t
    log(f"  units, memberships, requirements in {timings['compliance_s']:.1f} s")
    t = time.monotonic()
    enrollments = make_enrollments(user_ids, rng)
    timings["enrollments_certificates_s"] = time.monotonic() - t
    log(
        f"  {len(enrollments)} enrolments (+certificates) in "
        f"{timings['enrollments_certificates_s']:.1f} s"
    )
    pseudonyms = {
        pk: str(p) for pk, p in get_user_model().objects.values_list("pk", "pseudonym")
    }
    t = time.monotonic()
    stmt_timings, courses, lessons, questions = make_statements(
        sizes["statements"], enrollments, pseudonyms, rng
    )
    timings.update(stmt_timings)
    timings["statements_s"] = time.monotonic() - t
    log(
        f"  {sizes['statements']} statements (+index rows, COPY) in "
        f"{timings['statements_s']:.1f} s"
    )
    t = time.monotonic()
    with connection.cursor() as cursor:
        # As autovacuum would after a bulk load: without statistics the planner
        # picks plans no production database would run.
        cursor.execute("ANALYZE")
    timings["analyze_s"] = time.monotonic() - t
    log(f"  ANALYZE in {timings['analyze_s']:.1f} s")
    learner_id = user_ids[2]
    actors = [pseudonyms[pk] for pk in rng.sample(user_ids, 200)]
    registrations = [str(e.id) for e in rng.sample(enrollments, 200)]
    return Dataset(
        people=len(user_ids),
        statements=sizes["statements"],
        manager_id=manager_id,
        team_manager_id=team_manager_id,
        learner_id=learner_id,
        actors=actors,
        registrations=registrations,
        course_iris=courses,
        lesson_iris=lessons,
        question_iris=questions,
        generation_s=timings,
    )
