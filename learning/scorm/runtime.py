"""The SCORM run-time on the server, as domain functions.

`open_attempt` (when a launch session starts) picks the attempt the session
plays: the open one (resumed: cmi.entry "resume" if it was suspended) or a new
one ("ab-initio"). `launch_values` is the CMI data the SCO starts with.
`initialize` and `commit` record what the SCO reports, each in one transaction
with its statements: initialized/resumed once per session, answered per new
interaction, completed/passed/failed when the status changes, suspended or
terminated when the SCO is left. A SCO done as the manifest demands
(`extra["scorm"]["requires"]`: passed, or completed and not failed) satisfies
its unit, which completes the lesson once every SCO is done
(learning/launches/results.py), then the course and its certificate.

Only Normal-mode sessions record anything: Review and Browse launches see the
last attempt's data and change nothing (cmi.credit is "no-credit").
"""

import hashlib
import json
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language

from learning.launches import results
from learning.launches.models import LaunchMode, LaunchSession
from learning.models import Enrollment
from learning.xapi import vocabulary
from learning.xapi.statements import utc_timestamp
from learning.xapi.store import store_own_statements

from . import cmi
from .cmi import SCORM12, SCORM2004, Report, evaluate, format_duration, parse_commit
from .exceptions import AttemptEnded, SessionClosed, StaleCommit
from .models import ScormAttempt
from .statements import AttemptStatements

MAX_REPORTED = 2000  # fingerprints of interactions kept per attempt


def scorm_data(session: LaunchSession) -> dict:
    return (session.data or {}).get("scorm") or {}


def unit_rules(unit) -> dict:
    """What the manifest says about the SCO (courses/packages/scorm.py)."""
    return (unit.extra or {}).get("scorm") or {}


def open_attempt(session: LaunchSession) -> None:
    """Bind a new launch session to its attempt (inside its transaction)."""
    attempts = ScormAttempt.objects.filter(
        enrollment_id=session.enrollment_id, unit_id=session.unit_id
    )
    latest = attempts.select_for_update().order_by("-number").first()
    entry = ""
    if session.mode != LaunchMode.NORMAL:
        attempt = latest  # review/browse: the last attempt's data, read only
    elif latest is None or latest.ended_at is not None:
        attempt = ScormAttempt.objects.create(
            enrollment_id=session.enrollment_id,
            unit_id=session.unit_id,
            number=(latest.number + 1) if latest else 1,
            started_at=session.created_at,
        )
        entry = "ab-initio"
    else:
        attempt = latest
        entry = "resume" if latest.exit == "suspend" else ""
    session.data = {
        **(session.data or {}),
        "scorm": {
            "attempt": str(attempt.pk) if attempt else None,
            "entry": entry,
            "language": (get_language() or "fr").split("-")[0],
            "sequence": 0,
        },
    }
    session.save(update_fields=["data"])


def _attempt(session: LaunchSession, *, lock: bool = False) -> ScormAttempt | None:
    attempt_id = scorm_data(session).get("attempt")
    if not attempt_id:
        return None
    attempts = ScormAttempt.objects.select_related("unit__package", "enrollment__user")
    if lock:
        attempts = attempts.select_for_update(of=("self",))
    return attempts.get(pk=attempt_id)


