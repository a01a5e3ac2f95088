"""The exports' retention in RQ's cron scheduler (loaded by `cms/cron.py`).

Every hour a job on the "default" queue deletes the files of exports older than
`EXPORT_RETENTION_DAYS` (learning/retention.py).
https://python-rq.org/docs/cron/
"""

from rq import cron

from learning.retention import delete_expired_exports_job

cron.register(
    delete_expired_exports_job,
    queue_name="default",
    cron="17 * * * *",
    job_timeout=600,
)
