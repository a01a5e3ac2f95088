"""Malformed input to every view and form that takes some: a 4xx or a page, never a 500.

Each address gets, in each of its parameters: NUL bytes, huge and negative
integers, unbalanced quotes, invalid UTF-8 percent-escapes, a repeated parameter
(an array where a scalar is expected), an over-long value and a few other odd
strings. Run on PostgreSQL too (DATABASE_URL): it refuses NUL where SQLite
stores it.
"""

from urllib.parse import quote

from django.contrib.auth.models import Group
from django.core.cache import cache

import pytest

from cms.roles import MANAGERS
from learning import progress
from learning.certificates.issuance import issue_certificate
from learning.compliance.models import MembershipRole
from learning.quiz import attempts
from tests.compliance.conftest import (  # noqa: F401 - fixtures
    member,
    requirement,
    snds_course,
    units,
)
from tests.factories import UserFactory
from tests.quiz.conftest import perfect_answers, pool, quiz  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

#: Values sent percent-encoded (UTF-8).
TEXT_VALUES = [
    "\x00",
    "a\x00b",
    "9" * 24,
    "-1",
    'FAIR"',
    "'; --",
    "%s",
    "\x01\x1f\x7f\x85",
    "\u202e\ufeff😀",
    "x" * 20_000,
]
#: Query-string fragments sent as they are: invalid UTF-8 and odd encodings.
RAW_VALUES = ["%ff%fe", "%ed%a0%80", "%"]


def hostile_queries(names: list[str], base: str = ""):
    """Query strings putting each hostile value in each parameter, plus arrays."""
    prefix = f"{base}&" if base else ""
    for name in names:
        for value in TEXT_VALUES:
            yield f"{prefix}{name}={quote(value)}"
        for raw in RAW_VALUES:
            yield f"{prefix}{name}={raw}"
        yield f"{prefix}{name}=a&{name}=b"
        yield f"{prefix}{name}[]=a"


def hostile_forms(fields: dict[str, str]):
    """POST bodies: each field given each hostile value, the others left valid."""
    for name in fields:
        for value in TEXT_VALUES:
            yield {**fields, name: value}
        yield {**fields, name: [fields[name], "b"]}
    yield {}


def posts(client, path: str, fields: dict[str, str], *, unless=None):
    """POST each hostile form (except those `unless(form)` says would succeed)."""
    for form in hostile_forms(fields):
        if unless is None or not unless(form):
            yield str(form)[:60], client.post(path, form)


def server_errors(responses) -> list:
    return [(label, r.status_code) for label, r in responses if r.status_code >= 500]


def gets(client, path: str, names: list[str], base: str = ""):
    for query in hostile_queries(names, base):
        cache.clear()  # each request reaches the view, not the page cache
        yield query[:80], client.get(f"{path}?{query}")


def paths(client, template: str):
    """The hostile values in a path segment."""
    for value in TEXT_VALUES:
        yield value[:40], client.get(template.format(quote(value, safe="")))
    for raw in RAW_VALUES:
        yield raw, client.get(template.format(raw))


@pytest.fixture
def hostile_client(client):
    client.raise_request_exception = False
    return client


@pytest.fixture
def manager(requirement, units):  # noqa: F811
    manager = member(units["institute"], username="boss", role=MembershipRole.MANAGER)
    manager.groups.add(Group.objects.get_or_create(name=MANAGERS)[0])
    member(units["lab_a"], username="alice", last_name="=HYPERLINK()")
    return manager


@pytest.fixture
def certificate(learner, course):
    enrollment = progress.enrol(learner, course)
    for lesson in course.lessons():
        progress.complete_lesson(enrollment, lesson)
    enrollment.refresh_from_db()
    return issue_certificate(enrollment)


def test_catalogue_hostile_parameters(hostile_client, catalogue, course):
    """The catalogue's search and facets, in French and English."""
    names = ["q", "theme", "level", "language", "duration", "page"]
    responses = [
        *gets(hostile_client, catalogue.url, names),
        *gets(hostile_client, "/en/catalogue/", ["q"]),
        *gets(hostile_client, catalogue.url, ["q"], base="theme=pgd&level=beginner"),
    ]
    assert server_errors(responses) == []


def test_catalogue_unbalanced_quote_and_nul_find_the_words(client, catalogue, course):
    """`FAIR"` searches for FAIR, a NUL is a word separator: the course is found."""
    for query in ['SNDS"', '"SNDS', "SNDS%00", "%00SNDS%22", '"acc%C3%A8s SNDS']:
        response = client.get(f"{catalogue.url}?q={query}")
        assert response.status_code == 200
        assert [c.title for c in response.context["results"].courses] == [
            "Accès au SNDS"
        ]
        assert "\x00" not in response.context["results"].query


def test_compliance_dashboard_and_exports_hostile_parameters(hostile_client, manager):
    """Dashboard filters, sort and page, the exports and the register."""
    hostile_client.force_login(manager)
    names = ["unit", "requirement", "status", "sort", "page"]
    responses = [*gets(hostile_client, "/compliance/", names)]
    for path in ("export.csv", "export.xlsx", "register.csv", "register.xlsx"):
        responses += gets(hostile_client, f"/compliance/{path}", ["unit", "sort"])
    responses += paths(hostile_client, "/compliance/people/{}/")
    responses += paths(hostile_client, "/compliance/export.{}")
    assert server_errors(responses) == []