def launch_values(session: LaunchSession) -> dict[str, str]:
    """The CMI data the SCO starts with, flattened ("cmi.location": "3", ...)."""
    unit = session.unit
    version = unit.package.format
    rules = unit_rules(unit)
    data = scorm_data(session)
    attempt = _attempt(session)
    normal = session.mode == LaunchMode.NORMAL
    user = session.enrollment.user
    names = _NAMES[version]
    values = {
        names["learner_id"]: str(user.pseudonym),
        # Package content is third-party code: it gets a pseudonym, no name.
        names["learner_name"]: "",
        names["mode"]: session.mode.lower(),
        names["credit"]: "credit" if normal else "no-credit",
        names["entry"]: data.get("entry", ""),
        names["language"]: data.get("language", "fr"),
    }
    optional = {
        "launch_data": rules.get("launch_data") or "",
        "max_time_allowed": rules.get("max_time_allowed") or "",
        "time_limit_action": rules.get("time_limit_action") or "",
    }
    if version == SCORM12:
        optional["mastery_score"] = rules.get("mastery_score") or ""
    else:
        for name in ("completion_threshold", "scaled_passing_score"):
            if rules.get(name) is not None:
                optional[name] = f"{rules[name]:g}"
    values.update({names[name]: value for name, value in optional.items() if value})
    if attempt is not None:
        values.update(_attempt_values(attempt, version, names))
    objectives = {
        item.get("id"): item for item in (attempt.objectives if attempt else [])
    }
    ids = list(dict.fromkeys([*rules.get("objectives", []), *objectives]))
    for index, identifier in enumerate(ids[: cmi.MAX_OBJECTIVES]):
        if not identifier:
            continue
        values[f"cmi.objectives.{index}.id"] = identifier
        stored = objectives.get(identifier) or {}
        if version == SCORM2004:
            for name in ("success_status", "completion_status"):
                if stored.get(name) and stored[name] != "unknown":
                    values[f"cmi.objectives.{index}.{name}"] = stored[name]
            if stored.get("score_scaled") is not None:
                values[f"cmi.objectives.{index}.score.scaled"] = (
                    f"{stored['score_scaled']:g}"
                )
        elif stored.get("status"):
            values[f"cmi.objectives.{index}.status"] = stored["status"]
    return values


_NAMES = {
    SCORM12: {
        "learner_id": "cmi.core.student_id",
        "learner_name": "cmi.core.student_name",
        "mode": "cmi.core.lesson_mode",
        "credit": "cmi.core.credit",
        "entry": "cmi.core.entry",
        "language": "cmi.student_preference.language",
        "launch_data": "cmi.launch_data",
        "mastery_score": "cmi.student_data.mastery_score",
        "max_time_allowed": "cmi.student_data.max_time_allowed",
        "time_limit_action": "cmi.student_data.time_limit_action",
        "location": "cmi.core.lesson_location",
        "total_time": "cmi.core.total_time",
        "score": "cmi.core.score",
    },
    SCORM2004: {
        "learner_id": "cmi.learner_id",
        "learner_name": "cmi.learner_name",
        "mode": "cmi.mode",
        "credit": "cmi.credit",
        "entry": "cmi.entry",
        "language": "cmi.learner_preference.language",
        "launch_data": "cmi.launch_data",
        "max_time_allowed": "cmi.max_time_allowed",
        "time_limit_action": "cmi.time_limit_action",
        "completion_threshold": "cmi.completion_threshold",
        "scaled_passing_score": "cmi.scaled_passing_score",
        "location": "cmi.location",
        "total_time": "cmi.total_time",
        "score": "cmi.score",
    },
}


def _attempt_values(attempt: ScormAttempt, version: str, names: dict) -> dict:
    values = {
        names["location"]: attempt.location,
        "cmi.suspend_data": attempt.suspend_data,
        names["total_time"]: format_duration(attempt.total_seconds, version),
    }
    scores = {
        "raw": attempt.score_raw,
        "min": attempt.score_min,
        "max": attempt.score_max,
    }
    if version == SCORM2004:
        scores["scaled"] = attempt.score_scaled
        if attempt.completion_status != "not attempted":
            values["cmi.completion_status"] = attempt.completion_status
        values["cmi.success_status"] = attempt.success_status
        if attempt.progress_measure is not None:
            values["cmi.progress_measure"] = f"{attempt.progress_measure:g}"
        for index, interaction in enumerate(attempt.interactions):
            values.update(_interaction_values(index, interaction))
    elif attempt.lesson_status:
        values["cmi.core.lesson_status"] = attempt.lesson_status
    for name, value in scores.items():
        if value is not None:
            values[f"{names['score']}.{name}"] = f"{value:g}"
    return {name: value for name, value in values.items() if value != ""}


