"""Document resources (xAPI 1.0.3 Part Three 2.3-2.6): activities/state,
activities/profile and agents/profile, with ETag concurrency and JSON merge."""

import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import http_date

from . import auth
from .http import XAPIError, XAPIRequest, check_params, json_param, json_response
from .ingest import agent_ifi
from .models import Document, DocumentKind, key_of
from .validation import (
    XAPIValidationError,
    identified_agent,
    iri,
    parse_json,
    timestamp,
    uuid_string,
)


@dataclass(frozen=True)
class Resource:
    kind: int
    id_param: str  # stateId / profileId
    activity: bool  # takes activityId
    agent: bool  # takes agent
    registration: bool  # takes registration
    scopes: tuple
    conflict_without_precondition: bool  # PUT over an existing doc needs If-Match


STATE = Resource(DocumentKind.STATE, "stateId", True, True, True, auth.STATE, False)
ACTIVITY_PROFILE = Resource(
    DocumentKind.ACTIVITY_PROFILE, "profileId", True, False, False, auth.PROFILE, True
)
AGENT_PROFILE = Resource(
    DocumentKind.AGENT_PROFILE, "profileId", False, True, False, auth.PROFILE, True
)


# The column's size: a longer Content-Type is refused rather than cut.
MAX_CONTENT_TYPE = Document._meta.get_field("content_type").max_length


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def _scope(xreq: XAPIRequest, resource: Resource) -> None:
    wanted = resource.scopes
    if xreq.method in ("GET", "HEAD"):
        wanted = wanted + auth.READ_DOCUMENTS
    if not xreq.client.has_scope(*wanted):
        raise XAPIError(403, "this client's scopes do not allow this request")
    if xreq.client.key.startswith("cmi5-"):  # a launch session's own credential
        from learning.launches.cmi5_rules import check_document

        check_document(xreq, resource)


def _keys(xreq: XAPIRequest, resource: Resource, *, need_id: bool, since: bool):
    allowed = {resource.id_param}
    required = []
    if resource.activity:
        allowed.add("activityId")
        required.append("activityId")
    if resource.agent:
        allowed.add("agent")
        required.append("agent")
    if resource.registration:
        allowed.add("registration")
    if since:
        allowed.add("since")
    if need_id:
        required.append(resource.id_param)
    check_params(xreq, allowed, required)
    if "since" in xreq.params and resource.id_param in xreq.params:
        raise XAPIValidationError(f"since: not allowed with {resource.id_param}")
    keys = {"kind": resource.kind}
    if resource.activity:
        keys["activity_key"] = key_of(iri(xreq.params["activityId"], "activityId"))
    if resource.agent:
        agent = identified_agent(json_param(xreq, "agent"), "agent")
        keys["agent_key"] = key_of(agent_ifi(agent))
    if resource.registration:
        registration = xreq.params.get("registration", "")
        keys["registration"] = (
            uuid_string(registration, "registration").lower() if registration else ""
        )
    return keys


def _matches(header: str, etag: str) -> bool:
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
    return "*" in tags or etag in tags


def _preconditions(xreq: XAPIRequest, existing: Document | None) -> None:
    if_match = xreq.headers.get("if-match")
    if_none_match = xreq.headers.get("if-none-match")
    if if_match is not None and (
        existing is None or not _matches(if_match, existing.etag)
    ):
        raise XAPIError(412, "If-Match: the document has changed or does not exist")
    if if_none_match is not None and existing is not None:
        if _matches(if_none_match, existing.etag):
            raise XAPIError(412, "If-None-Match: the document already exists")


