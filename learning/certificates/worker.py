"""The RQ worker class (settings.RQ["WORKER_CLASS"]): certificates issued in-process.

RQ forks a work horse per job. For the issuance job (one PDF per completed
course, the busiest job of the "certificates" queue) the fork cost more than the
job itself: each work horse starts from the parent's memory and throws away all
it warmed up (a new database connection, WeasyPrint's and cffi's caches, the
pages Python touches copied on write): about 150 ms of CPU per job forked,
75 ms run in the worker (measured back to back; README "Performance"). So this worker:

- warms WeasyPrint up once (renders a throwaway certificate) at start;
- runs `issue_certificate_job` in its own process, as RQ's SimpleWorker does.
  Timeouts still apply (RQ's SIGALRM death penalty runs in this process too);
  the job is idempotent, so if the worker dies in the middle (crash, OOM kill)
  RQ's registry clean-up requeues it (its Retry) once a supervisor restarts the
  worker. Database connections follow CONN_MAX_AGE as for a web request (and
  are closed after a failed job), and the language is reset, so nothing carries
  over from one job to the next;
- forks as usual for every other job (exports, forwarding...): they may hold
  much memory, which the work horse's exit gives back;
- forks the issuance job as well, with a warning, once its memory has grown
  MAX_GROWTH above what it was after the warm-up, so a leak cannot grow
  without bound (RSS stays flat over hundreds of certificates).
"""

import logging

from django.db import close_old_connections, connections
from django.utils import timezone, translation

from rq import Worker as RQWorker
from rq.defaults import DEFAULT_WORKER_TTL
from rq.worker import WorkerStatus

logger = logging.getLogger(__name__)

IN_PROCESS_JOBS = {"learning.certificates.jobs.issue_certificate_job"}
MAX_GROWTH = 256 * 2**20  # bytes of RSS above the warmed-up worker's


def warm_up() -> None:
    """Render an unsaved certificate once; never fails the worker."""
    try:
        from .models import Certificate
        from .pdf import render_pdf

        render_pdf(
            Certificate(
                code="WARMUPWARMUP",
                learner_name="Atelier",
                course_title="Atelier",
                course_version="1",
                issued_at=timezone.now(),
                institution_name="Atelier",
            )
        )
    except Exception:
        logger.warning("certificate renderer warm-up failed", exc_info=True)
    finally:
        connections.close_all()  # work horses must not share the parent's socket


def rss_bytes() -> int:
    """Resident memory of this process (Linux; 0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4096
    except OSError:
        return 0


class Worker(RQWorker):
    _in_process = False  # a job runs in this process right now

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        warm_up()
        self._rss_limit = rss_bytes() + MAX_GROWTH
        self._fork_all = False

    def execute_job(self, job, queue):
        if job.func_name in IN_PROCESS_JOBS and not self._grown():
            self._execute_in_process(job, queue)
        else:
            # A forked work horse must not inherit (and use) our connections.
            connections.close_all()
            super().execute_job(job, queue)

    def _grown(self) -> bool:
        if not self._fork_all and rss_bytes() > self._rss_limit:
            self._fork_all = True
            logger.warning(
                "certificate worker past %d MB: issuance jobs forked from now on",
                self._rss_limit // 2**20,
            )
        return self._fork_all

    def _execute_in_process(self, job, queue):
        """RQ's SimpleWorker.execute_job, with a web request's connection hygiene."""
        self._in_process = True
        succeeded = False
        try:
            self.prepare_execution(job)
            close_old_connections()
            succeeded = self.perform_job(job, queue)
        finally:
            self._in_process = False
            if succeeded:
                close_old_connections()
            else:
                # A job stopped anywhere (its timeout may interrupt a query) must
                # not leave its connection to the next one.
                connections.close_all()
            translation.deactivate()
        self.set_state(WorkerStatus.IDLE)

    def get_heartbeat_ttl(self, job) -> int:
        if not self._in_process:
            return super().get_heartbeat_ttl(job)
        # Nobody heartbeats while the job runs in this process: cover its
        # whole timeout, as RQ's SimpleWorker does.
        if job.timeout == -1:
            return DEFAULT_WORKER_TTL
        return int(job.timeout or self.queue_class.DEFAULT_TIMEOUT) + 60