def _interaction_values(index: int, interaction: dict) -> dict:
    """SCORM 2004 interactions can be read back: the SCO finds its own."""
    prefix = f"cmi.interactions.{index}."
    values = {
        prefix + "id": interaction["id"],
        prefix + "type": interaction["type"],
        prefix + "learner_response": interaction["response"],
        prefix + "result": interaction["result"],
        prefix + "description": interaction["description"],
        prefix + "timestamp": interaction["timestamp"],
        prefix + "latency": interaction["latency"],
    }
    if interaction.get("weighting") is not None:
        values[prefix + "weighting"] = f"{interaction['weighting']:g}"
    for number, pattern in enumerate(interaction["correct_responses"]):
        values[f"{prefix}correct_responses.{number}.pattern"] = pattern
    return {name: value for name, value in values.items() if value}


def _lock_session(session: LaunchSession) -> LaunchSession:
    locked = (
        LaunchSession.objects.select_for_update(of=("self",))
        .select_related(
            "unit__package", "lesson", "enrollment__user", "enrollment__course"
        )
        .get(pk=session.pk)
    )
    if not locked.is_open:
        raise SessionClosed
    return locked


def _open_attempt_locked(session: LaunchSession) -> ScormAttempt:
    """The session's attempt, locked after its enrolment (the order every
    domain function locks in); AttemptEnded if another window ended it."""
    Enrollment.objects.select_for_update(of=("self",)).get(pk=session.enrollment_id)
    attempt = _attempt(session, lock=True)
    if attempt.ended_at is not None:
        raise AttemptEnded
    return attempt


def _records(session: LaunchSession) -> bool:
    return session.mode == LaunchMode.NORMAL and scorm_data(session).get("attempt")


def _statements(session: LaunchSession, attempt: ScormAttempt) -> AttemptStatements:
    return AttemptStatements(
        attempt,
        session.lesson.specific,
        language=scorm_data(session).get("language", "fr"),
    )


def _initialized(session, attempt, when) -> list[dict]:
    """initialized (new attempt) or resumed, once per session."""
    if session.initialized_at is not None:
        return []
    session.initialized_at = when
    verb = (
        vocabulary.RESUMED
        if scorm_data(session).get("entry") == "resume"
        else vocabulary.INITIALIZED
    )
    return [_statements(session, attempt).statement(verb, when)]


def initialize(session: LaunchSession, *, when: datetime | None = None) -> None:
    """The SCO called Initialize (LMSInitialize): "initialized" or "resumed"."""
    when = when or timezone.now()
    with transaction.atomic():
        session = _lock_session(session)
        session.last_activity_at = when
        if _records(session):
            attempt = _open_attempt_locked(session)
            with translation.override(scorm_data(session).get("language", "fr")):
                store_own_statements(_initialized(session, attempt, when))
        session.save(update_fields=["initialized_at", "last_activity_at"])


def commit(
    session: LaunchSession,
    payload: dict,
    *,
    sequence: int,
    terminate: bool = False,
    when: datetime | None = None,
) -> ScormAttempt | None:
    """Record a commit of the SCO's CMI data (`payload`: {"cmi": {...}}).

    CmiError if the data is not valid CMI (nothing written); StaleCommit for a
    sequence number older than the session's last; SessionClosed after Terminate.
    A commit repeating the last sequence number is answered and ignored.
    """
    when = when or timezone.now()
    with transaction.atomic():
        session = _lock_session(session)
        data = scorm_data(session)
        if sequence < data.get("sequence", 0):
            raise StaleCommit
        if sequence == data.get("sequence", 0) and sequence > 0:
            return _attempt(session)  # a retried commit: already recorded
        version = session.unit.package.format
        report = parse_commit(payload, version)
        session.data = {**session.data, "scorm": {**data, "sequence": sequence}}
        session.last_activity_at = when
        fields = ["data", "last_activity_at"]
        if terminate:
            session.terminated_at = when
            fields.append("terminated_at")
        attempt = None
        if _records(session):
            attempt = _open_attempt_locked(session)
            with translation.override(data.get("language", "fr")):
                _record(session, attempt, report, terminate=terminate, when=when)
            fields.append("initialized_at")
        session.save(update_fields=fields)
        return attempt


