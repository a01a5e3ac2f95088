"""Caching of pages (cms/middleware.py, cms/caching.py): fast, and never wrong.

Anonymous visitors get whole pages from the cache; a publish, an unpublish or
a new translation shows at once; drafts never leak; logged-in people, searches,
previews and pages that set a cookie are never served from (or stored in) it.
"""

import pytest

from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    UserFactory,
    offered_course,
)

pytestmark = pytest.mark.django_db


def test_anonymous_catalogue_is_served_from_the_cache(
    client, catalogue, django_assert_num_queries
):
    """Once rendered, the catalogue costs no query; the page is the same."""
    offered_course(parent=catalogue, title="Les principes FAIR")
    client.get(catalogue.url)  # creates the institution settings: not stored
    first = client.get(catalogue.url)
    with django_assert_num_queries(0):
        second = client.get(catalogue.url)
    assert second.status_code == 200
    assert second.content == first.content
    assert "Les principes FAIR" in second.content.decode()
    assert "Cookie" in second["Vary"]


def test_publish_and_unpublish_show_at_once(client, catalogue):
    """A course published after the page was cached appears; unpublished, it goes."""
    client.get(catalogue.url)
    course = offered_course(parent=catalogue, title="Choisir un entrepôt")
    assert "Choisir un entrepôt" in client.get(catalogue.url).content.decode()
    course.unpublish()
    assert "Choisir un entrepôt" not in client.get(catalogue.url).content.decode()


def test_drafts_never_leak(client, catalogue):
    """A draft revision changes nothing visible; its publication does."""
    course = offered_course(parent=catalogue, title="Titre publié")
    client.get(catalogue.url)
    course.title = "Titre en brouillon"
    revision = course.save_revision()
    html = client.get(catalogue.url).content.decode()
    assert "Titre publié" in html and "Titre en brouillon" not in html
    lesson_html = client.get(course.url).content.decode()
    assert "Titre en brouillon" not in lesson_html
    revision.publish()
    assert "Titre en brouillon" in client.get(catalogue.url).content.decode()


def test_logged_in_people_never_get_the_anonymous_page(client, catalogue):
    """Warm for anonymous visitors, the page still shows a person their own menu."""
    client.get(catalogue.url)
    client.get(catalogue.url)
    client.force_login(UserFactory(username="alix"))
    html = client.get(catalogue.url).content.decode()
    assert "Mon parcours" in html
    assert "/accounts/logout/" in html


def test_logged_in_pages_are_never_stored(client, catalogue):
    """A page rendered for a logged-in person is not what the next visitor gets."""
    client.force_login(UserFactory(username="alix"))
    client.get(catalogue.url)
    client.logout()
    anonymous = client.get(catalogue.url).content.decode()
    assert "/accounts/logout/" not in anonymous
    assert "/accounts/login/" in anonymous


def test_searches_are_not_cached(client, catalogue, django_assert_max_num_queries):
    """Only the bare catalogue is cached: a search is computed every time."""
    offered_course(parent=catalogue, title="Données sensibles")
    client.get(catalogue.url + "?q=sensibles")
    response = client.get(catalogue.url + "?q=sensibles")
    assert response.context is not None  # rendered, not replayed
    assert "Données sensibles" in response.content.decode()


def test_a_request_with_a_session_is_not_served_from_the_cache(client, catalogue):
    """Someone with a session (messages, a half-done log-in...) gets a rendered page."""
    client.get(catalogue.url)
    client.cookies["sessionid"] = "not-a-real-session"
    response = client.get(catalogue.url)
    assert response.context is not None


def test_lesson_page_for_anonymous_visitors_is_cached_per_page(client, catalogue):
    """Two lessons, two cached pages: the key is the path."""
    course = CoursePageFactory(parent=catalogue)
    one = LessonPageFactory(parent=course, title="Première", markdown="Un")
    two = LessonPageFactory(parent=course, title="Seconde", markdown="Deux")
    for _ in range(2):
        assert "Première" in client.get(one.url).content.decode()
        assert "<p>Deux</p>" in client.get(two.url).content.decode()


