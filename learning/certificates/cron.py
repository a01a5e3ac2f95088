"""The certificate sweep in RQ's cron scheduler (loaded by `cms/cron.py`).

Every 15 minutes a job on the "certificates" queue issues the certificates that
completed enrolments still wait for (learning/certificates/sweep.py).
https://python-rq.org/docs/cron/
"""

from django.conf import settings

from rq import cron

from learning.certificates.sweep import sweep_pending_certificates_job

cron.register(
    sweep_pending_certificates_job,
    queue_name="certificates",
    cron=settings.CERTIFICATE_SWEEP_CRON,
    job_timeout=3600,
)
