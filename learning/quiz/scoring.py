"""Scoring, on the server only. Every function returns a fraction in [0, 1].

`parse_answer` turns what a form posted into the stored answer shape and
raises InvalidAnswer (a 400 for the view) for anything of the wrong type,
shape or range. A numeric answer is kept as the learner typed it (bounded):
`read_number` reads it when scoring ("1 650,5", "1650 m" for a question in m),
and one that is not a number scores 0 with a message for that question only.
"""

import unicodedata
from decimal import Decimal, InvalidOperation

MAX_TEXT = 500
MAX_NUMBER_TEXT = 100
LARGEST_NUMBER = Decimal("1e15")


class InvalidAnswer(ValueError):
    """The posted answer does not fit the question (wrong type, unknown choice...)."""


def _choice_ids(question: dict) -> set[str]:
    return {choice["id"] for choice in question["choices"]}


def parse_answer(question: dict, raw) -> object:
    """Normalise one question's raw answer; None means "not answered"."""
    kind = question["type"]
    if raw in (None, "", [], {}):
        return None
    if kind == "single_choice":
        if not isinstance(raw, str) or raw not in _choice_ids(question):
            raise InvalidAnswer("unknown choice")
        return raw
    if kind == "multiple_choice":
        values = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(v, str) for v in values):
            raise InvalidAnswer("choices must be identifiers")
        if not set(values) <= _choice_ids(question):
            raise InvalidAnswer("unknown choice")
        return sorted(set(values))
    if kind == "true_false":
        if raw not in ("true", "false", True, False):
            raise InvalidAnswer("true or false expected")
        return raw in ("true", True)
    if kind == "numeric":
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise InvalidAnswer("a number is expected")
        if "\x00" in str(raw):  # kept as typed: PostgreSQL's JSON refuses it
            raise InvalidAnswer("null characters are not allowed")
        return " ".join(str(raw).split())[:MAX_NUMBER_TEXT] or None
    if kind == "short_text":
        if not isinstance(raw, str):
            raise InvalidAnswer("text expected")
        if "\x00" in raw:  # as Django's forms: PostgreSQL's JSON refuses it
            raise InvalidAnswer("null characters are not allowed")
        return raw.strip()[:MAX_TEXT]
    if kind == "ordering":
        item_ids = [item["id"] for item in question["items"]]
        if not isinstance(raw, list) or sorted(map(str, raw)) != sorted(item_ids):
            raise InvalidAnswer("every item must be placed exactly once")
        return [str(item) for item in raw]
    if kind == "matching":
        ids = [pair["id"] for pair in question["pairs"]]
        if not isinstance(raw, dict) or not set(raw) <= set(ids):
            raise InvalidAnswer("unknown item")
        if not all(isinstance(v, str) and v in ids for v in raw.values()):
            raise InvalidAnswer("unknown match")
        return {key: raw[key] for key in ids if key in raw}
    raise InvalidAnswer(f"unknown question type {kind!r}")


def read_number(text, unit: str = "") -> Decimal | None:
    """The number in a typed numeric answer, or None if it is not one.

    Spaces (thin, non-breaking) group digits, a comma is a decimal point, and
    the question's own unit may follow the number ("1650 m", "1650m").
    """
    text = " ".join(str(text).split())
    unit = " ".join(unit.split())
    if unit and text.endswith(unit):
        text = text[: -len(unit)]
    compact = text.replace(" ", "").replace(",", ".")
    try:
        number = Decimal(compact)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) > LARGEST_NUMBER:
        return None
    return number


def normalise_text(text: str, *, case_sensitive: bool, accent_sensitive: bool) -> str:
    text = " ".join(text.split())
    if not accent_sensitive:
        text = "".join(
            c
            for c in unicodedata.normalize("NFKD", text)
            if not unicodedata.combining(c)
        )
    return text if case_sensitive else text.casefold()


def score_question(question: dict, answer) -> float:
    """The fraction of the question's point earned by `answer` (already parsed)."""
    if answer is None:
        return 0.0
    kind = question["type"]
    if kind == "single_choice":
        return float(
            any(c["id"] == answer and c["correct"] for c in question["choices"])
        )
    if kind == "multiple_choice":
        correct = {c["id"] for c in question["choices"] if c["correct"]}
        chosen = set(answer)
        if question.get("partial_credit") == "all_or_nothing":
            return float(chosen == correct)
        right = len(chosen & correct)
        wrong = len(chosen - correct)
        return max(0.0, (right - wrong) / len(correct))
    if kind == "true_false":
        return float(answer is question["answer"])
    if kind == "numeric":
        number = read_number(answer, question.get("unit", ""))
        if number is None:
            return 0.0
        difference = abs(number - Decimal(question["value"]))
        return float(difference <= Decimal(question["tolerance"]))
    if kind == "short_text":
        options = {
            "case_sensitive": question["case_sensitive"],
            "accent_sensitive": question["accent_sensitive"],
        }
        given = normalise_text(answer, **options)
        return float(
            any(given == normalise_text(a, **options) for a in question["accepted"])
        )
    if kind == "ordering":
        return float(answer == [item["id"] for item in question["items"]])
    if kind == "matching":
        pairs = question["pairs"]
        return sum(1 for pair in pairs if answer.get(pair["id"]) == pair["id"]) / len(
            pairs
        )
    return 0.0


def score_attempt(
    questions: list[dict], answers: dict
) -> tuple[dict[str, float], float]:
    """Per-question fractions and the overall score in [0, 1]."""
    per_question = {
        q["key"]: round(score_question(q, answers.get(q["key"])), 4) for q in questions
    }
    total = sum(per_question.values()) / len(questions) if questions else 0.0
    return per_question, min(1.0, max(0.0, round(total, 4)))


def model_answers(questions: list[dict]) -> dict:
    """Raw answers that score 1 on every question (demo learners, tests)."""
    answers = {}
    for q in questions:
        key, kind = q["key"], q["type"]
        if kind == "single_choice":
            answers[key] = next(c["id"] for c in q["choices"] if c["correct"])
        elif kind == "multiple_choice":
            answers[key] = [c["id"] for c in q["choices"] if c["correct"]]
        elif kind == "true_false":
            answers[key] = "true" if q["answer"] else "false"
        elif kind == "numeric":
            answers[key] = q["value"]
        elif kind == "short_text":
            answers[key] = q["accepted"][0]
        elif kind == "ordering":
            answers[key] = [item["id"] for item in q["items"]]
        elif kind == "matching":
            answers[key] = {p["id"]: p["id"] for p in q["pairs"]}
    return answers
