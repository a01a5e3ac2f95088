import pytest

from tests.factories import CoursePageFactory, LessonPageFactory, UserFactory


@pytest.fixture
def learner(db):
    return UserFactory(username="camille")


@pytest.fixture
def course(catalogue):
    """A published course with three lessons, in French with an English translation."""
    course = CoursePageFactory(
        parent=catalogue, title="Accès au SNDS", slug="snds", mandatory=True
    )
    for number, title in enumerate(["Le SNDS", "Accès", "Sécurité"], start=1):
        LessonPageFactory(parent=course, title=title, slug=f"lecon-{number}")
    return course


@pytest.fixture
def lessons(course):
    return list(course.lessons())
