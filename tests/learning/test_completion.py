"""The completion rule (learning/completion.py) and where learners see it: course
page, lesson page, quiz result, "continue"."""

import itertools
import re

from django.urls import reverse
from django.utils import translation

import pytest

from courses.outline import outline_by_id
from learning import progress
from learning.certificates.models import Certificate
from learning.completion import completion, done_step_ids, requirements_met
from learning.navigation import resume_url
from learning.quiz import attempts

from .conftest import make_quiz as _quiz

pytestmark = pytest.mark.django_db


def _pass(enrollment, quiz, *, right=True):
    attempt = attempts.start_attempt(enrollment, quiz)
    (question,) = attempt.questions
    return attempts.submit_attempt(
        attempt, {question["key"]: "true" if right else "false"}
    ).attempt


@pytest.mark.parametrize(
    ("lessons_done", "required_passed", "optional_passed"),
    list(itertools.product([0, 2, 3], [False, True], [False, True])),
)
def test_rule_in_sql_and_in_python_agree(
    learner, course, lessons, assessment, lessons_done, required_passed, optional_passed
):
    """Every lesson done and every required quiz passed, optional quizzes aside:
    the database check (writes) and the outline check (pages) say the same."""
    optional = _quiz(course, "entrainement", required=False)
    enrollment = progress.enrol(learner, course)
    for lesson in lessons[:lessons_done]:
        progress.open_lesson(enrollment, lesson)
        progress.complete_lesson(enrollment, lesson)
    if optional_passed:
        _pass(enrollment, optional)
    if required_passed:
        _pass(enrollment, assessment)
    enrollment.refresh_from_db()
    expected = lessons_done == 3 and required_passed
    assert enrollment.is_completed is expected
    rule = completion(outline_by_id(course.pk), done_step_ids(enrollment))
    assert requirements_met(enrollment) is expected
    assert (not rule.missing) is expected
    missing = {step.pk for step in rule.missing}
    assert optional.pk not in missing
    assert (assessment.pk in missing) is not required_passed
    assert rule.percent == round(100 * (lessons_done + required_passed) / 4)


def test_continue_goes_to_the_first_unfinished_item(learner, course, lessons):
    """Skipped via "next": "continue" goes back to the skipped lesson, not the last opened."""
    assessment = _quiz(course, "evaluation")
    enrollment = progress.enrol(learner, course)
    for lesson in lessons:
        progress.open_lesson(enrollment, lesson)
    progress.complete_lesson(enrollment, lessons[0])
    progress.complete_lesson(enrollment, lessons[2])
    enrollment.refresh_from_db()
    assert resume_url(enrollment) == lessons[1].url
    progress.complete_lesson(enrollment, lessons[1])
    enrollment.refresh_from_db()
    assert resume_url(enrollment) == assessment.url  # a required quiz is an item too


def test_continue_in_english_leads_to_the_english_page(
    learner, course, lessons, english
):
    """Progress is shared across languages; "continue" stays in the learner's."""
    enrollment = progress.enrol(learner, course)
    progress.complete_lesson(enrollment, lessons[0])
    with translation.override("en"):
        assert resume_url(enrollment) == english[lessons[1].pk].url


def test_course_page_states_the_rule(client, course, lessons, assessment, english):
    """Anyone reading the course page learns what completing it takes."""
    _quiz(course, "entrainement", required=False)
    text = " ".join(client.get(course.url).content.decode().split())
    assert "Pour terminer cette formation et recevoir son certificat" in text
    assert "marquer chacune des 3 leçons comme faite" in text
    assert "(les ouvrir ne suffit pas)" in text
    assert "réussir le quiz obligatoire." in text
    assert "Facultatif" in text
    text = " ".join(client.get(english[course.pk].url).content.decode().split())
    assert "To complete this course and receive its certificate" in text
    assert "mark each of the 3 lessons as done" in text
    assert "pass the required quiz." in text


