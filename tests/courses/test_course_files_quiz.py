"""Course files: quizzes (`quiz-NN-slug.yaml`) import, re-import and export."""

from decimal import Decimal
from io import StringIO

from django.core.management import call_command

import pytest

from courses.course_files import CourseImportError, export_course, import_course
from courses.models import CoursePage, LessonPage
from courses.quizzes import QuestionPool, QuizPage, QuizPoolDraw
from tests.courses.test_course_files import (
    FILES,
    counts,
    delete_course,
    english,
    import_errors,
    read_tree,
    write_folder,
)

pytestmark = pytest.mark.django_db

QUIZ = """\
title: Évaluation finale
intro: |
  Répondez à **toutes** les questions.

  Il faut 75 % pour réussir.
pass_mark: 75
max_attempts: 3
time_limit_minutes: 20
shuffle_questions: false
shuffle_choices: true
required: true
feedback: after_passing
pools:
  - code: fair-bases
    title: Les bases
    draw: 2
    questions:
      - type: single_choice
        prompt: Que signifie le F de FAIR ?
        feedback: Findable, *facile à trouver*.
        choices:
          - {text: Facile à trouver, correct: true, feedback: Oui.}
          - {text: Fermé, correct: false}
          - text: Fiable
      - type: multiple_choice
        prompt: Quelles lettres concernent l'accès ?
        partial_credit: all_or_nothing
        choices:
          - {text: A, correct: true}
          - {text: R, correct: false}
          - {text: I, correct: false}
      - {type: true_false, prompt: FAIR veut dire ouvert., answer: false}
  - code: fair-pratique
    title: En pratique
    draw: 3
    questions:
      - {type: numeric, prompt: "Année des principes ?", value: 2016, tolerance: 0.5, unit: an}
      - type: short_text
        prompt: Quel identifiant pour un jeu de données ?
        accepted: [DOI, identifiant pérenne]
        case_sensitive: false
        accent_sensitive: true
      - type: ordering
        prompt: Ordonnez les lettres.
        items: [F, A, I, R]
      - type: matching
        prompt: Associez.
        pairs:
          - {left: F, right: Findable}
          - {left: A, right: Accessible}
"""

QUIZ_EN = """\
title: Final assessment
intro: Answer **every** question.
"""

QUIZ_FILES = {
    **FILES,
    "quiz-03-evaluation.yaml": QUIZ,
    "quiz-03-evaluation.en.yaml": QUIZ_EN,
}


def quiz_files(name: str, old: str, new: str) -> dict[str, str]:
    """QUIZ_FILES with `old` replaced by `new` in the file `name`."""
    assert old in QUIZ_FILES[name], old
    return {**QUIZ_FILES, name: QUIZ_FILES[name].replace(old, new, 1)}


def quiz_page(language: str = "fr") -> QuizPage:
    return QuizPage.objects.get(slug="evaluation", locale__language_code=language)


def question_ids(code: str) -> dict[str, tuple[str, list[str]]]:
    """prompt -> (question id, item ids) for the pool `code`."""
    ids = {}
    for block in QuestionPool.objects.get(code=code).questions.raw_data:
        value = block["value"]
        items = next(
            (
                value[name]
                for name in ("choices", "accepted", "items", "pairs")
                if name in value
            ),
            [],
        )
        ids[value["prompt"]] = (block["id"], [item["id"] for item in items])
    return ids


# --- successful import ----------------------------------------------------------


def test_import_quiz_creates_pools_with_every_question_type(site_structure, tmp_path):
    """Each pool becomes a QuestionPool snippet holding its questions as blocks."""
    import_course(write_folder(tmp_path, QUIZ_FILES))

    bases = QuestionPool.objects.get(code="fair-bases")
    pratique = QuestionPool.objects.get(code="fair-pratique")
    assert bases.title == "Les bases"
    assert [block.block_type for block in bases.questions] == [
        "single_choice",
        "multiple_choice",
        "true_false",
    ]
    assert [block.block_type for block in pratique.questions] == [
        "numeric",
        "short_text",
        "ordering",
        "matching",
    ]
    single = bases.questions[0].value
    assert single["prompt"] == "Que signifie le F de FAIR ?"
    assert single["feedback"] == "Findable, *facile à trouver*."
    assert [(c["text"], c["correct"], c["feedback"]) for c in single["choices"]] == [
        ("Facile à trouver", True, "Oui."),
        ("Fermé", False, ""),
        ("Fiable", False, ""),
    ]
    assert bases.questions[1].value["partial_credit"] == "all_or_nothing"
    assert bases.questions[2].value["answer"] is False
    numeric = pratique.questions[0].value
    assert (numeric["value"], numeric["tolerance"], numeric["unit"]) == (
        Decimal("2016"),
        Decimal("0.5"),
        "an",
    )
    short = pratique.questions[1].value
    assert list(short["accepted"]) == ["DOI", "identifiant pérenne"]
    assert (short["case_sensitive"], short["accent_sensitive"]) == (False, True)
    assert list(pratique.questions[2].value["items"]) == ["F", "A", "I", "R"]
    assert [(p["left"], p["right"]) for p in pratique.questions[3].value["pairs"]] == [
        ("F", "Findable"),
        ("A", "Accessible"),
    ]
    # Every question snapshot (what an attempt stores) has the ids of its items.
    snapshot = pratique.question_snapshots()[2]
    assert [item["text"] for item in snapshot["items"]] == ["F", "A", "I", "R"]
    assert all(item["id"] for item in snapshot["items"])


