"""The analytics screens of the Wagtail admin: who sees them, what they show,
the CSV downloads and the number of queries."""

import csv
import io
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from cms.roles import ensure_role_groups
from learning.models import LessonProgress
from tests.analytics.conftest import add_attempt, enrol
from tests.factories import CoursePageFactory, UserFactory

pytestmark = pytest.mark.django_db

BOM = "\ufeff"


@pytest.fixture
def groups(db):
    return ensure_role_groups()


@pytest.fixture
def trainer(groups):
    user = UserFactory(username="formatrice")
    user.groups.add(groups["trainers"])
    return user


@pytest.fixture
def manager(groups):
    user = UserFactory(username="responsable")
    user.groups.add(groups["managers"])
    return user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


def course_url(course, name="course"):
    return reverse(f"learning_analytics:{name}", args=[course.pk])


def read_csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM))))


@pytest.mark.parametrize("who", ["trainer", "admin_user"])
def test_analytics_visible_to_trainers_and_admins(
    client, course, records, who, request
):
    """Trainers and superusers get the list, the course page and both CSV files."""
    client.force_login(request.getfixturevalue(who))
    index = client.get(reverse("learning_analytics:index"))
    assert index.status_code == 200
    assert course_url(course) in index.content.decode()
    for name in ("course", "funnel_csv", "questions_csv"):
        assert client.get(course_url(course, name)).status_code == 200
    home = client.get(reverse("wagtailadmin_home"))
    assert reverse("learning_analytics:index") in home.content.decode()


def assert_denied(client, url):
    """Wagtail's answer to PermissionDenied: back to the dashboard, 403 for XHR."""
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    xhr = client.get(url, headers={"x-requested-with": "XMLHttpRequest"})
    assert xhr.status_code == 403


def test_analytics_forbidden_to_managers(client, course, records, manager):
    """In the managers' group but managing no unit, with admin access and no
    page rights: denied, and no menu item."""
    client.force_login(manager)
    assert_denied(client, reverse("learning_analytics:index"))
    for name in ("course", "funnel_csv", "questions_csv"):
        assert_denied(client, course_url(course, name))
    home = client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    assert reverse("learning_analytics:index") not in home.content.decode()


def test_analytics_redirects_learners_to_log_in(client, course, records, learner):
    """A learner (no admin access) and an anonymous visitor are sent to the log-in."""
    for user in (learner, None):
        if user:
            client.force_login(user)
        for name in ("course", "questions_csv"):
            response = client.get(course_url(course, name))
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")


