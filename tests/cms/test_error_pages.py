"""The site's own 404 and 500 pages, French or English (issue 17, point 9)."""

from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

import pytest

from cms.site_structure import ensure_site_structure


@pytest.mark.parametrize(
    ("language", "title", "home"),
    [
        ("fr", "Une erreur est survenue", 'href="/"'),
        ("en", "Something went wrong", 'href="/en/"'),
    ],
)
def test_error_page_500_renders_without_request_or_database(language, title, home):
    """Django's server_error view renders the page with no context, no request
    processors and no database (this test may not touch it): styled, in the
    request's language, with a way home."""
    with translation.override(language):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in html
    assert f"<h1>{title}</h1>" in html
    assert "/static/css/atelier.css" in html
    assert home in html


@pytest.mark.django_db
def test_error_page_500_for_a_failing_view(client, settings):
    """An exception in a view answers the site's 500 page, under the strict CSP."""
    settings.ROOT_URLCONF = "tests.cms.error_urls"
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "title", "home"),
    [
        ("/nulle-part/", "Page introuvable", 'href="/"'),
        ("/en/nowhere/", "Page not found", 'href="/en/"'),
        ("/accounts/nowhere/", "Page introuvable", 'href="/"'),
    ],
)
def test_error_page_404_in_the_site_layout(client, url, title, home):
    """Unknown addresses get the site's page in their language, with the header,
    a search of the catalogue and a link home."""
    ensure_site_structure()  # the English home page
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in html
    assert 'class="site-header"' in html
    assert 'name="q"' in html
    assert f'class="button button--primary" {home}' in html
