"""Open Badges 3.0: the VC-JWT verifies with PyJWT and our JWKS, not our own code."""

import json

import jwt
import pytest

from learning.certificates.badges import open_badge_credential
from learning.certificates.issuance import revoke_certificate


@pytest.fixture
def vc_jwt(client, certificate, learner):
    client.force_login(learner)
    response = client.get(f"/certificates/{certificate.uuid}/open-badge.jwt")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    return response.content.decode()


def _verify_with_pyjwt(client, token):
    jwks = client.get("/.well-known/jwks.json").json()
    header = jwt.get_unverified_header(token)
    key = jwt.PyJWKSet.from_dict(jwks)[header["kid"]]
    return jwt.decode(
        token, key=key, algorithms=["EdDSA"], options={"verify_sub": False}
    )


def test_badge_vc_jwt_verifies_with_pyjwt(client, vc_jwt, certificate):
    """PyJWT verifies the EdDSA signature with the published JWKS."""
    header = jwt.get_unverified_header(vc_jwt)
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt"
    claims = _verify_with_pyjwt(client, vc_jwt)
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "ob/v3p0" in claims["@context"][1]
    assert claims["jti"] == claims["id"] == f"urn:uuid:{certificate.uuid}"
    assert claims["iss"] == claims["issuer"]["id"]


def test_badge_content(certificate):
    """Issuer profile, achievement with criteria and description, dates, status."""
    credential = open_badge_credential(certificate)
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["issuer"]["name"] == "CNRS"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == "Accès au SNDS"
    assert achievement["description"] == certificate.course.summary
    assert "Accès au SNDS" in achievement["criteria"]["narrative"]
    assert "Comprendre" in achievement["criteria"]["narrative"]  # objectives
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == (
        certificate.learner_name
    )
    assert credential["validFrom"].endswith("Z")
    assert credential["validUntil"].startswith(certificate.valid_until.isoformat()[:7])
    status = credential["credentialStatus"]
    assert status["type"] == "1EdTechRevocationList"
    assert status["id"].endswith(f"/certificates/status/{certificate.uuid}.json")


def test_badge_altered_token_fails(client, vc_jwt):
    """Changing the payload of the JWT makes PyJWT refuse it."""
    from learning.certificates.signing import b64url, b64url_decode

    header, payload, signature = vc_jwt.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["name"] = "Another course"
    forged = ".".join([header, b64url(json.dumps(claims).encode()), signature])
    with pytest.raises(jwt.InvalidSignatureError):
        _verify_with_pyjwt(client, forged)


def test_badge_credential_status_reflects_revocation(client, certificate, manager):
    """The status URL of the credential lists it once revoked."""
    url = open_badge_credential(certificate)["credentialStatus"]["id"]
    path = url.removeprefix("http://testserver")
    assert client.get(path).json()["revokedCredentials"] == []
    revoke_certificate(certificate, by=manager, reason="Erreur d’identité")
    (entry,) = client.get(path).json()["revokedCredentials"]
    assert entry["id"] == f"urn:uuid:{certificate.uuid}"
    assert entry["revocationReason"] == "Erreur d’identité"


def test_badge_issuer_profile_is_published(client, db, site_structure):
    data = client.get("/certificates/issuer.json").json()
    assert data["type"] == ["Profile"] and data["name"] == "CNRS"
