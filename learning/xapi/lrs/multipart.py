"""multipart/mixed bodies for statements with attachments (xAPI Part Three 1.5.2).

A small strict parser: Python's email package rewrites binary parts.
"""

import hashlib
import re

from .validation import XAPIValidationError

BOUNDARY_RE = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
HASHES = {
    56: hashlib.sha224,
    64: hashlib.sha256,
    96: hashlib.sha384,
    128: hashlib.sha512,
}


def _headers(raw: bytes) -> dict[str, str]:
    headers = {}
    for line in raw.decode("latin-1").split("\r\n"):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise XAPIValidationError(f"multipart: malformed part header {line[:60]!r}")
        headers[name.strip().lower()] = value.strip()
    return headers


def parse_multipart(body: bytes, content_type: str) -> list[tuple[dict, bytes]]:
    """The parts of a multipart/mixed body as (headers, content) pairs."""
    match = BOUNDARY_RE.search(content_type)
    if not match:
        raise XAPIValidationError("Content-Type: multipart/mixed needs a boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    # RFC 2046: a preamble (often a lone CRLF) may come before the first
    # boundary, which then follows a CRLF like every other one.
    if body.startswith(delimiter):
        start = len(delimiter)
    else:
        found = body.find(b"\r\n" + delimiter)
        if found < 0:
            raise XAPIValidationError("multipart: no boundary line in the body")
        start = found + 2 + len(delimiter)
    chunks = body[start:].split(b"\r\n" + delimiter)
    parts = []
    closed = False
    for chunk in chunks:
        if chunk.startswith(b"--"):
            closed = True
            break
        if not chunk.startswith(b"\r\n"):
            raise XAPIValidationError("multipart: malformed boundary line")
        head, separator, content = chunk[2:].partition(b"\r\n\r\n")
        if not separator:
            if head.endswith(b"\r\n") or not head:
                head, content = head, b""
            else:
                raise XAPIValidationError("multipart: a part has no header block")
        parts.append((_headers(head), content))
    if not closed:
        raise XAPIValidationError("multipart: the closing boundary is missing")
    if not parts:
        raise XAPIValidationError("multipart: no parts")
    return parts


def check_hash(sha2: str, content: bytes) -> bool:
    algorithm = HASHES.get(len(sha2))
    return bool(algorithm) and algorithm(content).hexdigest() == sha2.lower()


def build_multipart(parts: list[tuple[dict, bytes]], boundary: str) -> bytes:
    out = []
    for headers, content in parts:
        out.append(f"--{boundary}\r\n".encode())
        for name, value in headers.items():
            out.append(f"{name}: {value}\r\n".encode())
        out.append(b"\r\n" + content + b"\r\n")
    out.append(f"--{boundary}--".encode())
    return b"".join(out)
