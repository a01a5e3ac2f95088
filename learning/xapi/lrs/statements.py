"""The statements resource (xAPI 1.0.3 Part Three 2.1): PUT, POST and GET."""

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import http_date

from ..models import Statement
from . import auth
from .http import (
    XAPIError,
    XAPIRequest,
    bool_param,
    check_params,
    json_bytes,
    json_param,
    json_response,
    require_scope,
)
from .ingest import (
    StatementConflict,
    VoidingForbidden,
    agent_ifi,
    same_statement,
    signature_attachments,
    store_statements,
)
from .models import Activity, AttachmentContent, StatementRelation, key_of
from .multipart import build_multipart, check_hash, parse_multipart
from .validation import (
    XAPIValidationError,
    identified_agent,
    iri,
    normalise,
    parse_json,
    timestamp,
    uuid_string,
    validate_statement,
)
from .versions import for_reader, text_for_reader

QUERY_PARAMS = {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}
SINGLE_PARAMS = {"statementId", "voidedStatementId", "format", "attachments"}
MORE_SALT = "learning.xapi.more"
JWS_ALGORITHMS = {"RS256", "RS384", "RS512"}


# --- writing ----------------------------------------------------------------


def _statements_and_attachments(xreq: XAPIRequest):
    """The JSON statement(s) of a request and its attachment contents by sha2."""
    contents: dict[str, tuple[str, bytes]] = {}
    if xreq.media_type == "application/json":
        data = xreq.json_body()
    elif xreq.media_type == "multipart/mixed":
        parts = parse_multipart(xreq.body, xreq.content_type)
        headers, first = parts[0]
        if headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise XAPIValidationError(
                "multipart: the first part must be application/json"
            )
        data = parse_json(first, "multipart")
        for index, (headers, content) in enumerate(parts[1:], start=1):
            sha2 = headers.get("x-experience-api-hash", "")
            if not sha2:
                raise XAPIValidationError(
                    f"multipart: part {index} has no X-Experience-API-Hash"
                )
            if headers.get("content-transfer-encoding", "binary").lower() != "binary":
                raise XAPIValidationError(
                    f"multipart: part {index} must use Content-Transfer-Encoding binary"
                )
            if not check_hash(sha2, content):
                raise XAPIValidationError(
                    f"multipart: part {index}'s content does not match its SHA-2 hash"
                )
            content_type = headers.get("content-type", "")
            if len(content_type) > 255 or not content_type.isprintable():
                raise XAPIValidationError(
                    f"multipart: part {index}'s Content-Type is longer than "
                    "255 characters or not printable"
                )
            contents[sha2.lower()] = (content_type, content)
    else:
        raise XAPIValidationError(
            "Content-Type: must be application/json or multipart/mixed"
        )
    statements = data if isinstance(data, list) else [data]
    for index, statement in enumerate(statements):
        validate_statement(
            statement,
            "statement" if not isinstance(data, list) else f"[{index}]",
            v2=xreq.v2,
        )
    statements = [normalise(statement) for statement in statements]
    declared = {
        item["sha2"].lower()
        for statement in statements
        for part in (statement, statement["object"])
        for item in part.get("attachments") or []
    }
    extra = set(contents) - declared
    if extra:
        raise XAPIValidationError(
            "multipart: parts with no matching attachment: " + ", ".join(sorted(extra))
        )
    for statement in statements:
        _check_signature(statement, contents)
    return data, statements, contents


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verify_x5c(header: dict, signed: bytes, signature: bytes) -> None:
    """With an X.509 certificate in the JWS header, the signature must verify."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    chain = header["x5c"]
    try:
        if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
            raise ValueError("x5c must be a list of certificates")
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError("the certificate's key is not an RSA key")
    except ValueError as error:
        raise XAPIValidationError(
            f"attachments: the signature's x5c certificate is unusable ({error})"
        ) from None
    algorithm = {
        "RS256": hashes.SHA256,
        "RS384": hashes.SHA384,
        "RS512": hashes.SHA512,
    }[header["alg"]]
    try:
        key.verify(signature, signed, padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        raise XAPIValidationError(
            "attachments: the signature does not verify with its x5c certificate"
        ) from None


def _check_signature(statement: dict, contents: dict) -> None:
    """A signed statement's JWS must be well formed and sign this statement (Part Two 2.6)."""
    for item in signature_attachments(statement):
        if item["contentType"] != "application/octet-stream":
            raise XAPIValidationError(
                "attachments: a signature's contentType must be application/octet-stream"
            )
        content = contents.get(item["sha2"].lower())
        if content is None:
            continue  # reported as a missing attachment
        try:
            encoded_header, encoded_payload, encoded_signature = (
                content[1].decode("ascii").split(".")
            )
            header = parse_json(_b64url(encoded_header), "signature header")
            payload = parse_json(_b64url(encoded_payload), "signature payload")
            signature = _b64url(encoded_signature)
        except (ValueError, UnicodeDecodeError) as error:
            raise XAPIValidationError(
                "attachments: the signature is not a JWS in compact serialization"
            ) from error
        if not isinstance(header, dict) or header.get("alg") not in JWS_ALGORITHMS:
            raise XAPIValidationError(
                "attachments: the signature's algorithm must be RS256, RS384 or RS512"
            )
        if "x5c" in header:
            signed = f"{encoded_header}.{encoded_payload}".encode("ascii")
            _verify_x5c(header, signed, signature)
        unsigned = {
            **statement,
            "attachments": [a for a in statement["attachments"] if a is not item],
        }
        if not unsigned["attachments"]:
            del unsigned["attachments"]
        if not isinstance(payload, dict) or "id" not in payload:
            payload = (
                {**payload, "id": statement["id"]}
                if isinstance(payload, dict)
                else None
            )
        if payload is None or not same_statement(payload, unsigned):
            raise XAPIValidationError(
                "attachments: the signed payload does not match the statement"
            )


