"""cmi5 (Quartz, 1st edition), the LMS side: launch, fetch, launch data, the
statements the LMS writes, and moveOn for AUs, blocks and the course.

- Launch (section 8.1): the AU's URL on the content origin with `endpoint`
  (the site's LRS), `fetch`, `actor`, `registration` (the enrolment) and
  `activityId` (an IRI the LMS makes for the AU of this imported package).
- Before the AU runs, the LMS writes "launched" and the `LMS.LaunchData` state
  document (10.2.1), and the learner preferences agent profile if absent.
- Fetch (8.2): a single POST returns `{"auth-token": …}`, HTTP Basic for a
  temporary LRS client made for this session alone; its requests are held to
  the session by `cmi5_rules.py`. A second call gets error-code 1.
- Each AU statement that counts (completed, passed, failed) updates the unit's
  progress; when the AU's moveOn is met it is satisfied (`results.satisfy_unit`,
  which completes the lesson once every AU is), and the LMS writes "satisfied"
  for each block and for the course whose AUs are then all satisfied.
- A new session of an AU abandons the previous one left open ("abandoned"), and
  so does the hourly sweep (`abandon_expired_sessions`) for sessions past their
  end; `waive_unit` waives an AU ("waived") and counts as satisfying it.
"""

import base64
import hashlib
import json
import secrets
import uuid
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from learning.xapi.lrs.ingest import agent_ifi
from learning.xapi.lrs.models import Document, DocumentKind, LRSClient, Scope, key_of
from learning.xapi.statements import utc_timestamp
from learning.xapi.store import store_statement

from .models import LaunchMode, LaunchSession, UnitProgress, hash_token, new_token
from .players import Player, register, unit_url
from .results import satisfy_unit, unit_progress

CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
EXT = "https://w3id.org/xapi/cmi5/context/extensions/"
SESSION_ID = EXT + "sessionid"
COURSE_TYPE = "https://w3id.org/xapi/cmi5/activitytype/course"
BLOCK_TYPE = "https://w3id.org/xapi/cmi5/activitytype/block"
VERBS = {
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "initialized": "http://adlnet.gov/expapi/verbs/initialized",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "abandoned": "https://w3id.org/xapi/adl/verbs/abandoned",
    "waived": "https://w3id.org/xapi/adl/verbs/waived",
    "terminated": "http://adlnet.gov/expapi/verbs/terminated",
    "satisfied": "https://w3id.org/xapi/adl/verbs/satisfied",
}
VERB_NAMES = {iri: name for name, iri in VERBS.items()}
LMS_VERBS = {VERBS[name] for name in ("launched", "abandoned", "waived", "satisfied")}
DEFINED_VERBS = {
    VERBS[n] for n in ("initialized", "completed", "passed", "failed", "terminated")
}
SESSION_KEY_PREFIX = "cmi5-"
LAUNCH_DATA = "LMS.LaunchData"
PREFERENCES = "cmi5LearnerPreferences"


# --- identifiers -------------------------------------------------------------


def course_iri(package) -> str:
    return f"{settings.SITE_BASE_URL}/packages/cmi5/{package.pk}"


def au_iri(unit) -> str:
    return f"{course_iri(unit.package)}/au/{unit.position}"


def block_iri(package, block_id: str) -> str:
    digest = hashlib.sha1(block_id.encode(), usedforsecurity=False).hexdigest()[:16]
    return f"{course_iri(package)}/block/{digest}"


def actor(user) -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_BASE_URL, "name": str(user.pseudonym)},
    }


def agent_ifi_of(user) -> str:
    return agent_ifi(actor(user))


def duration(start: datetime, end: datetime) -> str:
    """An ISO 8601 duration in seconds (xAPI result.duration)."""
    return f"PT{max((end - start).total_seconds(), 0):.2f}S"


# --- statements the LMS writes -----------------------------------------------


def _name(strings: dict) -> dict:
    return {
        lang if lang != "und" else "und": text for lang, text in strings.items()
    } or {"und": "-"}


