"""Property-based fuzzing of the catalogue's query string: always a page, never a 500."""

from django.http import QueryDict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.catalogue import DURATIONS, MAX_QUERY_LENGTH, search_catalogue
from courses.models import ContentLanguage, Level, Theme
from tests.factories import CoursePageFactory, LessonPageFactory
from tests.fuzzing import query_strings

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))


def catalogue_parameters() -> dict[str, list[str]]:
    return {
        "q": ["FAIR", "données", "SNDS pseudonymisation", '"plan de gestion"'],
        "theme": list(Theme.objects.values_list("code", flat=True)),
        "level": list(Level.values),
        "language": list(ContentLanguage.values),
        "duration": list(DURATIONS),
        "page": ["1", "2"],
    }


@pytest.fixture
def courses(catalogue):
    fair = CoursePageFactory(parent=catalogue, title="Les principes FAIR")
    fair.themes.add(Theme.objects.first())
    LessonPageFactory(parent=fair, markdown="Des données trouvables et réutilisables.")
    snds = CoursePageFactory(parent=catalogue, title="Accès au SNDS", language="en")
    for course in (fair, snds):
        course.save_revision().publish()
    return catalogue


# Deferred: the theme codes are read from the database once the test runs.
QUERIES = st.deferred(lambda: query_strings(catalogue_parameters()))


@given(data=QUERIES)
@FUZZ
def test_catalogue_any_query_string_renders(client, courses, data):
    """Any query string (either language): 200, live courses only, a bounded search."""
    for prefix in ("", "/en"):
        response = client.get(f"{prefix}/catalogue/?{data}")
        assert response.status_code == 200
        results = response.context["results"]
        assert all(course.live for course in results.courses)
        assert len(results.query) <= MAX_QUERY_LENGTH
        assert not any(ord(c) < 32 or c == '"' for c in results.query)


@given(data=QUERIES)
@settings(FUZZ, max_examples=100)
def test_search_catalogue_any_parameters(courses, data):
    """The catalogue query itself, on raw query strings (invalid UTF-8 included)."""
    results = search_catalogue(courses, QueryDict(data))
    assert set(results.filters) == {"theme", "level", "language", "duration"}
    assert all(
        option.count >= 0 for facet in results.facets for option in facet.options
    )