def test_import_quiz_creates_live_page_with_settings_and_draws(
    site_structure, tmp_path
):
    """The quiz page carries the file's settings and draws N questions per pool."""
    course = import_course(write_folder(tmp_path, QUIZ_FILES))

    quiz = quiz_page()
    assert quiz.live
    assert quiz.get_parent().pk == course.pk
    assert quiz.title == "Évaluation finale"
    assert (
        quiz.intro
        == "Répondez à **toutes** les questions.\n\nIl faut 75 % pour réussir."
    )
    assert (quiz.pass_mark, quiz.max_attempts, quiz.time_limit_minutes) == (75, 3, 20)
    assert (quiz.shuffle_questions, quiz.shuffle_choices) == (False, True)
    assert quiz.required is True
    assert quiz.feedback_mode == "after_passing"
    assert [
        (draw.pool.code, draw.count) for draw in quiz.draws.order_by("sort_order")
    ] == [("fair-bases", 2), ("fair-pratique", 3)]
    assert quiz.question_count == 5


def test_import_quiz_uses_defaults_for_absent_keys(site_structure, tmp_path):
    """Absent settings take the model defaults; an absent draw draws the whole pool."""
    quiz = """\
title: Quiz
pools:
  - code: mini
    title: Mini
    questions:
      - {type: true_false, prompt: "Vrai ?", answer: true}
      - type: true_false
        prompt: Faux ?
        answer: false
"""
    import_course(write_folder(tmp_path, {**FILES, "quiz-03-evaluation.yaml": quiz}))

    page = quiz_page()
    assert (page.pass_mark, page.max_attempts, page.time_limit_minutes) == (
        80,
        None,
        None,
    )
    assert (page.shuffle_questions, page.shuffle_choices, page.required) == (
        True,
        True,
        True,
    )
    assert page.feedback_mode == "after_each_attempt"
    assert page.intro == ""
    assert page.draws.get().count == 2


def test_import_quiz_takes_its_place_among_lessons(site_structure, tmp_path):
    """NN is shared with lessons: quiz-02 sits between lesson 01 and lesson 03."""
    files = {
        "course.md": FILES["course.md"],
        "01-pourquoi-partager.md": FILES["01-pourquoi-partager.md"],
        "03-findable.md": FILES["02-findable.md"],
        "quiz-02-evaluation.yaml": QUIZ,
    }
    course = import_course(write_folder(tmp_path, files))

    assert [page.slug for page in course.get_children().order_by("path")] == [
        "pourquoi-partager",
        "evaluation",
        "findable",
    ]
    assert [page.slug for page in course.syllabus()] == [
        "pourquoi-partager",
        "evaluation",
        "findable",
    ]


def test_import_quiz_creates_english_translation(site_structure, tmp_path):
    """quiz-NN-slug.en.yaml gives the English page its title and intro; same draws."""
    import_course(write_folder(tmp_path, QUIZ_FILES))

    quiz = quiz_page()
    translated = quiz.get_translation(english()).specific
    assert translated.live
    assert translated.title == "Final assessment"
    assert translated.intro == "Answer **every** question."
    assert translated.pass_mark == 75
    assert translated.feedback_mode == "after_passing"
    assert [
        (d.pool.code, d.count) for d in translated.draws.order_by("sort_order")
    ] == [
        ("fair-bases", 2),
        ("fair-pratique", 3),
    ]
    course_en = translated.get_parent()
    assert [page.slug for page in course_en.get_children().order_by("path")] == [
        "pourquoi-partager",
        "findable",
        "evaluation",
    ]


def test_import_command_reports_quizzes(site_structure, tmp_path):
    """The command counts quizzes and pools, exit status 0."""
    out = StringIO()
    call_command("import_course", str(write_folder(tmp_path, QUIZ_FILES)), stdout=out)

    assert (
        "quizzes: 1 created, 0 updated, 0 unpublished; "
        "question pools: 2 created, 0 updated" in out.getvalue()
    )
    assert "translation en: course created, lessons: 2 created, 0 updated, " in (
        out.getvalue()
    )