def test_language_switcher_follows_a_new_translation(client, site_structure):
    """A translation published after the page was cached appears in the switcher."""
    course = CoursePageFactory(parent=site_structure.catalogue("fr"), slug="fair")
    html = client.get(course.url).content.decode()
    assert 'href="/en/" hreflang="en"' in html
    english = course.copy_for_translation(site_structure.catalogue("en").locale)
    english.title = "FAIR principles"
    english.save_revision().publish()
    html = client.get(course.url).content.decode()
    assert 'href="/en/catalogue/fair/" hreflang="en"' in html


def test_theme_renamed_shows_at_once(client, catalogue):
    """Snippets shown on cached pages (themes) invalidate them too."""
    from tests.factories import ThemeFactory

    theme = ThemeFactory(code="fair", name_fr="Principes FAIR")
    course = CoursePageFactory(parent=catalogue)
    course.themes.add(theme)
    course.save_revision().publish()
    assert "Principes FAIR" in client.get(catalogue.url).content.decode()
    theme.name_fr = "FAIR, les principes"
    theme.save()
    assert "FAIR, les principes" in client.get(catalogue.url).content.decode()


def test_institution_settings_change_shows_at_once(client, catalogue):
    """The footer's institution name is cached with the page, and refreshed."""
    from wagtail.models import Site

    from cms.models import InstitutionSettings

    assert "CNRS" in client.get(catalogue.url).content.decode()
    settings = InstitutionSettings.for_site(Site.objects.get(is_default_site=True))
    settings.institution_name = "Inserm"
    settings.save()
    assert "Inserm" in client.get(catalogue.url).content.decode()


def test_header_links_follow_permission_changes(client, catalogue):
    """The header's links are cached per person, but a new role shows at once."""
    from datetime import date

    from django.contrib.auth.models import Group, Permission

    from learning.compliance.models import Membership, MembershipRole, OrgUnit

    person = UserFactory(username="gael")
    client.force_login(person)
    html = client.get(catalogue.url).content.decode()
    assert 'href="/admin/"' not in html and "/compliance/" not in html
    unit = OrgUnit.objects.create(code="LAB", name="Labo")
    Membership.objects.create(
        user=person, unit=unit, role=MembershipRole.MANAGER, joined_at=date(2026, 1, 1)
    )
    assert "/compliance/" in client.get(catalogue.url).content.decode()
    editors = Group.objects.create(name="Rédaction")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    person.groups.add(editors)
    assert 'href="/admin/"' in client.get(catalogue.url).content.decode()


def test_responses_using_csrf_or_setting_cookies_are_never_stored(rf):
    """A page that used the CSRF token or sets a cookie is someone's own page."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from cms.middleware import _storable, mark_cacheable

    def request():
        made = rf.get("/catalogue/")
        made.user = AnonymousUser()
        mark_cacheable(made)
        return made

    assert _storable(request(), HttpResponse("ok"))
    with_token = request()
    get_token(with_token)
    assert not _storable(with_token, HttpResponse("ok"))
    with_cookie = HttpResponse("ok")
    with_cookie.set_cookie("choice", "1")
    assert not _storable(request(), with_cookie)
    private = HttpResponse("ok")
    private["Cache-Control"] = "private"
    assert not _storable(request(), private)
    preview = rf.get("/catalogue/")
    preview.user, preview.is_preview = AnonymousUser(), True
    mark_cacheable(preview)
    assert not _storable(preview, HttpResponse("ok"))


def test_only_pages_look_up_the_page_cache(client, catalogue, monkeypatch):
    """URLs that are not Wagtail pages (the LRS, the API) pay no cache round trip."""
    from django.core.cache import cache

    lookups = []
    real_get_many = cache.get_many
    monkeypatch.setattr(
        cache,
        "get_many",
        lambda keys, *a, **kw: lookups.append(keys) or real_get_many(keys, *a, **kw),
    )
    client.get("/xapi/about")
    assert lookups == []
    client.get(catalogue.url)
    assert lookups, "the catalogue is a page: its cached copy is looked up"


def test_unknown_paths_are_not_remembered(client, catalogue):
    """A crawler's 404s do not fill the per-process memo of page routes."""
    from cms import caching

    caching.clear_memo()
    for n in range(5):
        assert client.get(f"/pas-une-page-{n}/").status_code == 404
    assert not any(key[1] == "route" for key in caching._memo)
    client.get(catalogue.url)
    assert any(key[1] == "route" for key in caching._memo)
