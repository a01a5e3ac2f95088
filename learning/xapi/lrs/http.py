"""What every xAPI resource shares: the version header, CORS, the alternate
request syntax, size limits, client authentication and error answers
(xAPI 1.0.3 Part Three, sections 1.3, 6 and 8)."""

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .auth import client_from_header
from .ingest import utc_timestamp
from .models import LRSClient
from .validation import XAPIValidationError, parse_json

logger = logging.getLogger(__name__)

# The versions served from the one store, chosen per request by
# X-Experience-API-Version (1.0.x or 2.0.x) and answered with in that header.
V1 = "1.0.3"
V2 = "2.0.0"  # IEEE 9274.1.1-2023
LATEST = V2  # the answer's header when the request names no version we serve
SERVED = ["1.0.0", "1.0.1", "1.0.2", V1, V2]
VERSION_RES = {V1: re.compile(r"^1\.0(?:\.\d+)?$"), V2: re.compile(r"^2\.0(?:\.\d+)?$")}
METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")
# Headers the alternate request syntax may carry in the form body.
FORM_HEADERS = {
    "authorization": "Authorization",
    "x-experience-api-version": "X-Experience-API-Version",
    "content-type": "Content-Type",
    "content-length": "Content-Length",
    "if-match": "If-Match",
    "if-none-match": "If-None-Match",
}
ALTERNATE_IN_2_0 = "the alternate request syntax (?method=) is not part of xAPI 2.0"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "HEAD, GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Content-Type, Content-Length, Authorization, If-Match, If-None-Match, "
        "X-Experience-API-Version, Accept-Language"
    ),
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, Content-Type, X-Experience-API-Version, "
        "X-Experience-API-Consistent-Through"
    ),
    "Access-Control-Max-Age": "86400",
}
# Documents hold whatever a client stored, HTML included, and this is the site's
# origin: no LRS answer may ever run as a page here. The sandbox gives a
# rendered answer an opaque origin with no scripts; nosniff stops a browser
# from guessing HTML in a JSON or binary answer.
SAFE_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "X-Content-Type-Options": "nosniff",
}