# --- re-import ------------------------------------------------------------------


def test_reimport_quiz_keeps_question_and_item_ids(site_structure, tmp_path):
    """Unchanged prompts keep their question id, unchanged item texts their item id."""
    folder = write_folder(tmp_path, QUIZ_FILES)
    import_course(folder)
    before = question_ids("fair-bases")
    before_pratique = question_ids("fair-pratique")
    quiz_pk = quiz_page().pk
    revisions = quiz_page().revisions.count()

    changed = (
        QUIZ.replace("{text: Fermé, correct: false}", "{text: Fermée, correct: false}")
        .replace("FAIR veut dire ouvert.", "FAIR veut dire ouvert à tous.")
        .replace("items: [F, A, I, R]", "items: [F, A, I, R, FAIR]")
        .replace("{left: A, right: Accessible}", "{left: A, right: Accessibles}")
    )
    (folder / "quiz-03-evaluation.yaml").write_text(changed, encoding="utf-8")
    import_course(folder)

    after = question_ids("fair-bases")
    after_pratique = question_ids("fair-pratique")
    single = "Que signifie le F de FAIR ?"
    # same prompt: same id; items: kept where the text is the same
    assert after[single][0] == before[single][0]
    assert after[single][1][0] == before[single][1][0]
    assert after[single][1][1] != before[single][1][1]  # "Fermé" became "Fermée"
    assert after[single][1][2] == before[single][1][2]
    multiple = "Quelles lettres concernent l'accès ?"
    assert after[multiple] == before[multiple]
    # a changed prompt is a new question
    assert (
        after["FAIR veut dire ouvert à tous."][0]
        != (before["FAIR veut dire ouvert."][0])
    )
    ordering = after_pratique["Ordonnez les lettres."]
    assert ordering[0] == before_pratique["Ordonnez les lettres."][0]
    assert ordering[1][:4] == before_pratique["Ordonnez les lettres."][1]
    # a pair keeps its id when its left side is unchanged
    assert after_pratique["Associez."] == before_pratique["Associez."]
    assert (
        after_pratique["Année des principes ?"]
        == (before_pratique["Année des principes ?"])
    )
    # same page, a new revision, no duplicate pool or draw
    assert quiz_page().pk == quiz_pk
    assert quiz_page().revisions.count() == revisions + 1
    assert QuestionPool.objects.count() == 2
    assert QuizPoolDraw.objects.filter(quiz_id=quiz_pk).count() == 2


def test_reimport_quiz_keeps_ids_when_questions_move(site_structure, tmp_path):
    """Reordering questions inside a pool keeps every id with its question."""
    folder = write_folder(tmp_path, QUIZ_FILES)
    import_course(folder)
    before = question_ids("fair-bases")
    moved = QUIZ.replace(
        "      - {type: true_false, prompt: FAIR veut dire ouvert., answer: false}\n",
        "",
    ).replace(
        "    questions:\n      - type: single_choice",
        "    questions:\n"
        "      - {type: true_false, prompt: FAIR veut dire ouvert., answer: false}\n"
        "      - type: single_choice",
        1,
    )
    (folder / "quiz-03-evaluation.yaml").write_text(moved, encoding="utf-8")

    import_course(folder)

    pool = QuestionPool.objects.get(code="fair-bases")
    assert [block.block_type for block in pool.questions][0] == "true_false"
    assert question_ids("fair-bases") == before


def test_reimport_unpublishes_removed_quiz(site_structure, tmp_path):
    """A quiz file removed from the folder: its page (and translation) is unpublished."""
    folder = write_folder(tmp_path, QUIZ_FILES)
    import_course(folder)
    (folder / "quiz-03-evaluation.yaml").unlink()
    (folder / "quiz-03-evaluation.en.yaml").unlink()

    out = StringIO()
    call_command("import_course", str(folder), stdout=out)

    quiz = quiz_page()
    assert not quiz.live
    assert not quiz.get_translation(english()).live
    assert "unpublished quiz evaluation (no longer in the folder)" in out.getvalue()
    assert QuestionPool.objects.count() == 2  # pools stay: attempts refer to them


def test_reimport_unpublishes_dropped_quiz_translation(site_structure, tmp_path):
    """Removing only quiz-NN-slug.en.yaml unpublishes the English quiz page."""
    folder = write_folder(tmp_path, QUIZ_FILES)
    import_course(folder)
    (folder / "quiz-03-evaluation.en.yaml").unlink()

    import_course(folder)

    assert quiz_page().live
    assert not quiz_page().get_translation(english()).live


# --- errors ---------------------------------------------------------------------

