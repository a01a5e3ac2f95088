"""The learner's quiz paths of issue 17 (points 6, 7, 8), in Chromium.

Each page passes axe-core (no serious or critical violation).
"""

import re
import textwrap

import pytest
from playwright.sync_api import expect

from cms.site_structure import ensure_site_structure
from courses.course_files import import_course
from courses.quizzes import QuizPage
from tests.factories import UserFactory

from .conftest import log_in

pytestmark = pytest.mark.e2e

TABLE_PROMPT = textwrap.dedent(
    """\
    Which file format suits each need?

    | Need | Format |
    |------|--------|
    | Tables | CSV |
    | Arrays | HDF5 |
    """
)


def write_folder(root, files: dict[str, str]):
    folder = root / "formats"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def table_quiz(e2e_db, tmp_path):
    """A course whose quiz asks a question holding a Markdown table."""
    ensure_site_structure()
    folder = write_folder(
        tmp_path,
        {
            "course.md": """\
                ---
                title: Formats de fichiers
                language: fr
                duration_minutes: 20
                ---
                Choisir un format.
                """,
            "01-formats.md": """\
                ---
                title: Les formats
                duration_minutes: 10
                ---
                CSV et HDF5.
                """,
            "quiz-02-quiz.yaml": "title: Quiz\n"
            "pools:\n"
            "  - code: formats\n"
            "    title: Formats\n"
            "    questions:\n"
            "      - type: true_false\n"
            "        answer: true\n"
            "        prompt: |\n" + textwrap.indent(TABLE_PROMPT, " " * 10),
        },
    )
    course = import_course(folder)
    return course, QuizPage.objects.live().child_of(course).get()


def test_markdown_table_in_the_quiz_form(
    page, live_server, table_quiz, assert_accessible
):
    """A question's Markdown table is a table in the form, as in the correction
    (it was flattened into one line of text)."""
    _course, quiz = table_quiz
    log_in(page, live_server, UserFactory(username="alex"))
    page.goto(f"{live_server.url}{quiz.url}")
    page.get_by_role("button", name="Commencer le quiz").click()

    prompt = page.locator("form.quiz-form .question__prompt")
    table = prompt.locator("table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("th").first).to_have_text("Need")
    # The group of answers is named by the question, table included.
    group = page.get_by_role("group", name=re.compile(r"Question 1 Which file format"))
    expect(group.get_by_role("radio", name="Vrai")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("radio", name="Vrai").check()
    page.locator('button[value="submit"]').click()
    expect(page.locator(".question__prompt table")).to_be_visible()
    assert_accessible(page)
