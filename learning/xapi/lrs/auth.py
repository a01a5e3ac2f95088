"""HTTP Basic authentication of LRS clients, and their scopes."""

import base64
import binascii
import hashlib
import threading
import time
from collections import OrderedDict

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import LRSClient, Scope

READ_STATEMENTS = (Scope.STATEMENTS_READ, Scope.ALL_READ, Scope.ALL)
READ_MINE = (Scope.STATEMENTS_READ_MINE,)
WRITE_STATEMENTS = (Scope.STATEMENTS_WRITE, Scope.ALL)
STATE = (Scope.STATE, Scope.ALL)
PROFILE = (Scope.PROFILE, Scope.ALL)
READ_DOCUMENTS = (Scope.ALL_READ,)
DEFINE = (Scope.DEFINE, Scope.ALL, Scope.ALL_READ, Scope.STATEMENTS_READ)

# Verified credentials, so a busy client's requests skip the client query:
# SHA-256 of the Authorization header -> (client, time verified). Entries live
# CACHE_SECONDS at most, and any change to any client empties this process's
# cache at once (other processes catch up within CACHE_SECONDS, e.g. when a
# client is deactivated in the admin).
CACHE_SECONDS = 10.0
CACHE_SIZE = 256
_verified: OrderedDict[str, tuple[LRSClient, float]] = OrderedDict()
_lock = threading.Lock()


@receiver(post_save, sender=LRSClient)
@receiver(post_delete, sender=LRSClient)
def forget_verified(**kwargs) -> None:
    with _lock:
        _verified.clear()


def _cached(digest: str) -> LRSClient | None:
    with _lock:
        found = _verified.get(digest)
        if found is None:
            return None
        client, verified_at = found
        if time.monotonic() - verified_at > CACHE_SECONDS:
            del _verified[digest]
            return None
        _verified.move_to_end(digest)
        return client


def _remember(digest: str, client: LRSClient) -> None:
    with _lock:
        _verified[digest] = (client, time.monotonic())
        while len(_verified) > CACHE_SIZE:
            _verified.popitem(last=False)


def client_from_header(header: str | None) -> LRSClient | None:
    """The active client whose key/secret the Authorization header carries."""
    if not header or not header.lower().startswith("basic "):
        return None
    digest = hashlib.sha256(header.encode()).hexdigest()
    client = _cached(digest)
    if client is not None:
        return client
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    key, _, secret = decoded.partition(":")
    client = LRSClient.objects.filter(key=key, is_active=True).first()
    if client is None or not client.check_secret(secret):
        return None
    _remember(digest, client)
    return client
