"""The compliance demo: realistic states, through the domain functions, quickly."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model

import pytest

from cms.roles import ensure_role_groups
from courses.course_files import import_course
from learning.compliance.dashboard import build_overview
from learning.compliance.demo import SNDS_COURSE_SLUG, seed_compliance_demo
from learning.compliance.models import Requirement

pytestmark = pytest.mark.django_db


def test_demo_has_every_state_and_is_idempotent(site_structure, admin_user):
    """Members in every status; a second run changes nothing."""
    import_course(settings.COURSE_CONTENT_DIR / SNDS_COURSE_SLUG)
    managers = ensure_role_groups()["managers"]
    started = time.monotonic()
    message = seed_compliance_demo(people=60)
    # 60 people in ~5 s (the default 200 in ~20 s); room for a loaded CI.
    assert time.monotonic() - started < 30
    assert "members" in message
    requirement = Requirement.objects.get(slug="snds")
    assert (requirement.validity_months, requirement.reminder_days) == (12, 30)
    assert requirement.due_days == 30
    overview = build_overview(admin_user, requirement_slug="snds")
    total = overview.tables[0][1][0]
    assert total.total >= 60
    assert all(count > 0 for count in total.counts.values()), total.counts
    assert managers.permissions.filter(codename="change_requirement").exists()
    assert not managers.permissions.filter(codename="add_apitoken").exists()
    # The gate clears verified identities only: the demo members' addresses
    # are, but for the one shown as "identity not verified".
    from allauth.account.models import EmailAddress

    demo = get_user_model().objects.filter(username__startswith="demo-")
    verified = EmailAddress.objects.filter(user__in=demo, verified=True)
    assert verified.count() == demo.count() - 1 and demo.count() >= 60
    users = get_user_model().objects.count()
    assert seed_compliance_demo() == "compliance demo: already there"
    assert get_user_model().objects.count() == users


def test_demo_certificates_verify(site_structure, client):
    """Every seeded certificate verifies (valid or expired, never invalid), as
    the public page shows it."""
    from learning.certificates.models import Certificate
    from learning.certificates.verification import verify_certificate

    import_course(settings.COURSE_CONTENT_DIR / SNDS_COURSE_SLUG)
    seed_compliance_demo(people=20)
    statuses = {verify_certificate(c).status for c in Certificate.objects.all()}
    assert statuses and statuses <= {"valid", "expired"}, statuses
    # Each names its holder's unit, as the SNDS course says.
    assert not Certificate.objects.filter(learner_unit="").exists()
    certificate = Certificate.objects.order_by("-issued_at").first()
    response = client.get(f"/certificates/verify/{certificate.code}/")
    assert 'data-status="valid"' in response.content.decode()


def test_demo_attempts_make_informative_analytics(site_structure):
    """The demo's learners make mistakes (issue 17, point 5): scores spread,
    some first attempts fail, everyone certified passed in the end, and the
    hardest questions get a discrimination figure."""
    from courses.models import CoursePage
    from learning.analytics.course_analytics import course_analytics
    from learning.models import Enrollment, QuizAttempt

    import_course(settings.COURSE_CONTENT_DIR / SNDS_COURSE_SLUG)
    seed_compliance_demo(people=60)
    course = CoursePage.objects.get(slug=SNDS_COURSE_SLUG, locale__language_code="fr")
    scores = list(QuizAttempt.objects.values_list("score", flat=True))
    assert len(set(scores)) >= 5, scores
    assert 0.05 < sum(score == 1 for score in scores) / len(scores) < 0.9
    assert QuizAttempt.objects.filter(passed=False).exists()
    certified = Enrollment.objects.filter(certificates__isnull=False).distinct()
    for enrollment in certified:
        assert enrollment.quiz_attempts.filter(passed=True).exists()

    quiz = course_analytics(course).quizzes[0]
    assert quiz.first_attempt_pass_rate < 1 and quiz.eventual_pass_rate > 0.5
    figures = [q.discrimination for q in quiz.questions if q.discrimination is not None]
    assert len(figures) >= len(quiz.questions) // 2
    assert max(figures) > 0.2
