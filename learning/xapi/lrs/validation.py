"""Statement validation: xAPI 1.0.3 Part Two (statement rules) as the LRS applies them,
and xAPI 2.0 (IEEE 9274.1.1-2023) where a 2.0 request differs (`v2=True`: context
agents and groups, time zones required, 2.0.x versions).

Every function raises `XAPIValidationError` with a message naming the property
(as a JSON path) and the problem; the API answers 400 with it. The checks never
raise anything else, whatever the input (the Hypothesis tests make sure).
"""

import json
import re
import uuid
from datetime import UTC, datetime

UUID_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE
)
# An absolute IRI: a scheme, then no whitespace, control or other characters
# IRIs forbid.
IRI_RE = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>"{}|\\^`\x00-\x1f\x7f]+$')
# RFC 5646 language tags (well-formedness), plus the "und" the spec allows.
LANGUAGE_TAG_RE = re.compile(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?$"
    r"|^[Xx](?:-[A-Za-z0-9]{1,8})+$"
)
MAILTO_RE = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")
SHA2_RE = re.compile(
    r"^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$"
)
# ISO 8601 durations: weeks stand alone (PnW); the other units combine.
DURATION_RE = re.compile(
    r"^P(?!$)(?:\d+(?:\.\d+)?W"
    r"|(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?)$"
)
# ISO 8601 / RFC 3339 (which also allows a space between date and time).
TIMESTAMP_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
VERSION_RE = re.compile(r"^1\.0(?:\.\d+)?$")
# A 2.0 request may carry statements of either version (Part Two 2.4.10).
VERSION_2_RE = re.compile(r"^[12]\.0(?:\.\d+)?$")
MAX_IRI_BYTES = 2048

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
INTERACTION_TYPES = {
    "true-false": set(),
    "choice": {"choices"},
    "fill-in": set(),
    "long-fill-in": set(),
    "matching": {"source", "target"},
    "performance": {"steps"},
    "sequencing": {"choices"},
    "likert": {"scale"},
    "numeric": set(),
    "other": set(),
}
COMPONENT_LISTS = {"choices", "scale", "source", "target", "steps"}


class XAPIValidationError(ValueError):
    """A statement or parameter breaks an xAPI rule; the message says which."""


MAX_JSON_DEPTH = 64
# Lone UTF-16 surrogates: JSON escapes can spell them, UTF-8 cannot encode them,
# so a statement holding one could be stored but never served again.
LONE_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _check_text(text: str, where: str) -> None:
    if LONE_SURROGATE_RE.search(text):
        raise XAPIValidationError(
            f"{where}: a string holds a lone UTF-16 surrogate (not valid Unicode)"
        )


