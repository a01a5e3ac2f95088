"""Fixtures of the learning tests: a course's quizzes and its English translation."""

import uuid

import pytest

from courses.quizzes import QuestionPool, QuizPage, QuizPoolDraw


def make_quiz(course, slug, *, required=True):
    """A published quiz of one true/false question (true), required or not."""
    pool = QuestionPool.objects.create(
        code=f"pool-{slug}",
        title=slug,
        questions=[
            {
                "type": "true_false",
                "value": {"prompt": "Vrai ?", "answer": True, "feedback": ""},
                "id": str(uuid.uuid4()),
            }
        ],
    )
    quiz = course.add_child(
        instance=QuizPage(title=f"Quiz {slug}", slug=slug, required=required)
    )
    QuizPoolDraw.objects.create(quiz=quiz, pool=pool, count=1)
    quiz.save_revision().publish()
    return QuizPage.objects.get(pk=quiz.pk)


@pytest.fixture
def assessment(course):
    """The SNDS course's required final assessment, after its three lessons."""
    return make_quiz(course, "evaluation")


@pytest.fixture
def english(site_structure, course, lessons, assessment):
    """English translations of the course, its lessons and its assessment."""
    locale = site_structure.catalogue("en").locale
    pages = {}
    for page in [course, *lessons, assessment]:
        translated = page.copy_for_translation(locale)
        translated.save_revision().publish()
        pages[page.pk] = translated.specific
    return pages