Q = "quiz-03-evaluation.yaml"
QE = "quiz-03-evaluation.en.yaml"
QUIZ_ERROR_CASES = {
    "unknown_key": (
        quiz_files(Q, "pass_mark: 75", "pass_mark: 75\nauteur: Léa"),
        f"{Q}:7: unknown key 'auteur' (allowed: title, intro, pass_mark",
    ),
    "unknown_question_key": (
        quiz_files(
            Q, "        partial_credit:", "        points: 2\n        partial_credit:"
        ),
        f"{Q}:27: pool fair-bases: question 2: (multiple_choice) unknown key 'points'",
    ),
    "unknown_choice_key": (
        quiz_files(
            Q, "- {text: Fermé, correct: false}", "- {text: Fermé, juste: false}"
        ),
        f"{Q}:23: pool fair-bases: question 1: (single_choice) choices 2: "
        "unknown key 'juste' (allowed: text, correct, feedback)",
    ),
    "wrong_type": (
        quiz_files(Q, "pass_mark: 75", "pass_mark: beaucoup"),
        f"{Q}:6: pass_mark: must be a whole number, not text",
    ),
    "out_of_range": (
        quiz_files(Q, "pass_mark: 75", "pass_mark: 120"),
        f"{Q}:6: pass_mark: Ensure this value is less than or equal to 100.",
    ),
    "unknown_feedback_mode": (
        quiz_files(Q, "feedback: after_passing", "feedback: always"),
        f"{Q}:12: feedback: must be one of after_each_attempt, after_passing, never",
    ),
    "missing_title": (
        quiz_files(Q, "title: Évaluation finale\n", ""),
        f"{Q}:1: missing required key 'title'",
    ),
    "no_pools": (
        quiz_files(Q, "pools:\n", "pools: []\nold_pools:\n"),
        f"{Q}:13: pools: must be a list of at least one pool",
    ),
    "no_correct_answer": (
        quiz_files(
            Q, "{text: Facile à trouver, correct: true,", "{text: Facile à trouver,"
        ),
        f"{Q}:21: pool fair-bases: question 1: (single_choice) no choice is marked correct",
    ),
    "two_correct_in_single_choice": (
        quiz_files(Q, "{text: Fermé, correct: false}", "{text: Fermé, correct: true}"),
        f"{Q}:21: pool fair-bases: question 1: (single_choice) 2 choices are marked "
        "correct; a single_choice question has exactly one",
    ),
    "multiple_choice_without_correct": (
        quiz_files(Q, "{text: A, correct: true}", "{text: A, correct: false}"),
        f"{Q}:28: pool fair-bases: question 2: (multiple_choice) no choice is marked correct",
    ),
    "one_choice_only": (
        quiz_files(
            Q,
            "          - {text: Fermé, correct: false}\n          - text: Fiable\n",
            "",
        ),
        f"{Q}:21: pool fair-bases: question 1: (single_choice) choices: "
        "needs at least 2 choices (got 1)",
    ),
    "numeric_without_value": (
        quiz_files(Q, "value: 2016, ", ""),
        f"{Q}:37: pool fair-pratique: question 1: (numeric) missing required key 'value'",
    ),
    "numeric_value_not_a_number": (
        quiz_files(Q, "value: 2016,", "value: deux mille,"),
        f"{Q}:37: pool fair-pratique: question 1: (numeric) value: must be a number",
    ),
    "true_false_without_answer": (
        quiz_files(
            Q, "prompt: FAIR veut dire ouvert., answer: false}", "prompt: 'Ouvert ?'}"
        ),
        f"{Q}:32: pool fair-bases: question 3: (true_false) missing required key 'answer'",
    ),
    "unknown_question_type": (
        quiz_files(Q, "type: ordering", "type: classement"),
        f"{Q}:43: pool fair-pratique: question 3: type: must be one of single_choice",
    ),
    "ordering_with_one_item": (
        quiz_files(Q, "items: [F, A, I, R]", "items: [F]"),
        f"{Q}:45: pool fair-pratique: question 3: (ordering) items: needs at least 2",
    ),
    "repeated_choice": (
        quiz_files(Q, "{text: R, correct: false}", "{text: A, correct: false}"),
        f"{Q}:28: pool fair-bases: question 2: (multiple_choice) choices: 'A' appears "
        "more than once",
    ),
    "draw_more_than_pool": (
        quiz_files(Q, "draw: 2", "draw: 4"),
        f"{Q}:16: pool fair-bases: draw: asks for 4 question(s) per attempt but the "
        "pool has 3 (draw 1 to 3)",
    ),
    "draw_zero": (
        quiz_files(Q, "draw: 2", "draw: 0"),
        f"{Q}:16: pool fair-bases: draw: asks for 0 question(s)",
    ),
    "bad_pool_code": (
        quiz_files(Q, "code: fair-bases", "code: Fair_Bases"),
        f"{Q}:14: pool 1: code: must be lowercase letters, digits and hyphens",
    ),
    "duplicate_pool_in_quiz": (
        quiz_files(Q, "code: fair-pratique", "code: fair-bases"),
        f"{Q}:33: pool 'fair-bases' appears twice in this quiz (first on line 14)",
    ),
    "duplicate_pool_across_quizzes": (
        {**QUIZ_FILES, "quiz-04-rattrapage.yaml": QUIZ},
        "quiz-04-rattrapage.yaml:14: pool code 'fair-bases' is also used in "
        f"{Q} (a pool is defined once",
    ),
    "markdown_in_prompt": (
        quiz_files(
            Q,
            "        prompt: Ordonnez les lettres.\n",
            "        prompt: |\n          Ordonnez.\n\n          !!! tipp\n              x\n",
        ),
        f"{Q}:47: pool fair-pratique: question 3: (ordering) prompt: unknown "
        "admonition type 'tipp'",
    ),
    "markdown_in_intro": (
        quiz_files(Q, "  Il faut 75 %", "  ```python\n  Il faut 75 %"),
        f"{Q}:5: intro: code fence ``` is never closed",
    ),
    "markdown_in_choice_feedback": (
        quiz_files(Q, "feedback: Oui.}", "feedback: '!!! nope'}"),
        f"{Q}:22: pool fair-bases: question 1: (single_choice) choices 1: feedback: "
        "unknown admonition type 'nope'",
    ),
    "block_clean_max_length": (
        quiz_files(Q, "{text: Fermé,", "{text: " + "x" * 501 + ","),
        f"{Q}:18: pool fair-bases: question 1: (single_choice) choices: 2: text: "
        "Ensure this value has at most 500 characters (it has 501).",
    ),
    "broken_yaml": (
        quiz_files(Q, "draw: 3", "draw: 3: oops"),
        f"{Q}:35: invalid YAML: mapping values are not allowed here",
    ),
    "duplicate_key": (
        quiz_files(Q, "required: true", "required: true\nrequired: false"),
        f"{Q}:12: duplicate key 'required' (first on line 11)",
    ),
    "yaml_alias": (
        quiz_files(Q, "title: Les bases", "title: &t Les bases\n    extra: *t"),
        f"{Q}:16: YAML anchors and aliases (&name, *name) are not supported",
    ),
    "not_a_mapping": (
        {**QUIZ_FILES, Q: "- un\n- deux\n"},
        f"{Q}:1: a quiz file must be 'key: value' lines, not a list",
    ),
    "number_shared_with_lesson": (
        {**FILES, "quiz-02-evaluation.yaml": QUIZ},
        "quiz-02-evaluation.yaml:1: number 02 is also used by 02-findable.md "
        "(lessons and quizzes share the numbering)",
    ),
    "slug_shared_with_lesson": (
        {**FILES, "quiz-03-findable.yaml": QUIZ},
        "quiz-03-findable.yaml:1: slug 'findable' is also used by 02-findable.md",
    ),
    "translation_without_quiz": (
        {**FILES, QE: QUIZ_EN},
        f"{QE}:1: translation of a quiz that is not in the folder "
        "(no quiz-03-evaluation.yaml)",
    ),
    "translation_unknown_key": (
        quiz_files(QE, "title: Final", "pass_mark: 50\ntitle: Final"),
        f"{QE}:1: unknown key 'pass_mark' (allowed: title, intro, questions, pools)",
    ),
    "translation_without_course_translation": (
        {
            name: text
            for name, text in QUIZ_FILES.items()
            if name
            not in ("course.en.md", "01-pourquoi-partager.en.md", "02-findable.en.md")
        },
        f"{QE}:1: quiz translations into 'en' need course.en.md",
    ),
    "yml_suffix": (
        {**FILES, "quiz-03-evaluation.yml": QUIZ},
        "quiz-03-evaluation.yml: unexpected file: expected course.md",
    ),
}