def lms_statement(
    session: LaunchSession, verb: str, obj: dict, *, when, result=None, extensions=None
) -> dict:
    """A cmi5 defined statement of the LMS for this session (section 9)."""
    unit = session.unit
    context = {
        "registration": str(session.enrollment_id),
        "contextActivities": {
            "category": [{"objectType": "Activity", "id": CMI5_CATEGORY}],
            "grouping": [{"objectType": "Activity", "id": unit.identifier}],
        },
        "extensions": {SESSION_ID: str(session.pk), **(extensions or {})},
    }
    data = {
        "id": str(uuid.uuid4()),
        "actor": actor(session.enrollment.user),
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": obj,
        "context": context,
        "timestamp": utc_timestamp(when),
    }
    if result:
        data["result"] = result
    return data


def au_object(unit) -> dict:
    return {
        "objectType": "Activity",
        "id": au_iri(unit),
        "definition": {"name": _name(unit.title)},
    }


def _write(data: dict) -> None:
    store_statement(data)


# --- launching -----------------------------------------------------------------


class Cmi5Player(Player):
    """Launches AUs as section 8 says."""

    def start(self, session: LaunchSession) -> None:
        when = session.created_at
        abandon_open_sessions(session, when=when)
        token = new_token()
        session.fetch_token_hash = hash_token(token)
        session.data = {"fetch": token}  # shown once, in the launch URL
        session.save(update_fields=["fetch_token_hash", "data"])
        unit = session.unit
        extensions = {EXT + "launchmode": session.mode, EXT + "moveon": unit.move_on}
        extensions[EXT + "launchurl"] = unit.url
        if unit.launch_parameters:
            extensions[EXT + "launchparameters"] = unit.launch_parameters
        if unit.mastery_score is not None:
            extensions[EXT + "masteryscore"] = unit.mastery_score
        _write(
            lms_statement(
                session, "launched", au_object(unit), when=when, extensions=extensions
            )
        )
        write_launch_data(session)
        write_preferences(session)
        if unit.move_on == "NotApplicable" and session.mode == LaunchMode.NORMAL:
            satisfy_au(session, when=when)

    def entry_url(self, session: LaunchSession) -> str:
        token = session.data.get("fetch", "")
        LaunchSession.objects.filter(pk=session.pk).update(data={})  # not kept
        query = urlencode(
            {
                "endpoint": f"{settings.SITE_BASE_URL}/xapi/",
                "fetch": f"{settings.SITE_BASE_URL}/xapi/cmi5/fetch/{token}",
                "actor": json.dumps(actor(session.enrollment.user)),
                "registration": str(session.enrollment_id),
                "activityId": au_iri(session.unit),
            }
        )
        return unit_url(session, query)


def _document(
    kind: str,
    *,
    agent: dict,
    document_id: str,
    content: dict,
    activity: str = "",
    registration=None,
    replace: bool = True,
) -> None:
    # The keys the LRS's document resources compute (xapi/lrs/documents.py).
    keys = {
        "kind": kind,
        "activity_key": key_of(activity) if activity else "",
        "agent_key": key_of(agent_ifi(agent)),
        "registration": str(registration).lower() if registration else "",
        "document_key": key_of(document_id),
    }
    raw = json.dumps(content).encode()
    values = {
        "content": raw,
        "content_type": "application/json",
        "etag": hashlib.sha1(raw, usedforsecurity=False).hexdigest(),
        "updated": timezone.now(),
        "document_id": document_id,
    }
    existing = Document.objects.filter(**keys)
    if existing.exists():
        if replace:
            existing.update(**values)
        return
    Document.objects.create(**keys, **values)


