"""Tests: fast hashing, in-memory e-mail and cache, synchronous jobs.

With DATABASE_URL / REDIS_URL set (CI), the suite runs against real PostgreSQL
and Redis; without them, SQLite and fakeredis.
"""

import os
from urllib.parse import urlsplit

from .base import *


def worker_redis_url(url: str, worker: int) -> str:
    """The Redis database after REDIS_URL's, one per xdist worker (16 in all)."""
    parts = urlsplit(url)
    database = (int(parts.path.strip("/") or 0) + worker) % 16
    return parts._replace(path=f"/{database}").geturl()


DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# `make test` runs the suite on two pytest-xdist workers: each has its own files,
# its own HDF5 sandbox slots and its own Redis database (PostgreSQL: pytest-django
# gives each its own test database). REDIS_URL is rewritten in the environment
# too, for the tests that start real RQ workers from it.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
MEDIA_ROOT = BASE_DIR / "var" / f"test-media{WORKER}"
PRIVATE_ROOT = BASE_DIR / "var" / f"test-private{WORKER}"
HDF5_SANDBOX_DIR = BASE_DIR / "var" / f"test-hdf5-sandbox{WORKER}"
if WORKER and REDIS_URL:
    REDIS_URL = worker_redis_url(REDIS_URL, int(WORKER.removeprefix("gw")))
    os.environ["REDIS_URL"] = REDIS_URL
SITE_BASE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = SITE_BASE_URL
# Jobs run in the test process; with REDIS_URL they still go through real Redis.
RQ_QUEUES = build_rq_queues(REDIS_URL, synchronous=True)
# Tests run the daily reminder job themselves (tests/compliance/test_schedule.py).
COMPLIANCE_REMINDERS_IN_PROCESS = False
