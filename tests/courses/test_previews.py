"""Previews show the course as it will be once published, drafts included, and
record nothing (issue 17, points 1 and 2)."""

import pytest

from courses.models import LessonPage
from courses.quizzes import QuizPage, QuizPoolDraw
from learning import progress
from learning.models import Enrollment, LessonProgress, QuizAttempt, Statement
from tests.factories import (
    LessonPageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(username="formatrice", is_superuser=True)
    client.force_login(user)
    return user


def view_draft(client, page, mode=""):
    url = f"/admin/pages/{page.pk}/view_draft/" + (f"?mode={mode}" if mode else "")
    response = client.get(url)
    assert response.status_code == 200, response.content[:2000]
    return response.content.decode()


def test_quiz_preview_renders_the_quiz_page(client, editor, draft_course):
    """The quiz preview is the quiz page (it was a 500: no course in its context)."""
    quiz = QuizPage.objects.child_of(draft_course).get()
    html = view_draft(client, quiz)
    assert "<h1>Évaluation</h1>" in html
    assert f'href="/admin/pages/{draft_course.pk}/view_draft/"' in html
    assert "?mode=questions" in html
    assert 'name="action" value="start"' not in html  # no attempt can start


def test_quiz_preview_draws_questions_without_recording(client, editor, draft_course):
    """The questions mode draws as for an attempt; the form cannot be sent."""
    quiz = QuizPage.objects.child_of(draft_course).get()
    html = view_draft(client, quiz, "questions")
    assert html.count('class="question"') == 4
    assert 'method="post"' not in html.split('class="quiz-form"')[0][-40:]
    assert html.count(" disabled>") == 2
    assert not QuizAttempt.objects.exists()
    assert not Statement.objects.exists()


def test_quiz_preview_says_when_a_pool_is_too_small(client, editor, draft_course):
    """A draw larger than its pool is explained in the preview, not a 500."""
    quiz = QuizPage.objects.child_of(draft_course).get()
    QuizPoolDraw.objects.filter(quiz=quiz).update(count=20)
    quiz.refresh_from_db()
    quiz.save_revision()
    html = view_draft(client, quiz, "questions")
    assert "trop peu de questions" in html


def test_course_preview_lists_draft_lessons_and_quizzes(client, editor, draft_course):
    """A course never published previews with its draft lessons and quiz, each
    linked to its own preview."""
    lesson = LessonPage.objects.get(slug="lecon-2")
    lesson.title = "Leçon 2, revue"
    lesson.save_revision()  # its latest revision, not its first
    html = view_draft(client, draft_course)
    assert "aucune leçon publiée" not in html
    for page in draft_course.get_children():
        assert f'href="/admin/pages/{page.pk}/view_draft/"' in html
    assert "Leçon 2, revue" in html
    assert "Commencer la formation" not in html


def test_lesson_preview_places_the_lesson_in_the_draft_course(
    client, editor, draft_course
):
    """A draft lesson is "Lesson 2 of 2" with its siblings in the outline."""
    lesson = LessonPage.objects.get(slug="lecon-2")
    html = view_draft(client, lesson)
    assert "Leçon 2 sur 2" in html
    assert '<span aria-current="page">Leçon 2</span>' in html
    first = LessonPage.objects.get(slug="lecon-1")
    assert f'href="/admin/pages/{first.pk}/view_draft/"' in html


def test_previews_never_touch_the_editors_progress(client, editor, course, lessons):
    """An editor enrolled in the live course previews its lessons and course:
    no progress, no opening, no statement is recorded."""
    enrollment = progress.enrol(editor, course)
    statements = Statement.objects.count()
    LessonPageFactory(parent=course, live=False, slug="nouvelle").save_revision()
    for page in [course, *lessons]:
        view_draft(client, page)
    assert not LessonProgress.objects.exists()
    assert Statement.objects.count() == statements
    enrollment.refresh_from_db()
    assert enrollment.last_lesson_id is None
    assert Enrollment.objects.count() == 1


def test_preview_needs_the_right_to_edit(client, draft_course):
    """A learner cannot read a draft through its preview address."""
    client.force_login(UserFactory(username="camille"))
    response = client.get(f"/admin/pages/{draft_course.pk}/view_draft/")
    assert response.status_code in (302, 403)
