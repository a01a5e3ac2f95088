import os

import pytest
from hypothesis import settings as hypothesis_settings

from tests.factories import CoursePageFactory, LessonPageFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM
# calls from such a thread unless told it is safe (it is: one thread per test).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# No per-example deadline: the machines running the suite are shared, and a slow
# example is not a failure. Each property test bounds its number of examples.
hypothesis_settings.register_profile("atelier", deadline=None)
hypothesis_settings.load_profile("atelier")


@pytest.fixture(autouse=True)
def _fresh_content_caches():
    """Rolled-back test data must not survive in caches keyed by content generation."""
    from django.core.cache import cache

    from cms.caching import clear_memo

    cache.clear()
    clear_memo()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in French, the default: a request to /en/ through the
    test client leaves English active in the test's thread afterwards."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def site_structure(db):
    """The French and English home pages and catalogues."""
    from cms.site_structure import ensure_site_structure

    return ensure_site_structure()


@pytest.fixture
def catalogue(site_structure):
    return site_structure.catalogue("fr")


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
