"""The shared cache (Redis) as what it is, an optimisation: an outage degrades.

Every HTML page reads the cache (content generation, anonymous pages, sessions
stored `cached_db`), and Django's RedisCache raises while Redis is unreachable:
one Redis outage answered 500 on every page. This backend turns an unreachable
Redis into cache misses and dropped writes, so pages render uncached and
sessions fall back to their database rows. It

- logs one warning when an outage starts and one line when it ends;
- after a failure, leaves Redis alone for `RETRY_SECONDS` (pages do not wait
  for a refused or timed-out connection each time);
- remembers the keys whose writes were lost (a publish's content generation, a
  log-out's session) and deletes them as soon as Redis answers again, so
  nothing stale comes back from before the outage (per process, up to
  `MAX_LOST` keys).

While Redis is down, rate limits kept in the cache (log-in throttling, the
verification page's and the gate's) are not enforced: better than refusing every
log-in. Only connection errors and timeouts are absorbed: any other Redis error
is a bug.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_SECONDS = 5.0
MAX_LOST = 10_000


class _Health:
    """What this process knows of one Redis server. Shared by the cache objects
    of every thread (Django makes one per thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.retry_at = 0.0  # monotonic time before which Redis is not tried
        self.outage = False
        self.deleted = 0  # lost keys deleted since the outage began
        self.lost: dict[tuple[str, int | None], None] = {}  # an ordered set


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _health_of(location: str) -> _Health:
    with _health_lock:
        return _health.setdefault(location, _Health())


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._health = _health_of(",".join(self._servers))

    # -- the degradation ---------------------------------------------------

    def _attempt(self, operation, *args, fallback, written=(), version=None):
        """`operation(*args)`, or `fallback` while Redis is unreachable."""
        health = self._health
        if time.monotonic() < health.retry_at:
            self._forget_later(written, version)
            return fallback
        try:
            if health.lost:
                self._delete_lost()  # first, so that nothing stale is read
            result = operation(*args)
        except UNREACHABLE as error:
            self._unreachable(error)
            self._forget_later(written, version)
            return fallback
        if health.outage:
            self._recovered()
        return result

    def _unreachable(self, error: Exception) -> None:
        health = self._health
        with health.lock:
            health.retry_at = time.monotonic() + RETRY_SECONDS
            starting, health.outage = not health.outage, True
        if starting:
            logger.warning(
                "Redis cache unreachable (%s): pages are served uncached, "
                "sessions read from the database, rate limits not enforced; "
                "retrying every %s s.",
                error,
                RETRY_SECONDS,
            )

    def _recovered(self) -> None:
        health = self._health
        with health.lock:
            ended, health.outage = health.outage, False
            deleted, health.deleted = health.deleted, 0
        if ended:
            logger.warning(
                "Redis cache reachable again; %s key(s) written during the "
                "outage deleted.",
                deleted,
            )

    def _forget_later(self, keys, version) -> None:
        health = self._health
        with health.lock:
            for key in keys:
                if len(health.lost) >= MAX_LOST:
                    break
                health.lost[(key, version)] = None

    def _delete_lost(self) -> None:
        """Delete what was written during the outage (kept if Redis still fails)."""
        health = self._health
        with health.lock:
            lost, health.lost = list(health.lost), {}
        by_version: dict[int | None, list[str]] = {}
        for key, version in lost:
            by_version.setdefault(version, []).append(key)
        try:
            for version, keys in by_version.items():
                super().delete_many(keys, version=version)
        except UNREACHABLE:
            with health.lock:
                health.lost.update(dict.fromkeys(lost))
            raise
        with health.lock:
            health.deleted += len(lost)

    # -- the cache API -----------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True while Redis is down: code using `add` as a lock (django-allauth's
        # throttling) goes on instead of refusing everyone; throttling is off.
        return self._attempt(
            super().add, key, value, timeout, version,
            fallback=True, written=[key], version=version,
        )  # fmt: skip

    def get(self, key, default=None, version=None):
        return self._attempt(super().get, key, default, version, fallback=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt(
            super().set, key, value, timeout, version,
            fallback=None, written=[key], version=version,
        )  # fmt: skip

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(
            super().touch, key, timeout, version,
            fallback=False, written=[key], version=version,
        )  # fmt: skip

    def delete(self, key, version=None):
        return self._attempt(
            super().delete, key, version,
            fallback=False, written=[key], version=version,
        )  # fmt: skip

    def get_many(self, keys, version=None):
        return self._attempt(super().get_many, keys, version, fallback={})

    def has_key(self, key, version=None):
        return self._attempt(super().has_key, key, version, fallback=False)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._attempt(
            super().incr, key, delta, version,
            fallback=missing, written=[key], version=version,
        )  # fmt: skip
        if result is missing:
            # What callers already handle: they set a fresh value (dropped too).
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        keys = list(data)
        return self._attempt(
            super().set_many, data, timeout, version,
            fallback=keys, written=keys, version=version,
        )  # fmt: skip

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._attempt(
            super().delete_many, keys, version,
            fallback=None, written=keys, version=version,
        )  # fmt: skip

    def clear(self):
        self._attempt(super().clear, fallback=None)