def _store(xreq, statements, contents) -> list[str]:
    for attempt in range(2):
        try:
            with transaction.atomic():
                # A cmi5 session's credential: the session's rules first, its
                # effects after (learning/launches/cmi5_rules.py; no query for
                # other clients).
                rules = session_rules(xreq.client)
                if rules:
                    rules.check(statements)
                ids = store_statements(
                    statements,
                    client=xreq.client,
                    attachments=contents,
                    version="2.0.0" if xreq.v2 else "1.0.0",
                )
                if rules:
                    rules.apply(statements)
                return ids
        except StatementConflict as conflict:
            raise XAPIError(
                409, f"statement {conflict} is already stored with other content"
            ) from None
        except VoidingForbidden as refused:
            raise XAPIError(
                403,
                f"statements {refused} were not stored by this client: "
                "a client may void only its own statements",
            ) from None
        except IntegrityError:
            if attempt:  # a concurrent request stored one of these ids: recheck once
                raise XAPIError(409, "a statement id was stored concurrently") from None
    return []


def session_rules(client):
    """The cmi5 rules of a launch session's own client, else None."""
    if client is None or not client.key.startswith("cmi5-"):
        return None
    from learning.launches.cmi5_rules import StatementRules

    return StatementRules(client)


def put_statement(xreq: XAPIRequest) -> HttpResponse:
    require_scope(xreq, *auth.WRITE_STATEMENTS)
    check_params(xreq, {"statementId"}, ("statementId",))
    statement_id = uuid_string(xreq.params["statementId"], "statementId")
    data, statements, contents = _statements_and_attachments(xreq)
    if isinstance(data, list):
        raise XAPIValidationError("body: PUT takes a single statement")
    if "id" in data and data["id"].lower() != statement_id.lower():
        raise XAPIValidationError("id: differs from the statementId parameter")
    statements[0]["id"] = str(uuid.UUID(statement_id))
    _store(xreq, statements, contents)
    return HttpResponse(status=204)


