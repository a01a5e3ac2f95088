"""System check: the configured signing key must load (fails `manage.py check`)."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def check_signing_key(app_configs, **kwargs):
    from .signing import load_private_key, public_keys

    errors = []
    if settings.CERTIFICATE_SIGNING_KEY:
        try:
            load_private_key(settings.CERTIFICATE_SIGNING_KEY)
        except ImproperlyConfigured as error:
            errors.append(Error(str(error), id="certificates.E001"))
    try:
        if not errors:
            public_keys()
    except ValueError as error:
        errors.append(
            Error(
                f"CERTIFICATE_RETIRED_PUBLIC_KEYS: {error}",
                hint="Base64 of 32-byte raw Ed25519 public keys, comma-separated.",
                id="certificates.E002",
            )
        )
    return errors
