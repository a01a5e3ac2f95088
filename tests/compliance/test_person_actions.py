"""The person page's actions: send a reminder now, enrol in the required course."""

from datetime import date

from django.test import Client

import pytest
import time_machine

from courses.models import CoursePage
from learning.compliance import actions
from learning.compliance.models import MembershipRole, Reminder, Requirement
from learning.compliance.reminders import send_reminders
from learning.exceptions import OutOfScope
from learning.models import Enrollment, EnrollmentStatus, Statement
from tests.factories import CoursePageFactory

from .conftest import at, certify, enrol, member

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(TODAY), tick=False):
        yield


@pytest.fixture
def people(requirement, snds_course, units):
    """Lab A: late (overdue, English), good (compliant), old (expired); lab B: bea."""
    p = {
        "late": member(
            units["lab_a"], username="late", last_name="Late", preferred_language="en"
        ),
        "good": member(units["lab_a"], username="good", last_name="Good"),
        "old": member(units["lab_a"], username="old", last_name="Old"),
        "bea": member(units["lab_b"], username="bea", last_name="Bea"),
    }
    certify(p["good"], snds_course, on=date(2026, 1, 5))
    certify(p["old"], snds_course, on=date(2025, 1, 5))
    return p


def remind_url(person):
    return f"/compliance/people/{person.pseudonym}/remind/"


def enrol_url(person):
    return f"/compliance/people/{person.pseudonym}/enrol/"