def write_launch_data(session: LaunchSession) -> None:
    """The LMS.LaunchData state document (section 10.2.1), rewritten per launch."""
    unit = session.unit
    framed = unit.launch_method != "OwnWindow"
    from .origin import content_origin

    content = {
        "contextTemplate": {
            "contextActivities": {
                "grouping": [{"objectType": "Activity", "id": unit.identifier}]
            },
            "extensions": {SESSION_ID: str(session.pk)},
        },
        "launchMode": session.mode,
        "launchMethod": unit.launch_method,
        "moveOn": unit.move_on,
        "returnURL": (
            f"{content_origin()}/packages/return/{session.content_key}"
            if framed
            else session.return_url
        ),
    }
    if unit.mastery_score is not None:
        content["masteryScore"] = unit.mastery_score
    if unit.launch_parameters:
        content["launchParameters"] = unit.launch_parameters
    if unit.entitlement_key:
        content["entitlementKey"] = {"courseStructure": unit.entitlement_key}
    _document(
        DocumentKind.STATE,
        agent=actor(session.enrollment.user),
        activity=au_iri(unit),
        registration=session.enrollment_id,
        document_id=LAUNCH_DATA,
        content=content,
    )


def write_preferences(session: LaunchSession) -> None:
    """The learner preferences agent profile (10.3), only if none exists."""
    user = session.enrollment.user
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    _document(
        DocumentKind.AGENT_PROFILE,
        agent=actor(user),
        document_id=PREFERENCES,
        content={
            "languagePreference": {"fr": "fr-FR", "en": "en-US"}.get(
                language, language
            ),
            "audioPreference": "on",
        },
        replace=False,
    )


# --- fetch -------------------------------------------------------------------


class FetchError(Exception):
    def __init__(self, code: int, text: str):
        super().__init__(text)
        self.code, self.text = code, text


def fetch_auth_token(token: str, *, now: datetime | None = None) -> str:
    """The session's auth token (HTTP Basic credentials), once (section 8.2)."""
    now = now or timezone.now()
    with transaction.atomic():
        session = (
            LaunchSession.objects.select_for_update()
            .filter(fetch_token_hash=hash_token(token))
            .first()
        )
        if session is None:
            raise FetchError(2, "unknown or expired fetch URL")
        if session.fetched_at is not None:
            raise FetchError(1, "already in use: the auth token was fetched")
        if not session.is_open or session.expires_at <= now:
            raise FetchError(2, "this session is over")
        key, secret = (
            SESSION_KEY_PREFIX + secrets.token_hex(12),
            LRSClient.generate_secret(),
        )
        client = LRSClient(
            name=f"cmi5 session {session.pk}",
            key=key,
            scopes=[
                Scope.STATEMENTS_WRITE,
                Scope.STATEMENTS_READ_MINE,
                Scope.STATE,
                Scope.PROFILE,
            ],
        )
        client.set_secret(secret)
        client.save()
        session.lrs_client = client
        session.fetched_at = now
        session.save(update_fields=["lrs_client", "fetched_at"])
    return base64.b64encode(f"{key}:{secret}".encode()).decode()


# --- results -------------------------------------------------------------------


def move_on_met(move_on: str, progress: UnitProgress) -> bool:
    """Whether an AU's moveOn criterion (section 13.1.4) is met."""
    completed = progress.completed_at is not None
    passed = progress.passed_at is not None
    return {
        "Completed": completed,
        "Passed": passed,
        "CompletedAndPassed": completed and passed,
        "CompletedOrPassed": completed or passed,
        "NotApplicable": True,
    }.get(move_on, False) or progress.waived_at is not None


def satisfy_au(session: LaunchSession, *, when: datetime) -> None:
    """The AU is satisfied: record it, then the blocks and course it completes."""
    unit = session.unit
    if not satisfy_unit(session.enrollment, session.lesson.specific, unit, when=when):
        return
    write_satisfied(session, when=when)


def _satisfied_ids(session: LaunchSession) -> set[int]:
    units = session.unit.package.units.filter(kind="au")
    satisfied = set(
        UnitProgress.objects.filter(
            enrollment=session.enrollment, unit__in=units, satisfied_at__isnull=False
        ).values_list("unit_id", flat=True)
    )
    return satisfied | set(
        units.filter(move_on="NotApplicable").values_list("pk", flat=True)
    )