@pytest.mark.parametrize(
    ("files", "expected"), list(QUIZ_ERROR_CASES.values()), ids=list(QUIZ_ERROR_CASES)
)
def test_import_quiz_error_names_file_line_and_reason(db, tmp_path, files, expected):
    """Each quiz mistake: file:line: reason, exit status 1, nothing created."""
    folder = write_folder(tmp_path, files)
    before = counts()

    errors = import_errors(folder)

    assert f"{folder}/{expected}" in errors
    assert counts() == before
    assert not QuestionPool.objects.exists()
    with pytest.raises(CourseImportError):
        import_course(folder)
    assert counts() == before


def test_import_quiz_error_file_too_large(db, tmp_path, settings):
    """A quiz file over COURSE_FILE_MAX_BYTES is refused like any course file."""
    settings.COURSE_FILE_MAX_BYTES = len(QUIZ.encode()) - 1
    folder = write_folder(tmp_path, {**FILES, Q: QUIZ})

    errors = import_errors(folder)

    assert f"{Q}:1: the file is {len(QUIZ.encode())} bytes, over the" in errors
    assert not QuestionPool.objects.exists()


def test_import_quiz_error_collects_every_problem(db, tmp_path):
    """All problems of a quiz file come out in one run."""
    broken = (
        QUIZ.replace("pass_mark: 75", "pass_mark: 120")
        .replace("draw: 2", "draw: 9")
        .replace("value: 2016, ", "")
    )
    errors = import_errors(write_folder(tmp_path, {**FILES, Q: broken}))

    assert f"{Q}:6: pass_mark:" in errors
    assert f"{Q}:16: pool fair-bases: draw: asks for 9" in errors
    assert (
        f"{Q}:37: pool fair-pratique: question 1: (numeric) missing required key"
        in (errors)
    )


