"""What the LRS enforces on a cmi5 session's own credential (section 9 and
10): the AU writes as its learner, in its registration, about its AU, in the
order initialized … terminated, with completed/passed/failed only in Normal
mode and only once (never passed or failed again after passed; masteryScore
respected). Anything else is refused with 403 and nothing is stored.

Called by the LRS (learning/xapi/lrs/statements.py and documents.py) for a
client whose key starts with "cmi5-" (no query for other clients).
"""

from django.utils import timezone

from learning.xapi.lrs.http import XAPIError
from learning.xapi.lrs.ingest import agent_ifi
from learning.xapi.lrs.models import LRSClient

from . import cmi5
from .models import LaunchMode, LaunchSession, UnitProgress


def is_session_client(client) -> bool:
    return client is not None and client.key.startswith(cmi5.SESSION_KEY_PREFIX)


def _refuse(message: str):
    raise XAPIError(403, f"cmi5: {message}")


def _session(client, *, lock: bool) -> LaunchSession:
    sessions = LaunchSession.objects.select_related(
        "unit__package", "enrollment__user", "lesson"
    )
    if lock:
        sessions = sessions.select_for_update(of=("self",))
    session = sessions.filter(lrs_client=client).first()
    if session is None or not session.is_open or session.expires_at <= timezone.now():
        _refuse("this session is over")
    return session


class StatementRules:
    """Checks a batch against the session, then applies it once stored."""

    def __init__(self, client):
        self.session = _session(client, lock=True)
        self.progress = UnitProgress.objects.filter(
            enrollment=self.session.enrollment, unit=self.session.unit
        ).first() or UnitProgress(
            enrollment=self.session.enrollment, unit=self.session.unit
        )
        self.actor = cmi5.agent_ifi_of(self.session.enrollment.user)
        self.au = cmi5.au_iri(self.session.unit)

    def check(self, statements: list[dict]) -> None:
        session, progress = self.session, self.progress
        initialized = session.initialized_at is not None
        completed = progress.completed_at is not None
        passed = progress.passed_at is not None
        mastery = session.unit.mastery_score
        for data in statements:
            verb = data["verb"]["id"]
            name = cmi5.VERB_NAMES.get(verb, verb)
            if verb in cmi5.LMS_VERBS:
                _refuse(f"only the LMS issues {name} statements")
            if agent_ifi(data.get("actor")) != self.actor:
                _refuse("the actor must be the launched learner")
            context = data.get("context") or {}
            if str(context.get("registration", "")).lower() != str(
                session.enrollment_id
            ):
                _refuse("context.registration must be the launch's registration")
            if verb in cmi5.DEFINED_VERBS:
                if data["object"].get("id") != self.au:
                    _refuse(f"{name}: the object must be the AU ({self.au})")
                extensions = context.get("extensions") or {}
                if extensions.get(cmi5.SESSION_ID) != str(session.pk):
                    _refuse(f"{name}: the sessionid extension must be this session's")
            if session.terminated_at is not None or getattr(self, "_terminated", False):
                _refuse("no statement after terminated")
            if verb == cmi5.VERBS["initialized"]:
                if initialized:
                    _refuse("initialized twice in a session")
                initialized = True
                continue
            if not initialized:
                _refuse("initialized must be the session's first statement")
            if verb in (
                cmi5.VERBS["completed"],
                cmi5.VERBS["passed"],
                cmi5.VERBS["failed"],
            ):
                if session.mode != LaunchMode.NORMAL:
                    _refuse(f"{name} is not allowed in {session.mode} mode")
            if verb == cmi5.VERBS["completed"]:
                if completed:
                    _refuse("completed was already recorded for this registration")
                completed = True
            elif verb in (cmi5.VERBS["passed"], cmi5.VERBS["failed"]):
                if passed:
                    _refuse(f"{name} after passed")
                scaled = ((data.get("result") or {}).get("score") or {}).get("scaled")
                if mastery is not None and verb == cmi5.VERBS["passed"]:
                    if scaled is None or scaled < mastery:
                        _refuse(f"passed needs a scaled score of at least {mastery}")
                if mastery is not None and verb == cmi5.VERBS["failed"]:
                    if scaled is None or scaled >= mastery:
                        _refuse(f"failed needs a scaled score below {mastery}")
                passed = passed or verb == cmi5.VERBS["passed"]
            elif verb == cmi5.VERBS["terminated"]:
                self._terminated = True

    def apply(self, statements: list[dict]) -> None:
        """Record what the stored statements did (same transaction)."""
        session, progress = self.session, self.progress
        now = timezone.now()
        session.last_activity_at = now
        for data in statements:
            verb = data["verb"]["id"]
            score = ((data.get("result") or {}).get("score") or {}).get("scaled")
            if verb == cmi5.VERBS["initialized"]:
                session.initialized_at = now
            elif verb == cmi5.VERBS["completed"]:
                progress.completed_at = now
            elif verb == cmi5.VERBS["passed"]:
                progress.passed_at, progress.score = now, score
            elif verb == cmi5.VERBS["failed"]:
                progress.failed_at = now
                progress.score = score if progress.score is None else progress.score
            elif verb == cmi5.VERBS["terminated"]:
                session.terminated_at = now
        session.save(
            update_fields=["last_activity_at", "initialized_at", "terminated_at"]
        )
        if session.terminated_at and session.lrs_client_id:
            LRSClient.objects.filter(pk=session.lrs_client_id).update(is_active=False)
        progress.save()
        if progress.satisfied_at is None and cmi5.move_on_met(
            session.unit.move_on, progress
        ):
            cmi5.satisfy_au(session, when=now)


def check_document(xreq, resource) -> None:
    """A session reads and writes only its learner's documents about its AU;
    it never writes LMS.LaunchData, nor another agent's profile."""
    from learning.xapi.lrs.documents import DocumentKind
    from learning.xapi.lrs.validation import parse_json

    session = _session(xreq.client, lock=False)
    params = xreq.params
    if resource.agent:
        try:
            agent = parse_json(params.get("agent", ""), "agent")
        except Exception:  # noqa: BLE001 - the resource reports the bad parameter
            return
        if agent_ifi(agent) != cmi5.agent_ifi_of(session.enrollment.user):
            _refuse("documents of the launched learner only")
    if resource.kind == DocumentKind.STATE:
        if params.get("activityId") != cmi5.au_iri(session.unit):
            _refuse("state documents of the launched AU only")
        registration = params.get("registration")
        if registration and registration.lower() != str(session.enrollment_id):
            _refuse("state documents of the launch's registration only")
        if (
            xreq.method not in ("GET", "HEAD")
            and params.get("stateId") == cmi5.LAUNCH_DATA
        ):
            _refuse("LMS.LaunchData is written by the LMS only")
    if resource.kind == DocumentKind.ACTIVITY_PROFILE and xreq.method not in (
        "GET",
        "HEAD",
    ):
        _refuse("activity profiles are read-only for an AU")
