"""A cmi5 course of two AUs (the demo's package, with its own cmi5 JavaScript):
imported, launched from the lesson, left half-way, resumed where it stopped,
completed and passed; the lesson, the course and the certificate follow, the
LRS holds the session's statements, and the package, served from the content
origin, can neither read the site's cookies nor call its pages as the learner.
"""

import re

import pytest
from playwright.sync_api import expect

from courses.packages.demo import demo_cmi5_zip
from courses.packages.importing import create_package_lesson
from learning import progress
from learning.certificates.models import Certificate
from learning.launches import cmi5
from learning.launches.models import LaunchSession
from learning.models import Enrollment, Statement
from tests.factories import CoursePageFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def cmi5_course(e2e_db, live_server, settings, tmp_path):
    from cms.site_structure import ensure_site_structure

    settings.SITE_BASE_URL = live_server.url  # the LRS endpoint and fetch URL
    settings.PACKAGE_CONTENT_ORIGIN = live_server.url.replace("localhost", "127.0.0.1")
    settings.PRIVATE_ROOT = tmp_path / "private"
    catalogue = ensure_site_structure().catalogue("fr")
    course = CoursePageFactory(
        parent=catalogue, title="Formats ouverts", slug="formats"
    )
    path = tmp_path / "module.zip"
    path.write_bytes(demo_cmi5_zip())
    lesson = create_package_lesson(course, path, title="Le module cmi5")
    return course, lesson


def au_frame(page):
    return page.frame_locator("iframe.package-player__frame")


def test_cmi5_course_launched_left_resumed_passed(
    page, live_server, cmi5_course, assert_accessible
):
    course, lesson = cmi5_course
    learner = UserFactory(username="camille", email="camille@example.org")
    enrollment = progress.enrol(learner, course)
    log_in(page, live_server, learner)

    page.goto(f"{live_server.url}{lesson.url}")
    expect(page.locator(".package-unit")).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Commencer.*les métadonnées")).click()
    frame = au_frame(page)
    expect(
        frame.get_by_role("heading", name="Pourquoi des métadonnées ?")
    ).to_be_visible()
    assert_accessible(page)

    # The package runs on the content origin: no site cookie, no site page.
    au = next(f for f in page.frames if f.url.startswith(settings_origin(live_server)))
    assert "csrftoken" in page.evaluate("document.cookie")
    assert au.evaluate("document.cookie") == ""
    answer = au.evaluate(
        """url => fetch(url, {credentials: "include"})
            .then(r => r.text()).then(t => t.includes("camille") ? "leak" : "no session")
            .catch(() => "blocked")""",
        f"{live_server.url}/learning/",
    )
    assert answer == "blocked"
    posted = au.evaluate(
        """url => fetch(url, {method: "POST", credentials: "include", mode: "no-cors"})
            .then(() => "sent").catch(() => "blocked")""",
        f"{live_server.url}/learning/courses/{course.pk}/start/",
    )
    assert posted in ("sent", "blocked")  # sent without session or CSRF: refused
    assert Enrollment.objects.filter(user=learner).count() == 1

    # One page read, then the learner leaves (suspends) the activity.
    frame.get_by_role("button", name="Page suivante").click()
    expect(frame.get_by_text("Page 2 / 2")).to_be_visible()
    page.get_by_role("link", name=re.compile("Retour à la leçon")).click()
    first = LaunchSession.objects.get()
    assert first.initialized_at is not None and first.terminated_at is None

    # Resumed: a new session, the old one abandoned, back on page 2.
    page.get_by_role("button", name=re.compile("^Reprendre.*les métadonnées")).click()
    expect(frame.get_by_text("Page 2 / 2")).to_be_visible()
    first.refresh_from_db()
    assert first.abandoned_at is not None
    frame.get_by_role("button", name="Page suivante").click()
    expect(frame.get_by_text("Cette activité est fermée.")).to_be_visible()

    # The second AU: read, then the quiz, passed.
    page.goto(f"{live_server.url}{lesson.url}")
    expect(page.locator(".package-unit").first).to_contain_text("terminée")
    page.get_by_role("button", name=re.compile("^Commencer.*formats ouverts")).click()
    frame.get_by_role("button", name="Page suivante").click()
    frame.get_by_label("CSV").check()
    frame.get_by_label("PDF/A").check()
    frame.get_by_label("Un format ouvert et documenté").check()
    frame.get_by_role("button", name="Valider").click()
    expect(frame.get_by_text("Cette activité est fermée.")).to_be_visible()

    # Progress, statements and certificate follow.
    page.goto(f"{live_server.url}{lesson.url}")
    expect(page.get_by_text("Vous avez terminé cette leçon.")).to_be_visible()
    assert_accessible(page)
    enrollment.refresh_from_db()
    assert enrollment.is_completed
    assert Certificate.objects.filter(enrollment=enrollment).exists()
    verbs = list(
        Statement.objects.filter(registration=enrollment.pk).values_list(
            "verb", flat=True
        )
    )
    for name in (
        "launched",
        "initialized",
        "abandoned",
        "completed",
        "passed",
        "terminated",
        "satisfied",
    ):
        assert cmi5.VERBS[name] in verbs, name
    satisfied = {
        s.data["object"]["id"]
        for s in Statement.objects.filter(verb=cmi5.VERBS["satisfied"])
    }
    assert cmi5.course_iri(lesson.package) in satisfied


def settings_origin(live_server) -> str:
    return live_server.url.replace("localhost", "127.0.0.1")