def _record(session, attempt, report: Report, *, terminate: bool, when) -> None:
    unit = session.unit
    rules = unit_rules(unit)
    evaluate(report, unit.package.format, rules, credit=True)
    before = (attempt.completion_status, attempt.success_status)
    statements = _initialized(session, attempt, when)
    attempt.location = report.location
    attempt.suspend_data = report.suspend_data
    attempt.lesson_status = report.lesson_status
    attempt.completion_status = report.completion_status
    attempt.success_status = report.success_status
    attempt.score_scaled = report.score_scaled
    attempt.score_raw = report.score_raw
    attempt.score_min = report.score_min
    attempt.score_max = report.score_max
    attempt.progress_measure = report.progress_measure
    attempt.interactions = report.interactions
    attempt.objectives = report.objectives
    attempt.updated_at = when
    builder = _statements(session, attempt)
    statements += _answered(builder, attempt, report, when)
    if attempt.completion_status == "completed" and before[0] != "completed":
        statements.append(
            builder.statement(vocabulary.COMPLETED, when, with_result=True)
        )
    if (
        attempt.success_status in ("passed", "failed")
        and before[1] != attempt.success_status
    ):
        verb = (
            vocabulary.PASSED
            if attempt.success_status == "passed"
            else vocabulary.FAILED
        )
        statements.append(builder.statement(verb, when, with_result=True))
    if terminate:
        seconds = report.session_seconds
        if seconds is None and session.launched_at:
            seconds = (when - session.launched_at).total_seconds()
        attempt.total_seconds += seconds or 0.0
        attempt.exit = report.exit
        suspended = report.exit == "suspend"
        if not suspended:
            attempt.ended_at = when
        verb = vocabulary.SUSPENDED if suspended else vocabulary.TERMINATED
        statements.append(
            builder.statement(verb, when, duration_seconds=seconds, with_result=True)
        )
    attempt.save()
    # One commit can report several events: a millisecond apart, in order.
    for offset, statement in enumerate(statements):
        statement["timestamp"] = utc_timestamp(when + timedelta(milliseconds=offset))
    store_own_statements(statements)
    _unit_progress(session, attempt, when + timedelta(milliseconds=len(statements)))


def _fingerprint(interaction: dict) -> str:
    key = json.dumps(
        [
            interaction["id"],
            interaction["type"],
            interaction["response"],
            interaction["result"],
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _answered(builder, attempt, report: Report, when) -> list[dict]:
    """ "answered" for each interaction with a response not reported yet."""
    reported = set(attempt.reported)
    statements = []
    for interaction in report.interactions:
        if not interaction["id"] or not (
            interaction["response"] or interaction["result"]
        ):
            continue
        fingerprint = _fingerprint(interaction)
        if fingerprint in reported:
            continue
        reported.add(fingerprint)
        attempt.reported = [*attempt.reported, fingerprint][-MAX_REPORTED:]
        statements.append(builder.answered(interaction, when))
    return statements


def sco_done(attempt: ScormAttempt, rules: dict) -> bool:
    """Done as the manifest demands: passed when it gives a passing score,
    otherwise completed (or passed) and not failed."""
    if rules.get("requires") == "passed":
        return attempt.success_status == "passed"
    return attempt.success_status == "passed" or (
        attempt.completion_status == "completed" and attempt.success_status != "failed"
    )


def _unit_progress(session, attempt: ScormAttempt, when) -> None:
    """The unit's progress row follows the attempt; a done SCO satisfies it."""
    row = results.unit_progress(attempt.enrollment, attempt.unit)
    changed = []
    if attempt.completion_status == "completed" and row.completed_at is None:
        row.completed_at = when
        changed.append("completed_at")
    if attempt.success_status == "passed" and row.passed_at is None:
        row.passed_at = when
        changed.append("passed_at")
    if attempt.success_status == "failed" and row.failed_at is None:
        row.failed_at = when
        changed.append("failed_at")
    if attempt.score_scaled is not None and (
        row.score is None or attempt.score_scaled > row.score
    ):
        row.score = attempt.score_scaled
        changed.append("score")
    if changed:
        row.save(update_fields=changed)
    if sco_done(attempt, unit_rules(attempt.unit)):
        results.satisfy_unit(
            attempt.enrollment, session.lesson.specific, attempt.unit, when=when
        )
