"""Lesson navigation and the course outline with its quizzes (issue 17, point 8):
"next" from the last lesson leads to the assessment; the course page and the
lesson sidebar list quizzes with the learner's state."""

import re

from django.utils import translation

import pytest

from learning import progress

from .conftest import make_quiz
from .test_completion import _pass

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def _pager(html: str) -> dict[str, str]:
    """rel -> (href, text) of the lesson's previous and next links."""
    return {
        rel: (href, text.strip())
        for href, rel, text in re.findall(
            r'<a href="([^"]+)" rel="(prev|next)">([^<]*)<', html
        )
    }


def _outline(html: str) -> str:
    return html.split('aria-label="Plan de la formation">')[1].split("</nav>")[0]


def test_next_from_the_last_lesson_leads_to_the_quiz(
    client, learner, course, lessons, assessment
):
    """The last lesson's "next" is the course's assessment, said as a quiz; the
    quiz is no lesson in "Lesson n of m"."""
    progress.enrol(learner, course)
    client.force_login(learner)
    html = _text(client.get(lessons[2].url))
    pager = _pager(html)
    assert pager["next"] == (
        assessment.url,
        "Ensuite, le quiz : Quiz evaluation →",
    )
    assert pager["prev"][0] == lessons[1].url
    assert "Leçon 3 sur 3" in html
    assert "Retour à la formation" not in html.split('class="pager"')[1]


def test_a_quiz_between_lessons_is_on_the_way(client, course, lessons, assessment):
    """A quiz placed between two lessons is "next" from the one before and
    "previous" from the one after (the trainer's order, as the rule's)."""
    quiz = make_quiz(course, "etape")
    quiz.move(lessons[2], pos="left")
    html = _text(client.get(lessons[1].url))
    assert _pager(html)["next"][0] == quiz.url
    html = _text(client.get(lessons[2].url))
    assert _pager(html)["prev"] == (quiz.url, "← Quiz précédent : Quiz etape")
    assert _pager(html)["next"][0] == assessment.url


def test_outline_lists_quizzes_with_their_state(
    client, learner, course, lessons, assessment
):
    """The lesson sidebar lists the quizzes after the lessons: to pass, then passed;
    an optional quiz says so; a completed lesson has its mark."""
    optional = make_quiz(course, "entrainement", required=False)
    enrollment = progress.enrol(learner, course)
    progress.complete_lesson(enrollment, lessons[0])
    client.force_login(learner)
    outline = _outline(_text(client.get(lessons[1].url)))
    titles = re.findall(
        r"<li[^>]*>(?:<a [^>]*>|<span aria-current=\"page\">)([^<]*)<", outline
    )
    assert titles == [
        "Le SNDS",
        "Accès",
        "Sécurité",
        "Quiz evaluation",
        "Quiz entrainement",
    ]
    items = outline.split("<li")[1:]
    assert 'class="done-mark"' in items[0] and "done-mark" not in items[1]
    assert "Quiz</span>" in items[3] and "À réussir" in items[3]
    assert "Facultatif" in items[4] and "À réussir" not in items[4]
    assert f'href="{optional.url}"' in items[4]

    _pass(enrollment, assessment)
    outline = _outline(_text(client.get(lessons[2].url)))
    item = outline.split("<li")[4]
    assert "✓ Réussi" in item and "À réussir" not in item


def test_outline_without_enrolment_shows_no_state(client, course, lessons, assessment):
    """A visitor sees the quizzes in the outline, with no state."""
    outline = _outline(_text(client.get(lessons[0].url)))
    assert f'href="{assessment.url}"' in outline
    assert "À réussir" not in outline and "Réussi" not in outline


def test_course_page_says_which_quizzes_are_passed(
    client, learner, course, lessons, assessment
):
    """The course's syllabus gives each quiz its state for the learner."""
    enrollment = progress.enrol(learner, course)
    client.force_login(learner)
    syllabus = _text(client.get(course.url)).split('class="syllabus"')[1]
    quiz_item = syllabus.split('class="syllabus__item"')[4]
    assert "Quiz evaluation" in quiz_item and "À réussir" in quiz_item
    _pass(enrollment, assessment)
    syllabus = _text(client.get(course.url)).split('class="syllabus"')[1]
    quiz_item = syllabus.split('class="syllabus__item"')[4]
    assert "✓ Réussi" in quiz_item and "À réussir" not in quiz_item


def test_navigation_in_english(client, learner, course, lessons, assessment, english):
    """In English, the last lesson leads to the English quiz, said in English."""
    progress.enrol(learner, course)
    client.force_login(learner)
    with translation.override("en"):
        html = _text(client.get(english[lessons[2].pk].url))
    assert _pager(html)["next"] == (
        english[assessment.pk].url,
        f"Next, the quiz: {english[assessment.pk].title} →",
    )
    assert 'aria-label="Course outline"' in html
    assert "To pass" in html
