"""Server-side scoring per question type, including partial credit and tolerance edges."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learning.quiz.scoring import (
    InvalidAnswer,
    parse_answer,
    read_number,
    score_attempt,
    score_question,
)

SINGLE = {
    "type": "single_choice",
    "choices": [
        {"id": "a", "correct": True},
        {"id": "b", "correct": False},
        {"id": "c", "correct": False},
    ],
}
MULTI = {
    "type": "multiple_choice",
    "partial_credit": "proportional",
    "choices": [
        {"id": "a", "correct": True},
        {"id": "b", "correct": True},
        {"id": "c", "correct": False},
    ],
}
NUMERIC = {"type": "numeric", "value": "12", "tolerance": "0.5", "unit": "mois"}
TEXT = {
    "type": "short_text",
    "accepted": ["Pseudonymisation"],
    "case_sensitive": False,
    "accent_sensitive": False,
}
ORDER = {"type": "ordering", "items": [{"id": "1"}, {"id": "2"}, {"id": "3"}]}
MATCH = {
    "type": "matching",
    "pairs": [{"id": "x"}, {"id": "y"}, {"id": "z"}, {"id": "w"}],
}
TRUE_FALSE = {"type": "true_false", "answer": False}  # fmt: skip


def score(question, raw):
    return score_question(question, parse_answer(question, raw))


@pytest.mark.parametrize(("raw", "expected"), [("a", 1), ("b", 0), (None, 0)])
def test_single_choice(raw, expected):
    """Single choice: the correct choice scores 1, anything else 0."""
    assert score(SINGLE, raw) == expected


@pytest.mark.parametrize(
    ("raw", "proportional", "all_or_nothing"),
    [
        (["a", "b"], 1, 1),
        (["a"], 0.5, 0),
        (["a", "c"], 0, 0),
        (["a", "b", "c"], 0.5, 0),
        (["c"], 0, 0),
    ],
)
def test_multiple_choice_partial_credit(raw, proportional, all_or_nothing):
    """Proportional: right minus wrong over the number right, never below 0."""
    assert score(MULTI, raw) == proportional
    assert score({**MULTI, "partial_credit": "all_or_nothing"}, raw) == all_or_nothing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 1),
        ("11.5", 1),
        ("12.5", 1),
        ("12,5", 1),
        ("12.5001", 0),
        ("11.4999", 0),
        ("1 2", 1),
    ],
)
def test_numeric_tolerance_edges(raw, expected):
    """Tolerance bounds are inclusive; a comma decimal is read as a point."""
    assert score(NUMERIC, raw) == expected


@pytest.mark.parametrize("raw", [True, ["12"], {"a": 1}, "12\x00"])
def test_numeric_rejects_wrong_types(raw):
    """A value no form field can post is an invalid answer."""
    with pytest.raises(InvalidAnswer):
        parse_answer(NUMERIC, raw)


@pytest.mark.parametrize("raw", ["douze", "nan", "inf", "1e999", "12 km", "12 mois ?"])
def test_numeric_text_is_kept_and_scores_zero(raw):
    """Text that is not a number is kept as typed (the review shows it) and scores 0."""
    assert parse_answer(NUMERIC, raw) == raw
    assert score(NUMERIC, raw) == 0
    assert read_number(raw, NUMERIC["unit"]) is None


@pytest.mark.parametrize(
    ("raw", "unit", "number"),
    [
        ("12 mois", "mois", "12"),
        ("12mois", "mois", "12"),
        ("1650 m", "m", "1650"),
        ("1\u202f650,5\u00a0m", "m", "1650.5"),
        ("-1.5e3 m", "m", "-1500"),
        ("1650 m", "", None),
        ("1650 M", "m", None),
    ],
)
def test_numeric_with_the_question_unit(raw, unit, number):
    """The question's own unit may follow the number; another unit may not."""
    read = read_number(raw, unit)
    assert (read if read is None else read.normalize()) == (
        None if number is None else Decimal(number).normalize()
    )


def test_numeric_answer_is_kept_as_typed_and_bounded():
    assert parse_answer(NUMERIC, "  12  mois ") == "12 mois"
    assert len(parse_answer(NUMERIC, "1" * 5000)) == 100
    assert score(NUMERIC, "12 mois") == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("pseudonymisation", 1),
        ("  PSEUDONYMISATION ", 1),
        ("pséudonymisation", 1),
        ("anonymisation", 0),
    ],
)
def test_short_text_case_and_accents(raw, expected):
    """Case and accents are ignored unless the trainer asked otherwise."""
    assert score(TEXT, raw) == expected


def test_short_text_case_sensitive():
    """A case-sensitive question refuses another case."""
    question = {**TEXT, "case_sensitive": True}
    assert score(question, "Pseudonymisation") == 1
    assert score(question, "pseudonymisation") == 0


def test_short_text_refuses_null_characters():
    """A NUL in a typed answer is refused (PostgreSQL's JSON cannot store it)."""
    with pytest.raises(InvalidAnswer, match="null characters"):
        parse_answer(TEXT, "pseudo\x00nymisation")


def test_true_false():
    """True/false compares booleans."""
    assert score(TRUE_FALSE, "false") == 1 and score(TRUE_FALSE, "true") == 0


def test_ordering_all_or_nothing():
    """An ordering scores only when the whole sequence is right."""
    assert score(ORDER, ["1", "2", "3"]) == 1
    assert score(ORDER, ["2", "1", "3"]) == 0
    with pytest.raises(InvalidAnswer):
        parse_answer(ORDER, ["1", "1", "3"])


def test_matching_proportional():
    """Matching gives credit per right pair."""
    assert score(MATCH, {"x": "x", "y": "y", "z": "w", "w": "z"}) == 0.5
    with pytest.raises(InvalidAnswer):
        parse_answer(MATCH, {"x": "nope"})


@pytest.mark.parametrize(
    ("question", "raw"),
    [(SINGLE, "zzz"), (SINGLE, ["a"]), (MULTI, ["a", "q"]), (MULTI, [1]), (TRUE_FALSE, "peut-être"),
     (TEXT, 42), (ORDER, "1,2,3"), (MATCH, ["x"])],
)  # fmt: skip
def test_wrong_shapes_are_invalid(question, raw):
    """Answers of the wrong type or shape, and out-of-range choices, are refused."""
    with pytest.raises(InvalidAnswer):
        parse_answer(question, raw)


QUESTIONS = [
    {**q, "key": f"q{i}"}
    for i, q in enumerate([SINGLE, MULTI, NUMERIC, TEXT, ORDER, MATCH, TRUE_FALSE])
]
payloads = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=8,
)


@given(st.dictionaries(st.sampled_from([q["key"] for q in QUESTIONS]), payloads))
def test_scorer_never_fails_nor_leaves_range(raw_answers):
    """Random payloads: either a clear InvalidAnswer, or a score within [0, 1]."""
    parsed = {}
    for q in QUESTIONS:
        try:
            parsed[q["key"]] = parse_answer(q, raw_answers.get(q["key"]))
        except InvalidAnswer:
            parsed[q["key"]] = None
    per_question, total = score_attempt(QUESTIONS, parsed)
    assert 0 <= total <= 1
    assert all(0 <= value <= 1 for value in per_question.values())
