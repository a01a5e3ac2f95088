"""Course files: a quiz's own questions (`questions:` in `quiz-NN-slug.yaml`) import,
keep their ids, and round-trip through the export (issue 17, point 4)."""

import pytest

from courses.course_files import export_course, import_course
from courses.quizzes import QuizPage
from tests.courses.test_course_files import (
    FILES,
    delete_course,
    import_errors,
    read_tree,
    write_folder,
)
from tests.courses.test_course_files_quiz import QUIZ

pytestmark = pytest.mark.django_db

OWN = """\
questions:
  - type: true_false
    prompt: Un DOI est **pérenne**.
    answer: true
  - type: single_choice
    prompt: Quel identifiant pour une personne ?
    choices:
      - {text: ORCID, correct: true}
      - {text: ROR}
"""
OWN_ONLY = "title: Quiz sur place\n" + OWN
MIXED = QUIZ.replace("pools:\n", OWN + "pools:\n", 1)
NAME = "quiz-03-evaluation.yaml"


def quiz() -> QuizPage:
    return QuizPage.objects.get(slug="evaluation", locale__language_code="fr")


def own_ids() -> dict[str, str]:
    return {
        block["value"]["prompt"]: block["id"] for block in quiz().questions.raw_data
    }


def test_import_quiz_with_own_questions_only(site_structure, tmp_path):
    """A quiz file may hold only its own questions: no pool, no draw."""
    import_course(write_folder(tmp_path, {**FILES, NAME: OWN_ONLY}))
    page = quiz()
    assert [block.block_type for block in page.questions] == [
        "true_false",
        "single_choice",
    ]
    assert page.draws.count() == 0
    assert page.question_count == 2


def test_import_quiz_with_own_and_pool_questions(site_structure, tmp_path):
    """Own questions and pools side by side: asked together at each attempt."""
    import_course(write_folder(tmp_path, {**FILES, NAME: MIXED}))
    page = quiz()
    assert len(page.questions) == 2
    assert page.question_count == 2 + 2 + 3


def test_reimport_keeps_own_question_ids(site_structure, tmp_path):
    """Unchanged own questions keep their ids (xAPI activities, analytics)."""
    import_course(write_folder(tmp_path / "a", {**FILES, NAME: MIXED}))
    before = own_ids()
    changed = MIXED.replace("Un DOI est **pérenne**.", "Un DOI est *stable*.")
    import_course(write_folder(tmp_path / "b", {**FILES, NAME: changed}))
    after = own_ids()
    prompt = "Quel identifiant pour une personne ?"
    assert after[prompt] == before[prompt]
    assert after["Un DOI est *stable*."] not in before.values()


def test_export_round_trip_keeps_own_questions(site_structure, tmp_path):
    """Import, export, delete, import the export: the same own questions, ids and files."""
    import_course(write_folder(tmp_path / "source", {**FILES, NAME: MIXED}))
    ids = own_ids()
    first = export_course("donnees-fair", tmp_path / "first")
    text = (first.folder / NAME).read_text(encoding="utf-8")
    assert "questions:\n  - type: true_false\n" in text
    assert text.index("\nquestions:") < text.index("\npools:")
    delete_course("donnees-fair")
    import_course(first.folder)
    second = export_course("donnees-fair", tmp_path / "second")
    assert read_tree(second.folder) == read_tree(first.folder)
    assert set(own_ids()) == set(ids)
    assert first.warnings == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "title: Rien\n",
            f"{NAME}:1: a quiz needs questions: 'questions:' (its own, asked at "
            "every attempt) and/or 'pools:' (question banks it draws from)",
        ),
        (
            "title: Vide\nquestions: []\n",
            f"{NAME}:2: questions: must be a list of at least one question",
        ),
        (
            OWN_ONLY.replace("    answer: true\n", ""),
            f"{NAME}:3: question 1: (true_false) missing required key 'answer'",
        ),
        (
            OWN_ONLY.replace("{text: ORCID, correct: true}", "{text: ORCID}"),
            f"{NAME}:8: question 2: (single_choice) no choice is marked correct "
            "(add 'correct: true' to the right one)",
        ),
    ],
)
def test_import_quiz_own_questions_errors(db, tmp_path, text, expected):
    """Bad own questions are refused with file:line: reason, nothing created."""
    errors = import_errors(write_folder(tmp_path, {**FILES, NAME: text}))
    assert expected in errors
    assert not QuizPage.objects.exists()
