"""Data-exercise questions: answers read from the file when the trainer saves, then
graded, recorded and kept secret exactly like numeric and short-text questions."""

import uuid

from django.core.exceptions import ValidationError
from django.utils import translation

import h5py
import numpy as np
import pytest

from courses.questions import QuestionsBlock
from courses.quizzes import QuestionPool, QuizPage, QuizPoolDraw
from learning import progress
from learning.quiz import attempts
from learning.quiz.interactions import correct_responses_pattern
from learning.xapi import vocabulary
from learning.xapi.models import Statement
from tests.learning.xapi_rules import assert_valid_statement
from tests.quiz.conftest import perfect_answers

pytestmark = pytest.mark.django_db

BLOCK = QuestionsBlock().child_blocks["hdf5"]


@pytest.fixture
def exercise_document(tmp_path, make_document):
    path = tmp_path / "exercice.h5"
    with h5py.File(path, "w") as f:
        f.attrs["title"] = "Spectromètre"
        run = f.create_group("run1")
        run.attrs["operator"] = "Inès"
        run.attrs["gain"] = 2.5
        signal = run.create_dataset(
            "signal", data=np.arange(1, 13, dtype="float32").reshape(3, 4) * 1.5
        )
        signal.attrs.update(units="millivolt", long_name="detector signal")
        counts = run.create_dataset("counts", data=np.array([3, 9, 27, 81]))
        counts.attrs.update(units="1", long_name="photon counts")
        run.create_dataset("wavelength", data=np.linspace(400, 700, 4))
        f["run1/wavelength"].attrs["long_name"] = "wavelength"  # no units
        f["run1/labels"] = np.array([b"a", b"b"])
        f["run1/labels"].attrs["units"] = "none"
        f["scalar"] = 7.0
    return make_document(path, title="Spectromètre")


def raw_question(document, kind, path, **extra):
    return {
        "prompt": extra.pop("prompt", f"Question ({kind} de {path}) ?"),
        "feedback": extra.pop("feedback", ""),
        "document": document.pk,
        "kind": kind,
        "path": path,
        "attribute": extra.pop("attribute", ""),
        "decimals": extra.pop("decimals", 2),
        "tolerance": extra.pop("tolerance", "0"),
        "unit": extra.pop("unit", ""),
        "answer": extra.pop("answer", ""),
    }


def authored(document, kind, path, **extra):
    """What saving the question in the editor stores (the block's clean())."""
    return BLOCK.clean(BLOCK.to_python(raw_question(document, kind, path, **extra)))


def stream_item(document, kind, path, **extra):
    value = authored(document, kind, path, **extra)
    return {
        "type": "hdf5",
        "value": BLOCK.get_prep_value(value),
        "id": str(uuid.uuid4()),
    }


@pytest.mark.parametrize(
    ("kind", "path", "extra", "answer", "snapshot_type"),
    [
        ("attribute", "/run1/signal", {"attribute": "units"}, "millivolt", "short_text"),
        ("attribute", "/run1", {"attribute": "gain"}, "2.5", "numeric"),
        ("shape", "/run1/signal", {}, "3 × 4", "short_text"),
        ("size", "/run1/signal", {}, "12", "numeric"),
        ("ndim", "/run1/signal", {}, "2", "numeric"),
        ("dtype", "/run1/signal", {}, "float32", "short_text"),
        ("mean", "/run1/signal", {"decimals": 1}, "9.75", "numeric"),
        ("min", "/run1/counts", {}, "3", "numeric"),
        ("max", "/run1/counts", {}, "81", "numeric"),
        ("sum", "/run1/signal", {}, "117", "numeric"),
        ("missing_attribute", "/run1", {"attribute": "units"}, "/run1/wavelength",
         "short_text"),
    ],
)  # fmt: skip
def test_hdf5_question_answer_computed_at_authoring(
    exercise_document, kind, path, extra, answer, snapshot_type
):
    """Saving stores the answer read from the file; the snapshot is a plain question."""
    value = authored(exercise_document, kind, path, answer="typed by hand", **extra)
    assert value["answer"] == answer
    snapshot = BLOCK.snapshot(value)
    assert snapshot["type"] == snapshot_type
    assert snapshot["source"] == {
        "document": exercise_document.pk,
        "kind": kind,
        "path": path,
    }
    if snapshot_type == "numeric":
        assert float(snapshot["value"]) == float(answer)
    else:
        assert answer in snapshot["accepted"]
        assert snapshot["case_sensitive"] is False