def test_lesson_page_has_one_primary_action_and_secondary_navigation(
    client, learner, course, lessons
):
    """ "Mark as done and continue" is the only primary action; "next" is a plain link
    saying where it goes."""
    progress.enrol(learner, course)
    client.force_login(learner)
    html = client.get(lessons[0].url).content.decode()
    assert html.count("button--primary") == 1
    (primary,) = re.findall(
        r'<button class="button button--primary"[^>]*>([^<]*)<', html
    )
    assert primary == "Marquer comme faite et continuer"
    (next_link,) = re.findall(r'<a ([^>]*)rel="next">([^<]*)<', html)
    assert "button" not in next_link[0]
    assert next_link[1].startswith("Leçon suivante : Accès")
    assert "seul ce bouton compte" in html


def test_mark_as_done_continues_to_the_next_unfinished_item(
    client, learner, course, lessons, assessment
):
    """After the last lesson, "continue" leads to the required quiz; after a
    skipped lesson, further on first, then back to what was skipped."""
    client.force_login(learner)
    client.post(reverse("learning:start_course", args=[course.pk]))
    complete = lambda lesson: client.post(  # noqa: E731
        reverse("learning:complete_lesson", args=[lesson.pk])
    )
    assert complete(lessons[1])["Location"] == lessons[2].url
    assert complete(lessons[2])["Location"] == assessment.url
    enrollment = learner.enrollments.get()
    _pass(enrollment, assessment)
    assert complete(lessons[0])["Location"] == course.url  # completed now


def _review(client, quiz, attempt):
    return " ".join(
        client.get(f"{quiz.url}?attempt={attempt.pk}").content.decode().split()
    )


def test_quiz_result_says_what_is_missing_with_links(
    client, learner, course, lessons, assessment
):
    """Passed, but a lesson skipped: no certificate, and the result says which
    lesson is missing, with its link (French and English)."""
    enrollment = progress.enrol(learner, course)
    for lesson in (lessons[0], lessons[2]):
        progress.complete_lesson(enrollment, lesson)
    attempt = _pass(enrollment, assessment)
    client.force_login(learner)
    html = _review(client, assessment, attempt)
    assert "Réussi" in html
    assert "Pas encore de certificat : la formation n’est pas terminée." in html
    assert (
        f'<a href="{lessons[1].url}">Accès</a> — marquer cette leçon comme faite'
        in (html)
    )
    assert lessons[0].url not in html.split("Reste à faire")[1]
    assert not Certificate.objects.exists()


def test_quiz_result_in_english(client, learner, course, lessons, assessment, english):
    enrollment = progress.enrol(learner, course)
    attempt = _pass(enrollment, assessment)
    client.force_login(learner)
    html = _review(client, english[assessment.pk], attempt)
    assert "No certificate yet: the course is not completed." in html
    lesson = english[lessons[0].pk]
    assert f'<a href="{lesson.url}">{lesson.title}</a> — mark this lesson as done' in (
        html
    )


def test_quiz_result_failed_lists_the_quiz_itself(
    client, learner, course, lessons, assessment
):
    enrollment = progress.enrol(learner, course)
    attempt = _pass(enrollment, assessment, right=False)
    client.force_login(learner)
    html = _review(client, assessment, attempt)
    assert f'<a href="{assessment.url}">Quiz evaluation</a> — réussir ce quiz' in html


def test_quiz_result_says_the_certificate_is_issued(
    client, learner, course, lessons, assessment, django_capture_on_commit_callbacks
):
    """Everything done: the result says the course is completed and links the
    certificate once the job has issued it, "on its way" before."""
    enrollment = progress.enrol(learner, course)
    for lesson in lessons:
        progress.complete_lesson(enrollment, lesson)
    with django_capture_on_commit_callbacks(execute=False):
        attempt = _pass(enrollment, assessment)  # the job does not run
    client.force_login(learner)
    html = _review(client, assessment, attempt)
    assert "La formation est terminée : votre certificat est en préparation." in html
    with django_capture_on_commit_callbacks(execute=True):
        progress.schedule_issuance(enrollment.pk)
    certificate = Certificate.objects.get()
    html = _review(client, assessment, attempt)
    assert "votre certificat a été délivré" in html
    assert reverse("certificates:pdf", args=[certificate.uuid]) in html
    course_html = client.get(course.url).content.decode()
    assert reverse("certificates:pdf", args=[certificate.uuid]) in course_html
