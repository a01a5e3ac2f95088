"""Open Badges 3.0: the certificate as an `OpenBadgeCredential`, signed as a VC-JWT.

The credential follows the W3C Verifiable Credentials Data Model 2.0 and the
1EdTech Open Badges 3.0 context. It is secured with an enveloping JWS (VC-JOSE:
`typ: vc+jwt`, `alg: EdDSA`), whose payload is the credential itself plus the
registered claims (`iss`, `jti`, `nbf`, `iat`, `exp`, `sub`) that generic JWT
libraries check, so any JOSE library can verify it with our JWKS.
https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof
"""

from datetime import UTC, datetime, time

from django.conf import settings
from django.utils import timezone

from . import signing
from .issuance import activity_id
from .models import Certificate

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _iso(value) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def issuer_id() -> str:
    return f"{settings.SITE_BASE_URL}/certificates/issuer.json"


def issuer_profile(certificate: Certificate | None = None) -> dict:
    """The issuer as an OB 3.0 Profile (a certificate's snapshot, else today's)."""
    if certificate is None:
        from .issuance import institution_settings

        institution = institution_settings()
        name, url = institution.institution_name, institution.institution_url
    else:
        name, url = certificate.institution_name, certificate.institution_url
    profile = {"id": issuer_id(), "type": ["Profile"], "name": name}
    if url:
        profile["url"] = url
    return profile


def status_url(certificate: Certificate) -> str:
    return f"{settings.SITE_BASE_URL}/certificates/status/{certificate.uuid}.json"


def valid_until_datetime(certificate: Certificate):
    """The end of the last valid day, in the site's time zone."""
    if certificate.valid_until is None:
        return None
    end = datetime.combine(certificate.valid_until, time(23, 59, 59))
    return timezone.make_aware(end)


def open_badge_credential(certificate: Certificate) -> dict:
    """The unsigned OpenBadgeCredential (JSON-LD) of a certificate."""
    course = certificate.course
    objectives = [
        line.strip() for line in course.objectives.splitlines() if line.strip()
    ]
    narrative = (
        f"Complete every lesson of “{certificate.course_title}” "
        f"(version {certificate.course_version}) and pass its required assessments "
        f"(pass mark {course.pass_mark} %)."
    )
    if objectives:
        narrative += "\n\n" + "\n".join(f"- {objective}" for objective in objectives)
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{certificate.uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.course_title,
        "issuer": issuer_profile(certificate),
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.learner_name,
                }
            ],
            "achievement": {
                "id": activity_id(certificate),
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": certificate.course_title,
                "description": course.summary,
                "criteria": {"narrative": narrative},
                "version": certificate.course_version,
                "creator": issuer_profile(certificate),
            },
        },
        "credentialStatus": {
            "id": status_url(certificate),
            "type": "1EdTechRevocationList",
        },
    }
    until = valid_until_datetime(certificate)
    if until is not None:
        credential["validUntil"] = _iso(until)
    return credential


def open_badge_jwt(certificate: Certificate) -> str:
    """The credential as a compact VC-JWT signed with the certificate key (EdDSA)."""
    credential = open_badge_credential(certificate)
    claims = {
        **credential,
        "iss": issuer_id(),
        "jti": credential["id"],
        "sub": f"{settings.SITE_BASE_URL}/certificates/verify/{certificate.code}/",
        "nbf": int(certificate.issued_at.timestamp()),
        "iat": int(certificate.issued_at.timestamp()),
    }
    until = valid_until_datetime(certificate)
    if until is not None:
        claims["exp"] = int(until.timestamp())
    return signing.sign_jwt(claims, typ="vc+jwt", cty="vc")


def revocation_list(certificate: Certificate) -> dict:
    """The 1EdTech revocation list of one credential (empty unless revoked)."""
    revoked = []
    if certificate.is_withdrawn:
        revoked.append(
            {
                "id": f"urn:uuid:{certificate.uuid}",
                "revocationReason": "Withdrawn at the holder's request",
                "revokedAt": _iso(certificate.withdrawn_at),
            }
        )
    elif certificate.is_revoked:
        revoked.append(
            {
                "id": f"urn:uuid:{certificate.uuid}",
                "revocationReason": certificate.revocation_reason,
                "revokedAt": _iso(certificate.revoked_at),
            }
        )
    return {
        "id": status_url(certificate),
        "issuer": issuer_id(),
        "revokedCredentials": revoked,
        "superseded": certificate.superseded_by_id is not None,
    }
