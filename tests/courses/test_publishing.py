"""Publishing a course with its lessons and quizzes in one action, and no empty
course in the catalogue (issue 17, point 3)."""

from wagtail.models import PageLogEntry, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest

from courses.catalogue import search_catalogue
from courses.models import LessonPage
from courses.publishing import (
    CoursePublishingRefused,
    publish_course,
    submit_course,
)
from courses.wagtail_hooks import PUBLISH_COURSE, SUBMIT_COURSE
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def live_titles(course):
    course.refresh_from_db()
    children = course.get_children().live().values_list("title", flat=True)
    return course.live, sorted(children)


def test_publish_course_publishes_every_draft_child(trainer, draft_course):
    """The course, its draft lessons and its quiz go live in one call, each
    through Wagtail's publish action (logged)."""
    release = publish_course(draft_course, trainer)
    assert live_titles(draft_course) == (
        True,
        ["Leçon 1", "Leçon 2", "Évaluation"],
    )
    assert release.children_done == 3
    assert (
        PageLogEntry.objects.filter(action="wagtail.publish", user=trainer).count() == 4
    )
    assert not any(page.has_unpublished_changes for page in draft_course.get_children())


def test_publish_course_takes_the_latest_revision(trainer, course, lessons):
    """A live lesson's newer draft is published; unchanged lessons are left alone."""
    lesson = lessons[1].specific
    lesson.title = "Accès, revu"
    lesson.save_revision()
    release = publish_course(course, trainer)
    assert [page.pk for page in release.done] == [lesson.pk]
    assert LessonPage.objects.get(pk=lesson.pk).title == "Accès, revu"
    assert len(release.unchanged) >= 2


def test_publish_course_refused_without_publish_rights(editor, draft_course):
    """An editor who may not publish gets a refusal, and nothing is published."""
    with pytest.raises(CoursePublishingRefused):
        publish_course(draft_course, editor)
    assert live_titles(draft_course) == (False, [])


def test_publish_course_is_all_or_nothing(trainer, draft_course):
    """A lesson locked by someone else stops the whole publication."""
    other = UserFactory(username="collegue")
    locked = LessonPage.objects.get(slug="lecon-2")
    locked.locked, locked.locked_by = True, other
    locked.save(update_fields=["locked", "locked_by"])
    with pytest.raises(CoursePublishingRefused) as refused:
        publish_course(draft_course, trainer)
    assert "Leçon 2" in str(refused.value.message)
    assert live_titles(draft_course) == (False, [])


def test_submit_course_starts_moderation_of_every_child(editor, draft_course):
    """Without publish rights, the course and its children enter their workflow."""
    release = submit_course(draft_course, editor)
    assert release.children_done == 3
    in_moderation = WorkflowState.objects.filter(
        status=WorkflowState.STATUS_IN_PROGRESS
    ).count()
    assert in_moderation == 4
    assert live_titles(draft_course) == (False, [])
    # Submitting again changes nothing: they already await moderation.
    assert submit_course(draft_course, editor).done == []


def course_form(course, **action):
    """The course editor's form, as Wagtail posts it."""
    return {
        **nested_form_data(
            {
                "title": course.title,
                "slug": course.slug,
                "summary": course.summary,
                "objectives": "",
                "level": course.level,
                "duration_minutes": course.duration_minutes,
                "language": course.language,
                "licence": course.licence,
                "doi": "",
                "version": course.version,
                "pass_mark": course.pass_mark,
                "comments": inline_formset([]),
            }
        ),
        **action,
    }


def test_admin_menu_offers_publish_with_children(client, trainer, draft_course):
    """The course editor offers the action to a trainer, not "submit with children"."""
    client.force_login(trainer)
    html = client.get(f"/admin/pages/{draft_course.pk}/edit/").content.decode()
    assert f'name="{PUBLISH_COURSE}"' in html
    assert f'name="{SUBMIT_COURSE}"' not in html
    lesson = LessonPage.objects.get(slug="lecon-1")
    html = client.get(f"/admin/pages/{lesson.pk}/edit/").content.decode()
    assert PUBLISH_COURSE not in html  # a course's action only


def test_admin_publish_with_children(client, trainer, draft_course):
    """Posting the course editor with the action saves and publishes it all."""
    client.force_login(trainer)
    response = client.post(
        f"/admin/pages/{draft_course.pk}/edit/",
        course_form(draft_course, **{PUBLISH_COURSE: PUBLISH_COURSE}),
    )
    assert response.status_code == 302
    assert response.url == f"/admin/pages/{draft_course.pk}/"
    assert live_titles(draft_course) == (True, ["Leçon 1", "Leçon 2", "Évaluation"])


def test_admin_editor_submits_instead(client, editor, draft_course):
    """An editor sees "submit with children", and posting "publish" publishes nothing."""
    client.force_login(editor)
    html = client.get(f"/admin/pages/{draft_course.pk}/edit/").content.decode()
    assert f'name="{SUBMIT_COURSE}"' in html
    assert f'name="{PUBLISH_COURSE}"' not in html
    response = client.post(
        f"/admin/pages/{draft_course.pk}/edit/",
        course_form(draft_course, **{PUBLISH_COURSE: PUBLISH_COURSE}),
    )
    assert response.status_code == 302
    assert live_titles(draft_course) == (False, [])
    client.post(
        f"/admin/pages/{draft_course.pk}/edit/",
        course_form(draft_course, **{SUBMIT_COURSE: SUBMIT_COURSE}),
    )
    assert (
        WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS).count()
        == 4
    )


def test_course_without_published_lesson_is_not_offered(rf, catalogue, site_structure):
    """A course published before its lessons is neither listed nor found."""
    empty = CoursePageFactory(parent=catalogue, title="Vide", slug="vide")
    LessonPageFactory(parent=empty, live=False).save_revision()
    full = CoursePageFactory(parent=catalogue, title="Pleine", slug="pleine")
    LessonPageFactory(parent=full)
    listed = search_catalogue(catalogue, rf.get("/").GET).courses
    assert [course.slug for course in listed] == ["pleine"]
    found = search_catalogue(catalogue, rf.get("/", {"q": "Vide"}).GET).courses
    assert found == []
    request = rf.get("/")
    request.user, request.session = UserFactory(username="visiteur"), {}
    featured = site_structure.homes["fr"].get_context(request)["featured_courses"]
    assert [course.slug for course in featured] == ["pleine"]
    LessonPage.objects.child_of(empty).get().save_revision().publish()
    listed = search_catalogue(catalogue, rf.get("/").GET).courses
    assert sorted(course.slug for course in listed) == ["pleine", "vide"]