def parse_json(raw: bytes | str, where: str):
    """json.loads that answers 400 for malformed or absurdly nested JSON, NaN,
    infinite numbers (1e400) and strings that are not valid Unicode."""
    try:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        value = json.loads(raw, parse_float=_finite, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        message = "nested too deeply" if isinstance(error, RecursionError) else error
        raise XAPIValidationError(f"{where}: malformed JSON ({message})") from None
    stack = [(value, 1)]
    while stack:  # iterative: the checks below recurse, so bound the depth first
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise XAPIValidationError(
                f"{where}: JSON nested deeper than {MAX_JSON_DEPTH} levels"
            )
        if isinstance(item, dict):
            for key in item:
                _check_text(key, where)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            _check_text(item, where)
    return value


def storable(value, where: str) -> None:
    """Refuse NUL characters anywhere in a statement: PostgreSQL cannot store
    them in text or JSON, and no xAPI property needs one."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and "\x00" in item:
            raise XAPIValidationError(f"{where}: a string holds a NUL character")


def fail(path: str, problem: str):
    raise XAPIValidationError(f"{path}: {problem}")


def _object(value, path: str, allowed: set[str], required=()) -> dict:
    if not isinstance(value, dict):
        fail(path, "must be a JSON object")
    unknown = set(value) - allowed
    if unknown:
        fail(path, f"unknown properties {sorted(unknown)}")
    for key in required:
        if key not in value:
            fail(path, f"missing required property {key!r}")
    return value


def _string(value, path: str) -> str:
    if not isinstance(value, str):
        fail(path, "must be a string")
    return value


def _bool(value, path: str) -> bool:
    if not isinstance(value, bool):
        fail(path, "must be true or false")
    return value


def _number(value, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(path, "must be a number")
    if value != value or value in (float("inf"), float("-inf")):
        fail(path, "must be a finite number")
    return value


def iri(value, path: str) -> str:
    _string(value, path)
    if not IRI_RE.match(value):
        fail(path, f"{value[:100]!r} is not an absolute IRI")
    if len(value.encode("utf-8", "surrogatepass")) > MAX_IRI_BYTES:
        fail(path, f"IRIs longer than {MAX_IRI_BYTES} bytes are not accepted")
    return value


def uuid_string(value, path: str) -> str:
    _string(value, path)
    if not UUID_RE.match(value):
        fail(path, f"{value[:60]!r} is not a UUID")
    return value


def timestamp(value, path: str, *, zone: bool = False) -> datetime:
    """Parse an ISO 8601 timestamp; no offset means UTC; -00:00 is refused (RFC 3339).

    `zone`: the offset is required (xAPI 2.0 statements).
    """
    _string(value, path)
    match = TIMESTAMP_RE.match(value)
    if not match or value.endswith("-00:00") or value.endswith("-0000"):
        fail(path, f"{value[:60]!r} is not an ISO 8601 timestamp")
    if zone and not match.group(1):
        fail(path, f"{value[:60]!r} has no time zone (xAPI 2.0 requires one)")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(path, f"{value[:60]!r} is not a valid date and time")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:  # 9999-12-31T23:59:59-23:59 parses, but is past year 9999 in UTC
        # In UTC: PostgreSQL refuses offsets past ±15:59, which ISO 8601 allows.
        return parsed.astimezone(UTC)
    except OverflowError:
        fail(path, f"{value[:60]!r} is out of the supported range (years 1 to 9999)")


def language_map(value, path: str) -> dict:
    if not isinstance(value, dict):
        fail(path, "must be a language map (a JSON object)")
    for tag, text in value.items():
        if not LANGUAGE_TAG_RE.match(tag):
            fail(path, f"{tag[:40]!r} is not an RFC 5646 language tag")
        _string(text, f"{path}.{tag}")
    return value


def extensions(value, path: str) -> dict:
    if not isinstance(value, dict):
        fail(path, "must be a JSON object")
    for key in value:
        iri(key, f"{path} key")
    return value


def duration(value, path: str) -> str:
    _string(value, path)
    if not DURATION_RE.match(value):
        fail(path, f"{value[:60]!r} is not an ISO 8601 duration")
    return value


def ifis_of(value: dict) -> list[str]:
    return [
        key for key in ("mbox", "mbox_sha1sum", "openid", "account") if key in value
    ]


def _ifi(value: dict, path: str) -> None:
    if "mbox" in value:
        _string(value["mbox"], f"{path}.mbox")
        if not MAILTO_RE.match(value["mbox"]):
            fail(f"{path}.mbox", "must be a mailto: IRI with an e-mail address")
    if "mbox_sha1sum" in value:
        _string(value["mbox_sha1sum"], f"{path}.mbox_sha1sum")
        if not SHA1_RE.match(value["mbox_sha1sum"]):
            fail(f"{path}.mbox_sha1sum", "must be a hex-encoded SHA-1 hash")
    if "openid" in value:
        iri(value["openid"], f"{path}.openid")
    if "account" in value:
        account = _object(
            value["account"],
            f"{path}.account",
            {"homePage", "name"},
            ("homePage", "name"),
        )
        iri(account["homePage"], f"{path}.account.homePage")
        _string(account["name"], f"{path}.account.name")


AGENT_KEYS = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}


def agent(value, path: str, *, object_type_required: bool = False) -> dict:
    """An Agent or a Group (identified or anonymous)."""
    if not isinstance(value, dict):
        fail(path, "must be a JSON object")
    kind = value.get("objectType", None if object_type_required else "Agent")
    if kind == "Group":
        return group(value, path)
    if kind != "Agent":
        fail(f"{path}.objectType", "must be 'Agent' or 'Group'")
    _object(value, path, AGENT_KEYS)
    if len(ifis_of(value)) != 1:
        fail(path, "an Agent needs exactly one of mbox, mbox_sha1sum, openid, account")
    _ifi(value, path)
    if "name" in value:
        _string(value["name"], f"{path}.name")
    return value


def group(value, path: str) -> dict:
    _object(value, path, AGENT_KEYS | {"member"})
    if value.get("objectType") != "Group":
        fail(f"{path}.objectType", "a Group must say objectType 'Group'")
    ifis = ifis_of(value)
    if len(ifis) > 1:
        fail(path, "a Group has at most one inverse functional identifier")
    _ifi(value, path)
    if "name" in value:
        _string(value["name"], f"{path}.name")
    if "member" in value or not ifis:
        members = value.get("member")
        if not isinstance(members, list):
            fail(f"{path}.member", "must be a list of Agents")
        if not ifis and not members:
            fail(f"{path}.member", "an anonymous Group needs at least one member")
        for index, member in enumerate(members):
            where = f"{path}.member[{index}]"
            if isinstance(member, dict) and member.get("objectType") == "Group":
                fail(where, "a Group member must be an Agent")
            agent(member, where)
    return value


def identified_agent(value, path: str) -> dict:
    """An Agent or identified Group (document and filter parameters)."""
    agent(value, path)
    if not ifis_of(value):
        fail(path, "must be an Agent or an identified Group")
    return value


def verb(value, path: str = "verb") -> dict:
    _object(value, path, {"id", "display"}, ("id",))
    iri(value["id"], f"{path}.id")
    if "display" in value:
        language_map(value["display"], f"{path}.display")
    return value


def _components(value, path: str) -> None:
    if not isinstance(value, list):
        fail(path, "must be a list of interaction components")
    seen = set()
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        _object(item, where, {"id", "description"}, ("id",))
        _string(item["id"], f"{where}.id")
        if item["id"] in seen:
            fail(f"{where}.id", "interaction component ids must be unique")
        seen.add(item["id"])
        if "description" in item:
            language_map(item["description"], f"{where}.description")


DEFINITION_KEYS = {
    "name",
    "description",
    "type",
    "moreInfo",
    "extensions",
    "interactionType",
    "correctResponsesPattern",
} | COMPONENT_LISTS


def definition(value, path: str) -> dict:
    _object(value, path, DEFINITION_KEYS)
    for key in ("name", "description"):
        if key in value:
            language_map(value[key], f"{path}.{key}")
    for key in ("type", "moreInfo"):
        if key in value:
            iri(value[key], f"{path}.{key}")
    if "extensions" in value:
        extensions(value["extensions"], f"{path}.extensions")
    interaction = value.get("interactionType")
    if interaction is not None and (
        not isinstance(interaction, str) or interaction not in INTERACTION_TYPES
    ):
        fail(f"{path}.interactionType", f"{str(interaction)[:40]!r} is not allowed")
    if "correctResponsesPattern" in value:
        if interaction is None:
            fail(path, "correctResponsesPattern needs an interactionType")
        pattern = value["correctResponsesPattern"]
        if not isinstance(pattern, list):
            fail(f"{path}.correctResponsesPattern", "must be a list of strings")
        for index, item in enumerate(pattern):
            _string(item, f"{path}.correctResponsesPattern[{index}]")
    for key in COMPONENT_LISTS & set(value):
        if interaction is None or key not in INTERACTION_TYPES[interaction]:
            fail(f"{path}.{key}", f"not allowed for interactionType {interaction!r}")
        _components(value[key], f"{path}.{key}")
    return value


def activity(value, path: str) -> dict:
    _object(value, path, {"objectType", "id", "definition"}, ("id",))
    if value.get("objectType", "Activity") != "Activity":
        fail(f"{path}.objectType", "must be 'Activity'")
    iri(value["id"], f"{path}.id")
    if "definition" in value:
        definition(value["definition"], f"{path}.definition")
    return value


def statement_ref(value, path: str) -> dict:
    _object(value, path, {"objectType", "id"}, ("objectType", "id"))
    if value["objectType"] != "StatementRef":
        fail(f"{path}.objectType", "must be 'StatementRef'")
    uuid_string(value["id"], f"{path}.id")
    return value


def statement_object(
    value, path: str, *, in_substatement: bool = False, v2: bool = False
) -> dict:
    if not isinstance(value, dict):
        fail(path, "must be a JSON object")
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        return activity(value, path)
    if kind in ("Agent", "Group"):
        return agent(value, path)
    if kind == "StatementRef":
        return statement_ref(value, path)
    if kind == "SubStatement":
        if in_substatement:
            fail(f"{path}.objectType", "a SubStatement cannot contain a SubStatement")
        return substatement(value, path, v2=v2)
    fail(f"{path}.objectType", f"{str(kind)[:40]!r} is not a valid objectType")


def score(value, path: str) -> dict:
    _object(value, path, {"scaled", "raw", "min", "max"})
    for key in value:
        _number(value[key], f"{path}.{key}")
    if "scaled" in value and not -1 <= value["scaled"] <= 1:
        fail(f"{path}.scaled", "must be between -1 and 1")
    low, high = value.get("min"), value.get("max")
    if low is not None and high is not None and low >= high:
        fail(path, "min must be less than max")
    if "raw" in value:
        if low is not None and value["raw"] < low:
            fail(f"{path}.raw", "must not be less than min")
        if high is not None and value["raw"] > high:
            fail(f"{path}.raw", "must not be more than max")
    return value


def result(value, path: str = "result") -> dict:
    _object(
        value,
        path,
        {"score", "success", "completion", "response", "duration", "extensions"},
    )
    if "score" in value:
        score(value["score"], f"{path}.score")
    for key in ("success", "completion"):
        if key in value:
            _bool(value[key], f"{path}.{key}")
    if "response" in value:
        _string(value["response"], f"{path}.response")
    if "duration" in value:
        duration(value["duration"], f"{path}.duration")
    if "extensions" in value:
        extensions(value["extensions"], f"{path}.extensions")
    return value


CONTEXT_KEYS = {
    "registration",
    "instructor",
    "team",
    "contextActivities",
    "revision",
    "platform",
    "language",
    "statement",
    "extensions",
}
CONTEXT_KEYS_2 = CONTEXT_KEYS | {"contextAgents", "contextGroups"}


def _relevant_types(value: dict, path: str) -> None:
    if "relevantTypes" in value:
        types = value["relevantTypes"]
        if not isinstance(types, list) or not types:
            fail(f"{path}.relevantTypes", "must be a non-empty list of IRIs")
        for index, item in enumerate(types):
            iri(item, f"{path}.relevantTypes[{index}]")


def _context_agent(value, path: str) -> None:
    if isinstance(value, dict) and value.get("objectType") == "Group":
        fail(path, "must be an Agent (Groups go in contextGroups)")
    agent(value, path)


# xAPI 2.0 context agents and groups: list key -> (objectType, member key, check).
CONTEXT_MEMBERS = {
    "contextAgents": ("contextAgent", "agent", _context_agent),
    "contextGroups": ("contextGroup", "group", group),
}


def context_members(value, path: str, key: str) -> None:
    """contextAgents / contextGroups: [{objectType, agent|group, relevantTypes}]."""
    object_type, member, check = CONTEXT_MEMBERS[key]
    if not isinstance(value, list):
        fail(path, f"must be a list of {object_type} objects")
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        _object(
            item, where, {"objectType", member, "relevantTypes"}, ("objectType", member)
        )
        if item["objectType"] != object_type:
            fail(f"{where}.objectType", f"must be {object_type!r}")
        check(item[member], f"{where}.{member}")
        _relevant_types(item, where)


def context(value, path: str, object_kind: str, *, v2: bool = False) -> dict:
    _object(value, path, CONTEXT_KEYS_2 if v2 else CONTEXT_KEYS)
    for key in CONTEXT_MEMBERS.keys() & value.keys():
        context_members(value[key], f"{path}.{key}", key)
    if "registration" in value:
        uuid_string(value["registration"], f"{path}.registration")
    if "instructor" in value:
        agent(value["instructor"], f"{path}.instructor")
    if "team" in value:
        if (
            not isinstance(value["team"], dict)
            or value["team"].get("objectType") != "Group"
        ):
            fail(f"{path}.team", "must be a Group")
        group(value["team"], f"{path}.team")
    if "contextActivities" in value:
        activities = _object(
            value["contextActivities"],
            f"{path}.contextActivities",
            {"parent", "grouping", "category", "other"},
        )
        for key, items in activities.items():
            where = f"{path}.contextActivities.{key}"
            for index, item in enumerate(items if isinstance(items, list) else [items]):
                activity(item, f"{where}[{index}]")
    for key in ("revision", "platform"):
        if key in value:
            _string(value[key], f"{path}.{key}")
            if object_kind != "Activity":
                fail(f"{path}.{key}", "only allowed when the object is an Activity")
    if "language" in value:
        _string(value["language"], f"{path}.language")
        if not LANGUAGE_TAG_RE.match(value["language"]):
            fail(f"{path}.language", "is not an RFC 5646 language tag")
    if "statement" in value:
        statement_ref(value["statement"], f"{path}.statement")
    if "extensions" in value:
        extensions(value["extensions"], f"{path}.extensions")
    return value


ATTACHMENT_KEYS = {
    "usageType",
    "display",
    "description",
    "contentType",
    "length",
    "sha2",
    "fileUrl",
}


def attachments(value, path: str = "attachments") -> list:
    if not isinstance(value, list):
        fail(path, "must be a list")
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        _object(
            item,
            where,
            ATTACHMENT_KEYS,
            ("usageType", "display", "contentType", "length", "sha2"),
        )
        iri(item["usageType"], f"{where}.usageType")
        language_map(item["display"], f"{where}.display")
        if "description" in item:
            language_map(item["description"], f"{where}.description")
        _string(item["contentType"], f"{where}.contentType")
        if (
            isinstance(item["length"], bool)
            or not isinstance(item["length"], int)
            or item["length"] < 0
        ):
            fail(f"{where}.length", "must be a non-negative integer")
        _string(item["sha2"], f"{where}.sha2")
        if not SHA2_RE.match(item["sha2"]):
            fail(f"{where}.sha2", "must be a hex-encoded SHA-2 hash")
        if "fileUrl" in item:
            iri(item["fileUrl"], f"{where}.fileUrl")
    return value


def _core(value: dict, path: str, *, in_substatement: bool, v2: bool) -> None:
    agent(value["actor"], f"{path}actor")
    verb(value["verb"], f"{path}verb")
    obj = statement_object(
        value["object"], f"{path}object", in_substatement=in_substatement, v2=v2
    )
    if value["verb"]["id"] == VOIDED and not in_substatement:
        if obj.get("objectType") != "StatementRef":
            fail(f"{path}object", "a voiding statement's object must be a StatementRef")
    if "result" in value:
        result(value["result"], f"{path}result")
    if "context" in value:
        kind = obj.get("objectType", "Activity")
        context(value["context"], f"{path}context", kind, v2=v2)
    if "timestamp" in value:
        timestamp(value["timestamp"], f"{path}timestamp", zone=v2)
    if "attachments" in value:
        attachments(value["attachments"], f"{path}attachments")


def substatement(value, path: str, *, v2: bool = False) -> dict:
    _object(
        value,
        path,
        {"objectType", "actor", "verb", "object", "result", "context", "timestamp",
         "attachments"},
        ("actor", "verb", "object"),
    )  # fmt: skip
    _core(value, f"{path}.", in_substatement=True, v2=v2)
    return value


STATEMENT_KEYS = {
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
}


def validate_statement(value, path: str = "statement", *, v2: bool = False) -> dict:
    """Check one statement against xAPI 1.0.3 Part Two (or 2.0 with `v2`);
    returns it unchanged."""
    _object(value, path, STATEMENT_KEYS, ("actor", "verb", "object"))
    prefix = "" if path == "statement" else f"{path}."
    storable(value, path)
    if "id" in value:
        uuid_string(value["id"], f"{prefix}id")
    _core(value, prefix, in_substatement=False, v2=v2)
    if "stored" in value:
        timestamp(value["stored"], f"{prefix}stored", zone=v2)
    if "version" in value:
        _string(value["version"], f"{prefix}version")
        if not (VERSION_2_RE if v2 else VERSION_RE).match(value["version"]):
            allowed = "a 1.0.x or 2.0.x" if v2 else "a 1.0.x"
            fail(f"{prefix}version", f"must be {allowed} version")
    if "authority" in value:
        authority = agent(value["authority"], f"{prefix}authority")
        # A Group authority is the OAuth three-legged pair (client and user):
        # anonymous, exactly two Agents (Part Two 2.4.9).
        if authority.get("objectType") == "Group":
            if ifis_of(authority):
                fail(f"{prefix}authority", "a Group authority must be anonymous")
            if len(authority.get("member") or []) != 2:
                fail(f"{prefix}authority", "a Group authority has exactly two Agents")
    return value


def normalise(value: dict) -> dict:
    """The form the LRS stores: an id, and contextActivities values as lists."""
    data = dict(value)
    data["id"] = str(uuid.UUID(data["id"])) if "id" in data else str(uuid.uuid4())
    for holder in (
        data,
        data.get("object") if isinstance(data.get("object"), dict) else {},
    ):
        ctx = holder.get("context")
        if isinstance(ctx, dict) and isinstance(ctx.get("contextActivities"), dict):
            ctx = holder["context"] = dict(ctx)
            ctx["contextActivities"] = {
                key: items if isinstance(items, list) else [items]
                for key, items in ctx["contextActivities"].items()
            }
    return data
