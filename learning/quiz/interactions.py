"""cmi.interaction activity definitions and responses, as xAPI 1.0.3 defines them
for each interaction type (Data 2.4.4.1, "Interaction Activities")."""

from decimal import Decimal

from django.conf import settings

from tincan import (
    Activity,
    ActivityDefinition,
    InteractionComponent,
    InteractionComponentList,
    LanguageMap,
)

from learning.xapi import vocabulary

from .scoring import read_number

INTERACTION_TYPES = {
    "single_choice": "choice",
    "multiple_choice": "choice",
    "true_false": "true-false",
    "numeric": "numeric",
    "short_text": "fill-in",
    "ordering": "sequencing",
    "matching": "matching",
}


def question_iri(question: dict) -> str:
    """Stable IRI of a question: its block id survives edits of its text."""
    return f"{settings.SITE_BASE_URL}/activities/question/{question['id']}"


def _components(
    items: list[tuple[str, str]], language: str
) -> InteractionComponentList:
    return InteractionComponentList(
        [
            InteractionComponent(id=key, description=LanguageMap({language: text}))
            for key, text in items
        ]
    )


def _by_id(choices: list[dict]) -> list[dict]:
    """Choices in a fixed order, whatever order this attempt displayed them in:
    the activity's definition is then the same for every learner, and the LRS
    does not rewrite it on each submission (xapi.Activity)."""
    return sorted(choices, key=lambda choice: choice["id"])


def correct_responses_pattern(question: dict) -> list[str]:
    kind = question["type"]
    if kind in ("single_choice", "multiple_choice"):
        return [
            "[,]".join(c["id"] for c in _by_id(question["choices"]) if c["correct"])
        ]
    if kind == "true_false":
        return ["true" if question["answer"] else "false"]
    if kind == "numeric":
        value, tolerance = Decimal(question["value"]), Decimal(question["tolerance"])
        if tolerance:
            return [f"{value - tolerance}[:]{value + tolerance}"]
        return [str(value)]
    if kind == "short_text":
        case = "true" if question["case_sensitive"] else "false"
        return [f"{{case_matters={case}}}{answer}" for answer in question["accepted"]]
    if kind == "ordering":
        return ["[,]".join(item["id"] for item in question["items"])]
    if kind == "matching":
        return ["[,]".join(f"{p['id']}[.]{p['id']}" for p in question["pairs"])]
    return []


def question_activity(question: dict, language: str) -> Activity:
    """The question as a cmi.interaction activity with its full definition.

    Its texts are tagged with the question's language (an English attempt may
    show an untranslated French question); the LRS merges the languages of one
    question (same id) into one definition."""
    language = question.get("lang") or language
    kind = question["type"]
    definition = ActivityDefinition(
        type=vocabulary.INTERACTION,
        name=LanguageMap({language: _plain(question["prompt"])}),
        interaction_type=INTERACTION_TYPES[kind],
        correct_responses_pattern=correct_responses_pattern(question),
    )
    if kind in ("single_choice", "multiple_choice"):
        definition.choices = _components(
            [(c["id"], c["text"]) for c in _by_id(question["choices"])], language
        )
    elif kind == "ordering":
        definition.choices = _components(
            [(item["id"], item["text"]) for item in question["items"]], language
        )
    elif kind == "matching":
        definition.source = _components(
            [(p["id"], p["left"]) for p in question["pairs"]], language
        )
        definition.target = _components(
            [(p["id"], p["right"]) for p in question["pairs"]], language
        )
    return Activity(id=question_iri(question), definition=definition)


def response_string(question: dict, answer) -> str:
    """The learner's answer in the response format of the interaction type."""
    if answer is None:
        return ""
    kind = question["type"]
    if kind == "multiple_choice":
        return "[,]".join(answer)
    if kind == "true_false":
        return "true" if answer else "false"
    if kind == "ordering":
        return "[,]".join(answer)
    if kind == "matching":
        return "[,]".join(f"{left}[.]{right}" for left, right in answer.items())
    if kind == "numeric":
        number = read_number(answer, question.get("unit", ""))
        return str(answer) if number is None else format(number, "f")
    return str(answer)


def _plain(text: str) -> str:
    """A question prompt as plain text for the activity name (no Markdown marks)."""
    from courses.markdown import markdown_text

    return markdown_text(text)[:1000]
