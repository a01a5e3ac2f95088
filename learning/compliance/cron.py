"""RQ's cron scheduler configuration for the reminders, loaded by `cms/cron.py`
(`manage.py rqcron cms.cron`, started by `make worker`). The job itself runs on a worker of the "default" queue.
https://python-rq.org/docs/cron/
"""

from django.conf import settings

from rq import cron

from learning.compliance.reminders import daily_compliance_job

cron.register(
    daily_compliance_job,
    queue_name="default",
    cron=f"0 {settings.COMPLIANCE_REMINDER_HOUR} * * *",
    job_timeout=3600,
)
