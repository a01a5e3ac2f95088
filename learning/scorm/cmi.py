"""The CMI data model, on the server: what a commit may say, and what a SCO is
handed at launch.

scorm-again validates every SetValue in the browser, but the commit endpoint
is reachable by anything running in the package's frame, so the server checks
again: a commit is a JSON object `{"cmi": {...}}` as scorm-again renders it
(SCORM 1.2 `cmi.core.*` or SCORM 2004 `cmi.*`), read element by element with
the types, vocabularies and sizes of the SCORM run-time environment. Anything
else is a `CmiError` naming the element (the endpoint answers 400, nothing is
written). The result is a version-neutral `Report`.

The server also decides the statuses the SCORM run-time says the LMS decides:
a SCORM 2004 completion threshold or scaled passing score evaluated against
the reported progress measure or scaled score, a SCORM 1.2 mastery score
against the raw score.
"""

import math
import re
from dataclasses import dataclass, field

SCORM12 = "scorm12"
SCORM2004 = "scorm2004"

COMPLETION = {"completed", "incomplete", "not attempted", "unknown"}
SUCCESS = {"passed", "failed", "unknown"}
LESSON_STATUS = {
    "passed",
    "completed",
    "failed",
    "incomplete",
    "browsed",
    "not attempted",
}
EXITS = {
    SCORM12: {"", "time-out", "suspend", "logout"},
    SCORM2004: {"", "time-out", "suspend", "logout", "normal"},
}
INTERACTION_TYPES = {
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
}
RESULTS = {"correct", "incorrect", "wrong", "unanticipated", "neutral"}
# SPM (smallest permitted maximum) of the character strings we keep.
SIZES = {
    SCORM12: {"location": 255, "suspend_data": 4096, "id": 255, "response": 4096},
    SCORM2004: {"location": 1000, "suspend_data": 64000, "id": 4000, "response": 4000},
}
MAX_INTERACTIONS = 250
MAX_OBJECTIVES = 100
DECIMAL = re.compile(r"^\s*-?\d{1,10}(\.\d{1,10})?\s*$")
ISO_DURATION = re.compile(
    r"^P(?:(\d{1,6})Y)?(?:(\d{1,6})M)?(?:(\d{1,6})D)?"
    r"(?:T(?:(\d{1,7})H)?(?:(\d{1,7})M)?(?:(\d{1,9}(?:\.\d{1,2})?)S)?)?$"
)
TIMESPAN = re.compile(r"^(\d{2,4}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?$")
MAX_SECONDS = 366 * 24 * 3600  # a session time past a year is not a session


class CmiError(ValueError):
    """A commit that is not valid CMI data: `element` and `reason`."""

    def __init__(self, element: str, reason: str):
        self.element = element
        self.reason = reason
        super().__init__(f"{element}: {reason}")


@dataclass
class Report:
    """What one commit says about the attempt, whatever the SCORM version."""

    location: str = ""
    suspend_data: str = ""
    completion_status: str = "unknown"
    success_status: str = "unknown"
    lesson_status: str = ""  # SCORM 1.2 only, as reported
    score_scaled: float | None = None
    score_raw: float | None = None
    score_min: float | None = None
    score_max: float | None = None
    progress_measure: float | None = None
    exit: str = ""
    session_seconds: float | None = None
    interactions: list[dict] = field(default_factory=list)
    objectives: list[dict] = field(default_factory=list)


def parse_duration(value: str, version: str) -> float | None:
    """Seconds of a SCORM 2004 ISO 8601 duration or a SCORM 1.2 timespan."""
    if version == SCORM2004:
        match = ISO_DURATION.match(value)
        if not match or value in ("P", "PT") or value.endswith("T"):
            return None
        years, months, days, hours, minutes, seconds = (
            float(part) if part else 0.0 for part in match.groups()
        )
        total = (
            (years * 365 + months * 30 + days) * 86400
            + hours * 3600
            + minutes * 60
            + seconds
        )
    else:
        match = TIMESPAN.match(value)
        if not match:
            return None
        hours, minutes, seconds, hundredths = match.groups()
        if int(minutes) > 59 or int(seconds) > 59:
            return None
        total = int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        total += int(hundredths.ljust(2, "0")) / 100 if hundredths else 0
    return total if total <= MAX_SECONDS else None


def format_duration(seconds: float, version: str) -> str:
    """A total time as the version writes it (2004: PT1H2M3.5S; 1.2: 0001:02:03.50)."""
    seconds = max(0.0, min(seconds, 9999 * 3600.0))
    whole = int(seconds)
    hours, minutes, rest = whole // 3600, whole % 3600 // 60, whole % 60
    hundredths = round((seconds - whole) * 100)
    if hundredths == 100:
        rest, hundredths = rest + 1, 0
    if version == SCORM2004:
        fraction = f".{hundredths:02d}".rstrip("0").rstrip(".") if hundredths else ""
        return f"PT{hours}H{minutes}M{rest}{fraction}S"
    return f"{hours:04d}:{minutes:02d}:{rest:02d}.{hundredths:02d}"


