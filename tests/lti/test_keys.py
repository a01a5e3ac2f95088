"""The tool's key: from LTI_TOOL_PRIVATE_KEY, else derived from SECRET_KEY
(never in production, where LTI then stays off with a clear 503)."""

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from learning.lti import keys


def test_derived_key_is_stable_and_published(client, db):
    """Every process derives the same key; the JWKS publishes it for RS256."""
    first = keys.derived_dev_key("a secret")
    assert first.private_numbers() == keys.derived_dev_key("a secret").private_numbers()
    assert first.key_size == 2048
    jwks = client.get("/lti/jwks.json").json()
    [jwk] = jwks["keys"]
    assert (jwk["kty"], jwk["alg"], jwk["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in jwk


def test_configured_key_wins(client, db, settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.LTI_TOOL_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    jwk = client.get("/lti/jwks.json").json()["keys"][0]
    modulus = int.from_bytes(base64.urlsafe_b64decode(jwk["n"] + "=="), "big")
    assert modulus == key.public_key().public_numbers().n


def test_production_without_key_turns_lti_off(client, db, settings):
    settings.LTI_DERIVE_DEV_KEY = False
    assert client.get("/lti/jwks.json").status_code == 503
    response = client.post(
        "/lti/login/", {"target_link_uri": "http://testserver/lti/launch/"}
    )
    assert response.status_code == 503


def test_weak_configured_key_refused(settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the weak key refused
    settings.LTI_TOOL_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    with pytest.raises(keys.LtiNotConfigured):
        keys.tool_key()