def test_import_quiz_error_leaves_existing_quiz_unchanged(site_structure, tmp_path):
    """A broken re-import changes neither the pools nor the quiz."""
    folder = write_folder(tmp_path, QUIZ_FILES)
    import_course(folder)
    pool = list(QuestionPool.objects.get(code="fair-bases").questions.raw_data)
    before = counts()
    (folder / Q).write_text(
        QUIZ.replace("Les bases", "Changé").replace("draw: 2", "draw: 7")
    )

    import_errors(folder)

    assert counts() == before
    assert list(QuestionPool.objects.get(code="fair-bases").questions.raw_data) == pool
    assert QuestionPool.objects.get(code="fair-bases").title == "Les bases"


def test_import_quiz_error_pool_shared_with_another_course(site_structure, tmp_path):
    """Shrinking a pool below what another course's quiz draws from it is refused."""
    import_course(write_folder(tmp_path / "a", QUIZ_FILES, slug="cours-a"))
    small = """\
title: Autre quiz
pools:
  - code: fair-bases
    title: Les bases
    questions:
      - {type: true_false, prompt: FAIR veut dire ouvert., answer: false}
"""
    folder = write_folder(tmp_path / "b", {**FILES, Q: small}, slug="cours-b")

    errors = import_errors(folder)

    assert (
        f"{folder}/{Q}:3: pool 'fair-bases' is also drawn by the quiz "
        f"'Évaluation finale' ({quiz_page().url_path}), 2 question(s) per attempt; "
        "it would have only 1"
    ) in errors
    assert not CoursePage.objects.filter(slug="cours-b").exists()
    assert len(QuestionPool.objects.get(code="fair-bases").questions) == 3


# --- export -------------------------------------------------------------------------


def quiz_snapshot() -> dict:
    """Everything the import wrote for the quiz, ids included."""
    pages = {}
    for page in [quiz_page(), *quiz_page().get_translations()]:
        page = page.specific
        pages[page.locale.language_code] = {
            name: getattr(page, name)
            for name in (
                "title",
                "slug",
                "live",
                "intro",
                "pass_mark",
                "max_attempts",
                "time_limit_minutes",
                "shuffle_questions",
                "shuffle_choices",
                "required",
                "feedback_mode",
            )
        } | {
            "draws": [
                (d.pool.code, d.count) for d in page.draws.order_by("sort_order")
            ],
            "position": [
                p.slug for p in page.get_parent().get_children().order_by("path")
            ],
        }
    pools = {
        pool.code: (pool.title, list(pool.questions.raw_data))
        for pool in QuestionPool.objects.order_by("code")
    }
    return {"pages": pages, "pools": pools}


def test_export_quiz_round_trip_gives_identical_quiz(site_structure, tmp_path):
    """Import, export, delete, import the export: same quiz, same ids, same files."""
    files = {
        "course.md": FILES["course.md"],
        "course.en.md": FILES["course.en.md"],
        "01-pourquoi-partager.md": FILES["01-pourquoi-partager.md"],
        "03-findable.md": FILES["02-findable.md"],
        "quiz-02-evaluation.yaml": QUIZ,
        "quiz-02-evaluation.en.yaml": QUIZ_EN,
    }
    import_course(write_folder(tmp_path / "source", files))
    original = quiz_snapshot()

    first = export_course("donnees-fair", tmp_path / "first")
    delete_course("donnees-fair")
    import_course(first.folder)
    second = export_course("donnees-fair", tmp_path / "second")

    assert quiz_snapshot() == original
    assert first.files == [
        "course.md",
        "01-pourquoi-partager.md",
        "quiz-02-evaluation.yaml",
        "03-findable.md",
        "course.en.md",
        "quiz-02-evaluation.en.yaml",
    ]
    assert read_tree(second.folder) == read_tree(first.folder)
    assert first.warnings == []