def write_satisfied(session: LaunchSession, *, when: datetime) -> None:
    """ "satisfied" for each enclosing block, and the course, now fully satisfied."""
    package = session.unit.package
    units = list(package.units.filter(kind="au"))
    done = _satisfied_ids(session)
    for block_id in session.unit.blocks:
        inside = [u.pk for u in units if block_id in u.blocks]
        if set(inside) <= done:
            obj = {
                "objectType": "Activity",
                "id": block_iri(package, block_id),
                "definition": {"type": BLOCK_TYPE, "name": {"und": block_id}},
            }
            _write(lms_statement(session, "satisfied", obj, when=when))
    if {u.pk for u in units} <= done:
        obj = {
            "objectType": "Activity",
            "id": course_iri(package),
            "definition": {"type": COURSE_TYPE, "name": _name(package.title)},
        }
        _write(lms_statement(session, "satisfied", obj, when=when))


def abandon(session: LaunchSession, *, when: datetime) -> bool:
    """The session was left without "terminated": the LMS writes "abandoned",
    once (a relaunch and the expiry sweep may meet: the first one claims it).
    False if it was already over."""
    claimed = LaunchSession.objects.filter(
        pk=session.pk, terminated_at__isnull=True, abandoned_at__isnull=True
    ).update(abandoned_at=when)
    if not claimed:
        return False
    session.abandoned_at = when
    if session.lrs_client_id:
        LRSClient.objects.filter(pk=session.lrs_client_id).update(is_active=False)
    start = session.launched_at or session.created_at
    _write(
        lms_statement(
            session,
            "abandoned",
            au_object(session.unit),
            when=when,
            result={"duration": duration(start, session.last_activity_at or when)},
        )
    )
    return True


def abandon_open_sessions(new: LaunchSession, *, when: datetime) -> None:
    """Earlier sessions of this AU and registration still open are abandoned."""
    for old in (
        LaunchSession.objects.select_related("unit__package", "enrollment__user")
        .filter(
            enrollment=new.enrollment,
            unit=new.unit,
            terminated_at__isnull=True,
            abandoned_at__isnull=True,
        )
        .exclude(pk=new.pk)
    ):
        abandon(old, when=when)


def abandon_expired_sessions(*, now: datetime | None = None, limit: int = 1000) -> int:
    """cmi5 sessions past their end (`expires_at`, when their credential stops)
    and never terminated: "abandoned" for each. How many were abandoned."""
    now = now or timezone.now()
    expired = LaunchSession.objects.filter(
        unit__package__format="cmi5",
        expires_at__lte=now,
        terminated_at__isnull=True,
        abandoned_at__isnull=True,
    ).select_related("unit__package", "enrollment__user", "lesson")
    count = 0
    for session in expired.order_by("expires_at")[:limit]:
        with transaction.atomic():
            count += abandon(session, when=now)
    return count


def abandon_expired_sessions_job() -> int:
    """The hourly RQ job (learning/launches/cron.py)."""
    return abandon_expired_sessions()


def waive_unit(
    enrollment,
    lesson,
    unit,
    *,
    reason: str = "Administrative",
    when: datetime | None = None,
) -> None:
    """Waive an AU for the enrolment ("waived", section 9.3.8): it counts as satisfied."""
    when = when or timezone.now()
    with transaction.atomic():
        progress = unit_progress(enrollment, unit)
        if progress.satisfied_at is not None:
            return
        progress.waived_at = when
        progress.save(update_fields=["waived_at"])
        session = LaunchSession(
            id=uuid.uuid4(),
            enrollment=enrollment,
            lesson=lesson,
            unit=unit,
            created_at=when,
        )
        _write(
            lms_statement(
                session,
                "waived",
                au_object(unit),
                when=when,
                result={"success": True, "completion": True},
                extensions={
                    "https://w3id.org/xapi/cmi5/context/extensions/reason": reason
                },
            )
        )
        satisfy_au(session, when=when)


register("cmi5", Cmi5Player())
