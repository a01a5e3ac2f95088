"""The manager's journey in Chromium: from the dashboard to a person, and acting.

Issue 17, points 10-12: the person page sends a reminder now and enrols; the
demo's daily reminders run without a scheduler and the page says when. Every
page on the way passes axe-core (no serious or critical violation).
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from cms.site_structure import ensure_site_structure
from courses.course_files import import_course
from learning.compliance import schedule
from learning.compliance.demo import SNDS_COURSE_SLUG, seed_compliance_demo
from learning.compliance.models import Reminder, ReminderRun
from learning.models import Enrollment

pytestmark = pytest.mark.e2e
PASSWORD = "Une-phrase-de-passe-solide-2026"


@pytest.fixture
def demo(e2e_db):
    ensure_site_structure()
    import_course(settings.COURSE_CONTENT_DIR / SNDS_COURSE_SLUG)
    manager = get_user_model().objects.create_user(
        "responsable",
        "responsable@atelier.example",
        PASSWORD,
        first_name="Thomas",
        last_name="Responsable",
    )
    EmailAddress.objects.create(
        user=manager, email=manager.email, verified=True, primary=True
    )
    seed_compliance_demo(people=40)
    return manager


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", "responsable@atelier.example")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def wait_for_the_daily_run(timeout: float = 60) -> None:
    """The in-process run starts after a response: wait until it has finished."""
    deadline = time.monotonic() + timeout
    while schedule._done["day"] is None:
        assert time.monotonic() < deadline, "the daily run never started"
        time.sleep(0.05)
    with schedule._lock:  # held by the run until it ends
        pass


@pytest.fixture
def in_process_reminders(settings):
    """The embedded default (`make demo`): no scheduler, the daily run in process."""
    settings.COMPLIANCE_REMINDERS_IN_PROCESS = True
    settings.COMPLIANCE_REMINDER_HOUR = 0
    schedule._done["day"] = None
    yield
    schedule._done["day"] = None


def test_person_page_reminds_and_enrols(
    page, live_server, demo, in_process_reminders, mailoutbox, assert_accessible
):
    """Without a scheduler the day's reminders go out on the first visit and the
    person page says so; the manager reminds an overdue person now (once a day)
    and enrols them in the required course."""
    page.goto(f"{live_server.url}/accounts/login/")
    wait_for_the_daily_run()
    run = ReminderRun.objects.get()
    assert run.reminders > 0 and run.finished_at is not None
    log_in(page, live_server.url)

    page.get_by_role("link", name="Conformité").click()
    page.get_by_label("Statut").select_option("overdue")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    page.get_by_test_id("people").locator("tbody td a").first.click()
    page.wait_for_load_state()
    person = get_user_model().objects.get(pseudonym=page.url.split("/")[-2])

    schedule_box = page.get_by_role("region", name="Quand les rappels sont envoyés")
    expect(schedule_box).to_contain_text("une fois par jour")
    expect(schedule_box).to_contain_text("pas de planificateur en arrière-plan")
    expect(schedule_box.get_by_test_id("reminder-last-run")).to_contain_text(
        f"{run.reminders} rappels envoyés"
    )
    expect(page.get_by_test_id("reminders-sent")).to_contain_text("envoi quotidien")
    assert_accessible(page)

    page.get_by_role("button", name="Envoyer un rappel maintenant").click()
    page.wait_for_load_state()
    expect(page.locator(".message--success")).to_contain_text(
        f"Rappel sur « Accès au SNDS » envoyé à {person.get_full_name()}"
    )
    expect(page.get_by_test_id("reminders-sent")).to_contain_text(
        "envoyé à la main par Thomas Responsable"
    )
    manual = Reminder.objects.get(user=person, manual_on__isnull=False)
    assert manual.sent_by == demo
    assert mailoutbox[-1].to == [person.email]
    assert "Thomas Responsable" in mailoutbox[-1].body
    assert_accessible(page)

    # A second one the same day is refused, with the reason.
    page.get_by_role("button", name="Envoyer un rappel maintenant").click()
    page.wait_for_load_state()
    expect(page.locator(".message--error")).to_contain_text("déjà été envoyé")
    assert Reminder.objects.filter(user=person, manual_on__isnull=False).count() == 1

    page.get_by_role("button", name="Inscrire à").click()
    page.wait_for_load_state()
    expect(page.locator(".message--success")).to_contain_text("est inscrit·e à")
    assert Enrollment.objects.filter(user=person).exists()
    expect(page.get_by_role("button", name="Inscrire à")).to_have_count(0)
    assert_accessible(page)


def test_self_registered_researcher_is_confirmed_into_a_unit(
    page, live_server, demo, assert_accessible
):
    """A researcher signs up choosing their team from the unit list; the manager
    finds them awaiting confirmation on the dashboard, confirms, and they join
    the people followed."""
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", "ines.nouvelle@inserm.fr")
    page.fill("input[name=username]", "inouvelle")
    page.fill("input[name=first_name]", "Inès")
    page.fill("input[name=last_name]", "Nouvelle")
    unit = page.get_by_label("Votre unité (facultatif)")
    unit.select_option(
        label="Institut de santé publique (démo) › Laboratoire d'épidémiologie"
        " › Équipe Cohortes"
    )
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    assert_accessible(page)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    newcomer = get_user_model().objects.get(username="inouvelle")
    assert not newcomer.unit_memberships.exists()

    page.context.clear_cookies()
    log_in(page, live_server.url)
    page.get_by_role("link", name="Conformité").click()
    awaiting = page.get_by_role("region", name="En attente de confirmation")
    expect(awaiting).to_contain_text("Inès Nouvelle")
    expect(awaiting).to_contain_text("ines.nouvelle@inserm.fr")
    expect(awaiting).to_contain_text("Équipe Cohortes")
    assert_accessible(page)

    awaiting.get_by_role("button", name="Confirmer Inès Nouvelle").click()
    page.wait_for_load_state()
    expect(page.locator(".message--success")).to_contain_text(
        "Inès Nouvelle est désormais membre de Équipe Cohortes"
    )
    expect(
        page.get_by_role("region", name="En attente de confirmation")
    ).not_to_contain_text("Inès Nouvelle")
    assert newcomer.unit_memberships.get().unit.name == "Équipe Cohortes"
    page.get_by_label("Statut").select_option("due")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("people")).to_contain_text("Inès Nouvelle")
