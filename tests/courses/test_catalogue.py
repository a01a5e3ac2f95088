"""The catalogue: facets, search, empty states and odd query strings."""

import pytest

from courses.models import Theme
from tests.factories import CoursePageFactory, LessonPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(catalogue):
    fair = Theme.objects.get(code="partage-fair")
    pgd = Theme.objects.get(code="pgd")
    made = {
        "fair": CoursePageFactory(
            parent=catalogue, title="Les principes FAIR", level="beginner",
            duration_minutes=30, summary="Trouvable, accessible, interopérable.",
        ),
        "pgd": CoursePageFactory(
            parent=catalogue, title="Rédiger un PGD", level="intermediate",
            duration_minutes=60, summary="Le modèle du CNRS en six sections.",
        ),
        "snds": CoursePageFactory(
            parent=catalogue, title="Accès au SNDS", level="intermediate",
            duration_minutes=120, mandatory=True, summary="Formation obligatoire.",
        ),
        "english": CoursePageFactory(
            parent=catalogue, title="Data papers", level="advanced", language="en",
            duration_minutes=20, summary="Publishing a data paper.",
        ),
    }  # fmt: skip
    made["fair"].themes.add(fair)
    made["pgd"].themes.add(pgd, fair)
    LessonPageFactory(parent=made["snds"], markdown="La pseudonymisation des données.")
    for course in made.values():
        course.save_revision().publish()
        if course.get_children_count() == 0:  # a course without lessons is not offered
            LessonPageFactory(parent=course)
    return made


def titles(response):
    return [course.title for course in response.context["results"].courses]


def test_catalogue_lists_live_courses_mandatory_first(client, catalogue, courses):
    """Every published course is listed, mandatory trainings first."""
    response = client.get(catalogue.url)
    assert response.status_code == 200
    assert titles(response)[0] == "Accès au SNDS"
    assert len(titles(response)) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("theme=pgd", {"Rédiger un PGD"}),
        ("theme=partage-fair", {"Les principes FAIR", "Rédiger un PGD"}),
        ("level=intermediate", {"Rédiger un PGD", "Accès au SNDS"}),
        ("level=beginner&level=advanced", {"Les principes FAIR", "Data papers"}),
        ("language=en", {"Data papers"}),
        ("duration=short", {"Les principes FAIR", "Data papers"}),
        ("duration=long", {"Accès au SNDS"}),
        ("theme=partage-fair&level=intermediate", {"Rédiger un PGD"}),
    ],
)
def test_catalogue_facets_filter(client, catalogue, courses, query, expected):
    """Each facet narrows the list; values of one facet combine with OR, facets with AND."""
    assert set(titles(client.get(f"{catalogue.url}?{query}"))) == expected


def test_catalogue_facet_counts(client, catalogue, courses):
    """Facet counts tell how many courses each option would show."""
    facets = {
        facet.name: facet
        for facet in client.get(catalogue.url).context["results"].facets
    }
    levels = {option.value: option.count for option in facets["level"].options}
    assert levels == {"beginner": 1, "intermediate": 2, "advanced": 1}
    themes = {option.value: option.count for option in facets["theme"].options}
    assert (
        themes["partage-fair"] == 2
        and themes["pgd"] == 1
        and themes["data-papers"] == 0
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("PGD", {"Rédiger un PGD"}),
        ("six sections", {"Rédiger un PGD"}),
        ("pseudonymisation", {"Accès au SNDS"}),  # found in a lesson
    ],
)
def test_catalogue_full_text_search(client, catalogue, courses, query, expected):
    """Search finds courses by title, summary and the text of their lessons."""
    assert set(titles(client.get(catalogue.url, {"q": query}))) == expected


def test_catalogue_search_without_match_shows_empty_state(client, catalogue, courses):
    """A search that matches nothing says so and offers to clear the filters."""
    response = client.get(catalogue.url, {"q": "astrophysique quantique"})
    html = response.content.decode()
    assert titles(response) == []
    assert "Aucune formation ne correspond" in html