class _Reader:
    """Reads elements out of the nested `cmi` object, checking each."""

    def __init__(self, cmi: dict, version: str):
        self.cmi = cmi
        self.version = version
        self.sizes = SIZES[version]

    def node(self, path: str) -> object:
        current: object = self.cmi
        for part in path.split(".")[1:]:
            if not isinstance(current, dict):
                return None
            current = current.get(part)
        return current

    def string(self, path: str, size: int, node=None) -> str:
        value = self.node(path) if node is None else node
        if value is None:
            return ""
        if not isinstance(value, str):
            raise CmiError(path, "must be a character string")
        if len(value) > size:
            raise CmiError(path, f"longer than {size} characters")
        if "\x00" in value:
            raise CmiError(path, "contains a NUL character")
        return value

    def choice(self, path: str, allowed: set[str], node=None) -> str:
        value = self.string(path, 30, node)
        if value not in allowed:
            raise CmiError(
                path, f"{value[:30]!r} is not one of {', '.join(sorted(allowed))}"
            )
        return value

    def number(self, path: str, low: float, high: float, node=None) -> float | None:
        value = self.string(path, 30, node)
        if value == "":
            return None
        if not DECIMAL.match(value):
            raise CmiError(path, "must be a decimal number")
        number = float(value)
        if not math.isfinite(number) or not low <= number <= high:
            raise CmiError(path, f"must be a number from {low:g} to {high:g}")
        return number

    def collection(self, path: str, limit: int) -> list[dict]:
        """`cmi.interactions` and the like: {"0": {...}, "1": {...}} in order."""
        value = self.node(path)
        if value in (None, "", []):
            return []
        if isinstance(value, list):
            items = list(enumerate(value))
        elif isinstance(value, dict):
            items = []
            for key, item in value.items():
                if key.startswith("_"):
                    continue  # _count, _children
                if not key.isdigit() or len(key) > 4:
                    raise CmiError(f"{path}.{key[:20]}", "not an index")
                items.append((int(key), item))
            items.sort(key=lambda pair: pair[0])
        else:
            raise CmiError(path, "must be a collection")
        if len(items) > limit:
            raise CmiError(path, f"more than {limit} entries")
        for index, item in items:
            if not isinstance(item, dict):
                raise CmiError(f"{path}.{index}", "must be an object")
        return [item for _index, item in items]


def parse_commit(payload: object, version: str) -> Report:
    """The `Report` of a commit body, or CmiError naming the bad element."""
    if not isinstance(payload, dict) or not isinstance(payload.get("cmi"), dict):
        raise CmiError("cmi", "a commit is a JSON object with a cmi object")
    reader = _Reader(payload["cmi"], version)
    report = _scorm2004(reader) if version == SCORM2004 else _scorm12(reader)
    report.interactions = _interactions(reader)
    return report


def _scorm2004(reader: _Reader) -> Report:
    session = reader.string("cmi.session_time", 40)
    report = Report(
        location=reader.string("cmi.location", reader.sizes["location"]),
        suspend_data=reader.string("cmi.suspend_data", reader.sizes["suspend_data"]),
        completion_status=reader.choice("cmi.completion_status", COMPLETION)
        if reader.node("cmi.completion_status") not in (None, "")
        else "unknown",
        success_status=reader.choice("cmi.success_status", SUCCESS)
        if reader.node("cmi.success_status") not in (None, "")
        else "unknown",
        score_scaled=reader.number("cmi.score.scaled", -1, 1),
        score_raw=reader.number("cmi.score.raw", -1e9, 1e9),
        score_min=reader.number("cmi.score.min", -1e9, 1e9),
        score_max=reader.number("cmi.score.max", -1e9, 1e9),
        progress_measure=reader.number("cmi.progress_measure", 0, 1),
        exit=reader.choice("cmi.exit", EXITS[SCORM2004]),
    )
    report.session_seconds = _session(session, SCORM2004)
    for index, objective in enumerate(
        reader.collection("cmi.objectives", MAX_OBJECTIVES)
    ):
        path = f"cmi.objectives.{index}"
        report.objectives.append(
            {
                "id": reader.string(
                    f"{path}.id", reader.sizes["id"], objective.get("id")
                ),
                "success_status": reader.choice(
                    f"{path}.success_status",
                    SUCCESS,
                    objective.get("success_status") or "unknown",
                ),
                "completion_status": reader.choice(
                    f"{path}.completion_status",
                    COMPLETION,
                    objective.get("completion_status") or "unknown",
                ),
                "score_scaled": reader.number(
                    f"{path}.score.scaled",
                    -1,
                    1,
                    (objective.get("score") or {}).get("scaled")
                    if isinstance(objective.get("score"), dict)
                    else None,
                ),
            }
        )
    return report


