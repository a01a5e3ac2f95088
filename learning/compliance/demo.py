"""The compliance demo: an institute with laboratories and teams, the SNDS
requirement, and a few hundred people in every state.

People and records go through the domain functions (`progress.enrol`,
`progress.complete_lesson`, `issuance.issue_certificate`) with historical dates,
so the dashboard shows what the real paths produce. The certificate job's PDF
and e-mail are skipped while seeding (hundreds of PDFs would take minutes): the
demo issues each certificate itself with `issue_certificate`, the function the
job calls, and a PDF is rendered on first download (`pdf.ensure_pdf`).
"""

import random
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from allauth.account.models import EmailAddress

from courses.models import CoursePage
from learning import progress
from learning.certificates.issuance import issue_certificate
from learning.quiz import attempts
from learning.quiz.simulation import SimulatedLearner

from .models import (
    ApiToken,
    Membership,
    MembershipRole,
    OrgUnit,
    Requirement,
    UnitRequestSource,
)
from .placement import request_unit

SNDS_COURSE_SLUG = "acces-snds-formation-obligatoire"
INSTITUTE = ("DEMO-ISP", "Institut de santé publique (démo)")
LABS = [
    ("DEMO-EPI", "Laboratoire d'épidémiologie", ["Cohortes", "Maladies chroniques"]),
    ("DEMO-PHARMA", "Pharmaco-épidémiologie", ["Médicaments", "Vaccins"]),
    ("DEMO-ECO", "Économie de la santé", []),
    ("DEMO-BIOSTAT", "Biostatistique", ["Méthodes"]),
    ("DEMO-SOC", "Sociologie de la santé", []),
]
FIRST = "Camille Lou Sacha Noé Inès Jules Léa Hugo Chloé Nathan Emma Louis Jade Arthur Manon Adam Zoé Paul Alice Gabriel Rose Tom Lina Yanis Nina Théo Sarah Malo Anaïs Rayan".split()
LAST = "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet François Martinez Legrand".split()
# Share of people per state (sums to 1).
STATES = [
    ("compliant", 0.46),
    ("expiring", 0.1),
    ("expired", 0.08),
    ("in_progress", 0.12),
    ("due", 0.1),
    ("overdue", 0.12),
    # Certified, but their address was never confirmed: the gate refuses them.
    ("identity_unverified", 0.02),
]
#: Demo-only gate token (README): never use it outside the demo.
DEMO_TOKEN = "atl_demo-snds-gate-token"  # noqa: S105


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


@contextmanager
def _no_issuance_job():
    """The demo issues certificates itself; skip the job's PDF and e-mail."""
    with mock.patch.object(progress, "schedule_issuance", lambda *args: None):
        yield


def _pass_quiz(enrollment, quiz, learner: SimulatedLearner, when: datetime) -> None:
    """Attempts with the learner's mistakes until one passes (the last allowed one
    keeps its mistakes within the pass mark): spread scores for the analytics."""
    limit = quiz.max_attempts or 3
    for number in range(1, limit + 1):
        attempt = attempts.start_attempt(enrollment, quiz, when=when, rng=learner.rng)
        questions = attempt.questions
        last = number == limit
        room = len(questions) * (100 - quiz.pass_mark) // 100
        answers = learner.answers(
            questions, tries=number - 1, max_mistakes=room if last else None
        )
        when += timedelta(minutes=10)
        if attempts.submit_attempt(attempt, answers, when=when).attempt.passed:
            return
        when += timedelta(minutes=20)  # the lessons read again, then a new try


def _certify(user, course, lessons, quizzes, day: date, learner) -> None:
    enrollment = progress.enrol(user, course, when=_at(day - timedelta(days=3)))
    for number, lesson in enumerate(lessons):
        progress.complete_lesson(
            enrollment, lesson, when=_at(day) + timedelta(minutes=number)
        )
    for quiz in quizzes:
        _pass_quiz(enrollment, quiz, learner, _at(day) + timedelta(minutes=30))
    enrollment.refresh_from_db()
    issue_certificate(enrollment, when=_at(day) + timedelta(hours=3))


def _plan(rng: random.Random, state: str, today: date) -> tuple[date, date | None]:
    """(joined on, certified on or started on) for a person in `state`."""
    if state in ("compliant", "identity_unverified"):
        return today - timedelta(days=rng.randint(200, 900)), today - timedelta(
            days=rng.randint(5, 320)
        )
    if state == "expiring":
        return today - timedelta(days=rng.randint(400, 900)), today - timedelta(
            days=rng.randint(340, 360)
        )
    if state == "expired":
        return today - timedelta(days=rng.randint(500, 900)), today - timedelta(
            days=rng.randint(370, 500)
        )
    if state == "in_progress":
        return today - timedelta(days=rng.randint(3, 25)), today - timedelta(
            days=rng.randint(0, 2)
        )
    if state == "due":
        return today - timedelta(days=rng.randint(0, 28)), None
    return today - timedelta(days=rng.randint(45, 200)), None  # overdue