def test_reminder_now_is_sent_and_recorded(client, people, manager_a, mailoutbox):
    """A manager reminds an overdue person of their unit: one e-mail in the person's
    language naming the manager, recorded as sent by hand, listed on the page."""
    client.force_login(manager_a)
    late = people["late"]
    response = client.post(
        remind_url(late), {"requirement": "snds", "back": "status=overdue&x=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/compliance/people/{late.pseudonym}/?back=status%3Doverdue"
    )
    reminder = Reminder.objects.get(user=late)
    assert reminder.sent_by == manager_a
    assert reminder.manual_on == TODAY
    assert reminder.kind == "overdue"
    assert reminder.window == date(2026, 1, 31)  # joined 1 January + 30 days
    (mail,) = mailoutbox
    assert mail.to == [late.email]
    assert "overdue" in mail.subject
    assert "sent you this reminder" in mail.body
    assert manager_a.get_full_name() in mail.body
    page = client.get(response["Location"]).content.decode()
    assert "envoyé à la main par" in page


def test_reminder_now_in_french(client, people, manager_a, mailoutbox):
    """The e-mail is in the person's language, the page in the manager's."""
    client.force_login(manager_a)
    old = people["old"]
    response = client.post(remind_url(old), {"requirement": "snds"}, follow=True)
    assert "Rappel sur « Accès SNDS » envoyé" in response.content.decode()
    (mail,) = mailoutbox
    assert "a expiré" in mail.subject
    assert "vous a envoyé ce rappel" in mail.body


def test_reminder_now_once_a_day(client, people, manager_a, mailoutbox):
    """A second reminder by hand the same day is refused (400, nothing sent);
    the next day it goes."""
    client.force_login(manager_a)
    late = people["late"]
    assert client.post(remind_url(late), {"requirement": "snds"}).status_code == 302
    again = client.post(remind_url(late), {"requirement": "snds"})
    assert again.status_code == 400
    assert (
        "Un rappel sur « Accès SNDS » a déjà été envoyé à Camille Late aujourd’hui à "
        "10:00, à la main par"
    ) in again.content.decode()
    assert "Le prochain pourra partir demain." in again.content.decode()
    assert len(mailoutbox) == 1
    with time_machine.travel(at(date(2026, 3, 11)), tick=False):
        assert client.post(remind_url(late), {"requirement": "snds"}).status_code == 302
    assert Reminder.objects.filter(user=late).count() == 2


def test_reminder_now_after_the_daily_run_asks_first(
    client, people, manager_a, mailoutbox
):
    """The daily run reminded an expired person this morning: a click on "send a
    reminder now" sends nothing and says when and how the first went (409, in
    the manager's language), with a "send another reminder anyway" button; that
    one sends it, once: a third is refused (400)."""
    send_reminders()
    assert Reminder.objects.filter(user=people["old"], manual_on=None).exists()
    mailoutbox.clear()
    client.force_login(manager_a)
    asked = client.post(remind_url(people["old"]), {"requirement": "snds"})
    assert asked.status_code == 409
    html = asked.content.decode()
    assert (
        "Un rappel sur « Accès SNDS » a déjà été envoyé à Camille Old aujourd’hui "
        "à 10:00, par l’envoi quotidien."
    ) in html
    assert html.count("Envoyer quand même un autre rappel") == 2  # message, button
    assert 'name="after_daily_run" value="1"' in html
    english = client.post(f"/en{remind_url(people['old'])}", {"requirement": "snds"})
    assert english.status_code == 409
    assert (
        "A reminder about “Accès SNDS” was already sent to Camille Old today at "
        "10 a.m., by the daily run. Send another one only if it is needed, with "
        "“Send another reminder anyway”."
    ) in english.content.decode()
    assert not mailoutbox
    assert not Reminder.objects.filter(manual_on__isnull=False).exists()

    sent = client.post(
        remind_url(people["old"]), {"requirement": "snds", "after_daily_run": "1"}
    )
    assert sent.status_code == 302
    assert Reminder.objects.get(manual_on=TODAY).sent_by == manager_a
    assert len(mailoutbox) == 1
    again = client.post(
        remind_url(people["old"]), {"requirement": "snds", "after_daily_run": "1"}
    )
    assert again.status_code == 400
    assert "à la main par" in again.content.decode()
    assert len(mailoutbox) == 1


def test_reminder_now_the_day_after_the_daily_run(
    client, people, manager_a, mailoutbox
):
    """The daily run's reminder of yesterday does not hold back today's click."""
    send_reminders()
    mailoutbox.clear()
    client.force_login(manager_a)
    with time_machine.travel(at(date(2026, 3, 11)), tick=False):
        response = client.post(remind_url(people["old"]), {"requirement": "snds"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1


def test_reminder_now_counts_for_its_window(client, people, manager_a, mailoutbox):
    """The daily job does not send again the reminder a manager sent by hand."""
    client.force_login(manager_a)
    client.post(remind_url(people["late"]), {"requirement": "snds"})
    mailoutbox.clear()
    sent = send_reminders()
    assert people["late"].pk not in {plan.user_id for plan in sent}
    assert people["old"].email in {m.to[0] for m in mailoutbox}
    assert people["late"].email not in {m.to[0] for m in mailoutbox}


def test_reminder_now_refused_for_a_cleared_person(client, people, manager_a):
    """No reminder to a compliant person: 400 with the reason, nothing recorded."""
    client.force_login(manager_a)
    response = client.post(remind_url(people["good"]), {"requirement": "snds"})
    assert response.status_code == 400
    assert "Aucun rappel n’est nécessaire" in response.content.decode()
    assert not Reminder.objects.exists()


def test_reminder_now_in_progress(
    client, people, manager_a, snds_course, units, mailoutbox
):
    """Someone who started can be nudged by hand (the daily job leaves them alone)."""
    client.force_login(manager_a)
    fresh = member(units["lab_a"], joined=date(2026, 3, 1))
    enrol(fresh, snds_course, on=date(2026, 3, 2))
    assert client.post(remind_url(fresh), {"requirement": "snds"}).status_code == 302
    reminder = Reminder.objects.get(user=fresh)
    assert reminder.kind == "in_progress"
    assert "Vous avez commencé" in mailoutbox[0].body


@pytest.mark.parametrize(
    "data",
    [{}, {"requirement": "nope"}, {"requirement": "x" * 5000}, {"requirement": "\x00"}],
)
def test_reminder_now_bad_requirement(client, people, manager_a, data):
    """An unknown or missing requirement: 400 with a message, nothing sent."""
    client.force_login(manager_a)
    response = client.post(remind_url(people["late"]), data)
    assert response.status_code == 400
    assert "Formation obligatoire inconnue" in response.content.decode()
    assert not Reminder.objects.exists()


def test_person_actions_refusals(client, people, manager_a, units, mailoutbox):
    """Outside the manager's units: 404; a learner: 403; anonymous: log-in; GET: 405;
    no CSRF token: 403. Nothing is sent or enrolled."""
    bea = people["bea"]
    client.force_login(manager_a)
    assert client.post(remind_url(bea), {"requirement": "snds"}).status_code == 404
    assert client.post(enrol_url(bea), {"requirement": "snds"}).status_code == 404
    assert client.get(remind_url(people["late"])).status_code == 405
    client.force_login(people["good"])
    assert (
        client.post(remind_url(people["late"]), {"requirement": "snds"}).status_code
        == 403
    )
    assert (
        client.post(enrol_url(people["late"]), {"requirement": "snds"}).status_code
        == 403
    )
    client.logout()
    response = client.post(remind_url(people["late"]), {"requirement": "snds"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager_a)
    assert (
        strict.post(remind_url(people["late"]), {"requirement": "snds"}).status_code
        == 403
    )
    assert not Reminder.objects.exists()
    assert not mailoutbox
    assert not Enrollment.objects.filter(user__in=[bea, people["late"]]).exists()


def test_person_actions_domain_functions_ask_the_scope(
    people, manager_a, units, mailoutbox
):
    """The domain functions ask the scope too, both ways: a lab B manager gets
    OutOfScope for a lab A person and the lab A manager for a lab B one; nothing
    is written or sent. The lab A manager acts on lab A."""
    other = member(units["lab_b"], username="bob", role=MembershipRole.MANAGER)
    requirement = Requirement.objects.get(slug="snds")
    course = requirement.courses.first()
    statements = Statement.objects.count()
    for manager, person in ((other, people["late"]), (manager_a, people["bea"])):
        with pytest.raises(OutOfScope):
            actions.send_reminder_now(manager, person, requirement)
        with pytest.raises(OutOfScope):
            actions.enrol_for_requirement(manager, person, requirement, course)
    assert not Reminder.objects.exists()
    assert not Enrollment.objects.filter(user__in=[people["late"], people["bea"]])
    assert Statement.objects.count() == statements
    assert not mailoutbox
    actions.send_reminder_now(other, people["bea"], requirement)
    actions.enrol_for_requirement(manager_a, people["late"], requirement, course)
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    "pseudonym", ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "%00"]
)
@pytest.mark.parametrize("action", ["remind", "enrol"])
def test_person_actions_unknown_person(
    client, people, manager_a, snds_course, pseudonym, action, mailoutbox
):
    """An unknown or malformed person: 404, nothing written or sent."""
    client.force_login(manager_a)
    response = client.post(
        f"/compliance/people/{pseudonym}/{action}/",
        {"requirement": "snds", "course": snds_course.pk},
    )
    assert response.status_code == 404
    assert not Reminder.objects.exists()
    assert not Enrollment.objects.filter(user=people["late"]).exists()
    assert not mailoutbox


def test_enrol_in_the_required_course(
    client, people, manager_a, snds_course, mailoutbox
):
    """The manager enrols an overdue person: the enrolment and its xAPI statement
    exist, the person is told in their language, the button disappears."""
    client.force_login(manager_a)
    late = people["late"]
    page = client.get(f"/compliance/people/{late.pseudonym}/").content.decode()
    assert "Inscrire à" in page
    response = client.post(
        enrol_url(late), {"requirement": "snds", "course": snds_course.pk}
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(user=late, course=snds_course)
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert Statement.objects.filter(registration=enrollment.pk).exists()
    (mail,) = mailoutbox
    assert mail.to == [late.email]
    assert "has enrolled you" in mail.body
    page = client.get(response["Location"]).content.decode()
    assert "est inscrit·e à" in page
    assert "Inscrire à" not in page
    again = client.post(
        enrol_url(late), {"requirement": "snds", "course": snds_course.pk}
    )
    assert again.status_code == 400
    assert "déjà inscrit·e" in again.content.decode()


def test_enrol_reopens_an_expired_certificate(client, people, manager_a, snds_course):
    """For an expired certificate the completed enrolment is reopened (renewal),
    with its xAPI "initialized" statement; a second POST is refused."""
    client.force_login(manager_a)
    old = people["old"]
    page = client.get(f"/compliance/people/{old.pseudonym}/").content.decode()
    assert "pour le renouvellement" in page
    response = client.post(
        enrol_url(old), {"requirement": "snds", "course": snds_course.pk}
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(user=old, course=snds_course)
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert Statement.objects.filter(
        registration=enrollment.pk, verb__endswith="/initialized"
    ).exists()
    statements = Statement.objects.count()
    again = client.post(
        enrol_url(old), {"requirement": "snds", "course": snds_course.pk}
    )
    assert again.status_code == 400
    assert "déjà inscrit·e" in again.content.decode()
    assert Statement.objects.count() == statements


def test_enrol_refused_when_not_needed(
    client, people, manager_a, snds_course, units, mailoutbox
):
    """A compliant person, or one the training does not apply to: 400 saying no
    enrolment is needed (in the manager's language), nothing written."""
    outside = member(units["lab_a"], username="outside", last_name="Outside")
    Requirement.objects.get(slug="snds").units.set([units["lab_b"]])
    client.force_login(manager_a)
    for person in (people["good"], outside):
        response = client.post(
            enrol_url(person), {"requirement": "snds", "course": snds_course.pk}
        )
        assert response.status_code == 400
        assert "Aucune inscription n’est nécessaire" in response.content.decode()
    english = client.post(
        f"/en{enrol_url(outside)}", {"requirement": "snds", "course": snds_course.pk}
    )
    assert english.status_code == 400
    assert "No enrolment is needed" in english.content.decode()
    assert not Enrollment.objects.filter(user=outside).exists()
    assert not mailoutbox


@pytest.mark.parametrize("course_id", ["", "abc", "9" * 40, "-1", "99999"])
def test_enrol_bad_course(client, people, manager_a, course_id):
    """A missing, malformed or unknown course id: 400 with a message."""
    client.force_login(manager_a)
    response = client.post(
        enrol_url(people["late"]), {"requirement": "snds", "course": course_id}
    )
    assert response.status_code == 400
    assert "Formation inconnue" in response.content.decode()
    assert not Enrollment.objects.filter(user=people["late"]).exists()


def test_enrol_only_in_an_acceptable_course(client, people, manager_a, catalogue):
    """A course that is not one of the requirement's: 400, not enrolled."""
    other = CoursePageFactory(parent=catalogue, title="Autre", slug="autre")
    client.force_login(manager_a)
    response = client.post(
        enrol_url(people["late"]), {"requirement": "snds", "course": other.pk}
    )
    assert response.status_code == 400
    assert not Enrollment.objects.filter(user=people["late"]).exists()
    assert CoursePage.objects.filter(pk=other.pk).exists()


def test_enrol_nothing_written_when_the_email_fails(
    client, people, manager_a, snds_course, settings
):
    """The e-mail is part of the action: if it cannot be sent, no enrolment."""
    settings.EMAIL_BACKEND = "tests.compliance.test_person_actions.BrokenBackend"
    statements = Statement.objects.count()
    client.force_login(manager_a)
    response = client.post(
        enrol_url(people["late"]), {"requirement": "snds", "course": snds_course.pk}
    )
    assert response.status_code == 503
    assert "n’a pas pu être envoyé" in response.content.decode()
    assert not Enrollment.objects.filter(user=people["late"]).exists()
    assert Statement.objects.count() == statements
    response = client.post(remind_url(people["late"]), {"requirement": "snds"})
    assert response.status_code == 503
    assert not Reminder.objects.exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


def test_person_page_says_when_reminders_go(client, people, manager_a):
    """The page tells the manager when the daily run is and what it last did."""
    client.force_login(manager_a)
    html = client.get(
        f"/compliance/people/{people['late'].pseudonym}/"
    ).content.decode()
    assert "Quand les rappels sont envoyés" in html
    assert "L’envoi quotidien n’a pas encore eu lieu." in html
    assert "Au prochain envoi quotidien" in html
