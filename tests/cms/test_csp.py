"""Content-Security-Policy on the site's pages (issue 14, point 5): strict on
learners' pages, inline code allowed only on the admins' paths."""

import pytest

from cms.csp import ADMIN_PREFIXES


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", ["/", "/en/", "/catalogue/", "/accounts/login/"])
def test_site_pages_get_a_strict_policy(site_structure, client, path):
    """No inline script or style, no plugins, scripts from the site only."""
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_site_templates_have_no_inline_styles_or_scripts(
    site_structure, client, course, learner
):
    """The strict policy would block them: pages must not need them."""
    from learning import progress

    progress.enrol(learner, course)
    client.force_login(learner)
    for url in ("/learning/", course.url, course.lessons()[0].url):
        body = client.get(url).content.decode()
        assert " style=" not in body, url
        assert "<script>" not in body, url


def test_admin_gets_a_policy_it_works_with(admin_client, site_structure):
    """The Wagtail admin's inline scripts and styles are allowed, still no plugins."""
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    policy = directives(response)
    assert "'unsafe-inline'" in policy["script-src"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert "/admin/" in ADMIN_PREFIXES
