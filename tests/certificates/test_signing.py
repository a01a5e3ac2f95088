"""Signatures: canonical payloads, Ed25519, key loading, tampering, JWKS."""

import base64
import json

from django.core.exceptions import ImproperlyConfigured

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from learning.certificates import signing
from learning.certificates.issuance import signature_is_valid, signed_payload
from learning.certificates.models import Certificate
from learning.certificates.verification import verify_certificate


def _pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def test_signing_canonical_json_is_sorted_and_compact():
    """Keys sorted, no whitespace, UTF-8 kept as is."""
    assert signing.canonical_json({"b": 1, "a": {"é": [1, 2]}}) == (
        '{"a":{"é":[1,2]},"b":1}'.encode()
    )


def test_signing_key_from_pem_or_raw_base64_is_the_same(settings):
    """A PEM and the base64 of the raw key load the same key."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    from_pem = signing.load_private_key(_pem(key))
    from_raw = signing.load_private_key(base64.b64encode(raw).decode())
    assert signing.key_id(from_pem.public_key()) == signing.key_id(
        from_raw.public_key()
    )


@pytest.mark.parametrize("value", ["not a key", base64.b64encode(b"short").decode()])
def test_signing_key_malformed_is_refused(value):
    """A malformed key is a configuration error, not a silent fallback."""
    with pytest.raises(ImproperlyConfigured):
        signing.load_private_key(value)


def test_signing_dev_key_is_derived_from_secret_key(settings):
    """Without CERTIFICATE_SIGNING_KEY the key comes from SECRET_KEY, deterministically."""
    settings.CERTIFICATE_SIGNING_KEY = ""
    first = signing.current_key_id()
    assert signing.current_key_id() == first
    settings.SECRET_KEY = "another-secret"
    assert signing.current_key_id() != first


def test_signing_configured_key_is_used(settings):
    """CERTIFICATE_SIGNING_KEY wins over the derived key."""
    key = Ed25519PrivateKey.generate()
    settings.CERTIFICATE_SIGNING_KEY = _pem(key)
    assert signing.current_key_id() == signing.key_id(key.public_key())


def test_signing_verify_rejects_altered_payload():
    """Changing any byte of the payload breaks the signature."""
    payload = {"learner": "Camille Martin", "course": "SNDS", "score": 0.9}
    kid, signature = signing.sign(payload)
    assert signing.verify(payload, signature, kid)
    assert not signing.verify({**payload, "score": 1.0}, signature, kid)
    assert not signing.verify({**payload, "learner": "Eve"}, signature, kid)
    assert not signing.verify(payload, signature, "unknown-kid")
    forged = signing.b64url(b"\0" * 64)
    assert not signing.verify(payload, forged, kid)
    assert not signing.verify(payload, "%%%not-base64", kid)


def test_signing_other_key_fails(settings):
    """A signature by a key we do not publish does not verify."""
    payload = {"code": "X"}
    attacker = Ed25519PrivateKey.generate()
    signature = signing.b64url(attacker.sign(signing.canonical_json(payload)))
    assert not signing.verify(payload, signature, signing.current_key_id())


def test_signing_tampered_certificate_row_reads_invalid(certificate):
    """A certificate whose name was changed in the database reads "invalid"."""
    Certificate.objects.filter(pk=certificate.pk).update(learner_name="Eve Forger")
    tampered = Certificate.objects.get(pk=certificate.pk)
    assert not signature_is_valid(tampered)
    assert verify_certificate(tampered).status == "invalid"


@pytest.mark.parametrize(
    "field, value",
    [
        ("course_title", "Another course"),
        ("course_version", "9.9"),
        ("score", 1.0),
        ("institution_name", "Fake University"),
    ],
)
def test_signing_any_signed_field_altered_fails(certificate, field, value):
    """Every snapshot field is covered by the signature."""
    setattr(certificate, field, value)
    assert not signature_is_valid(certificate)


def test_signing_rotated_key_still_verifies_old_certificates(certificate, settings):
    """After rotation, listing the retired public key keeps old certificates valid."""
    old_public = signing.signing_key().public_key()
    settings.CERTIFICATE_SIGNING_KEY = _pem(Ed25519PrivateKey.generate())
    assert not signature_is_valid(certificate)
    settings.CERTIFICATE_RETIRED_PUBLIC_KEYS = [
        base64.b64encode(signing.raw_public(old_public)).decode()
    ]
    assert signature_is_valid(certificate)
    assert len(signing.jwks()["keys"]) == 2


def test_jwks_publishes_the_public_key(client, certificate):
    """/.well-known/jwks.json holds the OKP Ed25519 key with the certificate's kid."""
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA"
    assert key["kid"] == certificate.key_id
    assert "d" not in key  # never the private part
    public = signing.signing_key().public_key()
    assert signing.b64url_decode(key["x"]) == signing.raw_public(public)


def test_jwks_verifies_the_certificate_payload_independently(client, certificate):
    """With only the JWKS and the payload, cryptography verifies the signature."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    (key,) = client.get("/.well-known/jwks.json").json()["keys"]
    public = Ed25519PublicKey.from_public_bytes(signing.b64url_decode(key["x"]))
    message = json.dumps(
        signed_payload(certificate), sort_keys=True, separators=(",", ":"),
        ensure_ascii=False,
    ).encode()  # fmt: skip
    public.verify(signing.b64url_decode(certificate.signature), message)


def test_signing_check_reports_a_bad_key(settings):
    """`manage.py check` fails with a malformed CERTIFICATE_SIGNING_KEY."""
    from learning.certificates.checks import check_signing_key

    settings.CERTIFICATE_SIGNING_KEY = "garbage"
    assert [e.id for e in check_signing_key(None)] == ["certificates.E001"]
    settings.CERTIFICATE_SIGNING_KEY = ""
    assert check_signing_key(None) == []
