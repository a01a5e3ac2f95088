"""The tool's RSA key pair: signs deep-linking answers and service-token requests.

- Production: `LTI_TOOL_PRIVATE_KEY` holds a PEM RSA private key (2048 bits or
  more, as `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048` writes
  it). Without it LTI stays off (`LtiNotConfigured`), the rest of the site runs.
- Embedded default (dev, demo, tests): the key is derived deterministically from
  SECRET_KEY, like the certificate key (learning/certificates/signing.py), so web
  processes and RQ workers agree on it without a shared file. RSA needs primes:
  they are searched in an HKDF-SHA256 stream with Miller-Rabin tests; the
  `cryptography` package then checks and loads the key.
- The public half is published at `/lti/jwks.json` (RS256, kid = RFC 7638
  thumbprint), which platforms read to check what the tool signs.
"""

import hashlib
from functools import cache

from django.conf import settings

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwcrypto.jwk import JWK

_DERIVATION_INFO = b"atelier lti tool key v1"
_PUBLIC_EXPONENT = 65537
_KEY_BITS = 2048
_SMALL_PRIMES = [p for p in range(3, 2000) if all(p % d for d in range(2, p))]


class LtiNotConfigured(Exception):
    """No tool key: LTI_TOOL_PRIVATE_KEY is missing where no key may be derived."""


class _Stream:
    """Deterministic bytes: SHA-256 in counter mode over an HKDF-derived seed."""

    def __init__(self, secret: bytes):
        self.seed = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVATION_INFO
        ).derive(secret)
        self.counter = 0

    def integer(self, bits: int) -> int:
        blocks = []
        for _ in range(-(-bits // 256)):
            self.counter += 1
            blocks.append(
                hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
            )
        return int.from_bytes(b"".join(blocks), "big") >> (len(blocks) * 256 - bits)


def _probably_prime(n: int) -> bool:
    """Miller-Rabin with the first 40 primes as bases (n is a random odd number
    well past them, so a wrong answer is out of reach)."""
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in _SMALL_PRIMES[:40]:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(stream: _Stream, bits: int) -> int:
    # Top two bits set (the product has all its bits), odd; then the next prime.
    candidate = stream.integer(bits) | (3 << (bits - 2)) | 1
    while not ((candidate - 1) % _PUBLIC_EXPONENT and _probably_prime(candidate)):
        candidate += 2
    return candidate


def derived_dev_key(secret_key: str) -> rsa.RSAPrivateKey:
    """The embedded default's key, a function of SECRET_KEY (never in production)."""
    stream = _Stream(secret_key.encode("utf-8"))
    p = _prime(stream, _KEY_BITS // 2)
    q = _prime(stream, _KEY_BITS // 2)
    while q == p:
        q = _prime(stream, _KEY_BITS // 2)
    d = pow(_PUBLIC_EXPONENT, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=rsa.rsa_crt_dmp1(d, p),
        dmq1=rsa.rsa_crt_dmq1(d, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(_PUBLIC_EXPONENT, p * q),
    )
    return numbers.private_key()


@cache
def _key_for(configured: str, secret_key: str, derive: bool) -> rsa.RSAPrivateKey:
    if configured:
        key = serialization.load_pem_private_key(configured.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < _KEY_BITS:
            raise LtiNotConfigured("LTI_TOOL_PRIVATE_KEY must be an RSA key (2048+)")
        return key
    if not derive:
        raise LtiNotConfigured("LTI_TOOL_PRIVATE_KEY is not set")
    return derived_dev_key(secret_key)


def tool_key() -> rsa.RSAPrivateKey:
    return _key_for(
        settings.LTI_TOOL_PRIVATE_KEY.strip(),
        settings.SECRET_KEY,
        settings.LTI_DERIVE_DEV_KEY,
    )


@cache
def _pems(key: rsa.RSAPrivateKey) -> tuple[str, str]:
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )
    return private, public


def private_pem() -> str:
    return _pems(tool_key())[0]


def public_pem() -> str:
    return _pems(tool_key())[1]


def public_jwk() -> dict:
    """The public key as a JWK for RS256, its kid the RFC 7638 thumbprint."""
    key = JWK.from_pem(public_pem().encode())
    return {
        **key.export_public(as_dict=True),
        "kid": key.thumbprint(),
        "alg": "RS256",
        "use": "sig",
    }


def jwks() -> dict:
    return {"keys": [public_jwk()]}


def fingerprint() -> str:
    """A short SHA-256 of the public key, shown in the admin."""
    return hashlib.sha256(public_pem().encode()).hexdigest()[:16]