def test_hdf5_question_snapshot_spellings(exercise_document):
    """Shapes and dataset paths are accepted in their usual spellings."""
    shape = BLOCK.snapshot(authored(exercise_document, "shape", "/run1/signal"))
    assert {"3x4", "3 x 4", "(3, 4)", "3, 4"} <= set(shape["accepted"])
    missing = BLOCK.snapshot(
        authored(exercise_document, "missing_attribute", "/run1", attribute="units")
    )
    assert {"/run1/wavelength", "run1/wavelength", "wavelength"} <= set(
        missing["accepted"]
    )
    size = BLOCK.snapshot(authored(exercise_document, "size", "/run1/signal"))
    assert correct_responses_pattern(size) == ["12"]


@pytest.mark.parametrize(
    ("kind", "path", "extra", "message"),
    [
        ("size", "/run1/nothing", {}, "No object at /run1/nothing"),
        ("attribute", "/run1/signal", {"attribute": "colour"}, "no attribute"),
        ("mean", "/run1/labels", {}, "does not hold numbers"),
        ("shape", "/run1", {}, "is not a dataset"),
        ("shape", "/scalar", {}, "empty"),
        ("missing_attribute", "/run1", {"attribute": "comment"}, "Several datasets"),
        ("missing_attribute", "/run1/signal", {"attribute": "units"}, "Every dataset"),
    ],
)
def test_hdf5_question_impossible_is_refused(
    exercise_document, kind, path, extra, message
):
    """A question the file cannot answer is a validation error naming the reason."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            authored(exercise_document, kind, path, **extra)
        errors = str(error.value.non_block_errors.as_data())
    assert message in errors


def test_hdf5_question_needs_an_attribute_name(exercise_document):
    """Attribute kinds without an attribute name: the error is on that field."""
    with pytest.raises(ValidationError) as error:
        authored(exercise_document, "attribute", "/run1/signal")
    assert set(error.value.block_errors) == {"attribute"}


def test_hdf5_question_refuses_a_file_that_is_not_hdf5(tmp_path, make_document):
    """A document that is not an HDF5 file cannot carry a data exercise."""
    path = tmp_path / "notes.h5"
    path.write_text("time,temperature\n0,12.5\n", encoding="utf-8")
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            authored(make_document(path), "size", "/temperature")
        errors = str(error.value.non_block_errors.as_data())
    assert "cannot be answered from the file" in errors


@pytest.fixture
def hdf5_quiz(course, exercise_document):
    pool = QuestionPool.objects.create(
        code="spectro",
        title="Spectromètre",
        questions=[
            stream_item(exercise_document, "attribute", "/run1/signal",
                        attribute="units", prompt="Unité du signal ?"),
            stream_item(exercise_document, "mean", "/run1/signal", decimals=2,
                        tolerance="0.05", unit="mV", prompt="Moyenne du signal ?"),
            stream_item(exercise_document, "missing_attribute", "/run1",
                        attribute="units", prompt="Quel jeu n'a pas d'unité ?"),
        ],
    )  # fmt: skip
    quiz = course.add_child(
        instance=QuizPage(
            title="Exercice", slug="exercice", pass_mark=80, max_attempts=3,
            shuffle_questions=False, shuffle_choices=False,
        )
    )  # fmt: skip
    QuizPoolDraw.objects.create(quiz=quiz, pool=pool, count=3)
    quiz.save_revision().publish()
    return QuizPage.objects.get(pk=quiz.pk)


@pytest.fixture
def hdf5_enrollment(learner, course):
    return progress.enrol(learner, course)


def by_kind(attempt):
    """The drawn questions, in the order attribute, mean, missing_attribute."""
    questions = {q["source"]["kind"]: q for q in attempt.questions}
    return questions["attribute"], questions["mean"], questions["missing_attribute"]


def test_hdf5_quiz_graded_right(hdf5_enrollment, hdf5_quiz):
    """Right answers, in other spellings and within the tolerance, pass the quiz."""
    attempt = attempts.start_attempt(hdf5_enrollment, hdf5_quiz)
    unit, mean, missing = by_kind(attempt)
    assert (unit["type"], mean["type"], missing["type"]) == (
        "short_text",
        "numeric",
        "short_text",
    )
    assert mean["value"] == "9.75" and mean["unit"] == "mV"
    answers = {
        unit["key"]: "MilliVolt",
        mean["key"]: "9,8",
        missing["key"]: "wavelength",
    }
    result = attempts.submit_attempt(attempt, answers)
    assert result.attempt.score == 1 and result.attempt.passed


def test_hdf5_quiz_graded_wrong(hdf5_enrollment, hdf5_quiz):
    """Wrong answers, or a number just outside the tolerance, score nothing."""
    attempt = attempts.start_attempt(hdf5_enrollment, hdf5_quiz)
    unit, mean, missing = by_kind(attempt)
    answers = {unit["key"]: "volt", mean["key"]: "9.81", missing["key"]: "counts"}
    result = attempts.submit_attempt(attempt, answers)
    assert result.attempt.score == 0 and result.attempt.passed is False


def test_hdf5_quiz_answered_statements(hdf5_enrollment, hdf5_quiz):
    """Each answer is an "answered" statement with the numeric or fill-in interaction."""
    attempt = attempts.start_attempt(hdf5_enrollment, hdf5_quiz)
    attempts.submit_attempt(attempt, perfect_answers(attempt))
    expected = {q["id"]: q for q in attempt.questions}
    answered = Statement.objects.filter(verb=vocabulary.ANSWERED.id)
    assert answered.count() == 3
    for statement in answered:
        data = statement.data
        assert_valid_statement(data)
        question = expected[data["object"]["id"].rsplit("/", 1)[-1]]
        definition = data["object"]["definition"]
        assert (
            definition["interactionType"]
            == {
                "numeric": "numeric",
                "short_text": "fill-in",
            }[question["type"]]
        )
        assert data["result"]["success"] is True
        if question["type"] == "numeric":
            low, high = definition["correctResponsesPattern"][0].split("[:]")
            assert (float(low), float(high)) == (9.7, 9.8)


def test_hdf5_quiz_attempt_page_never_leaks_answers(client, learner, hdf5_quiz):
    """The attempt page shows the prompts and the unit, never the stored answers."""
    client.force_login(learner)
    client.post(hdf5_quiz.url, {"action": "start"})
    html = client.get(hdf5_quiz.url).content.decode()
    assert "Moyenne du signal" in html and "mV" in html
    for secret in ("millivolt", "9.75", "wavelength", "0.05", "/run1/signal",
                   "tolerance", "Spectromètre", "exercice.h5"):  # fmt: skip
        assert secret not in html, secret


def test_hdf5_question_graded_on_the_exact_value(tmp_path, make_document):
    """Issue 15, point 6: true mean -1.542 shown as -1.5 (1 decimal), tolerance
    0.1: -1.61 is right (0.068 away), -1.40 is wrong (0.142 away); the rounded
    value shown is right; the trainer's tolerance is what the review shows."""
    from learning.quiz.scoring import score_question

    path = tmp_path / "mean.h5"
    with h5py.File(path, "w") as f:
        f["values"] = np.array([-1.5, -1.584])
    document = make_document(path)
    value = authored(document, "mean", "/values", decimals=1, tolerance="0.1")
    assert value["answer"] == "-1.542"
    question = BLOCK.snapshot(value)
    assert (question["value"], question["shown_value"]) == ("-1.542", "-1.5")
    assert question["shown_tolerance"] == "0.1"
    assert score_question(question, "-1.61") == 1
    assert score_question(question, "-1.40") == 0
    assert score_question(question, "-1.5") == 1
    exact = BLOCK.snapshot(authored(document, "mean", "/values", decimals=2))
    assert exact["tolerance"] == "0.005"  # half a unit of the last decimal shown
    assert score_question(exact, "-1.54") == 1
    assert score_question(exact, "-1.55") == 0
