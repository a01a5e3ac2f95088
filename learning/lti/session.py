"""The session a launch opens inside the LMS's frame, without loosening the site's.

The site's session and CSRF cookies stay `SameSite=Lax`: a browser does not
send them to a page framed by another site. A launch therefore opens a session
of its own (a Django session logged in as the LTI user, its key random per
launch) and hands its key in a separate cookie, `LTI_SESSION_COOKIE_NAME`,
`SameSite=None; Secure; HttpOnly` on HTTPS (plain `Lax` over HTTP, where
browsers refuse `None`). `LtiCookieMiddleware`, before SessionMiddleware, uses
it only when the site's own session cookie is absent:

- the key becomes the request's session key (authentication as usual), and
  the CSRF secret is derived from it (HMAC with SECRET_KEY), so forms in the
  frame work without the site's CSRF cookie and a page on another site cannot
  forge them (it knows neither the key nor the secret);
- the answer sets neither the site's session cookie nor its CSRF cookie (a
  key change renews the LTI cookie, a log-out removes it).

`LtiContextMiddleware`, after authentication, gives such requests the launch's
context: the statements they record carry the LMS course (xAPI context), the
grade outbox observes them, and the answer may be framed by the launching
platform (frames.py).
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, login
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string

from learning.xapi.context import StatementContext, statement_context

from .frames import allow_framing

SESSION_INFO = "lti"
_FLAG = "_lti_cookie_session"


def csrf_secret_for(session_key: str) -> str:
    """The CSRF secret of an LTI session: 32 characters Django accepts."""
    return salted_hmac("atelier.lti.csrf", session_key).hexdigest()[:32]


def _session_store() -> SessionBase:
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")()


def open_session(request, user, info: dict) -> SessionBase:
    """A fresh session logged in as `user` carrying the launch's `info`."""
    fake = HttpRequest()
    fake.META = {"REMOTE_ADDR": request.META.get("REMOTE_ADDR", "")}
    fake.session = _session_store()
    login(fake, user, backend="django.contrib.auth.backends.ModelBackend")
    fake.session[SESSION_INFO] = info
    fake.session.set_expiry(settings.LTI_SESSION_SECONDS)
    fake.session.save()
    return fake.session


def set_cookie(request, response, session_key: str) -> None:
    secure = request.is_secure()
    response.set_cookie(
        settings.LTI_SESSION_COOKIE_NAME,
        session_key,
        max_age=settings.LTI_SESSION_SECONDS,
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
    )


class LtiCookieMiddleware:
    """Before SessionMiddleware: the LTI cookie as the session where the site's
    own is absent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.COOKIES.get(settings.LTI_SESSION_COOKIE_NAME)
        if not key or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        request.COOKIES[settings.SESSION_COOKIE_NAME] = key
        request.COOKIES.setdefault(settings.CSRF_COOKIE_NAME, csrf_secret_for(key))
        setattr(request, _FLAG, True)
        response = self.get_response(request)
        response.cookies.pop(settings.CSRF_COOKIE_NAME, None)
        site_cookie = response.cookies.pop(settings.SESSION_COOKIE_NAME, None)
        if site_cookie is not None:
            if site_cookie.value and site_cookie.value != key:
                set_cookie(request, response, site_cookie.value)
            elif not site_cookie.value:  # flushed: logged out
                response.delete_cookie(
                    settings.LTI_SESSION_COOKIE_NAME, samesite="None"
                )
        return response


def lti_info(request) -> dict | None:
    """The launch this request's LTI session came from, if it is one."""
    if not getattr(request, _FLAG, False):
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if request.session.get(BACKEND_SESSION_KEY) is None:
        return None
    return request.session.get(SESSION_INFO)


class LtiContextMiddleware:
    """After authentication: the launch's xAPI context, grade observer and framing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        info = lti_info(request)
        if info is None:
            return self.get_response(request)
        from .grades import observer_for

        context = StatementContext(
            extensions=info.get("extensions") or {},
            grouping=info.get("grouping") or [],
            observers=(observer_for(request.user),),
        )
        with statement_context(context):
            response = self.get_response(request)
        allow_framing(response, info.get("frame_origins") or [])
        return response
