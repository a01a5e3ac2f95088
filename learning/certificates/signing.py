"""Ed25519 keys, canonical payloads, signatures and the published JWKS.

Key handling:

- Production: `CERTIFICATE_SIGNING_KEY` holds the private key, either a PEM
  (PKCS#8, as `openssl genpkey -algorithm ed25519` writes it) or the base64 of the
  32-byte raw private key. `cms.settings.production` refuses to start without it.
- Embedded default (dev, demo, tests): without the variable, the key is derived
  deterministically from SECRET_KEY with HKDF-SHA256. Every process (web workers,
  RQ workers, test runs) then agrees on the key without a shared file; changing
  SECRET_KEY changes the key, which is acceptable only because nothing outside a
  laptop trusts a dev key.
- Rotation: old public keys stay verifiable when listed (base64 raw, 32 bytes) in
  `CERTIFICATE_RETIRED_PUBLIC_KEYS`; each certificate records the `kid` (RFC 7638
  thumbprint) of the key that signed it, and the JWKS publishes all of them.
"""

import base64
import hashlib
import json
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ALGORITHM = "EdDSA"
_DERIVATION_INFO = b"atelier certificate signing key v1"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_json(payload: dict) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the bytes that are signed."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def load_private_key(value: str) -> Ed25519PrivateKey:
    """A key from a PEM (PKCS#8) or the base64 of 32 raw bytes; ImproperlyConfigured else."""
    value = value.strip()
    try:
        if value.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(value.encode(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError("not an Ed25519 key")
            return key
        raw = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_")
        return Ed25519PrivateKey.from_private_bytes(raw)
    except ValueError as error:
        raise ImproperlyConfigured(
            "CERTIFICATE_SIGNING_KEY must be an Ed25519 private key: a PKCS#8 PEM "
            "or the base64 of its 32 raw bytes"
        ) from error


def derived_dev_key(secret_key: str) -> Ed25519PrivateKey:
    """The embedded default's key: HKDF-SHA256 of SECRET_KEY (never in production)."""
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVATION_INFO
    ).derive(secret_key.encode("utf-8"))
    return Ed25519PrivateKey.from_private_bytes(seed)


@cache
def _key_for(configured: str, secret_key: str) -> Ed25519PrivateKey:
    if configured:
        return load_private_key(configured)
    return derived_dev_key(secret_key)


def signing_key() -> Ed25519PrivateKey:
    return _key_for(settings.CERTIFICATE_SIGNING_KEY, settings.SECRET_KEY)


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )


def key_id(public_key: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw_public(public_key))}
    return b64url(hashlib.sha256(canonical_json(members)).digest())


def public_keys() -> dict[str, Ed25519PublicKey]:
    """Every key that may have signed a certificate, by kid: current one first."""
    current = signing_key().public_key()
    keys = {key_id(current): current}
    for value in settings.CERTIFICATE_RETIRED_PUBLIC_KEYS:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_")
        retired = Ed25519PublicKey.from_public_bytes(raw)
        keys.setdefault(key_id(retired), retired)
    return keys


def current_key_id() -> str:
    return key_id(signing_key().public_key())


def sign(payload: dict) -> tuple[str, str]:
    """(kid, base64url signature) of the canonical form of `payload`."""
    key = signing_key()
    return key_id(key.public_key()), b64url(key.sign(canonical_json(payload)))


def verify(payload: dict, signature: str, kid: str) -> bool:
    """True when `signature` is a valid signature of `payload` by key `kid`."""
    key = public_keys().get(kid)
    if key is None:
        return False
    try:
        key.verify(b64url_decode(signature), canonical_json(payload))
    except (InvalidSignature, ValueError):
        return False
    return True


def jwk(kid: str, key: Ed25519PublicKey) -> dict:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(raw_public(key)),
        "kid": kid,
        "use": "sig",
        "alg": ALGORITHM,
    }


def jwks() -> dict:
    """The published key set (RFC 7517), `/.well-known/jwks.json`."""
    return {"keys": [jwk(kid, key) for kid, key in public_keys().items()]}


def jwks_url() -> str:
    return f"{settings.SITE_BASE_URL}/.well-known/jwks.json"


def sign_jwt(claims: dict, *, typ: str = "JWT", cty: str | None = None) -> str:
    """A compact JWS (EdDSA) of `claims`, header naming our key by kid."""
    key = signing_key()
    header = {"alg": ALGORITHM, "kid": key_id(key.public_key()), "typ": typ}
    if cty:
        header["cty"] = cty
    signing_input = f"{b64url(canonical_json(header))}.{b64url(canonical_json(claims))}"
    signature = key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"
