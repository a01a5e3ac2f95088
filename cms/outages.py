"""What truly needs Redis, while Redis is down: a clear 503, never a traceback.

Pages and sessions do without the cache (cms/cache.py). Queuing a job cannot:
`enqueue` raises `QueueUnavailable` when Redis does not answer, and
`ServiceUnavailableMiddleware` turns it (or any Redis connection error a view
lets through) into the site's 503 page, in the visitor's language, with a
`Retry-After`; the LRS and the API get a JSON body instead.
"""

import logging

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

import django_rq

from .cache import UNREACHABLE

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 120
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
        if not isinstance(exception, (QueueUnavailable, *UNREACHABLE)):
            return None
        if request.path_info.startswith(JSON_PREFIXES):
            response = JsonResponse(
                {"error": _("The service is temporarily unavailable.")}, status=503
            )
        else:
            response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
