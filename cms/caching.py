"""Caching of what pages show: a site content generation, and memos keyed on it.

Every change to published content (a page saved, published, unpublished, moved
or deleted; a theme, the institution settings, a site or a locale) bumps one
counter, the *content generation*, in the shared cache (Redis in production).
Anything derived from published content is cached under the current
generation, so a publish is visible at once on every worker, with no list of
keys to invalidate:

- `memo(name, *key)` caches a value per process, for the current generation;
- `shared_key(name, *key)` names a shared-cache entry of the current generation;
- the middleware reads the generation once per request (`request_scope`).
"""

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "atelier:content-generation"
# Shared entries outlive nothing they depend on (keys carry the generation);
# the timeout only bounds how long unused ones take space.
SHARED_TIMEOUT = 6 * 3600
MEMO_SIZE = 2048

_local = threading.local()
_memo: OrderedDict = OrderedDict()
_memo_lock = threading.Lock()


def _read_generation() -> int | None:
    """The shared counter; None while the cache is unreachable (cms/cache.py)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        # A fresh cache (or an evicted key): start from a value no other
        # process could have used for different content.
        cache.add(GENERATION_KEY, _fresh_generation(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return None if value is None else int(value)


def _fresh_generation() -> int:
    # Microseconds: far above any value reached by incrementing an older start.
    return time.time_ns() // 1000


def content_generation() -> int | None:
    """The current generation (read at most once per request inside `request_scope`).

    None while the shared cache is unreachable: nothing derived from content may
    then be remembered, since a publish elsewhere could not be seen."""
    value = getattr(_local, "generation", None)
    if value is None:
        value = _read_generation()
        if getattr(_local, "scoped", False):
            _local.generation = value
    return value


@contextmanager
def request_scope(generation: int | None = None, access: int | None = None):
    """Pin the generations for the duration of a request (read on first use)."""
    previous = (
        getattr(_local, "generation", None),
        getattr(_local, "scoped", False),
        getattr(_local, "access", None),
    )
    _local.generation, _local.scoped, _local.access = generation, True, access
    try:
        yield
    finally:
        _local.generation, _local.scoped, _local.access = previous


def pinned_access_generation() -> int | None:
    """The access generation read by the middleware (cms/access.py), if any."""
    return getattr(_local, "access", None)


def bump_generation(**_kwargs) -> None:
    """Content changed: every cached derivative is stale (signal receiver)."""
    _bump()
    # Other workers may have re-read the old content before the transaction
    # committed: bump again once it is visible to them.
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # missing key: any fresh value differs from the old one
        cache.set(GENERATION_KEY, _fresh_generation(), timeout=None)
    if getattr(_local, "generation", None) is not None:
        _local.generation = _read_generation()


def memo(name: str, *key, compute: Callable, keep: Callable | None = None):
    """`compute()`, cached in this process for the current content generation.

    Values are shared between requests: treat them as read-only. `keep(value)`
    false: the value is returned but not remembered (e.g. misses keyed on
    request paths, which anyone can vary at will).
    """
    generation = content_generation()
    if generation is None:  # the cache is down: compute, remember nothing
        return compute()
    full_key = (generation, name, *key)
    with _memo_lock:
        if full_key in _memo:
            _memo.move_to_end(full_key)
            return _memo[full_key]
    value = compute()
    if keep is not None and not keep(value):
        return value
    with _memo_lock:
        _memo[full_key] = value
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return value


def shared_key(name: str, *key) -> str:
    """A shared-cache key valid for the current content generation only (a key
    no one shares while the generation is unknown)."""
    generation = content_generation()
    if generation is None:
        generation = f"unknown-{uuid.uuid4().hex}"
    return ":".join(["atelier", name, str(generation), *map(str, key)])


def clear_memo() -> None:
    with _memo_lock:
        _memo.clear()


class MemoisedViewRestrictionsMixin:
    """Page view restrictions from the memo: Wagtail checks them on every page
    served (two queries: the ancestors, the restrictions). The queryset returned
    is pre-filled: iterating it costs nothing; refining it queries as usual."""

    def get_view_restrictions(self):
        from wagtail.models import PageViewRestriction

        if not self.pk:
            return super().get_view_restrictions()
        restrictions = memo(
            "view-restrictions",
            self.pk,
            # With their groups: checking a group restriction reads them
            # (courses/access.py), from the memo too.
            compute=lambda: list(
                super(MemoisedViewRestrictionsMixin, self)
                .get_view_restrictions()
                .prefetch_related("groups")
            ),
        )
        queryset = PageViewRestriction.objects.filter(
            pk__in=[restriction.pk for restriction in restrictions]
        )
        queryset._result_cache = list(restrictions)
        queryset._prefetch_done = True
        return queryset
