"""Views of the content origin: redeem a launch token, serve a session's files.

Reached only through ContentOriginMiddleware (origin.py), on the content host.
"""

import mimetypes

from django.http import FileResponse, Http404, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .exceptions import LaunchRefused
from .players import player_for
from .sessions import content_session, redeem_launch_token

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/json", ".json")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("application/wasm", ".wasm")


@require_http_methods(["GET", "HEAD"])
def launch(request, token: str):
    """Exchange the single-use launch token for the unit's entry URL."""
    try:
        session = redeem_launch_token(token)
    except LaunchRefused as error:
        raise Http404 from error
    return HttpResponseRedirect(
        player_for(session.unit.package.format).entry_url(session)
    )


@csrf_exempt  # no session, no cookie on this origin: forms post to themselves
@require_http_methods(["GET", "HEAD", "POST"])
def serve_file(request, key: str, path: str):
    """A file of the session's package (the key is the session's capability)."""
    session = content_session(key)
    if session is None:
        raise Http404
    root = session.unit.package.content_path().resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise Http404
    content_type, encoding = mimetypes.guess_type(target.name)
    if encoding:  # a .js.gz is served as it is, never decoded by the browser
        content_type = "application/octet-stream"
    response = FileResponse(
        open(target, "rb"),
        content_type=content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


def file_path(session, relative: str) -> str:
    """The content-origin path of a package file for this session."""
    return f"/packages/s/{session.content_key}/{relative.lstrip('/')}"


@require_http_methods(["GET", "HEAD"])
def returned(request, key: str):
    """The returnURL of a framed unit: the unit is closed, a link back."""
    from django.shortcuts import render

    session = content_session(key)
    if session is None:
        raise Http404
    return render(request, "launches/returned.html", {"return_url": session.return_url})
