"""What the header shows a logged-in person: the administration and compliance links.

Deciding costs three queries (user and group permissions, a manager membership),
on every page. The answer is kept in the person's session, stamped with an
*access generation* bumped whenever permissions, groups or compliance
memberships change (signals in cms/signals.py) and with the person's id,
superuser and active flags, so a change shows up on the next page. The
middleware reads the access generation with the content generation, in one
round trip. The views behind the links check access
themselves: this only decides which links to show.
"""

import time

from django.core.cache import cache
from django.db import transaction

ACCESS_KEY = "atelier:access-generation"
SESSION_KEY = "atelier_header_access"


def _bump() -> None:
    try:
        cache.incr(ACCESS_KEY)
    except ValueError:
        cache.set(ACCESS_KEY, time.time_ns() // 1000, timeout=None)


def bump_access(**_kwargs) -> None:
    """Signal receiver: someone's permissions or memberships changed."""
    _bump()
    transaction.on_commit(_bump)


def _compute(user) -> dict[str, bool]:
    from learning.compliance.scope import is_manager

    return {
        "admin": user.has_perm("wagtailadmin.access_admin"),
        "compliance": is_manager(user),
    }


def access_generation() -> int | None:
    """The shared counter; None while the cache is unreachable (cms/cache.py)."""
    from .caching import pinned_access_generation

    generation = pinned_access_generation()
    if generation is None:
        generation = cache.get(ACCESS_KEY)
        if generation is None:
            cache.add(ACCESS_KEY, time.time_ns() // 1000, timeout=None)
            generation = cache.get(ACCESS_KEY)
    return generation


def header_access(request) -> dict[str, bool]:
    """The header's links for the request's user, kept in their session."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(request, "_atelier_header_access", None)
    if cached is not None:
        return cached
    generation = access_generation()
    stamp = [user.pk, user.is_superuser, user.is_active, generation]
    entry = request.session.get(SESSION_KEY)
    if entry and generation is not None and entry[0] == stamp:
        flags = entry[1]
    else:
        flags = _compute(user)
        if generation is not None:  # unknown while the cache is down: not kept
            request.session[SESSION_KEY] = [stamp, flags]
    request._atelier_header_access = flags
    return flags