def _scorm12(reader: _Reader) -> Report:
    status = reader.string("cmi.core.lesson_status", 30)
    if status and status not in LESSON_STATUS:
        raise CmiError(
            "cmi.core.lesson_status",
            f"{status[:30]!r} is not one of {', '.join(sorted(LESSON_STATUS))}",
        )
    report = Report(
        location=reader.string("cmi.core.lesson_location", reader.sizes["location"]),
        suspend_data=reader.string("cmi.suspend_data", reader.sizes["suspend_data"]),
        lesson_status=status,
        score_raw=reader.number("cmi.core.score.raw", 0, 100),
        score_min=reader.number("cmi.core.score.min", 0, 100),
        score_max=reader.number("cmi.core.score.max", 0, 100),
        exit=reader.choice("cmi.core.exit", EXITS[SCORM12]),
    )
    report.completion_status, report.success_status = statuses_of_lesson_status(status)
    report.session_seconds = _session(
        reader.string("cmi.core.session_time", 40), SCORM12
    )
    for index, objective in enumerate(
        reader.collection("cmi.objectives", MAX_OBJECTIVES)
    ):
        path = f"cmi.objectives.{index}"
        status = reader.string(f"{path}.status", 30, objective.get("status"))
        if status and status not in LESSON_STATUS:
            raise CmiError(f"{path}.status", f"{status[:30]!r} is not a status")
        report.objectives.append(
            {
                "id": reader.string(
                    f"{path}.id", reader.sizes["id"], objective.get("id")
                ),
                "status": status,
            }
        )
    return report


def statuses_of_lesson_status(status: str) -> tuple[str, str]:
    """SCORM 1.2 lesson_status as (completion, success): "failed" is a
    finished attempt that did not pass, "browsed" one that did not count."""
    completion = {
        "passed": "completed",
        "completed": "completed",
        "failed": "completed",
        "incomplete": "incomplete",
        "browsed": "incomplete",
        "not attempted": "not attempted",
    }.get(status, "unknown")
    success = status if status in ("passed", "failed") else "unknown"
    return completion, success


def _session(value: str, version: str) -> float | None:
    if not value:
        return None
    seconds = parse_duration(value, version)
    if seconds is None:
        element = (
            "cmi.session_time" if version == SCORM2004 else "cmi.core.session_time"
        )
        raise CmiError(element, "not a valid time interval")
    return seconds


def _interactions(reader: _Reader) -> list[dict]:
    version = reader.version
    found = []
    for index, item in enumerate(
        reader.collection("cmi.interactions", MAX_INTERACTIONS)
    ):
        path = f"cmi.interactions.{index}"
        response_key = (
            "learner_response" if version == SCORM2004 else "student_response"
        )
        kind = reader.string(f"{path}.type", 20, item.get("type"))
        if kind and kind not in INTERACTION_TYPES:
            raise CmiError(f"{path}.type", f"{kind[:20]!r} is not an interaction type")
        result = reader.string(f"{path}.result", 30, item.get("result"))
        if result and result not in RESULTS and not DECIMAL.match(result):
            raise CmiError(f"{path}.result", f"{result[:30]!r} is not a result")
        patterns = []
        for number, response in enumerate(
            reader.collection(f"{path}.correct_responses", 10)
            if isinstance(item.get("correct_responses"), dict | list)
            else []
        ):
            patterns.append(
                reader.string(
                    f"{path}.correct_responses.{number}.pattern",
                    reader.sizes["response"],
                    response.get("pattern"),
                )
            )
        found.append(
            {
                "id": reader.string(f"{path}.id", reader.sizes["id"], item.get("id")),
                "type": kind,
                "response": reader.string(
                    f"{path}.{response_key}",
                    reader.sizes["response"],
                    item.get(response_key),
                ),
                "result": result,
                "correct_responses": patterns,
                "description": reader.string(
                    f"{path}.description", 250, item.get("description")
                )
                if version == SCORM2004
                else "",
                "weighting": reader.number(
                    f"{path}.weighting", -1e9, 1e9, item.get("weighting")
                ),
                "latency": reader.string(f"{path}.latency", 40, item.get("latency")),
                "timestamp": reader.string(
                    f"{path}.timestamp" if version == SCORM2004 else f"{path}.time",
                    40,
                    item.get("timestamp" if version == SCORM2004 else "time"),
                ),
            }
        )
    return found


def evaluate(report: Report, version: str, scorm: dict, *, credit: bool) -> Report:
    """The statuses the LMS decides (module docstring), in place."""
    if version == SCORM2004:
        threshold = scorm.get("completion_threshold")
        if threshold is not None and report.progress_measure is not None:
            report.completion_status = (
                "completed" if report.progress_measure >= threshold else "incomplete"
            )
        passing = scorm.get("scaled_passing_score")
        if passing is not None and report.score_scaled is not None:
            report.success_status = (
                "passed" if report.score_scaled >= passing else "failed"
            )
    else:
        passing = scorm.get("scaled_passing_score")
        if passing is not None and report.score_raw is not None and credit:
            passed = report.score_raw >= round(passing * 100, 4)
            report.lesson_status = "passed" if passed else "failed"
            report.completion_status, report.success_status = statuses_of_lesson_status(
                report.lesson_status
            )
        if report.score_raw is not None and report.score_max:
            low = report.score_min or 0.0
            if report.score_max > low:
                report.score_scaled = round(
                    (report.score_raw - low) / (report.score_max - low), 4
                )
    return report
