"""Background jobs on the "certificates" queue (django-rq).

`schedule_issuance` is what `progress.complete_course` calls after its commit.
With REDIS_URL the job is queued for a worker and retried with backoff on failure;
without it, it runs synchronously in the request (the embedded default).
This module imports nothing of the domain at load time: `learning.progress`
imports it.
"""

import logging

import django_rq
from rq import Retry

logger = logging.getLogger(__name__)

QUEUE = "certificates"
RETRY = Retry(max=5, interval=[10, 60, 300, 900, 3600])


def issue_certificate_job(enrollment_id) -> str:
    """Issue (idempotently), render the PDF, tell the learner; returns the code."""
    from learning.models import Enrollment

    from .issuance import institution_settings, issue_certificate
    from .notifications import notify_learner
    from .pdf import ensure_pdf

    # issue_certificate reads (and locks) the enrolment itself; the institution
    # is looked up once for the certificate and its PDF.
    institution = institution_settings()
    certificate = issue_certificate(
        Enrollment(pk=enrollment_id), institution=institution
    )
    ensure_pdf(certificate, institution=institution)
    notify_learner(certificate)
    return certificate.code


def schedule_issuance(enrollment_id) -> None:
    """Queue the issuance of the certificate for a completed enrolment."""
    django_rq.get_queue(QUEUE).enqueue(
        issue_certificate_job,
        str(enrollment_id),
        retry=RETRY,
        job_id=f"certificate-{enrollment_id}-{_completion_stamp(enrollment_id)}",
    )


def _completion_stamp(enrollment_id) -> str:
    from learning.models import Enrollment

    completed_at = (
        Enrollment.objects.filter(pk=enrollment_id)
        .values_list("completed_at", flat=True)
        .first()
    )
    return completed_at.strftime("%Y%m%dT%H%M%S%f") if completed_at else "none"
