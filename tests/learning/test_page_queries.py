"""Query-count guards for the hot pages, and the per-learner parts they must keep.

Course structure, titles, URLs and translations are memoised per content
generation; what is per learner is a fixed handful of queries. The counts must
not grow with the number of courses, lessons or enrolments.
"""

from django.urls import reverse

import pytest

from learning import progress
from tests.factories import CoursePageFactory, LessonPageFactory, UserFactory

pytestmark = pytest.mark.django_db

# user; page; enrolment joined to its lesson progress and passed quizzes
LESSON_QUERIES = 3
# user; enrolments; completed lessons and passed quizzes (one UNION); certificates
MY_LEARNING_QUERIES = 4
# Everything memoised is recomputed: still bounded, whatever the catalogue size.
COLD_MAX = 40


def _more_content(catalogue, courses: int, lessons: int) -> None:
    for _ in range(courses):
        course = CoursePageFactory(parent=catalogue, mandatory=True)
        for _ in range(lessons):
            LessonPageFactory(parent=course, markdown="Du **contenu**.")


def _lesson_queries(client, url, django_assert_num_queries):
    client.get(url)  # the opening is recorded; the memo and caches fill
    client.get(url)
    with django_assert_num_queries(LESSON_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    return response


def test_lesson_page_queries_do_not_grow(
    client, learner, catalogue, course, lessons, django_assert_num_queries
):
    """A reload of a lesson costs the same few queries with 1 or 6 courses."""
    progress.enrol(learner, course)
    client.force_login(learner)
    _lesson_queries(client, lessons[1].url, django_assert_num_queries)
    _more_content(catalogue, courses=5, lessons=6)
    for lesson in range(4):
        LessonPageFactory(parent=course, slug=f"extra-{lesson}")
    _lesson_queries(client, lessons[1].url, django_assert_num_queries)


def test_lesson_page_cold_cache_is_bounded(
    client, learner, catalogue, course, lessons, django_assert_max_num_queries
):
    """With empty caches, a lesson page still needs a bounded number of queries."""
    from django.core.cache import cache

    from cms.caching import clear_memo

    _more_content(catalogue, courses=5, lessons=6)
    progress.enrol(learner, course)
    client.force_login(learner)
    client.get(lessons[0].url)
    cache.clear()
    clear_memo()
    client.force_login(learner)
    with django_assert_max_num_queries(COLD_MAX):
        assert client.get(lessons[0].url).status_code == 200


def test_my_learning_queries_do_not_grow(
    client, learner, catalogue, course, lessons, django_assert_num_queries
):
    """ "My learning" costs the same queries with 1 or 6 enrolments."""
    url = reverse("learning:my_learning")
    progress.enrol(learner, course)
    client.force_login(learner)
    client.get(url)  # creates the institution settings
    client.get(url)
    with django_assert_num_queries(MY_LEARNING_QUERIES):
        client.get(url)
    _more_content(catalogue, courses=5, lessons=3)
    for other in catalogue.get_children().live().specific():
        if other.pk != course.pk:
            progress.enrol(learner, other)
    client.get(url)
    with django_assert_num_queries(MY_LEARNING_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('class="card__title"') == 6


def test_my_learning_cold_cache_is_bounded(
    client, learner, catalogue, course, django_assert_max_num_queries
):
    from django.core.cache import cache

    from cms.caching import clear_memo

    _more_content(catalogue, courses=5, lessons=3)
    progress.enrol(learner, course)
    client.force_login(learner)
    cache.clear()
    clear_memo()
    client.force_login(learner)
    with django_assert_max_num_queries(COLD_MAX):
        assert client.get(reverse("learning:my_learning")).status_code == 200


def test_catalogue_cold_cache_is_bounded(
    client, catalogue, django_assert_max_num_queries
):
    """Rendering the catalogue (cache empty) does not cost a query per course."""
    _more_content(catalogue, courses=3, lessons=1)
    client.get(catalogue.url)
    from django.core.cache import cache

    from cms.caching import clear_memo

    cache.clear()
    clear_memo()
    with django_assert_max_num_queries(COLD_MAX) as few:
        client.get(catalogue.url)
    _more_content(catalogue, courses=6, lessons=1)
    cache.clear()
    clear_memo()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(catalogue.url)


def test_learners_see_their_own_progress_only(client, course, lessons):
    """Memoised structure, per-learner marks: one learner's ✓ is not another's."""
    done, other = UserFactory(username="dominique"), UserFactory(username="eli")
    enrollment = progress.enrol(done, course)
    progress.complete_lesson(enrollment, lessons[0])
    progress.enrol(other, course)
    client.force_login(done)
    html = client.get(lessons[1].url).content.decode()
    assert html.count('class="done-mark"') == 1
    assert 'aria-valuenow="33"' in html
    client.force_login(other)
    html = client.get(lessons[1].url).content.decode()
    assert 'class="done-mark"' not in html
    assert 'aria-valuenow="0"' in html


def test_completing_a_lesson_shows_at_once(client, learner, course, lessons):
    """Progress is never cached: a completion shows on the next page."""
    progress.enrol(learner, course)
    client.force_login(learner)
    client.get(lessons[0].url)
    assert 'aria-valuenow="0"' in client.get(lessons[0].url).content.decode()
    client.post(reverse("learning:complete_lesson", args=[lessons[0].pk]))
    html = client.get(lessons[0].url).content.decode()
    assert 'aria-valuenow="33"' in html
    assert "Vous avez terminé cette leçon." in html or "completed this lesson" in html


def test_opening_another_lesson_is_recorded_and_a_reload_is_not(
    client, learner, course, lessons
):
    """Only a real opening writes a "launched" statement."""
    from learning.xapi.models import Statement

    progress.enrol(learner, course)
    client.force_login(learner)
    client.get(lessons[0].url)
    launched = Statement.objects.count()
    client.get(lessons[0].url)
    assert Statement.objects.count() == launched
    client.get(lessons[1].url)
    assert Statement.objects.count() == launched + 1
    assert (
        learner.enrollments.get().last_lesson_id == lessons[1].pk
    )  # resume goes there


def test_new_lesson_published_appears_in_the_outline(client, learner, course, lessons):
    """The memoised outline follows a publish at once."""
    progress.enrol(learner, course)
    client.force_login(learner)
    client.get(lessons[0].url)
    LessonPageFactory(parent=course, title="Nouvelle leçon")
    html = client.get(lessons[0].url).content.decode()
    assert "Nouvelle leçon" in html
    assert "Leçon 1 sur 4" in html or "Lesson 1 of 4" in html


def test_lesson_page_counts_passed_quizzes_once(
    client, learner, course, lessons, django_assert_num_queries
):
    """With a quiz, the one query still counts each completed step once."""
    from django.utils import timezone

    from courses.models import QuizPage
    from learning.models import QuizAttempt

    quiz = course.add_child(instance=QuizPage(title="Évaluation", slug="evaluation"))
    quiz.save_revision().publish()
    enrollment = progress.enrol(learner, course)
    progress.complete_lesson(enrollment, lessons[0])
    progress.complete_lesson(enrollment, lessons[1])
    for number, passed in ((1, False), (2, True), (3, True)):
        QuizAttempt.objects.create(
            enrollment=enrollment,
            quiz=quiz,
            number=number,
            status="submitted",
            started_at=timezone.now(),
            questions=[],
            passed=passed,
        )
    client.force_login(learner)
    response = _lesson_queries(client, lessons[2].url, django_assert_num_queries)
    html = response.content.decode()
    assert 'aria-valuenow="75"' in html  # 2 lessons + 1 quiz of 4 steps
    assert html.count('class="done-mark"') == 2
