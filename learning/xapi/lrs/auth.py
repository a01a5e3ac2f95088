"""HTTP Basic authentication of LRS clients, and their scopes."""

import base64
import binascii

from .models import LRSClient, Scope

READ_STATEMENTS = (Scope.STATEMENTS_READ, Scope.ALL_READ, Scope.ALL)
READ_MINE = (Scope.STATEMENTS_READ_MINE,)
WRITE_STATEMENTS = (Scope.STATEMENTS_WRITE, Scope.ALL)
STATE = (Scope.STATE, Scope.ALL)
PROFILE = (Scope.PROFILE, Scope.ALL)
READ_DOCUMENTS = (Scope.ALL_READ,)
DEFINE = (Scope.DEFINE, Scope.ALL, Scope.ALL_READ, Scope.STATEMENTS_READ)


def client_from_header(header: str | None) -> LRSClient | None:
    """The active client whose key/secret the Authorization header carries."""
    if not header or not header.lower().startswith("basic "):
        return None
    # Looked up on every request (one indexed query), never cached: a client
    # deactivated or given a new secret, by any process or a bulk update, is
    # refused at once.
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    key, _, secret = decoded.partition(":")
    client = LRSClient.objects.filter(key=key, is_active=True).first()
    if client is None or not client.check_secret(secret):
        return None
    return client