class XAPIError(Exception):
    """An error answer: status code and a message for the client."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class XAPIRequest:
    method: str
    params: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    client: LRSClient | None = None
    django: object = field(default=None, repr=False)
    version: str = V1  # V1 or V2: the rules the request is checked and answered by
    alternate: bool = False  # came through the alternate request syntax

    @property
    def v2(self) -> bool:
        return self.version == V2

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    def json_body(self):
        return parse_json(self.body, "body")


def json_bytes(data) -> bytes:
    """UTF-8 JSON. A lone surrogate (in a statement stored before the LRS refused
    them) comes out as its JSON escape, \\udXXX, instead of failing the answer."""
    return json.dumps(data, ensure_ascii=False).encode("utf-8", "backslashreplace")


def json_response(data, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(
        json_bytes(data),
        status=status,
        content_type="application/json",
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def consistent_through() -> str:
    """X-Experience-API-Consistent-Through: statements stored before it are all visible.

    The store's own point, whatever a query asks (never a query's `until`).
    `stored` is set when a statement is inserted, and a slow transaction can
    commit a little later: keep a margin (XAPI_CONSISTENCY_MARGIN seconds).
    """
    margin = timedelta(seconds=settings.XAPI_CONSISTENCY_MARGIN)
    return utc_timestamp(timezone.now() - margin)


def error_response(status: int, message: str) -> HttpResponse:
    return json_response({"error": message}, status=status)


def _read_body(request) -> bytes:
    limit = settings.XAPI_MAX_REQUEST_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise XAPIError(400, "Content-Length: not a number") from None
    if length > limit:
        raise XAPIError(413, f"request body larger than {limit} bytes")
    body = request.read(limit + 1)  # bypasses Django's form-size check on purpose
    if len(body) > limit:
        raise XAPIError(413, f"request body larger than {limit} bytes")
    return body


def _parse(request) -> XAPIRequest:
    body = _read_body(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    if "method" not in request.GET:
        return XAPIRequest(
            method=request.method,
            params={key: request.GET[key] for key in request.GET},
            headers=headers,
            body=body,
            django=request,
        )
    # Alternate request syntax (Part Three 1.3): POST ?method=X with a form body.
    if version_of(headers.get("x-experience-api-version")) == V2:
        raise XAPIError(400, ALTERNATE_IN_2_0)
    if request.method != "POST":
        raise XAPIError(400, "method: the alternate request syntax needs POST")
    if set(request.GET) != {"method"}:
        raise XAPIError(
            400, "the alternate request syntax allows no query parameter but method"
        )
    method = request.GET["method"].upper()
    if method not in METHODS:
        raise XAPIError(400, f"method: {method[:20]!r} is not an xAPI method")
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise XAPIError(
            400,
            "Content-Type: the alternate request syntax needs "
            "application/x-www-form-urlencoded",
        )
    try:
        form = QueryDict(body.decode("utf-8"), encoding="utf-8")
    except UnicodeDecodeError:
        raise XAPIError(400, "body: the form is not UTF-8") from None
    params, form_headers = {}, {}
    content = b""
    for key in form:
        if key.lower() in FORM_HEADERS:
            form_headers[key.lower()] = form[key]
        elif key == "content":
            content = form[key].encode("utf-8")
        else:
            params[key] = form[key]
    # Only the form's headers count, but keep transport ones (Authorization
    # may still come as a real header) unless the form overrides them.
    for name in ("authorization", "x-experience-api-version"):
        if name not in form_headers and name in headers:
            form_headers[name] = headers[name]
    form_headers.setdefault("content-type", "application/json")
    return XAPIRequest(
        method=method,
        params=params,
        headers=form_headers,
        body=content,
        django=request,
        alternate=True,
    )


def xapi_resource(
    handlers: dict,
    *,
    auth: bool = True,
    version: bool = True,
    consistent: bool = False,
):
    """Build a view answering xAPI for the given {method: handler(XAPIRequest)}.

    `consistent`: every answer to a GET (404s and errors too) carries
    X-Experience-API-Consistent-Through, so a client waiting for its own write
    can always read it (Part Three 2.1.3).
    """

    allowed = set(handlers) | ({"HEAD"} if "GET" in handlers else set())

    @csrf_exempt
    def view(request, *args, **kwargs):
        request.xapi_version = version_of(
            request.headers.get("X-Experience-API-Version")
        )
        if request.method == "OPTIONS":
            response = HttpResponse(status=200)
        else:
            try:
                response = _handle(request, *args, **kwargs)
            except XAPIError as error:
                response = error_response(error.status, error.message)
                for name, value in error.headers.items():
                    response[name] = value
            except XAPIValidationError as error:
                response = error_response(400, str(error))
        response["X-Experience-API-Version"] = request.xapi_version or LATEST
        if consistent and _read_method(request) in ("GET", "HEAD"):
            response["X-Experience-API-Consistent-Through"] = consistent_through()
        for name, value in (CORS_HEADERS | SAFE_HEADERS).items():
            response[name] = value
        return response

    def _handle(request, *args, **kwargs):
        xreq = _parse(request)
        if xreq.method not in allowed:
            raise XAPIError(
                405,
                f"{xreq.method} is not allowed here",
                {"Allow": ", ".join(sorted(allowed))},
            )
        value = xreq.headers.get("x-experience-api-version")
        request.xapi_version = version_of(value)
        if version and not value:
            raise XAPIError(400, "X-Experience-API-Version: header missing")
        if version and not request.xapi_version:
            raise XAPIError(
                400,
                f"X-Experience-API-Version: {value[:20]!r} is not supported "
                "(1.0.x and 2.0.x are)",
            )
        xreq.version = request.xapi_version or LATEST
        if xreq.alternate and xreq.v2:
            raise XAPIError(400, ALTERNATE_IN_2_0)
        if auth:
            xreq.client = client_from_header(xreq.headers.get("authorization"))
            if xreq.client is None:
                raise XAPIError(
                    401,
                    "valid LRS client credentials (HTTP Basic) are required",
                    {"WWW-Authenticate": 'Basic realm="xAPI"'},
                )
        handler = handlers.get(xreq.method) or handlers["GET"]
        response = handler(xreq, *args, **kwargs)
        if xreq.method == "HEAD":
            response.content = b""
        return response

    return wraps(next(iter(handlers.values())))(view)


def version_of(value: str | None) -> str | None:
    """V1 or V2 for an X-Experience-API-Version value we serve, else None."""
    value = (value or "").strip()
    for served, pattern in VERSION_RES.items():
        if pattern.match(value):
            return served
    return None


def _read_method(request) -> str:
    """The xAPI method of a request, the alternate syntax's included."""
    if request.method == "POST" and "method" in request.GET:
        return request.GET["method"].upper()
    return request.method


def require_scope(xreq: XAPIRequest, *scopes: str) -> None:
    if not xreq.client.has_scope(*scopes):
        raise XAPIError(403, "this client's scopes do not allow this request")


def check_params(xreq: XAPIRequest, allowed: set[str], required=()) -> None:
    unknown = set(xreq.params) - allowed
    if unknown:
        raise XAPIValidationError(f"unknown parameters {sorted(unknown)}")
    for name in required:
        if name not in xreq.params:
            raise XAPIValidationError(f"{name}: parameter missing")


def bool_param(xreq: XAPIRequest, name: str) -> bool:
    value = xreq.params.get(name, "false").lower()  # tincan sends "True"
    if value not in ("true", "false"):
        raise XAPIValidationError(f"{name}: must be true or false")
    return value == "true"


def json_param(xreq: XAPIRequest, name: str):
    return parse_json(xreq.params[name], name)