def _require_precondition(xreq, resource: Resource, existing) -> None:
    """A profile PUT must say what it expects (Part Three 2.6, 2.7, 3.1).

    Over an existing document: 409 Conflict. For a new one: 400, as the ADL
    conformance suite expects (XAPI-00273 and the activity profile's twin).
    xAPI 2.0 extends the 409 to state documents (its concurrency rules cover
    every document resource); a new state document still needs no header.
    """
    if "if-match" in xreq.headers or "if-none-match" in xreq.headers:
        return
    if not resource.conflict_without_precondition:
        if xreq.v2 and existing is not None:
            raise XAPIError(
                409,
                f'the document exists: send If-Match: "{existing.etag}" to replace '
                "it (xAPI 2.0)",
            )
        return
    if existing is not None:
        raise XAPIError(
            409,
            f'the document exists: send If-Match: "{existing.etag}" to replace it '
            "(GET it first to see its ETag)",
        )
    raise XAPIError(
        400,
        'a PUT here needs If-None-Match: * (new document) or If-Match: "<ETag>"',
    )


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def _write(xreq: XAPIRequest, resource: Resource, *, merge: bool) -> HttpResponse:
    _scope(xreq, resource)
    keys = _keys(xreq, resource, need_id=True, since=False)
    document_id = xreq.params[resource.id_param]
    if "\x00" in document_id:  # PostgreSQL text cannot hold it
        raise XAPIValidationError(f"{resource.id_param}: holds a NUL character")
    keys["document_key"] = key_of(document_id)
    content, content_type = xreq.body, xreq.content_type or "application/octet-stream"
    if len(content_type) > MAX_CONTENT_TYPE or not content_type.isprintable():
        raise XAPIValidationError(
            f"Content-Type: at most {MAX_CONTENT_TYPE} printable characters"
        )
    # POST merges JSON objects, so it takes nothing else (Part Three 2.3.2).
    if merge and not _is_json(content_type):
        raise XAPIValidationError("Content-Type: POST takes application/json only")
    if _is_json(content_type):
        parsed = parse_json(content, "body")
        if merge and not isinstance(parsed, dict):
            raise XAPIValidationError("body: POST merges JSON objects only")
    try:
        with transaction.atomic():
            existing = Document.objects.select_for_update().filter(**keys).first()
            _preconditions(xreq, existing)
            if not merge:
                _require_precondition(xreq, resource, existing)
            if merge and existing is not None:
                if not (_is_json(content_type) and _is_json(existing.content_type)):
                    raise XAPIValidationError(
                        "POST merges JSON documents only (both must be application/json)"
                    )
                old = json.loads(bytes(existing.content).decode("utf-8"))
                if not isinstance(old, dict):
                    raise XAPIValidationError(
                        "the stored document is not a JSON object"
                    )
                content = json.dumps({**old, **parsed}).encode("utf-8")
                content_type = "application/json"
            now = timezone.now()
            values = {
                "content": content,
                "content_type": content_type,
                "etag": etag_of(content),
                "updated": now,
                "document_id": document_id,
            }
            if existing is None:
                Document.objects.create(**keys, **values)
            else:
                Document.objects.filter(pk=existing.pk).update(**values)
    except IntegrityError:
        raise XAPIError(409, "the document was written concurrently; retry") from None
    return HttpResponse(
        status=204,
        headers={
            "ETag": f'"{values["etag"]}"',
            "Last-Modified": http_date(now.timestamp()),
        },
    )


def _get(xreq: XAPIRequest, resource: Resource) -> HttpResponse:
    _scope(xreq, resource)
    keys = _keys(xreq, resource, need_id=False, since=True)
    if resource.id_param in xreq.params:
        keys["document_key"] = key_of(xreq.params[resource.id_param])
        document = Document.objects.filter(**keys).first()
        if document is None:
            raise XAPIError(404, "no such document")
        response = HttpResponse(
            bytes(document.content), content_type=document.content_type
        )
        response["ETag"] = f'"{document.etag}"'
        # A download, never a page of the site (with the sandbox of http.py).
        response["Content-Disposition"] = "attachment"
        response["Last-Modified"] = http_date(document.updated.timestamp())
        return response
    documents = Document.objects.filter(**keys)
    if "since" in xreq.params:
        documents = documents.filter(
            updated__gt=timestamp(xreq.params["since"], "since")
        )
    ids = list(
        documents.order_by("updated", "id").values_list("document_id", flat=True)
    )
    return json_response(ids)


def _delete(xreq: XAPIRequest, resource: Resource) -> HttpResponse:
    _scope(xreq, resource)
    # Only state documents can be deleted in bulk (without their id).
    keys = _keys(
        xreq, resource, need_id=resource.kind != DocumentKind.STATE, since=False
    )
    with transaction.atomic():
        if resource.id_param in xreq.params:
            keys["document_key"] = key_of(xreq.params[resource.id_param])
            existing = Document.objects.select_for_update().filter(**keys).first()
            _preconditions(xreq, existing)
        Document.objects.filter(**keys).delete()
    return HttpResponse(status=204)


def handlers(resource: Resource) -> dict:
    return {
        "GET": lambda xreq: _get(xreq, resource),
        "PUT": lambda xreq: _write(xreq, resource, merge=False),
        "POST": lambda xreq: _write(xreq, resource, merge=True),
        "DELETE": lambda xreq: _delete(xreq, resource),
    }
