"""Redis down (REDIS_URL on a closed port, the real redis client): HTML pages
degrade to uncached ones with one logged warning, sessions keep working from the
database, completion keeps working (the sweep issues the certificate later), and
what needs a queue answers a clear 503 page (cms/cache.py, cms/outages.py)."""

import logging
import socket
import threading

from django.contrib.auth import get_user_model
from django.urls import reverse

import pytest
from allauth.account.models import EmailAddress
from fakeredis import TcpFakeServer

from cms import caching
from cms.queues import build_rq_queues
from learning.analytics.models import RecordsExport
from learning.certificates.models import Certificate, CertificateExport
from learning.certificates.sweep import issue_pending_certificates
from learning.models import Enrollment
from tests.factories import CoursePageFactory, LessonPageFactory

PASSWORD = "correct horse battery staple"


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_redis(settings, url: str) -> None:
    """The production cache and queue settings (cms/settings/base.py) on `url`."""
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    settings.RQ_QUEUES = build_rq_queues(url)


@pytest.fixture
def redis_down(settings):
    use_redis(settings, f"redis://127.0.0.1:{closed_port()}/0")


def outage_warnings(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "cms.cache" and "unreachable" in record.getMessage()
    ]


def _verified_user(username="camille"):
    user = get_user_model().objects.create_user(
        username, email=f"{username}@example.org", password=PASSWORD
    )
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user


@pytest.mark.django_db
def test_pages_render_uncached_with_one_warning(
    client, course, lessons, redis_down, caplog
):
    """Every HTML page answers 200 (was 500), the outage is logged once."""
    caplog.set_level(logging.WARNING)
    for url in ("/", "/en/", "/catalogue/", course.url, lessons[0].url):
        assert client.get(url).status_code == 200, url
        assert client.get(url).status_code == 200, url
    assert len(outage_warnings(caplog)) == 1


@pytest.mark.django_db
def test_uncached_pages_show_a_publish_at_once(client, course, lessons, redis_down):
    """Nothing derived from content is remembered while the generation is unknown."""
    client.get(course.url)
    lessons[0].title = "Le SNDS, nouvelle version"
    lessons[0].save_revision().publish()
    assert "Le SNDS, nouvelle version" in client.get(course.url).content.decode()


@pytest.mark.django_db
def test_sessions_log_in_and_out_without_redis(client, course, redis_down):
    """Log in through the form, stay logged in across requests, log out."""
    _verified_user()
    response = client.post(
        reverse("account_login"), {"login": "camille", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("learning:my_learning")).status_code == 200
    client.post(reverse("learning:start_course", args=[course.pk]))
    assert Enrollment.objects.filter(user__username="camille").exists()
    client.post(reverse("account_logout"))
    response = client.get(reverse("learning:my_learning"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.fixture
def committed(transactional_db):
    """No test transaction: jobs are queued once the request's writes are
    committed, as in production. A course with two lessons."""
    from cms.site_structure import ensure_site_structure
    from tests.e2e.conftest import restore_baseline

    restore_baseline()
    course = CoursePageFactory(parent=ensure_site_structure().catalogue("fr"))
    for number in (1, 2):
        LessonPageFactory(parent=course, slug=f"lecon-{number}")
    return course


@pytest.fixture
def superuser_client(client, committed):
    admin = get_user_model().objects.create_superuser(
        "admin", "admin@example.org", PASSWORD
    )
    client.force_login(admin)
    return client


def test_completion_works_and_the_sweep_issues_the_certificate(
    client, committed, redis_down
):
    """The certificate job cannot be queued: the course still completes, the page
    says the certificate is on its way, and the sweep issues it, once."""
    course = committed
    learner = _verified_user()
    client.force_login(learner)
    client.post(reverse("learning:start_course", args=[course.pk]))
    for lesson in course.lessons():
        response = client.post(reverse("learning:complete_lesson", args=[lesson.pk]))
        assert response.status_code == 302
    enrollment = Enrollment.objects.get(user=learner)
    assert enrollment.is_completed
    assert not Certificate.objects.exists()
    html = client.get(course.url).content.decode()
    assert "votre certificat est en préparation" in html

    issue_pending_certificates()
    issue_pending_certificates()
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1


@pytest.mark.parametrize(
    ("prefix", "heading"),
    [("", "Service momentanément"), ("/en", "Temporarily unavailable")],
)
def test_a_job_that_cannot_be_queued_is_a_503_page(
    superuser_client, redis_down, prefix, heading
):
    """The learning-records export needs a worker: 503 page, nothing recorded."""
    response = superuser_client.post(f"{prefix}/learning/records/exports/")
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    html = response.content.decode()
    assert heading in html and "Traceback" not in html
    assert not RecordsExport.objects.exists()


def test_a_certificate_zip_that_cannot_be_queued_is_a_503_page(
    superuser_client, committed, redis_down
):
    response = superuser_client.post(
        reverse("certificates:export_course", args=[committed.pk])
    )
    assert response.status_code == 503
    assert "Rien n’a été enregistré" in response.content.decode()
    assert not CertificateExport.objects.exists()


@pytest.fixture
def fake_redis_server():
    """A Redis server (fakeredis over real TCP) that can go down and come back on
    the same port with its data, as across a network partition."""
    port = closed_port()
    servers = []

    def start():
        server = TcpFakeServer(("127.0.0.1", port))
        if servers:
            server.fake_server = servers[0].fake_server  # the same data
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)

    def stop():
        servers[-1].shutdown()
        servers[-1].server_close()

    start()
    yield port, start, stop
    stop()


@pytest.mark.django_db
def test_writes_lost_during_an_outage_are_deleted_when_redis_is_back(
    settings, fake_redis_server, caplog
):
    """A publish during the outage (its generation bump lost) and a session
    written then: once Redis answers, their old values are gone, not served."""
    from django.core.cache import cache

    caplog.set_level(logging.WARNING)
    port, start, stop = fake_redis_server
    use_redis(settings, f"redis://127.0.0.1:{port}/0")
    before = caching.content_generation()
    cache.set("session-of-someone", "logged in")
    stop()
    caching.bump_generation()  # content published while Redis is down
    cache.delete("session-of-someone")  # a log-out while Redis is down
    assert caching.content_generation() is None
    assert cache.get("session-of-someone") is None
    start()
    import cms.cache

    cms.cache._health_of(f"redis://127.0.0.1:{port}/0").retry_at = 0  # no waiting
    after = caching.content_generation()
    assert after is not None and after != before
    assert cache.get("session-of-someone") is None
    messages = [r.getMessage() for r in caplog.records if r.name == "cms.cache"]
    assert any("reachable again; 2 key(s)" in message for message in messages)