def post_statements(xreq: XAPIRequest) -> HttpResponse:
    if xreq.params:
        # The alternate syntax can PUT through POST: statementId means PUT.
        if set(xreq.params) == {"statementId"}:
            return put_statement(xreq)
        check_params(xreq, set())
    require_scope(xreq, *auth.WRITE_STATEMENTS)
    _, statements, contents = _statements_and_attachments(xreq)
    return json_response(_store(xreq, statements, contents))


# --- reading ------------------------------------------------------------------


def _readable(xreq: XAPIRequest):
    """Statements this client may read (all, or only those it stored)."""
    if xreq.client.has_scope(*auth.READ_STATEMENTS):
        return Statement.objects.all()
    if xreq.client.has_scope(*auth.READ_MINE):
        return Statement.objects.filter(client=xreq.client)
    raise XAPIError(403, "this client's scopes do not allow reading statements")


def _not_voided(queryset):
    return queryset.filter(~Exists(Statement.objects.filter(voids=OuterRef("id"))))


def _ids_agent(agent: dict) -> dict:
    if not isinstance(agent, dict):
        return agent
    out = {"objectType": agent.get("objectType", "Agent")}
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            out[key] = agent[key]
    if out["objectType"] == "Group" and "member" in agent and agent_ifi(agent) is None:
        out["member"] = [_ids_agent(member) for member in agent["member"]]
    return out


def _ids_activity(activity: dict) -> dict:
    return {"objectType": "Activity", "id": activity["id"]}


