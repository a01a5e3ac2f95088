"""Wagtail view restrictions hold for every road to a course, and lessons of an
unpublished course are neither served nor completable."""

from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import PageViewRestriction

import pytest

from learning import progress
from learning.exceptions import LessonNotAvailable, PageRestricted, QuizNotAvailable
from learning.models import Enrollment, LessonProgress
from learning.quiz import attempts
from learning.xapi.models import Statement
from tests.factories import UserFactory, offered_course
from tests.quiz.conftest import add_quiz, perfect_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_group(db):
    return Group.objects.create(name="Équipe SNDS")


def restrict(page, kind=PageViewRestriction.GROUPS, *, groups=(), password=""):
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=kind, password=password
    )
    restriction.groups.set(groups)
    return restriction


def start(client, course):
    return client.post(reverse("learning:start_course", args=[course.pk]))


def complete(client, lesson):
    return client.post(reverse("learning:complete_lesson", args=[lesson.pk]))


def test_group_restriction_refuses_start_and_complete(
    client, learner, course, lessons, staff_group
):
    """Outside the group: no enrolment, no completion, no certificate, 403."""
    enrollment = progress.enrol(learner, course)  # enrolled before the restriction
    restrict(course, groups=[staff_group])
    outsider = UserFactory(username="outsider")
    client.force_login(outsider)

    response = start(client, course)
    assert response.status_code == 403
    assert "Accès restreint" in response.content.decode()
    assert not Enrollment.objects.filter(user=outsider).exists()

    client.force_login(learner)
    statements = Statement.objects.count()
    for lesson in lessons:
        assert complete(client, lesson).status_code == 403
    assert not LessonProgress.objects.filter(
        enrollment=enrollment, completed_at__isnull=False
    ).exists()
    enrollment.refresh_from_db()
    assert not enrollment.is_completed
    assert not enrollment.certificates.exists()
    assert Statement.objects.count() == statements


def test_group_restriction_in_the_domain_functions(
    learner, course, lessons, staff_group
):
    """The domain functions refuse whatever calls them; group members and
    superusers pass."""
    enrollment = progress.enrol(learner, course)
    restrict(course, groups=[staff_group])
    outsider = UserFactory(username="outsider")
    with pytest.raises(PageRestricted):
        progress.enrol(outsider, course)
    with pytest.raises(PageRestricted):
        progress.open_lesson(enrollment, lessons[0])
    with pytest.raises(PageRestricted):
        progress.complete_lesson(enrollment, lessons[0])

    learner.groups.add(staff_group)
    learner = type(learner).objects.get(pk=learner.pk)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    for lesson in lessons:
        progress.complete_lesson(enrollment, lesson)
    assert Enrollment.objects.get(pk=enrollment.pk).is_completed
    boss = UserFactory(username="boss", is_superuser=True)
    assert progress.enrol(boss, course).user == boss


def test_restriction_on_the_catalogue_holds_for_its_courses(
    learner, catalogue, course, lessons
):
    """A restriction on an ancestor (the catalogue) restricts every course below."""
    restrict(catalogue, PageViewRestriction.GROUPS)
    with pytest.raises(PageRestricted):
        progress.enrol(learner, course)


def test_quiz_attempts_respect_restrictions(learner, course, lessons, staff_group):
    """Starting, saving and submitting an attempt are refused outside the group."""
    quiz = add_quiz(course)
    enrollment = progress.enrol(learner, course)
    attempt = attempts.start_attempt(enrollment, quiz)
    restriction = restrict(course, groups=[staff_group])
    for call in (
        lambda: attempts.start_attempt(enrollment, quiz),
        lambda: attempts.save_answers(attempt, {}),
        lambda: attempts.submit_attempt(attempt, perfect_answers(attempt)),
    ):
        with pytest.raises(PageRestricted):
            call()
    restriction.delete()
    assert attempts.submit_attempt(attempt, perfect_answers(attempt)).attempt.passed


