"""Page addresses from accented titles are transliterated (issue 17, point 5):
"Données de santé" gives /donnees-de-sante/, not /donn%C3%A9es-de-sant%C3%A9/."""

from django.conf import settings
from wagtail.models import Page

import pytest

from cms.roles import ensure_role_groups
from courses.models import CoursePage, LessonPage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_slugs_setting_transliterates():
    """Wagtail's own setting: slugs made from titles are ASCII."""
    assert settings.WAGTAIL_ALLOW_UNICODE_SLUGS is False


def test_slugs_from_an_accented_title_are_ascii(catalogue):
    """A page saved without a slug gets one from its title, accents removed."""
    course = catalogue.add_child(
        instance=CoursePage(title="Données de santé : l’accès", summary="Résumé.")
    )
    assert course.slug == "donnees-de-sante-lacces"
    assert course.url.endswith("/donnees-de-sante-lacces/")
    assert course.url.isascii()


def test_slugs_editor_transliterates_as_the_trainer_types(client, catalogue):
    """The editor's slug field does not keep accents: Wagtail's w-slug controller
    transliterates the title as it is typed (seen in tests/e2e)."""
    trainer = UserFactory(username="formatrice")
    trainer.groups.add(ensure_role_groups()["trainers"])
    client.force_login(trainer)
    response = client.get(f"/admin/pages/add/courses/coursepage/{catalogue.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    # Django leaves out an attribute whose value is False: the controller's
    # default, allowUnicode = false, applies.
    assert 'data-controller="w-slug"' in html
    assert "data-w-slug-allow-unicode-value" not in html


def test_slugs_already_accented_still_route(client, catalogue):
    """A page given an accented slug before the change keeps its address."""
    course = catalogue.add_child(
        instance=CoursePage(title="Données", slug="donnees", summary="Résumé.")
    )
    lesson = course.add_child(
        instance=LessonPage(title="Leçon", slug="leçon", body=[("markdown", "Texte")])
    )
    Page.objects.filter(pk=course.pk).update(
        slug="données", url_path=course.url_path.replace("donnees", "données")
    )
    course.refresh_from_db()
    lesson.refresh_from_db()
    lesson.set_url_path(course)
    lesson.save(update_fields=["url_path"])
    response = client.get(course.url)
    assert response.status_code == 200, course.url
    assert "/donn%C3%A9es/" in course.url
    assert client.get(LessonPage.objects.get(pk=lesson.pk).url).status_code == 200
