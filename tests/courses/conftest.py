from django.contrib.auth.models import Group

import pytest

from cms.roles import ensure_role_groups
from courses.models import CoursePage, LessonPage
from courses.quizzes import QuestionPool, QuizPage, QuizPoolDraw
from tests.factories import UserFactory, add_draft
from tests.quiz.conftest import ALL_TYPES


@pytest.fixture
def trainer(db):
    user = UserFactory(username="formatrice")
    user.groups.add(ensure_role_groups()["trainers"])
    return user


@pytest.fixture
def editor(db):
    """Wagtail's "Editors": they write pages but may not publish them."""
    user = UserFactory(username="redacteur")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def draft_course(catalogue):
    """A course never published: two draft lessons and a draft quiz drawing 4 questions."""
    course = add_draft(
        catalogue, CoursePage(title="Brouillon", slug="brouillon", summary="Résumé.")
    )
    for number in (1, 2):
        add_draft(course, LessonPage(title=f"Leçon {number}", slug=f"lecon-{number}"))
    pool = QuestionPool.objects.create(code="p", title="P", questions=ALL_TYPES)
    quiz = add_draft(course, QuizPage(title="Évaluation", slug="evaluation"))
    QuizPoolDraw.objects.create(quiz=quiz, pool=pool, count=4)
    quiz.save_revision()
    return course