def test_group_change_of_a_restriction_applies_at_once(
    learner, course, lessons, staff_group
):
    """Changing only the groups of a restriction reaches the memoised copy."""
    learner.groups.add(staff_group)
    restriction = restrict(course, groups=[staff_group])
    enrollment = progress.enrol(learner, course)
    progress.open_lesson(enrollment, lessons[0])
    restriction.groups.set([Group.objects.create(name="Autre")])
    learner = type(learner).objects.get(pk=learner.pk)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    with pytest.raises(PageRestricted):
        progress.complete_lesson(enrollment, lessons[0])


def test_password_restriction_needs_the_password_in_the_session(
    client, learner, course, lessons
):
    """Behind a shared password, "start" leads to the page's password form; once
    the password is given (Wagtail's form), the learner may start."""
    restriction = restrict(course, PageViewRestriction.PASSWORD, password="snds-2026")
    client.force_login(learner)
    response = start(client, course)
    assert (response.status_code, response["Location"]) == (302, course.url)
    assert not Enrollment.objects.exists()
    with pytest.raises(PageRestricted):
        progress.enrol(learner, course)  # no session: no password

    client.post(
        reverse(
            "wagtailcore_authenticate_with_password", args=[restriction.pk, course.pk]
        ),
        {"password": "snds-2026", "return_url": course.url},
    )
    response = start(client, course)
    assert response["Location"] == lessons[0].url
    assert complete(client, lessons[0]).status_code == 302
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 1


def test_catalogue_hides_restricted_courses(
    client, learner, catalogue, course, staff_group
):
    """Anonymous visitors and people outside the group neither see nor find a
    restricted course; members do."""
    offered_course(parent=catalogue, title="Les principes FAIR", slug="fair")
    restrict(course, groups=[staff_group])

    def titles(query=""):
        html = client.get(catalogue.url + query).content.decode()
        return {"snds": "Accès au SNDS" in html, "fair": "Les principes FAIR" in html}

    assert titles() == {"snds": False, "fair": True}
    assert titles("?q=SNDS")["snds"] is False
    assert "Accès au SNDS" not in client.get("/").content.decode()
    client.force_login(learner)
    assert titles() == {"snds": False, "fair": True}
    assert titles("?q=SNDS")["snds"] is False
    learner.groups.add(staff_group)
    assert titles() == {"snds": True, "fair": True}
    assert titles("?q=SNDS")["snds"] is True


def test_catalogue_counts_ignore_restricted_courses(catalogue, course, staff_group):
    """Facet counts do not reveal restricted courses either."""
    from django.http import QueryDict

    from courses.catalogue import search_catalogue

    before = search_catalogue(catalogue, QueryDict())
    restrict(course, groups=[staff_group])
    after = search_catalogue(catalogue, QueryDict())
    assert course in before.courses and course not in after.courses
    level_total = sum(option.count for option in after.facets[1].options)
    assert level_total == sum(o.count for o in before.facets[1].options) - 1


def test_unpublished_course_lessons_not_served_nor_completable(
    client, learner, course, lessons
):
    """Unpublishing a course takes its lessons and quiz off line; earlier progress
    stays and shows again once the course is republished."""
    quiz = add_quiz(course)
    enrollment = progress.enrol(learner, course)
    progress.complete_lesson(enrollment, lessons[0])
    course.unpublish()
    client.force_login(learner)
    for page in (*lessons, quiz):
        assert client.get(page.url).status_code == 404
    assert complete(client, lessons[1]).status_code == 404
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    with pytest.raises(LessonNotAvailable):
        progress.complete_lesson(enrollment, lessons[1])
    with pytest.raises(LessonNotAvailable):
        progress.open_lesson(enrollment, lessons[1])
    with pytest.raises(QuizNotAvailable):
        attempts.start_attempt(enrollment, quiz)
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 1

    course.save_revision().publish()
    assert client.get(lessons[1].url).status_code == 200
    assert complete(client, lessons[1]).status_code == 302
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 2


def test_unpublished_course_lesson_preview_still_works(course, lessons):
    """Trainers preview a lesson of a course they have not published yet."""
    course.unpublish()
    response = lessons[0].make_preview_request()
    assert response.status_code == 200
