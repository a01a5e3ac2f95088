"""Take the README screenshots: `.venv/bin/python -m tests.e2e.screenshots`.

Not a test. It seeds the demo (`seed_demo`: every folder of content/courses/ and
the demo users) into a throwaway SQLite database with the development settings,
serves it on a local port and saves 1280x800 PNGs of the French home page, the
catalogue, a lesson (as the demo learner, one lesson completed), the managers'
compliance dashboard and a person's page (as the demo manager), a lesson's
editor with its Markdown preview open and the SNDS course's analytics (as the
demo trainer) into docs/screenshots/; `... screenshots analytics` takes the named
ones only. Uses Debian's Chromium, like the browser tests. The
translations are compiled from the .po files into the throwaway directory, so a
stale .mo in the working tree never shows up in the pictures.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
OUTPUT_DIR = BASE_DIR / "docs" / "screenshots"
LEARNER = "apprenant"  # a demo account created by seed_demo
MANAGER = "responsable"  # the demo manager of the institute
TRAINER = "formatrice"  # the demo trainer
COURSE_SLUG = "principes-fair"
SNDS_COURSE_SLUG = "acces-snds-formation-obligatoire"


def _prepare_environment(workdir: Path) -> None:
    """Development settings on a fresh database, whatever .env says."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.dev"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'demo.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["PRIVATE_ROOT"] = str(workdir / "private")
    os.environ["REDIS_URL"] = ""
    os.environ["DEBUG"] = "true"
    # The day's reminders run in process on the first page (as in `make demo`);
    # their e-mails stay in memory instead of filling this script's output.
    os.environ["EMAIL_URL"] = "memorymail://"
    # Playwright's sync API keeps an event loop in this thread; the ORM calls
    # below are plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def _compile_messages(workdir: Path) -> list[Path]:
    """Compile locale/*/LC_MESSAGES/django.po into workdir (needs gettext's msgfmt)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        print("msgfmt not found: using the .mo files as they are", file=sys.stderr)  # noqa: T201
        return []
    for po in sorted((BASE_DIR / "locale").glob("*/LC_MESSAGES/django.po")):
        mo = workdir / "locale" / po.relative_to(BASE_DIR / "locale").with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([msgfmt, "--check-format", "-o", mo, po], check=True)
    return [workdir / "locale"]


def _seed() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=StringIO())


def _start_server():
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    server = LiveServerThread("localhost", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    return server


def _session_cookie(base_url: str, username: str = LEARNER) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "url": base_url}


def _wait_for_the_daily_run() -> None:
    """The in-process reminder run (learning/compliance/schedule.py) has ended."""
    import time

    from learning.compliance import schedule

    deadline = time.monotonic() + 120
    while schedule._done["day"] is None and time.monotonic() < deadline:
        time.sleep(0.1)
    with schedule._lock:
        pass


def _take_screenshots(base_url: str, only: set[str]) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    from courses.models import CoursePage

    from .conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT

    course = CoursePage.objects.live().get(slug=COURSE_SLUG, locale__language_code="fr")
    cookie = _session_cookie(base_url)
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        page = context.new_page()

        def shoot(name: str) -> None:
            if only and name not in only:
                return
            path = OUTPUT_DIR / f"{name}.png"
            page.screenshot(path=path)
            saved.append(path)

        page.goto(base_url + "/")
        shoot("home")
        page.goto(base_url + course.get_parent().url)
        shoot("catalogue")

        # The lesson as a learner sees it: enrolled, lesson 1 done, on lesson 2.
        context.add_cookies([cookie])
        page.goto(base_url + course.url)
        page.get_by_role("button", name="Commencer la formation").click()
        page.get_by_role("button", name="Marquer comme faite et continuer").click()
        expect(page.get_by_role("progressbar")).not_to_have_attribute(
            "aria-valuenow", "0"
        )
        shoot("lesson")

        # The manager's dashboard and a person to act on (a new context: the
        # manager's session, not the learner's), once the day's reminders,
        # started by the first page, have gone out.
        _wait_for_the_daily_run()
        manager = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        manager.add_cookies([_session_cookie(base_url, MANAGER)])
        page = manager.new_page()
        page.goto(base_url + "/compliance/?status=overdue")
        shoot("compliance")
        page.get_by_test_id("people").locator("tbody td a").first.click()
        page.wait_for_load_state()
        page.locator("h1").scroll_into_view_if_needed()
        shoot("compliance-person")

        # The trainer: a lesson's Markdown with its preview, the course's analytics.
        trainer = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        trainer.add_cookies([_session_cookie(base_url, TRAINER)])
        page = trainer.new_page()
        lesson = course.get_children().live().first()
        page.goto(f"{base_url}/admin/pages/{lesson.pk}/edit/")
        page.get_by_role("button", name="Afficher l’aperçu").first.click()
        preview = page.get_by_role("region", name="Aperçu du Markdown").first
        expect(preview.get_by_role("heading").first).to_be_visible()
        toggle = page.locator(".markdown-preview__toggle").first
        toggle.evaluate("button => button.scrollIntoView({block: 'start'})")
        page.mouse.wheel(0, -260)  # the end of the Markdown above its preview
        shoot("markdown-preview")
        snds = CoursePage.objects.get(slug=SNDS_COURSE_SLUG, locale__language_code="fr")
        page.goto(f"{base_url}/admin/analytics/courses/{snds.pk}/")
        questions = page.get_by_role(
            "heading", name="Questions, les plus difficiles d’abord"
        )
        questions.evaluate("heading => heading.scrollIntoView({block: 'start'})")
        shoot("analytics")
        browser.close()
    return saved


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="atelier-screenshots-") as workdir:
        _prepare_environment(Path(workdir))
        import django

        django.setup()
        from django.conf import settings
        from django.test import override_settings

        locale_paths = _compile_messages(Path(workdir)) or settings.LOCALE_PATHS
        with override_settings(LOCALE_PATHS=locale_paths):
            _seed()
            server = _start_server()
            try:
                saved = _take_screenshots(
                    f"http://{server.host}:{server.port}", set(sys.argv[1:])
                )
            finally:
                server.terminate()
    for path in saved:
        print(path.relative_to(BASE_DIR))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
