"""Tests: fast hashing, in-memory e-mail and cache, synchronous jobs.

With DATABASE_URL / REDIS_URL set (CI), the suite runs against real PostgreSQL
and Redis; without them, SQLite and fakeredis.
"""

from .base import *

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
PRIVATE_ROOT = BASE_DIR / "var" / "test-private"
SITE_BASE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = SITE_BASE_URL
# Jobs run in the test process; with REDIS_URL they still go through real Redis.
RQ_QUEUES = build_rq_queues(REDIS_URL, synchronous=True)
# Tests run the daily reminder job themselves (tests/compliance/test_schedule.py).
COMPLIANCE_REMINDERS_IN_PROCESS = False
