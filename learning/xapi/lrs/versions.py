"""One store, two versions: a statement as stored, answered in the version asked for.

The store keeps each statement as it was accepted (its `version` included:
xAPI 2.0, Part Two 2.4.10). A 2.0 reader gets it unchanged: 1.0.x statements
are valid 2.0 statements. A 1.0.x reader gets a 2.0 statement converted the
way 1.0.3's Appendix A converts older statements: what 1.0.3 does not know
(context agents and groups) is left out and `version` says 1.0.0.
"""

import json

V2_ONLY_CONTEXT = ("contextAgents", "contextGroups")
# Cheap test on the stored JSON text: only statements containing one of these
# are decoded for a 1.0.x reader; the rest go out as stored.
MARKERS = (*V2_ONLY_CONTEXT, '"2.')


def _v1_context(holder: dict) -> dict:
    context = holder.get("context")
    if not isinstance(context, dict) or not any(k in context for k in V2_ONLY_CONTEXT):
        return holder
    context = {k: v for k, v in context.items() if k not in V2_ONLY_CONTEXT}
    if not context:
        return {k: v for k, v in holder.items() if k != "context"}
    return {**holder, "context": context}


def for_reader(data: dict, *, v2: bool) -> dict:
    """The statement `data` as a reader of that version sees it."""
    if v2:
        return data
    converted = _v1_context(data)
    obj = converted.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        sub = _v1_context(obj)
        if sub is not obj:
            converted = {**converted, "object": sub}
    if not str(converted.get("version", "1.0")).startswith("1.0"):
        converted = {**converted, "version": "1.0.0"}
    return converted


def text_for_reader(text: str, *, v2: bool) -> str:
    """The same for a statement's stored JSON text (the fast `exact` path)."""
    if v2 or not any(marker in text for marker in MARKERS):
        return text
    data = json.loads(text)
    converted = for_reader(data, v2=False)
    return text if converted is data else json.dumps(converted, ensure_ascii=False)