@pytest.mark.parametrize(
    "query",
    [
        "level=unknown",
        "theme=%00",
        "duration=999",
        "q=" + "x" * 5000,
        "language[]=fr",
        "q=%ff%fe",
    ],
)
def test_catalogue_odd_query_strings_never_fail(client, catalogue, courses, query):
    """Unknown facet values are ignored and long searches truncated: never a 500."""
    assert client.get(f"{catalogue.url}?{query}").status_code == 200


def test_catalogue_empty(client, catalogue):
    """An empty catalogue says no course is published yet."""
    html = client.get(catalogue.url).content.decode()
    assert "Aucune formation n’est encore publiée" in html or "Aucune formation" in html


def test_catalogue_search_ranks_by_relevance(client, catalogue, courses):
    """With a search, the most relevant course comes first, before the mandatory
    one that only mentions the words in a lesson; without one, mandatory first."""
    metadata = CoursePageFactory(
        parent=catalogue,
        title="Métadonnées et pseudonymisation",
        summary="La pseudonymisation des métadonnées, pas à pas.",
        objectives="Pseudonymiser\nDécrire la pseudonymisation",
    )
    LessonPageFactory(parent=metadata, markdown="Un exemple.")
    response = client.get(catalogue.url, {"q": "pseudonymisation"})
    assert titles(response) == ["Métadonnées et pseudonymisation", "Accès au SNDS"]
    assert titles(client.get(catalogue.url))[0] == "Accès au SNDS"


def test_catalogue_search_ranks_a_course_by_its_own_text_before_its_lessons(
    client, catalogue, courses
):
    """A course named after the words comes before one whose lesson mentions them."""
    LessonPageFactory(parent=courses["english"], markdown="Rédiger un PGD en anglais.")
    response = client.get(catalogue.url, {"q": "PGD"})
    assert titles(response) == ["Rédiger un PGD", "Data papers"]


@pytest.fixture
def english_versions(site_structure, courses):
    """English translations of the FAIR and SNDS courses, each with a lesson,
    made as Wagtail makes them (the copies keep the French teaching language)."""
    from wagtail.models import Locale

    english = Locale.objects.get(language_code="en")
    made = {}
    for name, title in (("fair", "FAIR principles"), ("snds", "SNDS access")):
        translated = courses[name].copy_for_translation(english).specific
        translated.title = title
        translated.summary = f"{title}, in English."
        translated.save_revision().publish()
        lesson = courses[name].get_children().first().specific
        lesson.copy_for_translation(english).specific.save_revision().publish()
        made[name] = translated
    return made


def test_catalogue_english_facet_finds_english_versions(
    client, catalogue, site_structure, english_versions
):
    """The French catalogue's "English" lists the English versions of its courses
    (and the course taught in English), each marked lang="en"; its count says so."""
    response = client.get(catalogue.url, {"language": "en"})
    assert set(titles(response)) == {"FAIR principles", "SNDS access", "Data papers"}
    html = response.content.decode()
    assert 'lang="en">FAIR principles</a>' in html
    facets = {facet.name: facet for facet in response.context["results"].facets}
    languages = {option.value: option.count for option in facets["language"].options}
    assert languages == {"fr": 3, "en": 3}
    # Without the facet, the French catalogue keeps its French pages.
    assert "FAIR principles" not in titles(client.get(catalogue.url))


def test_catalogue_english_facet_in_the_english_catalogue(
    client, site_structure, english_versions
):
    """In the English catalogue, "English" lists the English versions and the
    course taught in English; "French" the French versions, marked lang="fr"."""
    english = site_structure.catalogue("en")
    response = client.get(english.url, {"language": "en"})
    assert set(titles(response)) == {"FAIR principles", "SNDS access", "Data papers"}
    response = client.get(english.url, {"language": "fr"})
    assert set(titles(response)) == {
        "Les principes FAIR",
        "Rédiger un PGD",
        "Accès au SNDS",
    }
    assert 'lang="fr">Rédiger un PGD</a>' in response.content.decode()
    page = client.get(english_versions["snds"].url).content.decode()
    assert '<span class="badge" lang="en">English</span>' in page
