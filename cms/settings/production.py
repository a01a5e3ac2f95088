"""Production: every secret and address comes from the environment.

Refuses to start without SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL,
CERTIFICATE_SIGNING_KEY and SITE_BASE_URL, so a misconfigured deploy fails
loudly instead of running with a default (certificates signed by a key derived
from SECRET_KEY, say; or a per-process cache, where one worker would go on
serving a page another worker's publish has changed: the content generation
lives in the shared cache; or certificates whose QR code points at a laptop).
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *

_REQUIRED = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CERTIFICATE_SIGNING_KEY",
    "SITE_BASE_URL",
)
_missing = [name for name in _REQUIRED if not os.environ.get(name)]
if _missing:
    raise ImproperlyConfigured(
        "Missing required environment variable(s) for production: "
        + ", ".join(_missing)
    )
_base_url = urlsplit(SITE_BASE_URL)
if _base_url.scheme not in ("http", "https") or not _base_url.hostname:
    raise ImproperlyConfigured(
        "SITE_BASE_URL must be the site's absolute address, such as "
        "https://atelier.example.org"
    )

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No LTI key derived from SECRET_KEY: LTI needs LTI_TOOL_PRIVATE_KEY (learning/lti/keys.py).
LTI_DERIVE_DEV_KEY = False
