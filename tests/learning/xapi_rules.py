"""A checker for the xAPI 1.0.3 statement rules our statements must follow."""

import re
import uuid
from datetime import datetime

IRI = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
DURATION = re.compile(
    r"^P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$"
)


def _language_map(value, where):
    assert isinstance(value, dict) and value, f"{where}: language map expected"
    for tag, text in value.items():
        assert LANGUAGE_TAG.match(tag), f"{where}: bad language tag {tag!r}"
        assert isinstance(text, str), f"{where}: text expected"


def _timestamp(value, where):
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, f"{where}: timestamp without offset"


def assert_valid_statement(statement: dict) -> None:
    """Raise AssertionError naming the first broken rule."""
    allowed = {"id", "actor", "verb", "object", "result", "context", "timestamp",
               "stored", "authority", "version", "attachments"}  # fmt: skip
    assert set(statement) <= allowed, f"unknown properties {set(statement) - allowed}"
    for required in ("id", "actor", "verb", "object"):
        assert required in statement, f"missing {required}"
    uuid.UUID(statement["id"])
    actor = statement["actor"]
    assert actor.get("objectType", "Agent") == "Agent"
    ifis = [
        key for key in ("mbox", "mbox_sha1sum", "openid", "account") if key in actor
    ]
    assert ifis == ["account"], "the actor must be identified by an account only"
    assert IRI.match(actor["account"]["homePage"]) and actor["account"]["name"]
    assert "name" not in actor, "the actor must not carry a name"
    verb = statement["verb"]
    assert IRI.match(verb["id"]), "verb id must be an IRI"
    _language_map(verb["display"], "verb.display")
    obj = statement["object"]
    assert obj.get("objectType", "Activity") == "Activity"
    assert IRI.match(obj["id"]), "activity id must be an absolute IRI"
    if "definition" in obj:
        definition = obj["definition"]
        if "name" in definition:
            _language_map(definition["name"], "definition.name")
        if "type" in definition:
            assert IRI.match(definition["type"])
    _timestamp(statement["timestamp"], "timestamp")
    if "stored" in statement:
        _timestamp(statement["stored"], "stored")
    if "result" in statement:
        result = statement["result"]
        if "duration" in result:
            assert DURATION.match(result["duration"]), "ISO 8601 duration expected"
        if "score" in result and "scaled" in result["score"]:
            assert -1 <= result["score"]["scaled"] <= 1
    if "context" in statement:
        context = statement["context"]
        if "registration" in context:
            uuid.UUID(context["registration"])
        if "language" in context:
            assert LANGUAGE_TAG.match(context["language"])
        for activities in context.get("contextActivities", {}).values():
            assert isinstance(activities, list)
            for item in activities:
                assert IRI.match(item["id"])
