"""The manager's journey in Chromium: from the dashboard to a person, and acting.

Issue 17, points 10-12: the person page sends a reminder now and enrols; the
demo's daily reminders run without a scheduler and the page says when;
self-registered people are confirmed into units; the dashboard searches, keeps
its filters, links the certificates, exports real dates and a CSV for Excel in
French, and fits 1280 px. Every page on the way passes axe-core (no serious or
critical violation).
"""

import csv
import io
import re
import time
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model

import pytest
from allauth.account.models import EmailAddress
from openpyxl import load_workbook
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
    person page says so; the manager reminds an overdue person now (asked first,
    as the daily run reminded them this morning; then once a day) and enrols
    them in the required course."""
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

    # The daily run reminded them this morning: the page says so and asks first.
    page.get_by_role("button", name="Envoyer un rappel maintenant").click()
    page.wait_for_load_state()
    expect(page.locator(".message--error")).to_contain_text(
        f"a déjà été envoyé à {person.get_full_name()} aujourd’hui"
    )
    expect(page.locator(".message--error")).to_contain_text("par l’envoi quotidien")
    assert not Reminder.objects.filter(user=person, manual_on__isnull=False).exists()
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer quand même un autre rappel").click()
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

    # A second one by hand the same day is refused, with the reason.
    page.get_by_role("button", name="Envoyer un rappel maintenant").click()
    page.wait_for_load_state()
    expect(page.locator(".message--error")).to_contain_text(
        "à la main par Thomas Responsable. Le prochain pourra partir demain."
    )
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
    the people followed, as "identity not verified" until they confirm their
    address."""
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
    # She has not confirmed her address yet: what the gate would answer too.
    page.get_by_label("Statut").select_option("identity_unverified")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    people = page.get_by_test_id("people")
    expect(people).to_contain_text("Inès Nouvelle")
    expect(people).to_contain_text("Identité non vérifiée")


def overflowing(page) -> list[str]:
    """What is wider than its box: the page itself, or a table in its scroller."""
    return page.evaluate(
        """() => {
            const found = [];
            const root = document.documentElement;
            if (root.scrollWidth > root.clientWidth) found.push("page " + root.scrollWidth);
            for (const box of document.querySelectorAll(".table-scroll")) {
                if (box.scrollWidth > box.clientWidth) {
                    found.push(box.querySelector("table").className + " " +
                        box.scrollWidth + " > " + box.clientWidth);
                }
            }
            return found;
        }"""
    )


@pytest.fixture
def homonyms(demo):
    """Three Emma Dubois, each in a unit of the demo."""
    from learning.compliance.models import Membership, OrgUnit

    people = []
    for number, code in enumerate(["DEMO-EPI", "DEMO-ECO", "DEMO-SOC"], start=1):
        person = get_user_model().objects.create_user(
            f"emma-{number}",
            f"emma.dubois{number}@univ{number}.example",
            None,
            first_name="Emma",
            last_name="Dubois",
        )
        Membership.objects.create(user=person, unit=OrgUnit.objects.get(code=code))
        people.append(person)
    return people


def test_dashboard_search_back_link_exports_and_width(
    page, live_server, homonyms, assert_accessible
):
    """At 1280 px nothing overflows; a search by name finds the three Emma Dubois,
    told apart by their e-mail; the person's back link keeps the search; the
    certificates page is linked; the XLSX has real dates; the CSV for Excel in
    French is split by semicolons."""
    assert page.viewport_size["width"] == 1280
    log_in(page, live_server.url)
    page.get_by_role("link", name="Conformité").click()
    page.wait_for_load_state()
    assert overflowing(page) == []

    page.get_by_label("Nom ou courriel").fill("emma dubois")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    people = page.get_by_test_id("people")
    expect(people.locator("tbody tr")).to_have_count(3)
    for person in homonyms:
        expect(people).to_contain_text(person.email)
    expect(page.get_by_role("heading", name="Personnes (3)")).to_be_visible()
    assert overflowing(page) == []
    assert_accessible(page)
    search_url = page.url

    people.get_by_role("link", name="Emma Dubois").nth(1).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emma Dubois")
    assert overflowing(page) == []
    page.get_by_test_id("back-to-dashboard").click()
    page.wait_for_load_state()
    assert "q=emma+dubois" in page.url
    expect(page.get_by_label("Nom ou courriel")).to_have_value("emma dubois")
    expect(page.get_by_test_id("people").locator("tbody tr")).to_have_count(3)

    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    book = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    rows = list(book.active.iter_rows(min_row=2))
    assert len(rows) == 3
    due = rows[0][8]  # Due date: they joined today, 30 days to train
    assert isinstance(due.value, datetime) and due.is_date
    assert due.number_format == "DD/MM/YYYY"

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV pour Excel en français (;)").first.click()
    raw = open(info.value.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:3] == ["Nom", "Prénom", "Courriel"]
    assert len(lines) == 4 and all(len(line) == len(lines[0]) for line in lines)
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", lines[1][8])

    page.goto(search_url)
    page.get_by_role("link", name="Certificats de vos personnes").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificats")