def _ids_part(data: dict) -> dict:
    data = dict(data)
    data["actor"] = _ids_agent(data["actor"])
    data["verb"] = {"id": data["verb"]["id"]}
    obj = data["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        data["object"] = _ids_activity(obj)
    elif kind in ("Agent", "Group"):
        data["object"] = _ids_agent(obj)
    elif kind == "SubStatement":
        data["object"] = _ids_part(obj)
    if "context" in data:
        context = dict(data["context"])
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _ids_agent(context[key])
        for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
            if key in context:
                context[key] = [
                    {**item, inner: _ids_agent(item[inner])} for item in context[key]
                ]
        if "contextActivities" in context:
            context["contextActivities"] = {
                key: [_ids_activity(item) for item in items]
                for key, items in context["contextActivities"].items()
            }
        data["context"] = context
    if "authority" in data:
        data["authority"] = _ids_agent(data["authority"])
    return data


def _languages(xreq: XAPIRequest) -> list[str]:
    header = xreq.headers.get("accept-language", "")
    ranked = []
    for index, item in enumerate(header.split(",")):
        tag, _, quality = item.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        if tag and tag != "*":
            ranked.append((-weight, index, tag.lower()))
    return [tag for _, _, tag in sorted(ranked)]


def _pick(language_map: dict, languages: list[str]) -> dict:
    if not isinstance(language_map, dict) or not language_map:
        return language_map
    lowered = {key.lower(): key for key in language_map}
    for wanted in languages:
        for candidate in (wanted, wanted.split("-")[0]):
            if candidate in lowered:
                key = lowered[candidate]
                return {key: language_map[key]}
        for key in language_map:
            if key.lower().split("-")[0] == wanted.split("-")[0]:
                return {key: language_map[key]}
    key = next(iter(language_map))
    return {key: language_map[key]}


LANGUAGE_MAP_KEYS = {"display", "name", "description"}


def _filter_languages(value, languages, key=None):
    if isinstance(value, dict):
        if key in LANGUAGE_MAP_KEYS and all(isinstance(v, str) for v in value.values()):
            return _pick(value, languages)
        return {k: _filter_languages(v, languages, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_filter_languages(item, languages) for item in value]
    return value


def _canonical(statements: list[dict], languages: list[str]) -> list[dict]:
    """Canonical format: the LRS's activity definitions, one language per map."""
    ids = set()

    def collect(data):
        obj = data["object"]
        if obj.get("objectType", "Activity") == "Activity":
            ids.add(obj["id"])
        elif obj.get("objectType") == "SubStatement":
            collect(obj)
        for items in (data.get("context") or {}).get("contextActivities", {}).values():
            ids.update(item["id"] for item in items)

    for data in statements:
        collect(data)
    definitions = {
        activity.iri: activity.definition
        for activity in Activity.objects.filter(key__in=[key_of(i) for i in ids])
    }

    def replace(activity):
        definition = definitions.get(activity["id"])
        return {**activity, "definition": definition} if definition else activity

    def rewrite(data):
        data = dict(data)
        obj = data["object"]
        if obj.get("objectType", "Activity") == "Activity":
            data["object"] = replace(obj)
        elif obj.get("objectType") == "SubStatement":
            data["object"] = rewrite(obj)
        context = data.get("context")
        if context and "contextActivities" in context:
            data["context"] = {
                **context,
                "contextActivities": {
                    key: [replace(item) for item in items]
                    for key, items in context["contextActivities"].items()
                },
            }
        return data

    return [_filter_languages(rewrite(data), languages) for data in statements]


def _formatted(xreq, statements: list[dict], fmt: str) -> list[dict]:
    statements = [for_reader(data, v2=xreq.v2) for data in statements]
    if fmt == "ids":
        return [_ids_part(data) for data in statements]
    if fmt == "canonical":
        return _canonical(statements, _languages(xreq))
    return statements


def _with_attachments(payload, statements: list[dict], status=200, **headers):
    """A multipart/mixed answer: the JSON, then each attachment's raw content."""
    hashes = {
        item["sha2"].lower()
        for data in statements
        for part in (data, data["object"])
        for item in part.get("attachments") or []
    }
    contents = AttachmentContent.objects.filter(sha2__in=hashes)
    boundary = uuid.uuid4().hex
    parts = [
        (
            {"Content-Type": "application/json"},
            json_bytes(payload),
        )
    ]
    for content in contents:
        parts.append(
            (
                {
                    "Content-Type": content.content_type or "application/octet-stream",
                    "Content-Transfer-Encoding": "binary",
                    "X-Experience-API-Hash": content.sha2,
                },
                bytes(content.content),
            )
        )
    response = HttpResponse(
        build_multipart(parts, boundary),
        status=status,
        content_type=f'multipart/mixed; boundary="{boundary}"',
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _get_one(xreq: XAPIRequest) -> HttpResponse:
    check_params(xreq, SINGLE_PARAMS)
    if "statementId" in xreq.params and "voidedStatementId" in xreq.params:
        raise XAPIValidationError("give statementId or voidedStatementId, not both")
    voided = "voidedStatementId" in xreq.params
    name = "voidedStatementId" if voided else "statementId"
    statement_id = uuid.UUID(uuid_string(xreq.params[name], name))
    fmt = _format(xreq)
    with_attachments = bool_param(xreq, "attachments")
    queryset = _readable(xreq).filter(id=statement_id)
    is_voided = Exists(Statement.objects.filter(voids=OuterRef("id")))
    row = queryset.annotate(is_voided=is_voided).filter(is_voided=voided).first()
    if row is None:
        raise XAPIError(404, f"no {name} {statement_id}")
    statements = _formatted(xreq, [row.data], fmt)
    headers = {"Last_Modified": http_date(row.stored.timestamp())}
    if with_attachments:
        return _with_attachments(statements[0], [row.data], **headers)
    return json_response(statements[0], **headers)


def _format(xreq: XAPIRequest) -> str:
    fmt = xreq.params.get("format", "exact")
    if fmt not in ("ids", "exact", "canonical"):
        raise XAPIValidationError("format: must be ids, exact or canonical")
    return fmt


def _limit(xreq: XAPIRequest, value=None) -> int:
    raw = value if value is not None else xreq.params.get("limit", "0")
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        raise XAPIValidationError("limit: must be a non-negative integer") from None
    if limit < 0:
        raise XAPIValidationError("limit: must be a non-negative integer")
    maximum = settings.XAPI_STATEMENTS_MAX_PAGE_SIZE
    return min(limit or settings.XAPI_STATEMENTS_PAGE_SIZE, maximum)


# Relation filters, most selective first: the first one drives the query.
FILTER_ORDER = ("registration", "agent", "activity", "verb")


def _relation_filters(params: dict) -> list[tuple[int, str, bool]]:
    """(kind, key, direct only) for each agent/verb/activity/registration filter."""
    found = {}
    if "agent" in params:
        agent = parse_json(params["agent"], "agent")
        identified_agent(agent, "agent")
        found["agent"] = (
            StatementRelation.AGENT,
            key_of(agent_ifi(agent)),
            params.get("related_agents") != "true",
        )
    if "verb" in params:
        verb = iri(params["verb"], "verb")
        found["verb"] = (StatementRelation.VERB, key_of(verb), False)
    if "activity" in params:
        activity = iri(params["activity"], "activity")
        found["activity"] = (
            StatementRelation.ACTIVITY,
            key_of(activity),
            params.get("related_activities") != "true",
        )
    if "registration" in params:
        registration = uuid_string(params["registration"], "registration")
        found["registration"] = (
            StatementRelation.REGISTRATION,
            key_of(registration.lower()),
            False,
        )
    return [found[name] for name in FILTER_ORDER if name in found]


def _relations(kind: int, key: str, direct: bool):
    relations = StatementRelation.objects.filter(kind=kind, key=key)
    return relations.filter(direct=True) if direct else relations


@dataclass
class Selection:
    """A query's rows and the names of its id, stored and data columns."""

    queryset: object
    id: str
    stored: str
    data: str


def _selection(xreq: XAPIRequest, params: dict, bound) -> tuple[Selection, datetime]:
    """The statements matching the query filters (voided ones left out).

    With an agent, verb, activity or registration filter, the rows come from
    StatementRelation: its (kind, key, stored, statement) index gives the first
    filter's statements newest first, so a page stops after `limit` rows
    however many match; the other filters are index lookups on the same key.
    """
    since = timestamp(params["since"], "since") if "since" in params else None
    until = timestamp(params["until"], "until") if "until" in params else None
    bound = min(filter(None, [until, bound]))
    filters = _relation_filters(params)
    readable = _readable(xreq)
    if not filters:
        queryset = _not_voided(readable).filter(stored__lte=bound)
        if since:
            queryset = queryset.filter(stored__gt=since)
        return Selection(queryset, "id", "stored", "data"), bound
    queryset = _relations(*filters[0]).filter(stored__lte=bound)
    if since:
        queryset = queryset.filter(stored__gt=since)
    for kind, key, direct in filters[1:]:
        also = _relations(kind, key, direct).filter(
            stored=OuterRef("stored"), statement_id=OuterRef("statement_id")
        )
        queryset = queryset.filter(Exists(also))
    if not xreq.client.has_scope(*auth.READ_STATEMENTS):  # read/mine
        queryset = queryset.filter(statement__client=xreq.client)
    queryset = queryset.filter(
        ~Exists(Statement.objects.filter(voids=OuterRef("statement_id")))
    )
    return Selection(queryset, "statement_id", "stored", "statement__data"), bound


def _page(xreq: XAPIRequest, params: dict, *, bound, after=None) -> HttpResponse:
    params = dict(params)
    for name in ("related_activities", "related_agents", "ascending", "attachments"):
        params[name] = params.get(name, "false").lower()  # tincan sends "True"
        if params[name] not in ("true", "false"):
            raise XAPIValidationError(f"{name}: must be true or false")
    fmt = params.get("format", "exact")
    if fmt not in ("ids", "exact", "canonical"):
        raise XAPIValidationError("format: must be ids, exact or canonical")
    limit = _limit(xreq, params.get("limit", "0"))
    ascending = params.get("ascending") == "true"
    selection, bound = _selection(xreq, params, bound)
    queryset = selection.queryset
    id_, stored_ = selection.id, selection.stored
    if after is not None:
        # The plain bound lets the index scan start at the cursor; the OR
        # only sorts out the rows stored in the same millisecond.
        stored, last_id = after
        if ascending:
            queryset = queryset.filter(
                Q(**{f"{stored_}__gte": stored})
                & (
                    Q(**{f"{stored_}__gt": stored})
                    | Q(**{stored_: stored, f"{id_}__gt": last_id})
                )
            )
        else:
            queryset = queryset.filter(
                Q(**{f"{stored_}__lte": stored})
                & (
                    Q(**{f"{stored_}__lt": stored})
                    | Q(**{stored_: stored, f"{id_}__lt": last_id})
                )
            )
    order = (stored_, id_) if ascending else (f"-{stored_}", f"-{id_}")
    # The exact format answers the statements as stored: their JSON text goes
    # out as it comes from the database, neither decoded nor encoded again.
    raw = fmt == "exact" and params.get("attachments") != "true"
    if raw:
        queryset = queryset.annotate(text=Cast(selection.data, TextField()))
    rows = list(
        queryset.order_by(*order).values_list(
            id_, stored_, "text" if raw else selection.data
        )[: limit + 1]
    )
    more = ""
    if len(rows) > limit:
        rows = rows[:limit]
        last_id, last_stored, _ = rows[-1]
        token = signing.dumps(
            {
                "p": params,
                "b": bound.isoformat(),
                "a": [last_stored.isoformat(), str(last_id)],
                "c": xreq.client.pk,
            },
            salt=MORE_SALT,
            compress=True,
        )
        more = f"/xapi/statements/more/{token}"
    statements = [data for _, _, data in rows]
    if raw:
        statements = [text_for_reader(text, v2=xreq.v2) for text in statements]
    headers = {}
    if rows:
        newest = max(stored for _, stored, _ in rows)
        headers["Last_Modified"] = http_date(newest.timestamp())
    if raw:
        return _raw_result(statements, more, **headers)
    payload = {"statements": _formatted(xreq, statements, fmt), "more": more}
    if params.get("attachments") == "true":
        return _with_attachments(payload, statements, **headers)
    return json_response(payload, **headers)


def _raw_result(texts: list[str], more: str, **headers) -> HttpResponse:
    """A StatementResult from statements already serialised as JSON."""
    body = f'{{"statements": [{", ".join(texts)}], "more": {json.dumps(more)}}}'
    response = HttpResponse(body, content_type="application/json")
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def get_statements(xreq: XAPIRequest) -> HttpResponse:
    if "statementId" in xreq.params or "voidedStatementId" in xreq.params:
        return _get_one(xreq)
    check_params(xreq, QUERY_PARAMS)
    _readable(xreq)
    # Paging is stable: later pages see the statements stored up to now only.
    return _page(xreq, dict(xreq.params), bound=timezone.now())


def get_more(xreq: XAPIRequest, token: str) -> HttpResponse:
    check_params(xreq, set())
    try:
        state = signing.loads(token, salt=MORE_SALT)
    except signing.BadSignature:
        raise XAPIError(400, "more: unknown or tampered cursor") from None
    if state.get("c") != xreq.client.pk:
        raise XAPIError(403, "more: this cursor belongs to another client")
    bound = datetime.fromisoformat(state["b"])
    stored, last_id = state["a"]
    return _page(
        xreq,
        state["p"],
        bound=bound,
        after=(datetime.fromisoformat(stored), uuid.UUID(last_id)),
    )


def agent_param(xreq: XAPIRequest, name: str = "agent") -> dict:
    return identified_agent(json_param(xreq, name), name)
