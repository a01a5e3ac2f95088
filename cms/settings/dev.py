"""The embedded default: a laptop or the demo (SQLite, synchronous jobs, console e-mail)."""

from urllib.parse import urlsplit

from .base import *

DEBUG = env.bool("DEBUG", default=True)
# `make demo` runs with DEBUG off (the site's error pages): uploads still served.
SERVE_MEDIA = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
# The host `make demo HOST=...` serves on is allowed too.
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "[::1]", urlsplit(SITE_BASE_URL).hostname],
)
# No manifest in development: runserver serves the files as they are.
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
