"""A SCORM 2004 multi-SCO course, imported, played in Chromium: launched,
suspended, resumed, passed; the lesson, the course and the certificate follow,
the LRS holds the attempt's statements; and a package (the demo's SCORM course),
on its own origin, cannot read the site's cookies nor call the site's pages as
the learner.

Site pages pass axe-core (no serious or critical violation).
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from courses.packages.importing import create_package_lesson
from learning import progress
from learning.certificates.models import Certificate
from learning.models import Enrollment, LessonProgress
from learning.scorm.models import ScormAttempt
from learning.xapi.models import Statement
from tests.factories import CoursePageFactory, UserFactory
from tests.scorm.factories import scorm2004_multi_sco

from .conftest import log_in

pytestmark = pytest.mark.e2e
ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def scorm_course(e2e_db, live_server, settings, tmp_path):
    """The site on localhost, packages on 127.0.0.1 (the embedded default's twin)."""
    port = urlsplit(live_server.url).port
    settings.SITE_BASE_URL = live_server.url
    settings.PACKAGE_CONTENT_ORIGIN = f"http://127.0.0.1:{port}"
    settings.PRIVATE_ROOT = tmp_path / "private"
    from cms.site_structure import ensure_site_structure

    course = CoursePageFactory(
        parent=ensure_site_structure().catalogue("fr"),
        title="Données FAIR",
        slug="donnees-fair",
        certificate_validity_months=12,
    )
    package = tmp_path / "fair-scorm2004.zip"
    package.write_bytes(scorm2004_multi_sco())
    lesson = create_package_lesson(course, package, title="Module FAIR (SCORM)")
    return course, lesson


@pytest.fixture
def demo_course(e2e_db, live_server, settings, tmp_path):
    """The demo's SCORM course (courses/packages/scorm_demo.py), as seed_demo installs it."""
    port = urlsplit(live_server.url).port
    settings.SITE_BASE_URL = live_server.url
    settings.PACKAGE_CONTENT_ORIGIN = f"http://127.0.0.1:{port}"
    settings.PRIVATE_ROOT = tmp_path / "private"
    from courses.packages.models import PackageLessonPage
    from courses.packages.scorm_demo import install_scorm_demo

    install_scorm_demo()
    lesson = PackageLessonPage.objects.get(locale__language_code="fr")
    return lesson.get_parent().specific, lesson


def player_frames(page):
    """The wrapper (content origin) and, inside it, the SCO's frame."""
    wrapper = page.frame_locator("iframe.package-player__frame")
    return wrapper, wrapper.frame_locator("#sco-frame")


def launch(page, name: str, action: str):
    page.get_by_role("button", name=f"{action}: {name}").click()
    page.wait_for_load_state()


def verbs(enrollment) -> list[str]:
    return [
        statement.verb.removeprefix(ADL)
        for statement in Statement.objects.filter(registration=enrollment.pk).order_by(
            "timestamp"
        )
        if "/activities/sco/" in statement.activity_id
    ]


def test_scorm_course_launched_suspended_resumed_passed(
    page, live_server, scorm_course, assert_accessible
):
    course, lesson = scorm_course
    learner = UserFactory(username="camille", first_name="Camille", last_name="Durand")
    enrollment = progress.enrol(learner, course)
    log_in(page, live_server, learner)

    page.goto(f"{live_server.url}{lesson.url}")
    expect(page.get_by_role("heading", name="Activités")).to_be_visible()
    assert_accessible(page)

    # The introduction: page 1, then 2, then "Save and leave" (suspended).
    launch(page, "Introduction", "Commencer")
    wrapper, sco = player_frames(page)
    expect(sco.get_by_role("heading", name="Introduction")).to_be_visible()
    expect(sco.get_by_role("status")).to_have_text("Page 1 sur 2")
    assert_accessible(page)
    sco.get_by_role("button", name="Suivant").click()
    expect(sco.get_by_role("status")).to_have_text("Page 2 sur 2")
    sco.get_by_role("button", name="Enregistrer et quitter").click()
    expect(wrapper.get_by_role("status")).to_contain_text("Cette activité est fermée")
    attempt = ScormAttempt.objects.get(unit__identifier="intro")
    assert (attempt.exit, attempt.location) == ("suspend", "1")

    # Back to the lesson: the activity is started; resuming lands on page 2.
    wrapper.get_by_role("link", name="Retour à la leçon").click()
    expect(page).to_have_url(re.compile(re.escape(lesson.url) + "$"))
    launch(page, "Introduction", "Reprendre")
    wrapper, sco = player_frames(page)
    expect(sco.get_by_role("status")).to_have_text("Reprise à la page 2.")
    expect(sco.get_by_text("Deuxième page.")).to_be_visible()
    sco.get_by_role("button", name="Terminer").click()
    expect(wrapper.get_by_role("status")).to_contain_text("Cette activité est fermée")
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()

    # The quiz: one question, passed; the lesson and the course are completed.
    page.goto(f"{live_server.url}{lesson.url}")
    launch(page, "Quiz FAIR", "Commencer")
    wrapper, sco = player_frames(page)
    sco.get_by_role("button", name="Suivant").click()
    sco.get_by_role("radio", name="Faciles à trouver").check()
    sco.get_by_role("button", name="Valider mes réponses").click()
    expect(sco.get_by_role("status")).to_have_text("Score : 1 sur 1. Réussi.")
    sco.get_by_role("button", name="Terminer").click()
    expect(wrapper.get_by_role("status")).to_contain_text("Cette activité est fermée")

    page.goto(f"{live_server.url}{lesson.url}")
    expect(page.get_by_text("Vous avez terminé cette leçon.")).to_be_visible()
    assert_accessible(page)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    assert enrollment.is_completed
    assert Certificate.objects.filter(enrollment=enrollment).exists()
    page.goto(f"{live_server.url}/learning/")
    certificates = page.locator("section[aria-labelledby=certificates-heading]")
    expect(certificates.get_by_role("strong")).to_have_text("Données FAIR")

    assert verbs(enrollment) == [
        "initialized", "completed", "suspended",  # introduction: both pages seen
        "resumed", "terminated",  # introduction, resumed then finished
        "initialized", "answered", "completed", "passed", "terminated",  # quiz
    ]  # fmt: skip


def test_scorm_package_cannot_use_the_learner_session(
    page, live_server, demo_course, settings
):
    """The demo's SCORM course finds scorm-again's API (its SCO reports its page);
    from the SCO's frame: no site cookie, no readable site page, and a
    cross-site POST to the site (enrol in another course) changes nothing."""
    course, lesson = demo_course
    other = CoursePageFactory(parent=course.get_parent(), title="Autre", slug="autre")
    learner = UserFactory(username="camille")
    progress.enrol(learner, course)
    log_in(page, live_server, learner)
    page.goto(f"{live_server.url}{lesson.url}")
    launch(page, "Qui a des droits sur des données ?", "Commencer")
    _wrapper, sco = player_frames(page)
    expect(sco.get_by_role("heading", name="Qui a des droits")).to_be_visible()
    # "Page 1 sur 3", not "no learning platform found": the API answered.
    expect(sco.get_by_role("status")).to_have_text("Page 1 sur 3")
    assert ScormAttempt.objects.get(unit__identifier="droits").completion_status == (
        "incomplete"
    )
    frame = next(f for f in page.frames if "/packages/s/" in f.url)
    assert urlsplit(frame.url).hostname == "127.0.0.1"

    assert settings.SESSION_COOKIE_NAME not in frame.evaluate("document.cookie")
    assert "csrftoken" not in frame.evaluate("document.cookie")
    # The site's pages are another origin: the browser refuses to hand them over.
    read = frame.evaluate(
        """async (url) => {
            try { const r = await fetch(url, {credentials: "include"}); return await r.text(); }
            catch (error) { return "refused: " + error.name; }
        }""",
        f"{live_server.url}/learning/",
    )
    assert read.startswith("refused")
    # Nor can it reach into the site's window.
    parent = frame.evaluate(
        """() => { try { return window.top.document.cookie; }
                  catch (error) { return "refused: " + error.name; } }"""
    )
    assert parent.startswith("refused")
    # A form posted to the site from the package carries no session (SameSite) and
    # no CSRF token: the learner is not enrolled in the other course.
    frame.evaluate(
        """(url) => {
            const form = document.createElement("form");
            form.method = "post"; form.action = url; form.target = "_blank";
            document.body.appendChild(form); form.submit();
        }""",
        f"{live_server.url}/learning/courses/{other.pk}/start/",
    )
    page.wait_for_timeout(1000)
    assert not Enrollment.objects.filter(user=learner, course=other).exists()
