"""The public answer about a certificate: its status, checked against the signature.

A row whose signed fields were altered (in the database or anywhere else) reads
"invalid", whatever its other fields say: the page trusts the signature, not the row.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .issuance import signature_is_valid
from .models import Certificate, CertificateStatus, normalise_code


@dataclass
class Verification:
    certificate: Certificate
    status: str
    signature_valid: bool
    newer_version: bool

    @property
    def status_label(self) -> str:
        return CertificateStatus(self.status).label

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID

    def as_json(self) -> dict:
        """Minimal personal data: the name, the course, the dates, the issuer;
        a withdrawn certificate names no one."""
        c = self.certificate
        if self.status == CertificateStatus.WITHDRAWN:
            return {
                "code": c.code,
                "status": self.status,
                "signatureValid": self.signature_valid,
                "course": {"title": c.course_title, "version": c.course_version},
                "withdrawnOn": timezone.localdate(c.withdrawn_at).isoformat(),
                "issuer": {
                    "name": c.institution_name,
                    "url": c.institution_url or None,
                },
                "verificationUrl": c.verification_url,
            }
        data = {
            "code": c.code,
            "status": self.status,
            "signatureValid": self.signature_valid,
            "learner": c.learner_name,
            "course": {"title": c.course_title, "version": c.course_version},
            "newerCourseVersion": self.newer_version,
            "issuedOn": timezone.localdate(c.issued_at).isoformat(),
            "validUntil": c.valid_until.isoformat() if c.valid_until else None,
            "issuer": {"name": c.institution_name, "url": c.institution_url or None},
            "verificationUrl": c.verification_url,
            "keys": f"{settings.SITE_BASE_URL}/.well-known/jwks.json",
        }
        if c.is_revoked:
            data["revocation"] = {
                "revokedOn": timezone.localdate(c.revoked_at).isoformat(),
                "reason": c.revocation_reason,
            }
        if c.superseded_by_id:
            data["supersededBy"] = c.superseded_by.verification_url
        return data


def verify_certificate(certificate: Certificate) -> Verification:
    """Status by precedence: invalid, withdrawn, revoked, superseded, expired, valid."""
    signature_valid = signature_is_valid(certificate)
    if not signature_valid:
        status = CertificateStatus.INVALID
    elif certificate.is_withdrawn:
        status = CertificateStatus.WITHDRAWN
    elif certificate.is_revoked:
        status = CertificateStatus.REVOKED
    elif certificate.superseded_by_id:
        status = CertificateStatus.SUPERSEDED
    elif certificate.is_expired:
        status = CertificateStatus.EXPIRED
    else:
        status = CertificateStatus.VALID
    newer_version = certificate.course.version != certificate.course_version
    return Verification(certificate, str(status), signature_valid, newer_version)


def find_certificate(code: str) -> Certificate | None:
    return (
        Certificate.objects.select_related("course", "superseded_by")
        .filter(code=normalise_code(code))
        .first()
    )
