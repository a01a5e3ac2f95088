"""xAPI statements of SCORM attempts, after ADL's xAPI SCORM profile.

The object is the SCO (an activity of type lesson, its IRI built from the
package lesson and the item identifier: stable across package versions that
keep their items); the context carries the enrolment as registration, the
lesson as parent, the course and the attempt activity (`<sco>?attemptId=…`)
as grouping, and the profile as category. Interactions are activities of
their own (`<sco>/interactions/<id>`, type cmi.interaction).
"""

from datetime import datetime, timedelta
from urllib.parse import quote

from django.conf import settings

from learning.xapi import vocabulary
from learning.xapi.statements import activity, build_statement

from .cmi import Report

# xAPI interaction types: SCORM's, except that SCORM 1.2 has no long-fill-in/other.
XAPI_RESULTS = {"correct": True, "incorrect": False, "wrong": False}


def sco_iri(lesson, unit) -> str:
    return (
        f"{settings.SITE_BASE_URL}/activities/sco/{lesson.translation_key}/"
        f"{quote(unit.identifier, safe='')}"
    )


def _title(unit, fallback: str) -> dict:
    title = {
        (lang if lang != "und" else "en"): value
        for lang, value in (unit.title or {}).items()
        if value
    }
    return title or {"en": fallback}


class AttemptStatements:
    """Builds the statements of one attempt (one SCO, one learner, one enrolment)."""

    def __init__(self, attempt, lesson, *, language: str):
        self.attempt = attempt
        self.lesson = lesson
        self.unit = attempt.unit
        self.enrollment = attempt.enrollment
        self.language = language
        self.iri = sco_iri(lesson, self.unit)

    def _sco(self) -> dict:
        return {
            "id": self.iri,
            "objectType": "Activity",
            "definition": {
                "type": vocabulary.LESSON,
                "name": _title(self.unit, self.unit.identifier),
            },
        }

    def _context(self, parent: dict | None = None) -> dict:
        course = activity("course", self.enrollment.course).as_version("1.0.3")
        lesson = activity("lesson", self.lesson, with_definition=False).as_version(
            "1.0.3"
        )
        attempt = {
            "id": f"{self.iri}?attemptId={self.attempt.pk}",
            "objectType": "Activity",
            "definition": {
                "type": vocabulary.ATTEMPT,
                "name": {"en": f"Attempt {self.attempt.number}"},
            },
        }
        return {
            "parent": [parent or lesson],
            "grouping": [course, lesson, attempt] if parent else [course, attempt],
            "category": [{"id": vocabulary.SCORM_PROFILE, "objectType": "Activity"}],
        }

    def statement(
        self,
        verb,
        when: datetime,
        *,
        report: Report | None = None,
        duration_seconds: float | None = None,
        with_result: bool = False,
    ) -> dict:
        """A statement about the SCO; `with_result` adds the attempt's status and score."""
        data = build_statement(
            user=self.enrollment.user,
            verb=verb,
            obj=activity("lesson", self.lesson, with_definition=False),
            when=when,
            registration=self.enrollment.pk,
            language=self.language,
        )
        data["object"] = self._sco()
        data["context"]["contextActivities"] = self._context()
        result = _result(self.attempt, report) if with_result else {}
        if duration_seconds is not None:
            result["duration"] = _iso_duration(duration_seconds)
        if result:
            data["result"] = result
        return data

    def answered(self, interaction: dict, when: datetime) -> dict:
        """ "answered" for one interaction (cmi.interactions.n), with its response."""
        data = build_statement(
            user=self.enrollment.user,
            verb=vocabulary.ANSWERED,
            obj=activity("lesson", self.lesson, with_definition=False),
            when=when,
            registration=self.enrollment.pk,
            language=self.language,
        )
        definition = {"type": vocabulary.INTERACTION}
        if interaction["type"]:
            definition["interactionType"] = interaction["type"]
            patterns = [
                _xapi_pattern(pattern, interaction["type"], self.unit)
                for pattern in interaction["correct_responses"]
            ]
            if patterns:
                definition["correctResponsesPattern"] = patterns
        if interaction["description"]:
            definition["description"] = {self.language: interaction["description"]}
        definition["name"] = {"en": interaction["id"] or "interaction"}
        data["object"] = {
            "id": f"{self.iri}/interactions/{quote(interaction['id'], safe='')}",
            "objectType": "Activity",
            "definition": definition,
        }
        data["context"]["contextActivities"] = self._context(parent=self._sco())
        result = {"response": _xapi_response(interaction, self.unit)}
        if interaction["result"] in XAPI_RESULTS:
            result["success"] = XAPI_RESULTS[interaction["result"]]
        data["result"] = result
        return data


def _result(attempt, report: Report | None) -> dict:
    result = {}
    if attempt.completion_status in ("completed", "incomplete"):
        result["completion"] = attempt.completion_status == "completed"
    if attempt.success_status in ("passed", "failed"):
        result["success"] = attempt.success_status == "passed"
    score = {}
    if attempt.score_scaled is not None:
        score["scaled"] = round(attempt.score_scaled, 4)
    if attempt.score_raw is not None:
        score["raw"] = attempt.score_raw
        low, high = attempt.score_min, attempt.score_max
        # xAPI: min <= raw <= max, or the statement is invalid.
        if low is not None and low <= attempt.score_raw:
            score["min"] = low
        if (
            high is not None
            and high >= attempt.score_raw
            and high > score.get("min", high - 1)
        ):
            score["max"] = high
    if score:
        result["score"] = score
    return result


def _iso_duration(seconds: float) -> str:
    return _format_timedelta(timedelta(seconds=seconds))


def _format_timedelta(delta: timedelta) -> str:
    total = delta.total_seconds()
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"PT{int(hours)}H{int(minutes)}M{round(seconds, 2):g}S"


def _xapi_pattern(pattern: str, kind: str, unit) -> str:
    """SCORM 1.2 separates choices with commas; xAPI (like 2004) with [,]."""
    if unit.package.format == "scorm12" and kind in ("choice", "sequencing"):
        return "[,]".join(part for part in pattern.split(",") if part)
    return pattern


def _xapi_response(interaction: dict, unit) -> str:
    return _xapi_pattern(interaction["response"], interaction["type"], unit)
