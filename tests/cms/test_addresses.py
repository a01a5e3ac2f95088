"""The public address: one setting (SITE_BASE_URL) for every absolute link, which
follows HOST/PORT in the embedded default (`make demo PORT=8102`)."""

import io
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from django.core import mail

import jwt
import pypdf
import pytest
from allauth.account.models import EmailAddress
from PIL import Image

from accounts.privacy import export_personal_data
from cms.addresses import local_base_url
from learning import progress
from learning.certificates.models import Certificate
from learning.compliance.api import create_api_token
from learning.compliance.models import Membership, OrgUnit, Requirement
from learning.compliance.reminders import send_reminders

ROOT = Path(__file__).resolve().parents[2]
DEMO = "http://127.0.0.1:8102"
# What links pointed at before: the default port, Wagtail's seeded Site host.
WRONG = re.compile(r"127\.0\.0\.1:8000|localhost|testserver")


def _settings_in_subprocess(**environ) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SITE_BASE_URL", "HOST", "PORT", "DJANGO_SETTINGS_MODULE")
    }
    env.update(environ)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            "from django.conf import settings; "
            "print(settings.SITE_BASE_URL, settings.WAGTAILADMIN_BASE_URL, "
            "settings.ALLOWED_HOSTS)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_demo_address_follows_host_and_port():
    """`make demo PORT=8102`: the embedded default's public address is :8102."""
    out = _settings_in_subprocess(HOST="127.0.0.1", PORT="8102")
    assert out.startswith(f"{DEMO} {DEMO} ")
    assert _settings_in_subprocess().startswith("http://127.0.0.1:8000 ")


def test_demo_on_another_host_is_allowed_and_named():
    """HOST=192.0.2.7: links name that host, and runserver accepts it."""
    out = _settings_in_subprocess(HOST="192.0.2.7", PORT="9000")
    assert out.startswith("http://192.0.2.7:9000 ")
    assert "'192.0.2.7'" in out


def test_explicit_site_base_url_wins():
    out = _settings_in_subprocess(
        SITE_BASE_URL="https://atelier.example.org/", PORT="8102"
    )
    assert out.startswith("https://atelier.example.org https://atelier.example.org ")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8102"),
        ("0.0.0.0", "http://127.0.0.1:8102"),  # noqa: S104 - a listening address
        ("::", "http://127.0.0.1:8102"),
        ("::1", "http://[::1]:8102"),
        ("[::1]", "http://[::1]:8102"),
        ("atelier.local", "http://atelier.local:8102"),
    ],
)
def test_local_base_url(host, expected):
    """Listening on every interface gives a loopback address a browser can open."""
    assert local_base_url(host, 8102) == expected


def test_makefile_passes_host_and_port():
    """Seeding, serving and the worker all get HOST/PORT (make -n: print only)."""
    result = subprocess.run(
        ["make", "-n", "demo", "worker", "PORT=8102", "REDIS_URL=redis://x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = re.findall(
        r"(\S+ \S+) \S+ manage\.py (seed_demo|runserver|rqworker|rqcron)",
        result.stdout,
    )
    assert sorted(command for _env, command in found) == [
        "rqcron",
        "rqworker",
        "runserver",
        "seed_demo",
    ], result.stdout + result.stderr
    assert {env for env, _command in found} == {"HOST=127.0.0.1 PORT=8102"}


@pytest.fixture
def demo_address(settings):
    settings.SITE_BASE_URL = settings.WAGTAILADMIN_BASE_URL = DEMO


@pytest.fixture
def certified(demo_address, learner, course, django_capture_on_commit_callbacks):
    """A learner who completed the course: the job issued, rendered and e-mailed."""
    course.certificate_validity_months = 12
    course.save()
    learner.email = "camille@example.org"
    learner.save()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = progress.enrol(learner, course)
        for lesson in course.lessons():
            progress.complete_lesson(enrollment, lesson)
    return Certificate.objects.get(enrollment__user=learner)


def _assert_demo_links(text: str, *, at_least: int = 1) -> None:
    assert not WRONG.search(text), WRONG.search(text)
    assert text.count(DEMO) >= at_least, text


def test_certificate_links_use_the_public_address(client, certified, learner):
    """PDF text, QR code, e-mail and Open Badge all point at SITE_BASE_URL."""
    zxingcpp = pytest.importorskip("zxingcpp")
    verify = f"{DEMO}/certificates/verify/{certified.code}/"
    assert certified.verification_url == verify

    with certified.pdf.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    text = " ".join(reader.pages[0].extract_text().split()).replace(" ", "")
    _assert_demo_links(text)
    assert verify in text
    decoded = [
        result.text
        for page in reader.pages
        for image in page.images
        for result in zxingcpp.read_barcodes(
            Image.open(io.BytesIO(image.data)).convert("L")
        )
    ]
    assert decoded == [verify]

    (message,) = mail.outbox
    _assert_demo_links(message.body)

    client.force_login(learner)
    token = client.get(f"/certificates/{certified.uuid}/open-badge.jwt").content
    claims = jwt.decode(token, options={"verify_signature": False})
    _assert_demo_links(json.dumps(claims), at_least=3)


def test_gate_export_and_reminder_links_use_the_public_address(
    client, certified, learner, course
):
    """The gate's answer, the personal-data export and a reminder e-mail too."""
    EmailAddress.objects.create(
        user=learner, email=learner.email, verified=True, primary=True
    )
    unit = OrgUnit.objects.create(code="LAB", name="Labo")
    Membership.objects.create(user=learner, unit=unit, joined_at=date(2020, 1, 1))
    requirement = Requirement.objects.create(slug="snds", title="SNDS", due_days=30)
    requirement.courses.add(course)
    requirement.units.add(unit)
    _row, token = create_api_token("Portail", [requirement])
    answer = client.get(
        f"/api/v1/compliance/gates/snds/{learner.email}",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert answer["verification_url"] == certified.verification_url
    _assert_demo_links(json.dumps(answer))

    export = export_personal_data(learner)
    _assert_demo_links(json.dumps(export, default=str), at_least=2)

    other = learner.__class__.objects.create(username="dominique", email="d@x.org")
    Membership.objects.create(user=other, unit=unit, joined_at=date(2020, 1, 1))
    mail.outbox.clear()
    send_reminders()
    (reminder,) = mail.outbox
    _assert_demo_links(reminder.body, at_least=2)
