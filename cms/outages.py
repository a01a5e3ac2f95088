"""What truly needs Redis, while Redis is down, and writes while the embedded
database is busy: a clear 503, never a traceback.

Pages and sessions do without the cache (cms/cache.py). Queuing a job cannot:
`enqueue` raises `QueueUnavailable` when Redis does not answer, and
`ServiceUnavailableMiddleware` turns it (or any Redis connection error a view
lets through) into the site's 503 page, in the visitor's language, with a
`Retry-After`; the LRS and the API get a JSON body instead.

On SQLite (the embedded default), a writer waits for the lock up to the busy
timeout (`SQLITE_BUSY_TIMEOUT`, cms/settings/base.py), then gets "database is
locked". The same middleware answers it with a 503 "try again in a moment" and
a short `Retry-After`. Nothing was half-written: the domain functions write in
one transaction each, rolled back by the error. A lock met outside a view (the
session saved after the response, a middleware's write) reaches Django's 500
handler instead: `server_error` answers it the same way. Other database errors
stay errors (500, logged with their traceback).
"""

import logging
import sys

from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

import django_rq

from .cache import UNREACHABLE

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 120
#: A busy database frees up within seconds: the other writers only queue.
BUSY_RETRY_AFTER_SECONDS = 5
JSON_PREFIXES = ("/xapi/", "/api/")


class QueueUnavailable(Exception):
    """A job could not be queued: Redis is unreachable."""


def enqueue(queue: str, func, *args, **kwargs):
    """Queue `func(*args)` on `queue` (django-rq); QueueUnavailable if Redis is down."""
    try:
        return django_rq.get_queue(queue).enqueue(func, *args, **kwargs)
    except UNREACHABLE as error:
        logger.warning("Job queue %r unreachable, job not queued: %s", queue, error)
        raise QueueUnavailable(queue) from error


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_locked(exception):
            logger.warning(
                "Database locked beyond the busy timeout, %s %s answered 503: %s",
                request.method,
                request.path_info,
                exception,
            )
            return unavailable(request, busy=True)
        if not isinstance(exception, (QueueUnavailable, *UNREACHABLE)):
            return None
        return unavailable(request)


def database_locked(exception: BaseException) -> bool:
    """SQLite's busy timeout ran out: another writer held the lock that long."""
    return isinstance(exception, OperationalError) and (
        "database is locked" in str(exception)
    )


def unavailable(request, *, busy: bool = False):
    """The 503 answer: the site's page in the visitor's language, or JSON for
    the LRS and the API, with `Retry-After`. `busy`: the database was busy (try
    again in a moment), else the job queue is down (in a few minutes)."""
    if request.path_info.startswith(JSON_PREFIXES):
        message = (
            _("The service is busy: nothing was recorded. Try again in a moment.")
            if busy
            else _("The service is temporarily unavailable.")
        )
        response = JsonResponse({"error": message}, status=503)
    else:
        response = render(request, "503.html", {"busy": busy}, status=503)
    response["Retry-After"] = str(
        BUSY_RETRY_AFTER_SECONDS if busy else RETRY_AFTER_SECONDS
    )
    return response


def server_error(request):
    """The site's 500 handler (cms/urls.py): Django's, but for a database locked
    past the busy timeout outside a view, which gets the busy 503 page."""
    # Django calls the handler while handling the error: it is the one in flight.
    if database_locked(sys.exc_info()[1]):
        return unavailable(request, busy=True)
    return defaults.server_error(request)