def test_export_quiz_writes_readable_yaml(site_structure, tmp_path):
    """The quiz file is the documented YAML: settings first, pools, literal blocks."""
    import_course(write_folder(tmp_path / "source", QUIZ_FILES))

    report = export_course("donnees-fair", tmp_path)

    text = (report.folder / Q).read_text(encoding="utf-8")
    assert text.startswith(
        "title: Évaluation finale\n"
        "intro: |-\n"
        "  Répondez à **toutes** les questions.\n"
        "\n"
        "  Il faut 75 % pour réussir.\n"
        "pass_mark: 75\n"
        "max_attempts: 3\n"
        "time_limit_minutes: 20\n"
        "shuffle_questions: false\n"
        "shuffle_choices: true\n"
        "required: true\n"
        "feedback: after_passing\n"
        "pools:\n"
        "  - code: fair-bases\n"
        "    title: Les bases\n"
        "    draw: 2\n"
        "    questions:\n"
        "      - type: single_choice\n"
    )
    assert "value: 2016\n        tolerance: 0.5\n        unit: an\n" in text
    assert (report.folder / QE).read_text(encoding="utf-8") == (
        "title: Final assessment\nintro: Answer **every** question.\n"
    )


def test_export_quiz_of_admin_made_pool(site_structure, tmp_path):
    """A pool edited in the admin (no file) exports and imports back."""
    from tests.quiz.conftest import ALL_TYPES

    course = import_course(write_folder(tmp_path / "source", FILES))
    pool = QuestionPool.objects.create(
        code="snds-tout", title="SNDS", questions=ALL_TYPES
    )
    quiz = course.add_child(instance=QuizPage(title="Quiz", slug="quiz"))
    QuizPoolDraw.objects.create(quiz=quiz, pool=pool, count=4)
    quiz.save_revision().publish()
    ids = [block["id"] for block in pool.questions.raw_data]

    report = export_course("donnees-fair", tmp_path / "export")
    delete_course("donnees-fair")
    import_course(report.folder)

    assert report.warnings == []
    assert "quiz-03-quiz.yaml" in report.files
    pool = QuestionPool.objects.get(code="snds-tout")
    assert [block["id"] for block in pool.questions.raw_data] == ids
    assert quiz_of("quiz").draws.get().count == 4


def quiz_of(slug: str) -> QuizPage:
    return QuizPage.objects.get(slug=slug, locale__language_code="fr")


def test_export_warns_about_pool_drawn_twice(site_structure, tmp_path):
    """Two quizzes drawing the same pool cannot both define it: the export says so."""
    import_course(write_folder(tmp_path / "source", QUIZ_FILES))
    course = CoursePage.objects.get(slug="donnees-fair", locale__language_code="fr")
    other = course.add_child(instance=QuizPage(title="Rattrapage", slug="rattrapage"))
    QuizPoolDraw.objects.create(
        quiz=other, pool=QuestionPool.objects.get(code="fair-bases"), count=1
    )
    other.save_revision().publish()

    report = export_course("donnees-fair", tmp_path / "export")

    assert report.warnings == [
        "quiz-04-rattrapage.yaml: pool 'fair-bases' is also drawn in "
        f"{Q}; it is written in both files, which the import refuses: "
        "keep it in one quiz"
    ]
    assert LessonPage.objects.count() == 4


# --- the demo content -------------------------------------------------------------


def test_snds_final_assessment_imports_as_specified(site_structure, settings, learner):
    """The SNDS course ends with its final assessment: 15+ questions in pools,
    about 10 drawn per attempt, pass mark 80, 3 attempts, feedback on every question."""
    from learning import progress
    from learning.quiz.attempts import start_attempt

    course = import_course(
        settings.COURSE_CONTENT_DIR / "acces-snds-formation-obligatoire"
    )
    quiz = QuizPage.objects.child_of(course).get()

    assert course.get_children().order_by("path").last().pk == quiz.pk
    assert (quiz.pass_mark, quiz.max_attempts, quiz.required) == (80, 3, True)
    assert quiz.feedback_mode == "after_each_attempt"
    assert quiz.get_translation(english()).specific.title == "Final assessment"
    draws = list(quiz.draws.select_related("pool"))
    assert 4 <= len(draws) <= 5
    assert all(draw.count < len(draw.pool.questions) for draw in draws)
    assert sum(len(draw.pool.questions) for draw in draws) >= 15
    assert 9 <= quiz.question_count <= 11
    blocks = [block for draw in draws for block in draw.pool.questions]
    assert len({block.block_type for block in blocks}) >= 5
    assert all(block.value["feedback"].strip() for block in blocks)

    attempt = start_attempt(progress.enrol(learner, course), quiz)
    assert len(attempt.questions) == quiz.question_count


