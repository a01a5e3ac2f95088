"""A small fixed-window rate limiter on the cache, per client IP.

The verification endpoints are public and a code is the only secret between a
guesser and a certificate: CERTIFICATE_VERIFY_RATE_LIMIT ("<count>/<seconds>")
bounds the guesses per address. Behind proxies, TRUSTED_PROXY_COUNT (shared with
allauth's throttling) says which X-Forwarded-For entry is the client.
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render


def client_ip(request) -> str:
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def window_key(request, scope: str, window: int) -> str:
    """The cache key counting the address's requests in the current fixed window."""
    return f"ratelimit:{scope}:{client_ip(request)}:{int(time.time() // window)}"


def hit(key: str, window: int) -> int:
    """Add one to the window's counter; the count so far, this request included."""
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        return 1


def allow(request, scope: str) -> bool:
    """Count this request; False once the address has spent its budget."""
    limit, window = parse_rate(settings.CERTIFICATE_VERIFY_RATE_LIMIT)
    if limit <= 0:
        return True
    return hit(window_key(request, scope, window), window) <= limit


def rate_limited(scope: str, *, as_json: bool = False):
    """View decorator: 429 (the site's 429 page, or JSON) once the budget is spent."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not allow(request, scope):
                if as_json:
                    response = JsonResponse({"error": "rate_limited"}, status=429)
                else:
                    response = render(request, "429.html", status=429)
                response["Retry-After"] = str(
                    parse_rate(settings.CERTIFICATE_VERIFY_RATE_LIMIT)[1]
                )
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