def test_analytics_trainer_limited_to_editable_courses(client, course, records, groups):
    """A trainer whose page rights cover another course neither lists nor opens this one."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    other = CoursePageFactory(parent=course.get_parent(), title="Autre", slug="autre")
    group = Group.objects.create(name="Formateurs autre")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group,
        page=other,
        permission=Permission.objects.get(codename="change_page"),
    )
    user = UserFactory(username="formateur-autre")
    user.groups.add(group)
    client.force_login(user)
    index = client.get(reverse("learning_analytics:index")).content.decode()
    assert course_url(other) in index
    assert course_url(course) not in index
    assert_denied(client, course_url(course))
    assert client.get(course_url(other)).status_code == 200


def test_analytics_page_shows_the_figures(client, course, records, trainer):
    """The page has the enrolments, the funnel, the bins and the question table."""
    client.force_login(trainer)
    response = client.get(course_url(course))
    html = response.content.decode()
    assert response.templates[0].name == "learning/admin/course_analytics.html"
    context = response.context
    assert context["analytics"].enrolments.total == 6
    for text in ("Le SNDS", "Sécurité", "Évaluation finale", "Qui autorise"):
        assert text in html
    assert "33&nbsp;%" in html  # completion rate, first-attempt 17 %, eventual 33 %
    assert "17&nbsp;%" in html
    assert "0,59" in html  # discrimination of qb, French decimal comma
    assert "<svg" in html and "<table" in html
    assert "http" not in html.split("analytics-bar")[1][:400]  # bars drawn locally
    assert 'href="/admin/analytics/courses/' in html  # CSV links


def test_analytics_page_empty_state(client, catalogue, trainer):
    """A course nobody enrolled in says so instead of showing empty tables."""
    course = CoursePageFactory(parent=catalogue, title="Nouveau", slug="nouveau")
    client.force_login(trainer)
    html = client.get(course_url(course)).content.decode()
    assert "Aucune inscription pour l’instant" in html
    assert 'class="listing analytics-table"' not in html


def test_analytics_page_in_english(client, course, records, trainer):
    """An English-speaking trainer reads the page in English."""
    from wagtail.users.models import UserProfile

    UserProfile.objects.create(user=trainer, preferred_language="en")
    client.force_login(trainer)
    html = client.get(course_url(course)).content.decode()
    assert "Completion funnel" in html
    assert "Score distribution" in html


def test_analytics_funnel_csv(client, course, records, trainer):
    """The funnel CSV: one row per syllabus step, then the course, as attachment."""
    client.force_login(trainer)
    response = client.get(course_url(course, "funnel_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="analytics-snds-funnel.csv"'
    )
    rows = read_csv(response)
    assert len(rows[0]) == 6
    assert [row[2:] for row in rows[1:]] == [
        ["Le SNDS", "5", "6", "0.8333"],
        ["Accès", "4", "6", "0.6667"],
        ["Sécurité", "3", "6", "0.5"],
        ["Évaluation finale", "2", "6", "0.3333"],
        ["Accès au SNDS", "2", "6", "0.3333"],
    ]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5"]


def test_analytics_questions_csv(client, course, records, trainer):
    """The question CSV: hardest first, difficulty and discrimination to 4 places."""
    client.force_login(trainer)
    response = client.get(course_url(course, "questions_csv"))
    assert 'filename="analytics-snds-questions.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert len(header) == 8
    assert [(row[1], row[5], row[6], row[7]) for row in body] == [
        ("qb", "7", "0.2857", "0.5916"),
        ("qd", "8", "0.5", "0.5774"),
        ("qc", "8", "0.625", "0.2683"),
        ("qa", "8", "0.625", "0.4101"),
    ]
    assert body[0][0] == "Évaluation finale"
    assert body[0][4] == "Qui autorise l'accès sur projet ?"


def one_attempt_with_prompt(course, question_id: str, prompt: str) -> None:
    """One learner's attempt at a new quiz: question `question_id` (with `prompt`)
    right, "qa" wrong."""
    from tests.analytics.conftest import PROMPTS, make_quiz

    quiz = make_quiz(course)
    PROMPTS[question_id] = prompt
    try:
        when = timezone.now()
        enrollment = enrol(UserFactory(username="seul"), course, when=when)
        fractions = {question_id: 1, "qa": 0}
        add_attempt(enrollment, quiz, 1, fractions, [question_id, "qa"], when=when)
    finally:
        del PROMPTS[question_id]


def test_analytics_questions_csv_blank_discrimination(client, course, trainer):
    """Below five attempts the discrimination cell is empty, and formulas are defused."""
    one_attempt_with_prompt(course, "qz", "=1+1")
    client.force_login(trainer)
    rows = read_csv(client.get(course_url(course, "questions_csv")))
    assert {row[1]: row[7] for row in rows[1:]} == {"qa": "", "qz": ""}
    assert {row[1]: row[4] for row in rows[1:]}["qz"] == "'=1+1"


def test_analytics_question_prompts_are_plain_text(client, course, trainer):
    """A prompt written in Markdown reads as text on the page and in the CSV:
    no `**`, no link syntax, no HTML from the renderer (issue 17, point 5)."""
    prompt = "Un DOI est **pérenne** : voir [DataCite](https://datacite.org) & co."
    one_attempt_with_prompt(course, "qm", prompt)
    client.force_login(trainer)
    expected = "Un DOI est pérenne : voir DataCite & co."
    rows = read_csv(client.get(course_url(course, "questions_csv")))
    assert {row[1]: row[4] for row in rows[1:]}["qm"] == expected
    page = client.get(course_url(course)).content.decode()
    assert "Un DOI est pérenne : voir DataCite &amp; co." in page
    assert "**" not in page and "<strong>pérenne" not in page


def grow(course, lessons, quiz, start, count):
    """Add `count` more learners, each with lesson progress and two attempts."""
    when = timezone.now() - timedelta(days=3)
    for i in range(start, start + count):
        enrollment = enrol(UserFactory(username=f"extra-{i}"), course, when=when)
        for lesson in lessons[: i % 4]:
            LessonProgress.objects.create(
                enrollment=enrollment, lesson=lesson, opened_at=when, completed_at=when
            )
        for number in (1, 2):
            fractions = {"qa": i % 2, "qb": (i + number) % 3 / 2, "qc": 1, "qd": 0}
            add_attempt(
                enrollment, quiz, number, fractions, ["qa", "qb", "qc", "qd"], when=when
            )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_analytics_queries_do_not_grow_with_the_records(
    client, course, lessons, final_quiz, records, trainer, django_assert_max_num_queries
):
    """The page and the CSV take the same number of queries for 6 or 46 learners."""
    client.force_login(trainer)
    url, csv_url = course_url(course), course_url(course, "questions_csv")
    count_queries(client, url)  # warm the per-process caches (content types, locale)
    small, small_csv = count_queries(client, url), count_queries(client, csv_url)
    grow(course, lessons, final_quiz, 0, 40)
    with django_assert_max_num_queries(small):
        client.get(url)
    assert count_queries(client, csv_url) == small_csv
    with django_assert_max_num_queries(25):  # whole admin page, furniture included
        client.get(url)


def test_analytics_unit_manager_reads_their_people_only(
    client, course, records, manager
):
    """A manager of the unit of learners A and C reads their two enrolments, one
    completion and their quiz attempts; not the four other learners'."""
    from learning.compliance.models import Membership, MembershipRole, OrgUnit

    unit = OrgUnit.objects.create(code="TEAM", name="Équipe")
    Membership.objects.create(user=manager, unit=unit, role=MembershipRole.MANAGER)
    for letter in ("a", "c"):
        Membership.objects.create(user=records[letter.upper()].user, unit=unit)
    client.force_login(manager)
    index = client.get(reverse("learning_analytics:index"))
    assert index.status_code == 200
    assert [(c.pk, c.enrolled, c.completed) for c in index.context["courses"]] == [
        (course.pk, 2, 1)
    ]
    page = client.get(course_url(course))
    assert page.status_code == 200 and page.context["scoped"]
    analytics = page.context["analytics"]
    assert (analytics.enrolments.total, analytics.enrolments.completed) == (2, 1)
    assert analytics.quizzes[0].attempts == 3  # A #1, C #1, C #2
    rows = read_csv(client.get(course_url(course, "funnel_csv")))
    assert rows[-1][3:5] == ["1", "2"]  # course completed: 1 of 2
