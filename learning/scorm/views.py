"""The SCORM player's routes on the content origin (player.py says why there).

- `player`: the wrapper page (no learner data in it);
- `runtime_file`: scorm-again's bundles, their licence and the wrapper script;
- `data`, `initialize`, `commit`: the run-time endpoints, each a POST with the
  session's runtime token (`Authorization: Bearer …`), answering scorm-again's
  `{"result": "true", "errorCode": 0}` or a 4xx with `{"result": "false",
  "error": "…"}`; never a 5xx for what a client sends.
"""

import hmac
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from learning.exceptions import LearningError
from learning.launches.models import LaunchMode, hash_token
from learning.launches.origin import content_origin, site_origin
from learning.launches.players import unit_url
from learning.launches.sessions import content_session

from . import runtime
from .cmi import CmiError
from .exceptions import AttemptEnded, SessionClosed, StaleCommit

# Served on the content origin, where the site's static files are not.
RUNTIME_FILES = {
    "scorm12.min.js": "vendor/scorm-again/scorm12.min.js",
    "scorm2004.min.js": "vendor/scorm-again/scorm2004.min.js",
    "scorm-again-LICENSE.txt": "vendor/scorm-again/LICENSE",
    "player.js": "scorm/player.js",
}


def _session_or_404(key: str):
    session = content_session(key)
    if session is None or session.unit.package.format not in ("scorm12", "scorm2004"):
        raise Http404
    return session


@require_GET
def player(request, key: str):
    """The wrapper: scorm-again, the SCO's frame, and the session's endpoints."""
    session = _session_or_404(key)
    language = runtime.scorm_data(session).get("language", "fr")
    version = session.unit.package.format
    with translation.override(language):
        return render(
            request,
            "scorm/player.html",
            {
                "language": language,
                "title": session.unit.title_text,
                "review": session.mode != LaunchMode.NORMAL,
                "return_url": session.return_url or f"/packages/return/{key}",
                "config": {
                    "version": version,
                    "bundle": f"/packages/scorm/runtime/{version}.min.js",
                    "data": f"/packages/scorm/{key}/data",
                    "initialize": f"/packages/scorm/{key}/initialize",
                    "commit": f"/packages/scorm/{key}/commit",
                    "sco": unit_url(session),
                    "site": site_origin(),
                },
            },
        )


@require_GET
def runtime_file(request, name: str):
    """scorm-again (MIT, its licence beside it) and the wrapper's script."""
    found = finders.find(RUNTIME_FILES[name]) if name in RUNTIME_FILES else None
    if not found:
        raise Http404
    content_type = "text/plain" if name.endswith(".txt") else "text/javascript"
    response = FileResponse(open(found, "rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _refuse(status: int, message: str, code: int = 101) -> JsonResponse:
    return JsonResponse(
        {"result": "false", "errorCode": code, "error": str(message)}, status=status
    )


def _authorized(request, key: str):
    """The open session of `key` whose runtime token the request carries."""
    session = content_session(key)
    if session is None or session.unit.package.format not in ("scorm12", "scorm2004"):
        return None, _refuse(404, "No such SCORM session (or it has expired).")
    origin = request.headers.get("Origin")
    if origin and origin != content_origin():
        return None, _refuse(403, "Requests come from the player's own origin only.")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = runtime.scorm_data(session).get("token") or ""
    if (
        scheme.lower() != "bearer"
        or not token
        or not expected
        or not hmac.compare_digest(hash_token(token.strip()), expected)
    ):
        return None, _refuse(403, "A valid runtime token is required.")
    return session, None


def _json_body(request) -> tuple[object, JsonResponse | None]:
    limit = settings.SCORM_MAX_COMMIT_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None, _refuse(400, "Invalid Content-Length.")
    if length > limit:
        return None, _refuse(413, f"A commit is at most {limit} bytes.")
    body = request.read(limit + 1)
    if len(body) > limit:
        return None, _refuse(413, f"A commit is at most {limit} bytes.")
    if not body:
        return {}, None
    try:
        return json.loads(body, parse_constant=_no_constant), None
    except (ValueError, RecursionError):
        return None, _refuse(400, "The body is not valid JSON.")


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


@csrf_exempt  # no cookie on this origin: the runtime token authenticates
@require_POST
def data(request, key: str):
    """The CMI data the SCO starts with, and where the SCO is."""
    session, refusal = _authorized(request, key)
    if refusal:
        return refusal
    return JsonResponse(
        {
            "result": "true",
            "errorCode": 0,
            "version": session.unit.package.format,
            "values": runtime.launch_values(session),
        }
    )


@csrf_exempt
@require_POST
def initialize(request, key: str):
    session, refusal = _authorized(request, key)
    if refusal:
        return refusal
    try:
        runtime.initialize(session)
    except (SessionClosed, AttemptEnded) as error:
        return _refuse(409, error.message)
    return JsonResponse({"result": "true", "errorCode": 0})


@csrf_exempt
@require_POST
def commit(request, key: str):
    """A commit: {"cmi": {...}, "sequence": n, "terminate": bool}."""
    session, refusal = _authorized(request, key)
    if refusal:
        return refusal
    body, refusal = _json_body(request)
    if refusal:
        return refusal
    if not isinstance(body, dict):
        return _refuse(400, "A commit is a JSON object.")
    sequence = body.get("sequence")
    if (
        not isinstance(sequence, int)
        or isinstance(sequence, bool)
        or not 0 < sequence < 2**31
    ):
        return _refuse(
            400, "sequence: a positive integer numbering the session's commits."
        )
    terminate = body.get("terminate", False)
    if not isinstance(terminate, bool):
        return _refuse(400, "terminate: true or false.")
    try:
        runtime.commit(session, body, sequence=sequence, terminate=terminate)
    except CmiError as error:
        return _refuse(400, str(error), code=351)
    except (SessionClosed, StaleCommit, AttemptEnded) as error:
        return _refuse(409, error.message)
    except LearningError as error:  # the lesson or course can no longer take progress
        return _refuse(409, error.message)
    return JsonResponse({"result": "true", "errorCode": 0})
