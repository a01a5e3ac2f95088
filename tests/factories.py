"""factory_boy factories for pages and people.

Pages are created under the site structure's French catalogue unless a parent is
given: `CoursePageFactory(parent=catalogue)`.
"""

from django.contrib.auth import get_user_model

import factory
import wagtail_factories

from courses.models import CoursePage, LessonPage, Theme


def add_draft(parent, page):
    """Add `page` below `parent` as a draft never published (a trainer's first save)."""
    page.live = False
    parent.add_child(instance=page)
    page.save_revision()
    return page


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.django.Password("correct horse battery staple")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"theme-{n}")
    name_fr = factory.Sequence(lambda n: f"Thème {n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")


class CoursePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"Formation {n}")
    slug = factory.Sequence(lambda n: f"formation-{n}")
    summary = "Une formation sur les données de la recherche."
    objectives = "Comprendre\nAppliquer"
    duration_minutes = 45


class LessonPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = LessonPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Leçon {n}")
    slug = factory.Sequence(lambda n: f"lecon-{n}")
    summary = "Ce que vous saurez faire."
    duration_minutes = 10
    body = wagtail_factories.StreamFieldFactory({})

    @factory.post_generation
    def markdown(obj, create, extracted, **kwargs):
        if extracted is not None:
            obj.body = [("markdown", extracted)]
            if create:
                obj.save()


def offered_course(**kwargs) -> CoursePage:
    """A published course with one published lesson: what the catalogue offers."""
    course = CoursePageFactory(**kwargs)
    LessonPageFactory(parent=course)
    return course
