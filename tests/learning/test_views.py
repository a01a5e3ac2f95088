"""The learner journey through the web: start, continue, complete, my learning."""

from django.urls import reverse

import pytest

from learning import progress
from learning.models import Enrollment, LessonProgress
from learning.xapi.models import Statement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_reads_course_and_is_invited_to_log_in(client, course, lessons):
    """Anonymous visitors read freely and are offered to log in to record progress."""
    html = client.get(course.url).content.decode()
    assert "Se connecter pour commencer" in html
    assert client.get(lessons[0].url).status_code == 200
    assert not Statement.objects.exists()


def test_anonymous_cannot_start_or_complete(client, course, lessons):
    """The journey endpoints redirect anonymous visitors to log in."""
    for url in (
        reverse("learning:start_course", args=[course.pk]),
        reverse("learning:complete_lesson", args=[lessons[0].pk]),
    ):
        response = client.post(url)
        assert (
            response.status_code == 302 and "/accounts/login/" in response["Location"]
        )
    assert client.get(reverse("learning:my_learning")).status_code == 302


def test_start_course_then_continue_where_left_off(client, learner, course, lessons):
    """Starting enrols and opens lesson 1; the course page then offers to continue."""
    client.force_login(learner)
    response = client.post(reverse("learning:start_course", args=[course.pk]))
    assert response["Location"] == lessons[0].url
    client.get(lessons[0].url)
    client.post(reverse("learning:complete_lesson", args=[lessons[0].pk]))
    client.get(lessons[1].url)
    html = client.get(course.url).content.decode()
    assert "Reprendre là où vous vous étiez arrêté" in html
    assert f'href="{lessons[1].url}"' in html
    assert 'aria-valuenow="33"' in html


def test_complete_lesson_moves_to_next_then_course_done(
    client, learner, course, lessons
):
    """Each completion leads to the next lesson; the last completes the course."""
    client.force_login(learner)
    client.post(reverse("learning:start_course", args=[course.pk]))
    for index, lesson in enumerate(lessons):
        response = client.post(reverse("learning:complete_lesson", args=[lesson.pk]))
        expected = lessons[index + 1].url if index + 1 < len(lessons) else course.url
        assert response["Location"] == expected
    assert Enrollment.objects.get().is_completed
    html = client.get(course.url).content.decode()
    assert "Terminée le" in html and 'aria-valuenow="100"' in html


def test_complete_twice_shows_message_no_duplicate(client, learner, course, lessons):
    """A second completion of the same lesson explains itself and records nothing."""
    client.force_login(learner)
    client.post(reverse("learning:start_course", args=[course.pk]))
    url = reverse("learning:complete_lesson", args=[lessons[0].pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "Vous avez déjà terminé cette leçon." in response.content.decode()
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 1


def test_complete_without_enrolment_is_403(client, learner, lessons):
    """Completing a lesson of a course one has not started is refused with a message."""
    client.force_login(learner)
    response = client.post(reverse("learning:complete_lesson", args=[lessons[0].pk]))
    assert response.status_code == 403
    assert "Vous n’êtes pas inscrit" in response.content.decode()
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    "url", ["/learning/lessons/999999/complete/", "/learning/courses/999999/start/"]
)
def test_unknown_ids_are_404(client, learner, url):
    """Unknown course or lesson ids are a 404, never a 500."""
    client.force_login(learner)
    assert client.post(url).status_code == 404


def test_get_on_post_endpoints_is_405(client, learner, course):
    """The journey endpoints only accept POST."""
    client.force_login(learner)
    assert (
        client.get(reverse("learning:start_course", args=[course.pk])).status_code
        == 405
    )


def test_csrf_is_enforced(learner, course):
    """A cross-site POST without the CSRF token is refused."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert (
        client.post(reverse("learning:start_course", args=[course.pk])).status_code
        == 403
    )
    assert not Enrollment.objects.exists()


def test_my_learning_lists_progress_and_mandatory(
    client, learner, course, lessons, catalogue
):
    """My learning shows courses in progress with a bar, and mandatory trainings' state."""
    enrollment = progress.enrol(learner, course)
    progress.complete_lesson(enrollment, lessons[0])
    client.force_login(learner)
    html = client.get(reverse("learning:my_learning")).content.decode()
    assert "Accès au SNDS" in html
    assert 'aria-valuenow="33"' in html
    assert "En cours (33" in html


def test_my_learning_marks_untranslated_course_titles(
    client, learner, course, lessons, catalogue
):
    """In English, an untranslated course keeps its French title, marked lang="fr"."""
    from django.utils import translation

    enrollment = progress.enrol(learner, course)
    progress.complete_lesson(enrollment, lessons[0])
    client.force_login(learner)
    with translation.override("en"):
        url = reverse("learning:my_learning")
    html = client.get(url).content.decode()
    assert url.startswith("/en/")
    assert 'lang="fr">Accès au SNDS</a>' in html
    assert ' — <span lang="fr">Accès au SNDS</span>' in html  # "Continue — ..."


def test_my_learning_empty_states(client, learner):
    """A new learner sees clear empty states."""
    client.force_login(learner)
    html = client.get(reverse("learning:my_learning")).content.decode()
    assert "Vous n’avez aucune formation en cours." in html


def test_learners_do_not_see_each_others_progress(client, learner, course, lessons):
    """Another learner's course page and dashboard show none of my progress."""
    enrollment = progress.enrol(learner, course)
    progress.complete_lesson(enrollment, lessons[0])
    other = UserFactory(username="dominique")
    client.force_login(other)
    assert "aria-valuenow" not in client.get(course.url).content.decode()
    html = client.get(reverse("learning:my_learning")).content.decode()
    assert "aria-valuenow" not in html
