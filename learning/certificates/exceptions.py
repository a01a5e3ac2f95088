"""Errors of the certificates domain; views turn them into messages and 4xx."""

from django.utils.translation import gettext_lazy as _

from learning.exceptions import LearningError


class CertificateError(LearningError):
    message = _("This certificate action is not possible.")


class CourseNotCompleted(CertificateError):
    message = _("A certificate is issued only for a completed course.")


class AlreadyRevoked(CertificateError):
    message = _("This certificate is already revoked.")


class RevocationReasonMissing(CertificateError):
    message = _("Give a reason for the revocation.")


class NoCertificateToRenew(CertificateError):
    message = _("There is no current certificate to renew for this course.")


class CertificateWithdrawn(CertificateError):
    message = _(
        "This certificate was withdrawn at its holder's request when they deleted "
        "their account: it is not rendered any more."
    )
