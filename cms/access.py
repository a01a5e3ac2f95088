"""What the header shows a logged-in person: the administration and compliance links.

Deciding costs three queries (user and group permissions, a manager membership),
on every page. The answer is cached per person, under an *access generation*
bumped whenever permissions, groups or compliance memberships change (signals
in cms/signals.py), and keyed on the person's superuser and active flags, so a
change shows up on the next page. The views behind the links check access
themselves: this only decides which links to show.
"""

import time

from django.core.cache import cache
from django.db import transaction

ACCESS_KEY = "atelier:access-generation"
TIMEOUT = 3600


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
    from learning.compliance.units import is_manager

    return {
        "admin": user.has_perm("wagtailadmin.access_admin"),
        "compliance": is_manager(user),
    }


def header_access(user) -> dict[str, bool]:
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_atelier_header_access", None)
    if cached is not None:
        return cached
    key = (
        f"atelier:header-access:{user.pk}:{int(user.is_superuser)}{int(user.is_active)}"
    )
    found = cache.get_many([key, ACCESS_KEY])
    generation = found.get(ACCESS_KEY)
    entry = found.get(key)
    if entry is not None and generation is not None and entry[0] == generation:
        flags = entry[1]
    else:
        if generation is None:
            cache.add(ACCESS_KEY, time.time_ns() // 1000, timeout=None)
            generation = cache.get(ACCESS_KEY)
        flags = _compute(user)
        cache.set(key, (generation, flags), TIMEOUT)
    user._atelier_header_access = flags
    return flags
