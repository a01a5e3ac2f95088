"""Attachments in multipart/mixed with SHA-2 checks, and signed statements."""

import base64
import hashlib
import json

from learning.xapi.lrs.multipart import build_multipart, parse_multipart
from learning.xapi.models import Statement
from tests.xapi.conftest import statement

CONTENT = b"\x00binary\r\n--not-a-boundary\r\ncontent\xff"
SHA = hashlib.sha256(CONTENT).hexdigest()
LENGTH = len(CONTENT)
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"


def attachment(sha2=SHA, length=LENGTH, **extra):
    return {
        "usageType": "http://example.org/attachments/report",
        "display": {"en": "report"},
        "contentType": "application/octet-stream",
        "length": length,
        "sha2": sha2,
        **extra,
    }


def multipart(statements, parts):
    boundary = "xapi-boundary-1234"
    body = build_multipart(
        [({"Content-Type": "application/json"}, json.dumps(statements).encode())]
        + [
            (
                {
                    "Content-Type": "application/octet-stream",
                    "Content-Transfer-Encoding": "binary",
                    "X-Experience-API-Hash": sha2,
                },
                content,
            )
            for sha2, content in parts
        ],
        boundary,
    )
    return body, f'multipart/mixed; boundary="{boundary}"'


def test_multipart_round_trip(lrs):
    """A statement with an attachment is stored and returned with its content."""
    data = statement(attachments=[attachment()])
    body, ctype = multipart(data, [(SHA, CONTENT)])
    response = lrs.post(body, content_type=ctype)
    assert response.status_code == 200, response.content
    got = lrs.get(statementId=data["id"], attachments="true")
    assert got["Content-Type"].startswith("multipart/mixed")
    parts = parse_multipart(got.content, got["Content-Type"])
    assert json.loads(parts[0][1])["id"] == data["id"]
    assert parts[1][0]["x-experience-api-hash"] == SHA and parts[1][1] == CONTENT
    listing = lrs.get(attachments="true")
    assert listing["Content-Type"].startswith("multipart/mixed")
    plain = lrs.get(statementId=data["id"])
    assert plain.json()["attachments"][0]["sha2"] == SHA


def test_attachment_hash_mismatch_is_400(lrs):
    data = statement(attachments=[attachment()])
    body, ctype = multipart(data, [(SHA, CONTENT + b"tampered")])
    response = lrs.post(body, content_type=ctype)
    assert response.status_code == 400 and "SHA-2" in response.json()["error"]
    assert not Statement.objects.exists()


def test_attachment_without_content_or_fileurl_is_400(lrs):
    response = lrs.post(statement(attachments=[attachment()]))
    assert response.status_code == 400 and "no content" in response.json()["error"]
    ok = statement(attachments=[attachment(fileUrl="http://example.org/report.pdf")])
    assert lrs.post(ok).status_code == 200


def test_part_without_matching_attachment_is_400(lrs):
    body, ctype = multipart(statement(), [(SHA, CONTENT)])
    assert lrs.post(body, content_type=ctype).status_code == 400


def test_malformed_multipart_is_400(lrs):
    ctype = 'multipart/mixed; boundary="b"'
    for body in (
        b"garbage",
        b"--b\r\nno headers end",
        b"--b\r\nContent-Type: application/json\r\n\r\n{}",
    ):
        assert lrs.post(body, content_type=ctype).status_code == 400
    assert lrs.post(b"--b--", content_type="multipart/mixed").status_code == 400


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(data: dict, *, alg="RS256", payload=None):
    """A statement with a JWS signature attachment (the signature bytes are not checked)."""
    header = _b64(json.dumps({"alg": alg}).encode())
    body = _b64(json.dumps(payload if payload is not None else data).encode())
    jws = f"{header}.{body}.{_b64(b'signature')}".encode()
    sha = hashlib.sha256(jws).hexdigest()
    signed_statement = {
        **data,
        "attachments": [
            attachment(sha2=sha, length=len(jws), usageType=SIGNATURE_USAGE)
        ],
    }
    return signed_statement, [(sha, jws)]


def test_signed_statement_is_accepted(lrs):
    data, parts = signed(statement())
    body, ctype = multipart(data, parts)
    assert lrs.post(body, content_type=ctype).status_code == 200


def test_signature_not_matching_the_statement_is_400(lrs):
    original = statement()
    data, parts = signed(
        original, payload={**original, "verb": {"id": "http://x.org/other"}}
    )
    body, ctype = multipart(data, parts)
    response = lrs.post(body, content_type=ctype)
    assert response.status_code == 400 and "signed payload" in response.json()["error"]


def test_signature_with_bad_algorithm_or_not_jws_is_400(lrs):
    data, parts = signed(statement(), alg="HS256")
    assert (
        lrs.post(
            *multipart(data, parts)[:1], content_type=multipart(data, parts)[1]
        ).status_code
        == 400
    )
    bogus = b"not a jws"
    sha = hashlib.sha256(bogus).hexdigest()
    data = statement(
        attachments=[attachment(sha2=sha, length=len(bogus), usageType=SIGNATURE_USAGE)]
    )
    body, ctype = multipart(data, [(sha, bogus)])
    assert lrs.post(body, content_type=ctype).status_code == 400


def _certificate_and_key():
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "content tool")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode(), key


def rsa_signed(data: dict, key, x5c: str, *, tamper=False):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    header = _b64(json.dumps({"alg": "RS256", "x5c": [x5c]}).encode())
    body = _b64(json.dumps(data).encode())
    signature = key.sign(
        f"{header}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    if tamper:
        signature = bytes([signature[0] ^ 1]) + signature[1:]
    jws = f"{header}.{body}.{_b64(signature)}".encode()
    sha = hashlib.sha256(jws).hexdigest()
    item = attachment(sha2=sha, length=len(jws), usageType=SIGNATURE_USAGE)
    return {**data, "attachments": [item]}, [(sha, jws)]


def test_signature_is_verified_with_its_x5c_certificate(lrs):
    """With x5c in the JWS header the RSA signature must verify (Part Two 2.6)."""
    x5c, key = _certificate_and_key()
    good, parts = rsa_signed(statement(), key, x5c)
    assert (
        lrs.post(
            *multipart(good, parts)[:1], content_type=multipart(good, parts)[1]
        ).status_code
        == 200
    )
    bad, parts = rsa_signed(statement(), key, x5c, tamper=True)
    body, ctype = multipart(bad, parts)
    response = lrs.post(body, content_type=ctype)
    assert response.status_code == 400 and "does not verify" in response.json()["error"]