def _let_managers_edit_requirements() -> None:
    """In the demo, the managers' group edits units, memberships and requirements
    in the admin (tokens and the gate log stay with admins). A real institution
    grants these rights itself (Settings > Groups)."""
    from django.contrib.auth.models import Group, Permission

    from cms.roles import MANAGERS

    group = Group.objects.filter(name=MANAGERS).first()
    if group is None:
        return
    codenames = [
        f"{action}_{model}"
        for model in ("orgunit", "membership", "requirement")
        for action in ("add", "change", "view")
    ] + ["view_reminder"]
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="compliance", codename__in=codenames
        )
    )


def _self_registered(User, team: OrgUnit) -> None:
    """Two researchers who signed up themselves: one asked to join a team and
    awaits the manager's confirmation, one chose no unit (administrators place
    them; they typed a unit before units were chosen from a list)."""
    for username, first, last, unit, typed in (
        ("inscrite-1", "Nadia", "Benali", team, ""),
        ("inscrit-2", "Hugo", "Lambert", None, "UMR 1136"),
    ):
        user = User.objects.create_user(
            username,
            f"{username}@univ.atelier.example",
            None,
            first_name=first,
            last_name=last,
            declared_unit=typed,
        )
        EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=True
        )
        if unit is not None:
            request_unit(user, unit, source=UnitRequestSource.SIGNUP)


def seed_compliance_demo(*, people: int = 200, seed: int = 7) -> str:
    """Create the demo institute, the SNDS requirement and `people` members (idempotent)."""
    course = (
        CoursePage.objects.filter(
            slug=SNDS_COURSE_SLUG, locale__language_code="fr"
        ).first()
        or CoursePage.objects.filter(slug=SNDS_COURSE_SLUG).first()
    )
    if course is None:
        return "compliance demo: no SNDS course, skipped"
    if OrgUnit.objects.filter(code=INSTITUTE[0]).exists():
        return "compliance demo: already there"
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    today = timezone.localdate()
    lessons = list(course.lessons())
    quizzes = list(course.quizzes().filter(required=True))
    User = get_user_model()
    # The patch must outlive the commit: the job is queued by on_commit callbacks.
    with _no_issuance_job(), transaction.atomic():
        institute = OrgUnit.objects.create(code=INSTITUTE[0], name=INSTITUTE[1])
        leaves = []
        for code, name, teams in LABS:
            lab = OrgUnit.objects.create(code=code, name=name, parent=institute)
            leaves.append(lab)
            for index, team in enumerate(teams, start=1):
                leaves.append(
                    OrgUnit.objects.create(
                        code=f"{code}-{index}", name=f"Équipe {team}", parent=lab
                    )
                )
        requirement, _ = Requirement.objects.get_or_create(
            slug="snds",
            defaults={
                "title": "Accès au SNDS",
                "validity_months": 12,
                "reminder_days": 30,
                "due_days": 30,
            },
        )
        requirement.courses.add(course)
        requirement.units.add(institute)
        token = ApiToken(name="Portail SNDS (démo)")
        token.set_token(DEMO_TOKEN)
        token.save()
        token.requirements.add(requirement)

        states = [name for name, share in STATES for _ in range(round(share * people))]
        users = User.objects.bulk_create(
            [
                User(
                    username=f"demo-{number:03d}",
                    email=f"demo-{number:03d}@isp.atelier.example",
                    first_name=rng.choice(FIRST),
                    last_name=rng.choice(LAST),
                    preferred_language=rng.choice(["fr", "fr", "en"]),
                    password="!",  # noqa: S106 - unusable: demo members never log in
                )
                for number in range(1, len(states) + 1)
            ]
        )
        # Their addresses count as confirmed (the gate clears only verified
        # people), but for the few who never confirmed theirs.
        EmailAddress.objects.bulk_create(
            EmailAddress(
                user=user,
                email=user.email,
                verified=state != "identity_unverified",
                primary=True,
            )
            for user, state in zip(users, states, strict=True)
        )
        memberships, plans = [], []
        for user, state in zip(users, states, strict=True):
            joined, when = _plan(rng, state, today)
            memberships.append(
                Membership(user=user, unit=rng.choice(leaves), joined_at=joined)
            )
            plans.append((user, state, when))
        # Members first: a certificate names the holder's unit.
        Membership.objects.bulk_create(memberships)
        # Answers with mistakes, from their own generator: the people above stay
        # the same whatever the quizzes draw.
        answers_rng = random.Random(seed + 1)  # noqa: S311 - demo data
        for user, state, when in plans:
            if state in {"compliant", "expiring", "expired", "identity_unverified"}:
                learner = SimulatedLearner(answers_rng.gauss(0, 1), answers_rng, seed)
                _certify(user, course, lessons, quizzes, when, learner)
            elif state == "in_progress":
                enrollment = progress.enrol(user, course, when=_at(when))
                if lessons:
                    progress.complete_lesson(enrollment, lessons[0], when=_at(when))

        _let_managers_edit_requirements()
        _self_registered(User, leaves[1])

        # The demo accounts: the manager watches the institute, the learner is a member.
        for username, unit, role in (
            ("responsable", institute, MembershipRole.MANAGER),
            ("apprenant", leaves[0], MembershipRole.MEMBER),
        ):
            user = User.objects.filter(username=username).first()
            if user:
                Membership.objects.get_or_create(
                    user=user,
                    unit=unit,
                    role=role,
                    defaults={"joined_at": today - timedelta(days=10)},
                )
    return f"compliance demo: {len(users)} members in {len(leaves) + 1} units"
