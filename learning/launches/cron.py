"""Package sessions in RQ's cron scheduler (loaded by `cms/cron.py`).

Every hour a job on the "default" queue writes "abandoned" for the cmi5
sessions past their end that were never terminated (learning/launches/cmi5.py).
https://python-rq.org/docs/cron/
"""

from rq import cron

from learning.launches.cmi5 import abandon_expired_sessions_job

cron.register(
    abandon_expired_sessions_job,
    queue_name="default",
    cron="41 * * * *",
    job_timeout=600,
)
