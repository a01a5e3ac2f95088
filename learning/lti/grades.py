"""Scores back to the platforms' gradebooks (LTI Assignment and Grade Services).

- `queue_scores` observes the statements stored while an LTI-launched learner is
  served (learning/xapi/context.py): a "passed"/"failed" of a quiz or a
  "completed" of a course or lesson that one of their resource links points at
  becomes a `PendingScore` row, in the transaction that stored the statement,
  so a score is never recorded without its row (as xAPI forwarding does with
  its outbox, learning/xapi/forwarding.py). The score given is the learner's
  best so far for that link, out of 100.
- After commit a job (django-rq, queue "default") sends the pending rows in
  order; `manage.py send_lti_scores` does the same by hand. The line item is the
  one the launch named, else the link's own found or created (then remembered).
- A failure (network, 5xx, 401) leaves the row pending, retried with
  exponential backoff; a refusal (other 4xx) sets it aside with the reason,
  listed in the admin; 409 (an older timestamp than the platform's) counts as
  delivered: a newer score is already there.
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem

from learning.xapi import vocabulary

from . import http
from .config import ServiceConnector, registration_for
from .models import Launch, PendingScore, ResourceLink

logger = logging.getLogger(__name__)
QUEUE = "default"
LEASE = timedelta(minutes=5)
SCORE_MAXIMUM = 100.0
# What each kind of link is graded on.
_GRADED = {
    "quiz": {vocabulary.PASSED.id, vocabulary.FAILED.id},
    "course": {vocabulary.COMPLETED.id},
    "lesson": {vocabulary.COMPLETED.id},
}
_VERBS = set().union(*_GRADED.values())


class ScoreRefused(Exception):
    """The platform refused the score for good (kept aside, not retried)."""


# --- queueing (inside the storing transaction) ------------------------------


def observer_for(user) -> partial:
    """The statement observer of an LTI-launched request of `user`."""
    return partial(queue_scores, user_id=user.pk, pseudonym=str(user.pseudonym))


def _scaled(data: dict) -> float:
    result = data.get("result") or {}
    score = result.get("score") or {}
    if "scaled" in score:
        return max(0.0, min(1.0, float(score["scaled"])))
    return 1.0 if result.get("completion") or result.get("success") else 0.0


def queue_scores(rows, *, user_id: int, pseudonym: str) -> None:
    """Outbox rows for the graded statements among `rows` (the caller's transaction)."""
    graded = [
        row.data
        for row in rows
        if row.data["verb"]["id"] in _VERBS
        and (row.data["actor"].get("account") or {}).get("name") == pseudonym
    ]
    if not graded:
        return
    objects = {data["object"]["id"] for data in graded}
    launches = list(
        Launch.objects.filter(user_id=user_id, link__activity_id__in=objects)
        .exclude(link__ags_endpoint={})
        .select_related("link")
    )
    if not launches:
        return
    best = dict(
        PendingScore.objects.filter(
            user_id=user_id, link__in=[x.link for x in launches]
        )
        .values_list("link_id")
        .annotate(best=Max("score_given"))
    )
    pending = []
    for data in graded:
        for launch in launches:
            link = launch.link
            if link.activity_id != data["object"]["id"]:
                continue
            if data["verb"]["id"] not in _GRADED.get(link.kind, ()):
                continue
            given = round(_scaled(data) * SCORE_MAXIMUM, 2)
            best[link.pk] = max(given, best.get(link.pk, 0.0))
            pending.append(
                PendingScore(
                    link=link,
                    user_id=user_id,
                    subject=launch.subject,
                    statement_id=data["id"],
                    score_given=best[link.pk],
                    score_maximum=SCORE_MAXIMUM,
                    timestamp=datetime.fromisoformat(data["timestamp"]),
                )
            )
    if pending:
        PendingScore.objects.bulk_create(pending)
        transaction.on_commit(enqueue_send, robust=True)


def score_queue():
    import django_rq

    return django_rq.get_queue(QUEUE, commit_mode="auto")


def enqueue_send(*, delay: timedelta | None = None) -> None:
    """Queue a sending job; never raises (the rows wait for the next one)."""
    try:
        queue = score_queue()
        if delay is None:
            queue.enqueue(send_pending_scores)
        elif queue.is_async:
            queue.enqueue_in(delay, send_pending_scores)
    except Exception:
        logger.warning("LTI scores: could not enqueue a sending job", exc_info=True)


# --- sending ------------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    seconds = settings.LTI_SCORE_BACKOFF * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.LTI_SCORE_MAX_BACKOFF))


def _due(now) -> Q:
    return (
        Q(delivered_at=None, rejected_at=None)
        & (Q(next_attempt_at=None) | Q(next_attempt_at__lte=now))
        & (Q(leased_until=None) | Q(leased_until__lt=now))
    )


def _lease(limit: int) -> list[PendingScore]:
    now = timezone.now()
    with transaction.atomic():
        due = PendingScore.objects.filter(_due(now)).order_by("id")
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        PendingScore.objects.filter(id__in=ids).update(leased_until=now + LEASE)
    return list(
        PendingScore.objects.filter(id__in=ids)
        .select_related("link__platform")
        .order_by("id")
    )


def _service(link: ResourceLink) -> AssignmentsGradesService:
    connector = ServiceConnector(
        registration_for(link.platform), requests_session=http.session()
    )
    return AssignmentsGradesService(connector, link.ags_endpoint)


def _lineitem(link: ResourceLink, service: AssignmentsGradesService) -> LineItem:
    """The line item of `link`: named by the launch, or found/created by tag."""
    if link.lineitem_url:
        return LineItem({"id": link.lineitem_url})
    if not link.ags_endpoint.get("lineitems") or not service.can_read_lineitem():
        raise ScoreRefused("the platform named no line item for this link")
    wanted = LineItem(
        {
            "label": link.title or link.kind,
            "scoreMaximum": SCORE_MAXIMUM,
            "resourceLinkId": link.resource_link_id,
            "resourceId": link.activity_id,
            "tag": f"atelier-{link.kind}",
        }
    )
    # Matched by this link's id only: a tag alone could be another link's.
    found = service.find_lineitem_by_resource_link_id(link.resource_link_id)
    if found is None:
        if not service.can_create_lineitem():
            raise ScoreRefused("no line item, and no right to create one")
        found = service.create_lineitem(wanted)
    ResourceLink.objects.filter(pk=link.pk).update(lineitem_url=found.get_id())
    link.lineitem_url = found.get_id()
    return found


def deliver(score: PendingScore) -> None:
    """Send one score; raises ScoreRefused, or anything else to retry later."""
    link = score.link
    if not link.platform.is_active:
        raise ScoreRefused("the platform's registration is inactive")
    service = _service(link)
    if not service.can_put_grade():
        raise ScoreRefused("the platform gave no right to send scores")
    grade = (
        Grade()
        .set_score_given(score.score_given)
        .set_score_maximum(score.score_maximum)
        .set_timestamp(score.timestamp.isoformat())
        .set_activity_progress(score.activity_progress)
        .set_grading_progress(score.grading_progress)
        .set_user_id(score.subject)
    )
    try:
        service.put_grade(grade, _lineitem(link, service))
    except LtiServiceException as error:
        status = error.response.status_code
        if status == 409:
            return  # the platform has a newer score: nothing to send
        if status == 404 and link.lineitem_url:
            # The line item was deleted in the LMS: find or create it again.
            ResourceLink.objects.filter(pk=link.pk).update(lineitem_url="")
        if 400 <= status < 500 and status not in (401, 404, 408, 429):
            raise ScoreRefused(f"HTTP {status}: {error.response.text[:300]}") from error
        raise


def send_pending_scores(*, limit: int = 100) -> dict[str, int]:
    """The job: send due scores; returns counts of delivered/refused/failed."""
    counts = {"delivered": 0, "refused": 0, "failed": 0}
    retry_in = None
    for score in _lease(limit):
        fields = ["leased_until", "attempts", "last_error"]
        score.leased_until = None
        score.attempts += 1
        try:
            deliver(score)
        except ScoreRefused as error:
            score.rejected_at, score.last_error = timezone.now(), str(error)
            fields.append("rejected_at")
            counts["refused"] += 1
        except Exception as error:  # noqa: BLE001 - anything else: retry later
            delay = _backoff(score.attempts)
            score.next_attempt_at = timezone.now() + delay
            score.last_error = f"{type(error).__name__}: {error}"[:1000]
            fields.append("next_attempt_at")
            counts["failed"] += 1
            retry_in = min(retry_in or delay, delay)
            logger.warning("LTI score %s not sent: %s", score.pk, score.last_error)
        else:
            score.delivered_at, score.last_error = timezone.now(), ""
            fields.append("delivered_at")
            counts["delivered"] += 1
        score.save(update_fields=fields)
    if retry_in is not None:
        enqueue_send(delay=retry_in)
    return counts


def retry_refused(queryset) -> int:
    """Send set-aside scores again (the admin's action, after fixing the cause)."""
    count = queryset.filter(delivered_at=None).update(
        rejected_at=None, next_attempt_at=None, last_error=""
    )
    if count:
        transaction.on_commit(enqueue_send, robust=True)
    return count
