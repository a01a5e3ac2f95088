"""Certificates that completion promised and no job delivered: found and issued.

The durable trace of a completion is the completed enrolment itself, written in
the same transaction as the xAPI "completed" statement. The issuance job is
queued only after the commit, so a Redis restart or a lost job leaves a
completed enrolment without a certificate for that completion: the state that
`pending_issuance` selects. The sweep (`manage.py issue_pending_certificates`,
and the periodic job in `learning/certificates/cron.py`) runs the issuance job
for each of them; the job is idempotent, so a sweep racing a queued job, or two
sweeps, still issue one certificate per completion.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet

from learning.models import Enrollment

from .jobs import issue_certificate_job
from .models import Certificate

logger = logging.getLogger(__name__)


def pending_issuance() -> QuerySet[Enrollment]:
    """Completed enrolments whose current completion has no certificate yet."""
    issued = Certificate.objects.filter(
        enrollment=OuterRef("pk"), completed_at=OuterRef("completed_at")
    )
    return (
        Enrollment.objects.completed()
        .filter(completed_at__isnull=False)
        .exclude(Exists(issued))
        .order_by("completed_at", "pk")
    )


@dataclass
class Sweep:
    issued: list[str] = field(default_factory=list)  # certificate codes
    failed: list[str] = field(default_factory=list)  # enrolment ids

    def as_dict(self) -> dict:
        return {"issued": len(self.issued), "failed": len(self.failed)}


def issue_pending_certificates(
    *, progress: Callable[[int, int, str, str | None], None] | None = None
) -> Sweep:
    """Run the issuance job for every pending completion; one failure does not
    stop the others (they stay pending for the next sweep)."""
    sweep = Sweep()
    pending = [str(pk) for pk in pending_issuance().values_list("pk", flat=True)]
    for number, enrollment_id in enumerate(pending, start=1):
        code = None
        try:
            code = issue_certificate_job(enrollment_id)
        except Exception:
            logger.exception("pending certificate not issued: %s", enrollment_id)
            sweep.failed.append(enrollment_id)
        else:
            sweep.issued.append(code)
        if progress:
            progress(number, len(pending), enrollment_id, code)
    return sweep


def sweep_pending_certificates_job() -> dict:
    """The periodic job (rq cron): issue what is pending, return the counts."""
    result = issue_pending_certificates().as_dict()
    if result["issued"] or result["failed"]:
        logger.warning("certificate sweep: %s", result)
    return result