def test_compliance_page_past_the_end_shows_the_last_page(client, manager):
    """`?page=<24 digits>` (a 500 on SQLite before) shows the last page."""
    client.force_login(manager)
    response = client.get("/compliance/?page=" + "9" * 24)
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.number == page.paginator.num_pages
    assert "=HYPERLINK()" in [row.last_name for row in page]


def test_certificate_views_hostile_input(hostile_client, certificate, manager):
    """Verification (form, page, JSON), the managers' search, exports, revocation."""
    responses = [
        *gets(hostile_client, "/certificates/verify/", ["code"]),
        *paths(hostile_client, "/certificates/verify/{}/"),
        *paths(hostile_client, "/certificates/verify/{}.json"),
        *paths(hostile_client, "/certificates/status/{}.json"),
    ]
    cache.clear()  # the verification rate limit
    hostile_client.force_login(manager)
    responses += gets(hostile_client, "/certificates/manage/", ["q"])
    responses += paths(hostile_client, "/certificates/manage/exports/{}/")
    responses += [
        (
            "course zip",
            hostile_client.post("/certificates/manage/courses/" + "9" * 30 + "/zip/"),
        )
    ]
    revoke = f"/certificates/{certificate.uuid}/revoke/"
    responses += [
        *posts(
            hostile_client,
            revoke,
            {"reason": "Fraude"},
            unless=lambda form: form.get("reason") == "Fraude",  # would revoke it
        )
    ]
    assert server_errors(responses) == []


def test_learning_views_hostile_input(hostile_client, learner, course, lessons):
    """Start a course, complete a lesson, my learning, lesson pages, records exports."""
    hostile_client.force_login(learner)
    responses = [
        *paths(hostile_client, "/learning/courses/{}/start/"),
        *paths(hostile_client, "/learning/lessons/{}/complete/"),
        ("huge id", hostile_client.post("/learning/courses/" + "9" * 30 + "/start/")),
        (
            "huge id",
            hostile_client.post("/learning/lessons/" + "9" * 19 + "/complete/"),
        ),
        *gets(hostile_client, "/learning/", ["page", "q"]),
        *gets(hostile_client, lessons[0].url, ["page", "attempt"]),
        *paths(hostile_client, "/learning/records/exports/{}/"),
    ]
    assert server_errors(responses) == []


def test_quiz_hostile_submissions(hostile_client, learner, course, quiz):  # noqa: F811
    """The quiz page's parameters and every posted field of an attempt."""
    hostile_client.force_login(learner)
    attempt = attempts.start_attempt(progress.enrol(learner, course), quiz)
    kinds = {question["key"]: question["type"] for question in attempt.questions}
    valid = {"action": "save", "attempt": str(attempt.pk)}
    for key, answer in perfect_answers(attempt).items():
        if kinds[key] == "ordering":
            valid.update({f"{key}-{item}": str(n) for n, item in enumerate(answer, 1)})
        elif kinds[key] == "matching":
            valid.update({f"{key}-{left}": right for left, right in answer.items()})
        elif kinds[key] == "multiple_choice":
            valid[key] = answer[0]
        else:
            valid[key] = str(answer)
    responses = [*gets(hostile_client, quiz.url, ["attempt"])]
    responses += [*posts(hostile_client, quiz.url, valid)]
    responses += [*posts(hostile_client, quiz.url, {"action": "start"})]
    assert server_errors(responses) == []


def test_account_forms_hostile_input(hostile_client, learner):
    """Profile, account deletion, language switch."""
    hostile_client.force_login(learner)
    profile = {
        "first_name": "Camille",
        "last_name": "Martin",
        "unit": "LAB",
        "preferred_language": "fr",
    }
    responses = [*posts(hostile_client, "/accounts/profile/", profile)]
    responses += [
        *posts(hostile_client, "/accounts/profile/delete/", {"password": "wrong"})
    ]
    responses += [
        *posts(
            hostile_client, "/i18n/setlang/", {"language": "en", "next": "/catalogue/"}
        )
    ]
    responses += gets(hostile_client, "/accounts/profile/", ["next"])
    assert server_errors(responses) == []


def test_login_and_signup_hostile_input(hostile_client, settings):
    """allauth's log-in and sign-up forms (rate limits off: 429 is not the point)."""
    settings.ACCOUNT_RATE_LIMITS = False
    login = {"login": "camille", "password": "x"}
    signup = {
        "email": "a@example.org",
        "username": "a",
        "first_name": "A",
        "last_name": "B",
        "unit": "",
        "preferred_language": "fr",
        "password1": "correct horse battery",
        "password2": "correct horse battery",
    }
    responses = [*posts(hostile_client, "/accounts/login/", login)]
    responses += [
        *posts(
            hostile_client,
            "/accounts/signup/",
            signup,
            unless=lambda form: (
                form.get("email") == "a@example.org" and form.get("username") == "a"
            ),  # would sign up
        )
    ]
    responses += gets(hostile_client, "/accounts/login/", ["next"])
    assert server_errors(responses) == []


def test_admin_searches_hostile_input(hostile_client, catalogue, course):
    """The Wagtail admin's searches go through the same search backend."""
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    hostile_client.force_login(admin)
    responses = [
        *gets(hostile_client, "/admin/pages/search/", ["q"]),
        *gets(hostile_client, f"/admin/pages/{catalogue.pk}/", ["q", "p", "ordering"]),
        *gets(hostile_client, "/admin/analytics/", ["q"]),
        *paths(hostile_client, "/admin/analytics/courses/{}/"),
        *paths(hostile_client, "/admin/analytics/courses/{}/funnel.csv"),
    ]
    assert server_errors(responses) == []
