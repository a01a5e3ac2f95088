"""Telling the learner: one e-mail per certificate, in their preferred language."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Certificate


def notify_learner(certificate: Certificate) -> bool:
    """Send the "your certificate" e-mail once; False if already sent or no address."""
    user = certificate.enrollment.user
    if not user.email:
        return False
    # Claim the notification first: a retried job must not send it twice.
    claimed = Certificate.objects.filter(
        pk=certificate.pk, notified_at__isnull=True
    ).update(notified_at=timezone.now())
    if not claimed:
        return False
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            context = {
                "certificate": certificate,
                "learner": user,
                "my_learning_url": _my_learning_url(language),
                "site_name": settings.WAGTAIL_SITE_NAME,
            }
            subject = render_to_string(
                "certificates/email/issued_subject.txt", context
            ).strip()
            body = render_to_string("certificates/email/issued_body.txt", context)
        message = EmailMessage(subject, body, to=[user.email])
        if certificate.pdf:
            with certificate.pdf.open("rb") as handle:
                message.attach(
                    f"certificate-{certificate.code}.pdf",
                    handle.read(),
                    "application/pdf",
                )
        message.send()
    except Exception:
        # Give the claim back so that the job's retry sends it.
        Certificate.objects.filter(pk=certificate.pk).update(notified_at=None)
        raise
    return True


def _my_learning_url(language: str) -> str:
    prefix = "" if language == settings.LANGUAGE_CODE else f"/{language}"
    return f"{settings.SITE_BASE_URL}{prefix}/learning/"
