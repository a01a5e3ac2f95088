"""Browser tests: Playwright driving Debian's Chromium, with axe-core checks.

The browser is the system's `/usr/bin/chromium` (Playwright's own builds are never
downloaded: `playwright install` is not part of the setup). Pages are served by
pytest-django's `live_server`, so the content a test builds must be committed:
tests use `transactional_db`, and `restore_baseline` puts back what the
migrations created (root page, home page, themes, groups) after each flush.
"""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}
# axe impacts that fail a test; "minor" and "moderate" findings are printed only.
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(items):
    """Skip the browser tests on a laptop without Chromium (never in CI: they fail)."""
    if os.access(CHROMIUM, os.X_OK) or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="no Chromium: install Debian's chromium package")
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the system Chromium, headless, without any network chatter of its own."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": browser_type_launch_args.get("headless", True),
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "fr-FR"}


def restore_baseline() -> None:
    """Put back what the migrations create and other transactional tests flushed:
    locales, root page, home pages and catalogues, themes, role groups, the root
    collection. (Serialized rollback cannot do it reliably: a flush by another
    transactional test recreates content types under new ids.)"""
    import importlib

    from django.apps import apps
    from wagtail.models import Collection

    from cms.roles import ensure_role_groups
    from cms.site_structure import ensure_site_structure

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    ensure_site_structure()
    importlib.import_module("courses.migrations.0002_seed_themes").seed_themes(
        apps, None
    )
    ensure_role_groups()


@pytest.fixture
def e2e_db(transactional_db):
    """A committed database that the live server's thread can read.

    Each test starts from the baseline the migrations create and ends with a flush.
    """
    restore_baseline()


def log_in(page, live_server, user) -> None:
    """Give the browser a session of `user` (the log-in form has its own tests)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )


@pytest.fixture(scope="session")
def axe():
    return Axe()


def format_violations(violations: list[dict]) -> str:
    """One paragraph per axe violation: id, impact, help, link and failing nodes."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core on the page; fail on any serious or critical violation."""

    def check(page) -> list[dict]:
        violations = axe.run(page).response["violations"]
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        others = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
        if others:
            print(f"axe, {page.url} (not blocking):\n{format_violations(others)}")  # noqa: T201
        if blocking:
            pytest.fail(
                f"axe found serious/critical violations on {page.url}:\n"
                f"{format_violations(blocking)}"
            )
        return violations

    return check