def test_fair_formative_quiz_imports(site_structure, settings):
    """The FAIR course has a short optional quiz drawing its whole pool."""
    course = import_course(settings.COURSE_CONTENT_DIR / "principes-fair")
    quiz = QuizPage.objects.child_of(course).get()

    assert quiz.required is False
    draw = quiz.draws.select_related("pool").get()
    assert 5 <= draw.count == len(draw.pool.questions) <= 6


# --- translated questions -----------------------------------------------------------

QUIZ_EN_POOLS = """\
title: Final assessment
intro: Answer **every** question.
pools:
  - code: fair-bases
    title: The basics
    questions:
      - type: single_choice
        prompt: What does the F of FAIR stand for?
        feedback: Findable.
        choices:
          - {text: Findable, correct: true, feedback: Yes.}
          - {text: Closed, correct: false}
          - text: Reliable
      - type: multiple_choice
        prompt: Which letters are about access?
        partial_credit: all_or_nothing
        choices:
          - {text: A, correct: true}
          - {text: R, correct: false}
          - {text: I, correct: false}
      - {type: true_false, prompt: FAIR means open., answer: false}
"""


def test_import_quiz_translation_translates_pool_questions(site_structure, tmp_path):
    """A translation file's pool becomes the bank's English translation: same
    code and translation key, each question and answer with the French ids."""
    import_course(write_folder(tmp_path, {**QUIZ_FILES, QE_NAME: QUIZ_EN_POOLS}))
    source = QuestionPool.objects.get(code="fair-bases", locale__language_code="fr")
    translated = source.get_translation(english())
    assert translated.code == "fair-bases" and translated.title == "The basics"
    pairs = zip(source.questions.raw_data, translated.questions.raw_data, strict=True)
    for original, question in pairs:
        assert question["id"] == original["id"]
        assert [c["id"] for c in question["value"].get("choices", [])] == [
            c["id"] for c in original["value"].get("choices", [])
        ]
    assert translated.questions[0].value["prompt"] == (
        "What does the F of FAIR stand for?"
    )
    # The other pool is not translated: no English bank.
    assert not QuestionPool.objects.filter(
        code="fair-pratique", locale__language_code="en"
    ).exists()
    # Re-importing updates the translation in place.
    import_course(
        write_folder(
            tmp_path / "again",
            {**QUIZ_FILES, QE_NAME: QUIZ_EN_POOLS.replace("The basics", "Basics")},
        )
    )
    assert source.get_translation(english()).title == "Basics"
    assert QuestionPool.objects.filter(locale__language_code="en").count() == 1


QE_NAME = "quiz-03-evaluation.en.yaml"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "{text: Findable, correct: true, feedback: Yes.}\n"
            "          - {text: Closed, correct: false}",
            "{text: Findable, correct: false, feedback: Yes.}\n"
            "          - {text: Closed, correct: true}",
            f"{QE_NAME}:7: pool fair-bases: question 1: the correct choices are not "
            "the original's (same order)",
        ),
        (
            "      - {type: true_false, prompt: FAIR means open., answer: false}\n",
            "",
            f"{QE_NAME}:4: pool fair-bases: 2 question(s) for 3 in the original",
        ),
        (
            "answer: false}",
            "answer: true}",
            f"{QE_NAME}:21: pool fair-bases: question 3: answer: must be the "
            "original's (False)",
        ),
        (
            "code: fair-bases",
            "code: inconnu",
            f"{QE_NAME}:4: pool 'inconnu': not a pool of quiz-03-evaluation.yaml",
        ),
    ],
)
def test_import_quiz_translation_must_match_the_questions(
    db, tmp_path, old, new, expected
):
    """A translated question is the original one: same count, type and answers."""
    assert old in QUIZ_EN_POOLS
    folder = write_folder(
        tmp_path, {**QUIZ_FILES, QE_NAME: QUIZ_EN_POOLS.replace(old, new, 1)}
    )
    assert f"{folder}/{expected}" in import_errors(folder)
    assert not QuestionPool.objects.exists()


def test_export_round_trip_keeps_translated_questions(site_structure, tmp_path):
    """Exported and imported again, the English bank is the same (ids included)."""
    files = {**QUIZ_FILES, QE_NAME: QUIZ_EN_POOLS}
    import_course(write_folder(tmp_path / "source", files))

    def english_bank():
        pool = QuestionPool.objects.get(code="fair-bases", locale__language_code="en")
        return pool.title, list(pool.questions.raw_data)

    original = english_bank()
    first = export_course("donnees-fair", tmp_path / "first")
    exported = read_tree(first.folder)[QE_NAME].decode()
    assert exported.startswith("title: Final assessment")
    assert "What does the F of FAIR stand for?" in exported
    delete_course("donnees-fair")
    import_course(first.folder)
    assert english_bank() == original
