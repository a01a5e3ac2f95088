"""The signed payload does not depend on time zones; old signatures keep verifying."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

import pytest

from learning import progress
from learning.certificates import signing
from learning.certificates.issuance import (
    _payload,
    issue_certificate,
    signature_is_valid,
    signed_payload,
)
from learning.certificates.models import Certificate


def _issue_in(zone: str, day: date, user, course, settings) -> Certificate:
    """Complete and issue with local times of `zone` (as the demo seed does)."""
    settings.TIME_ZONE = zone
    with timezone.override(ZoneInfo(zone)):
        at = timezone.make_aware(datetime.combine(day, time(10)))
        enrollment = progress.enrol(user, course, when=at - timedelta(days=3))
        for number, lesson in enumerate(course.lessons()):
            progress.complete_lesson(
                enrollment, lesson, when=at + timedelta(minutes=number)
            )
        enrollment.refresh_from_db()
        return issue_certificate(enrollment, when=at + timedelta(hours=1))


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York"])
@pytest.mark.parametrize("day", [date(2026, 1, 15), date(2026, 7, 15)])
def test_certificate_issued_in_any_zone_verifies_on_the_public_page(
    zone, day, learner, validity_course, client, settings
):
    """Issued under a zone in winter or summer time, verified under another zone:
    the public page and its JSON say valid."""
    certificate = _issue_in(zone, day, learner, validity_course, settings)
    settings.TIME_ZONE = "Asia/Tokyo"
    response = client.get(f"/certificates/verify/{certificate.code}/")
    assert response.status_code == 200
    assert 'data-status="valid"' in response.content.decode()
    data = client.get(f"/certificates/verify/{certificate.code}.json").json()
    assert data["status"] == "valid" and data["signatureValid"] is True


def test_signed_payload_has_one_utc_form(certificate):
    """The same instants in any zone give the same payload, in UTC with a Z."""
    paris = certificate.issued_at.astimezone(ZoneInfo("Europe/Paris"))
    payload = signed_payload(certificate)
    certificate.issued_at = paris
    assert signed_payload(certificate) == payload
    assert payload["issuedAt"].endswith("Z") and len(payload["issuedAt"]) == 27
    assert payload["format"] == 2


def test_certificate_signed_in_the_old_form_keeps_verifying(certificate, client):
    """A certificate signed before the fix (format 1: `isoformat()` with the local
    offset) still reads valid; altered, it reads invalid."""
    paris = ZoneInfo("Europe/Paris")
    legacy = _payload(
        certificate,
        certificate.completed_at.astimezone(paris).isoformat(),
        certificate.issued_at.astimezone(paris).isoformat(),
    )
    key_id, signature = signing.sign(legacy)
    Certificate.objects.filter(pk=certificate.pk).update(
        payload_format=1, signature=signature, key_id=key_id
    )
    response = client.get(f"/certificates/verify/{certificate.code}/")
    assert 'data-status="valid"' in response.content.decode()
    Certificate.objects.filter(pk=certificate.pk).update(learner_name="Eve Forger")
    assert not signature_is_valid(Certificate.objects.get(pk=certificate.pk))


def test_signature_covers_unit_and_objectives(certificate):
    """The new snapshot fields are signed too."""
    for field, value in (("learner_unit", "Forged unit"), ("course_objectives", "X")):
        original = getattr(certificate, field)
        setattr(certificate, field, value)
        assert not signature_is_valid(certificate)
        setattr(certificate, field, original)
    assert signature_is_valid(certificate)
