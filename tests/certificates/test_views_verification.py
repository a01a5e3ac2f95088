"""Public verification: states, JSON, unknown codes, the form, rate limiting."""

from datetime import timedelta

from django.utils import timezone

import pytest

from learning.certificates.issuance import revoke_certificate
from learning.certificates.models import Certificate


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings):
    from django.core.cache import cache

    cache.clear()
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = "1000/60"


def test_verify_valid_certificate_shows_minimal_data(client, certificate):
    """Anyone sees the name, course, version, dates and issuer; not the score or e-mail."""
    response = client.get(f"/certificates/verify/{certificate.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="valid"' in html
    assert certificate.learner_name in html
    assert "Accès au SNDS" in html and "2.1" in html
    assert "CNRS" in html
    assert certificate.enrollment.user.email not in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_verify_json_matches(client, certificate):
    """The JSON form gives the same answer."""
    data = client.get(f"/certificates/verify/{certificate.code}.json").json()
    assert data["status"] == "valid"
    assert data["signatureValid"] is True
    assert data["learner"] == certificate.learner_name
    assert data["course"] == {"title": "Accès au SNDS", "version": "2.1"}
    assert data["validUntil"] == certificate.valid_until.isoformat()
    assert data["newerCourseVersion"] is False
    assert "score" not in data and "email" not in str(data)


def test_verify_code_is_case_and_dash_insensitive(client, certificate):
    """A code typed in lower case with dashes finds the certificate."""
    typed = certificate.display_code.lower()
    response = client.get(f"/certificates/verify/{typed}/")
    assert response.status_code == 200


def test_verify_unknown_code_is_404_with_message(client, db):
    """An unknown code gets a clear "no such certificate" and 404."""
    response = client.get("/certificates/verify/AAAABBBBCCCC/")
    assert response.status_code == 404
    assert "Certificat introuvable" in response.content.decode()
    response = client.get("/certificates/verify/AAAABBBBCCCC.json")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_verify_form_redirects_to_the_code(client, db):
    """The form sends a typed code to its verification page."""
    response = client.get("/certificates/verify/", {"code": "abcd-efgh-jkmn"})
    assert response.status_code == 302
    assert response["Location"] == "/certificates/verify/ABCDEFGHJKMN/"
    assert client.get("/certificates/verify/").status_code == 200


def test_verify_english_page(client, certificate):
    """The page exists in English under /en/."""
    response = client.get(f"/en/certificates/verify/{certificate.code}/")
    assert "Valid certificate" in response.content.decode()


def test_verify_expired(client, certificate):
    """Past valid-until, the certificate reads "expired"."""
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    # valid_until is signed: re-sign as if issued with that date.
    _resign(certificate.pk)
    data = client.get(f"/certificates/verify/{certificate.code}.json").json()
    assert data["status"] == "expired"
    assert data["signatureValid"] is True


def test_verify_revoked_shows_reason(client, certificate, manager):
    """A revoked certificate shows its reason and date."""
    revoke_certificate(certificate, by=manager, reason="Fraude à l’évaluation")
    html = client.get(f"/certificates/verify/{certificate.code}/").content.decode()
    assert 'data-status="revoked"' in html
    assert "Fraude à l’évaluation" in html
    data = client.get(f"/certificates/verify/{certificate.code}.json").json()
    assert data["status"] == "revoked"
    assert data["revocation"]["reason"] == "Fraude à l’évaluation"


def test_verify_newer_course_version(client, certificate):
    """When the course's version changed, the page says a newer version exists."""
    course = certificate.course
    course.version = "3.0"
    course.save()
    data = client.get(f"/certificates/verify/{certificate.code}.json").json()
    assert data["status"] == "valid"
    assert data["newerCourseVersion"] is True
    html = client.get(f"/certificates/verify/{certificate.code}/").content.decode()
    assert "version plus récente" in html and "3.0" in html


def test_verify_tampered_row_is_invalid(client, certificate):
    """The page checks the signature, not just the row."""
    Certificate.objects.filter(pk=certificate.pk).update(course_version="9.9")
    data = client.get(f"/certificates/verify/{certificate.code}.json").json()
    assert data["status"] == "invalid"
    assert data["signatureValid"] is False


def test_verify_is_rate_limited(client, certificate, settings):
    """Past the budget per IP, verification answers 429 (HTML and JSON)."""
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = "3/60"
    for _ in range(3):
        assert (
            client.get(f"/certificates/verify/{certificate.code}/").status_code == 200
        )
    assert client.get(f"/certificates/verify/{certificate.code}/").status_code == 429
    response = client.get("/certificates/verify/AAAABBBBCCCC.json")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    # Another address still has its budget.
    other = client.get(
        f"/certificates/verify/{certificate.code}/", REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 200


def test_verify_rate_limit_per_forwarded_client(client, certificate, settings):
    """Behind a trusted proxy the limit counts the client from X-Forwarded-For."""
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = "1/60"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    url = f"/certificates/verify/{certificate.code}/"
    assert client.get(url, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 200


def test_verify_query_count(client, certificate, django_assert_max_num_queries):
    """The public page stays cheap."""
    with django_assert_max_num_queries(6):
        client.get(f"/certificates/verify/{certificate.code}.json")


def _resign(pk):
    from learning.certificates import signing
    from learning.certificates.issuance import signed_payload

    certificate = Certificate.objects.get(pk=pk)
    kid, signature = signing.sign(signed_payload(certificate))
    Certificate.objects.filter(pk=pk).update(key_id=kid, signature=signature)
