"""Package files are served on the content origin only, to a launch session;
launch tokens are single use and short-lived."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

import pytest

from courses.packages.importing import create_package_lesson
from learning import progress
from learning.exceptions import CompletedByPackage
from learning.launches.exceptions import LaunchRefused, PackagesUnavailable
from learning.launches.models import LaunchSession
from learning.launches.origin import content_origin
from learning.launches.sessions import redeem_launch_token, start_session

pytestmark = pytest.mark.django_db
CONTENT = "content.testserver"


@pytest.fixture
def origin(settings):
    settings.PACKAGE_CONTENT_ORIGIN = f"http://{CONTENT}"


@pytest.fixture
def lesson(private_root, package_zip, course):
    return create_package_lesson(course, package_zip)


@pytest.fixture
def enrollment(learner, course):
    return progress.enrol(learner, course)


def content_get(path, **extra):
    return Client().get(path, HTTP_HOST=CONTENT, **extra)


def launched(enrollment, lesson):
    unit = lesson.package.units.first()
    session, token = start_session(enrollment, lesson, unit)
    response = content_get(f"/packages/launch/{token}")
    assert response.status_code == 302
    return session, token, response["Location"]


def test_default_content_origin_is_the_loopback_twin(settings):
    """The embedded default: the site on 127.0.0.1 serves packages on localhost."""
    settings.PACKAGE_CONTENT_ORIGIN = ""
    settings.SITE_BASE_URL = "http://127.0.0.1:8000"
    assert content_origin() == "http://localhost:8000"
    settings.SITE_BASE_URL = "http://localhost:8102"
    assert content_origin() == "http://127.0.0.1:8102"
    settings.SITE_BASE_URL = "https://atelier.example.org"
    assert content_origin() == ""


def test_no_content_origin_no_launch(settings, lesson, enrollment):
    settings.PACKAGE_CONTENT_ORIGIN = ""
    with pytest.raises(PackagesUnavailable):
        start_session(enrollment, lesson, lesson.package.units.first())


def test_launch_token_opens_its_session_once(origin, lesson, enrollment):
    """The launch token redirects to the unit's files, then never again."""
    session, token, location = launched(enrollment, lesson)
    assert location.startswith(f"/packages/s/{session.content_key}/au1/index.html")
    again = content_get(f"/packages/launch/{token}")
    assert again.status_code == 404
    with pytest.raises(LaunchRefused):
        redeem_launch_token(token)


def test_launch_token_expires(origin, lesson, enrollment):
    unit = lesson.package.units.first()
    _session, token = start_session(enrollment, lesson, unit)
    later = timezone.now() + timedelta(minutes=3)
    with pytest.raises(LaunchRefused):
        redeem_launch_token(token, now=later)


def test_files_are_served_with_isolating_headers(origin, lesson, enrollment):
    """Package files: a sandboxing CSP, no referrer, nosniff, no cookie."""
    _session, _token, location = launched(enrollment, lesson)
    response = content_get(location)
    assert response.status_code == 200
    assert b"Hello" in b"".join(response.streaming_content)
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Security-Policy"].startswith("sandbox allow-scripts")
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.cookies
    css = content_get(location.replace("index.html", "style.css").split("?")[0])
    assert css["Content-Type"].startswith("text/css")


def test_files_refused_outside_the_session(origin, lesson, enrollment):
    """Unknown key, expired session, traversal, missing file: 404."""
    session, _token, location = launched(enrollment, lesson)
    base = f"/packages/s/{session.content_key}"
    assert content_get("/packages/s/unknown/au1/index.html").status_code == 404
    assert content_get(f"{base}/../../../etc/passwd").status_code in (404, 302)
    assert content_get(f"{base}/au1/%2e%2e/%2e%2e/cmi5.xml").status_code == 404
    assert content_get(f"{base}/nothing.html").status_code == 404
    LaunchSession.objects.filter(pk=session.pk).update(expires_at=timezone.now())
    assert content_get(location).status_code == 404


def test_content_host_serves_nothing_of_the_site(origin, lesson, learner):
    """On the content host, site pages redirect to the site and carry no session."""
    client = Client()
    client.force_login(learner)
    response = client.get("/learning/", HTTP_HOST=CONTENT)
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/"
    assert client.post("/learning/", HTTP_HOST=CONTENT).status_code == 404


def test_site_host_serves_no_package_file(origin, lesson, enrollment):
    """The content routes do not exist on the site's host."""
    session, _token, location = launched(enrollment, lesson)
    assert Client().get(location).status_code == 404


def test_package_lesson_is_not_marked_done_by_hand(origin, lesson, enrollment, learner):
    """ "Mark as done" refuses a package lesson: the package completes it."""
    with pytest.raises(CompletedByPackage):
        progress.complete_lesson(enrollment, lesson)
    client = Client()
    client.force_login(learner)
    client.post(f"/learning/lessons/{lesson.pk}/complete/")
    assert not enrollment.lesson_progress.filter(completed_at__isnull=False).exists()


def test_lesson_page_and_player(origin, lesson, enrollment, learner):
    """The lesson lists its units; launching frames the content origin, allowed by the CSP."""
    client = Client()
    client.force_login(learner)
    page = client.get(lesson.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Activité 1" in html and "Mark as done" not in html
    unit = lesson.package.units.first()
    response = client.post(f"/learning/packages/{lesson.pk}/units/{unit.pk}/launch/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'src="http://{CONTENT}/packages/launch/' in html
    assert f"http://{CONTENT}" in response["Content-Security-Policy"]
    assert "frame-src" in response["Content-Security-Policy"]


def test_launch_refused_when_not_enrolled(origin, lesson, learner):
    client = Client()
    client.force_login(learner)
    unit = lesson.package.units.first()
    response = client.post(f"/learning/packages/{lesson.pk}/units/{unit.pk}/launch/")
    assert response.status_code == 403
    assert not LaunchSession.objects.exists()


def test_check_refuses_the_site_host_as_content_origin(settings):
    """`manage.py check` errs when the content origin is the site's host."""
    from learning.launches.checks import content_origin_check

    settings.SITE_BASE_URL = "https://atelier.example.org"
    settings.PACKAGE_CONTENT_ORIGIN = "https://atelier.example.org:8443"
    assert [e.id for e in content_origin_check()] == ["launches.E001"]
    settings.PACKAGE_CONTENT_ORIGIN = "https://content.example.net"
    settings.ALLOWED_HOSTS = ["atelier.example.org"]
    assert [e.id for e in content_origin_check()] == ["launches.W001"]
    settings.ALLOWED_HOSTS = ["atelier.example.org", "content.example.net"]
    assert content_origin_check() == []
