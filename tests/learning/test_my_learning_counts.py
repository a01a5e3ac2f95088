""" "My learning" counts lessons and required quizzes apart, each with its plural
(issue 17, point 9: "1 leçons terminées sur 6" counted the quiz as a lesson)."""

from django.urls import reverse
from django.utils import translation

import pytest

from learning import progress
from tests.factories import CoursePageFactory, LessonPageFactory

from .conftest import make_quiz
from .test_completion import _pass

pytestmark = pytest.mark.django_db


def _my_learning(client, language="fr") -> str:
    with translation.override(language):
        html = client.get(reverse("learning:my_learning")).content.decode()
    return " ".join(html.split())


def test_lessons_and_quizzes_counted_apart(
    client, learner, course, lessons, assessment
):
    """3 lessons, a required quiz and an optional one: the optional quiz is not
    counted, the required one is not a lesson; French and English plurals."""
    make_quiz(course, "entrainement", required=False)
    enrollment = progress.enrol(learner, course)
    progress.complete_lesson(enrollment, lessons[0])
    client.force_login(learner)
    html = _my_learning(client)
    assert "Leçons terminées : 1 sur 3" in html
    assert "Quiz obligatoire réussi : 0 sur 1" in html
    assert "leçons terminées sur" not in html
    assert 'aria-valuenow="25"' in html  # 1 of the 4 steps the rule counts
    english = _my_learning(client, "en")
    assert "1 of 3 lessons completed" in english
    assert "0 of 1 required quiz passed" in english

    _pass(enrollment, assessment)
    html = _my_learning(client)
    assert "Quiz obligatoire réussi : 1 sur 1" in html


def test_one_lesson_no_quiz(client, learner, catalogue):
    """A one-lesson course without a quiz: the singular, and no quiz line."""
    course = CoursePageFactory(parent=catalogue, title="Court", slug="court")
    LessonPageFactory(parent=course, title="Seule", slug="seule")
    progress.enrol(learner, course)
    client.force_login(learner)
    html = _my_learning(client)
    assert "Leçon terminée : 0 sur 1" in html
    assert "Quiz obligatoire" not in html
    assert "0 of 1 lesson completed" in _my_learning(client, "en")


def test_two_required_quizzes_plural(client, learner, course, lessons, assessment):
    make_quiz(course, "intermediaire")
    enrollment = progress.enrol(learner, course)
    _pass(enrollment, assessment)
    client.force_login(learner)
    assert "Quiz obligatoires réussis : 1 sur 2" in _my_learning(client)
    assert "1 of 2 required quizzes passed" in _my_learning(client, "en")
