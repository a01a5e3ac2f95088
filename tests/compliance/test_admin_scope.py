"""The compliance admin held to the manager's scope: listings, object views, forms.

Manon manages lab A and has the rights the demo gives the managers' group
(add/change/view units, memberships, requirements; view reminders). Units:
institute > lab A > team A1, institute > lab B.
"""

from datetime import date

from django.contrib.auth.models import Permission

import pytest

from learning.compliance.models import (
    ApiToken,
    Membership,
    MembershipRole,
    OrgUnit,
    Reminder,
    ReminderKind,
    Requirement,
)

from .conftest import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(units):
    from cms.roles import ensure_role_groups

    manon = member(units["lab_a"], username="manon", role=MembershipRole.MANAGER)
    group = ensure_role_groups()["managers"]
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="compliance",
            codename__in=[
                f"{action}_{model}"
                for model in ("orgunit", "membership", "requirement", "apitoken")
                for action in ("add", "change", "view", "delete")
            ]
            + ["view_reminder", "view_gatecall"],
        )
    )
    manon.groups.add(group)
    return {
        "manon": manon,
        "alice": member(units["team"], username="alice", last_name="Alpha"),
        "dan": member(units["lab_b"], username="dan", last_name="Delta"),
    }


@pytest.fixture
def manon(client, people):
    client.force_login(people["manon"])
    return client


def _membership(person):
    return Membership.objects.get(user=person)


def test_memberships_listing_shows_only_her_units(manon, people):
    html = manon.get("/admin/compliance_memberships/").content.decode()
    assert "Alpha" in html and "Delta" not in html


def test_memberships_outside_or_own_are_not_found(manon, people):
    """Lab B's memberships and her own answer 404 (edit, delete)."""
    for person in ("dan", "manon"):
        pk = _membership(people[person]).pk
        for view in ("edit", "delete"):
            url = f"/admin/compliance_memberships/{view}/{pk}/"
            assert manon.get(url).status_code == 404, url
            assert manon.post(url, {}).status_code == 404, url
    assert Membership.objects.count() == 3
    alice = _membership(people["alice"]).pk
    assert manon.get(f"/admin/compliance_memberships/edit/{alice}/").status_code == 200


@pytest.mark.parametrize(
    ("person", "unit", "why"),
    [
        ("manon", "institute", "herself, above her scope"),
        ("manon", "team", "herself, even inside"),
        ("alice", "institute", "above her scope"),
        ("alice", "lab_b", "a sibling unit"),
        ("dan", "team", "a person of another unit"),
    ],
)
def test_memberships_cannot_widen_a_scope(manon, people, units, person, unit, why):
    """Creating a manager membership outside her scope is refused, nothing written."""
    before = Membership.objects.count()
    response = manon.post(
        "/admin/compliance_memberships/new/",
        {
            "user": people[person].pk,
            "unit": units[unit].pk,
            "role": "manager",
            "joined_at": "2026-01-01",
        },
    )
    assert response.status_code == 200, why  # the form again, with its errors
    assert response.context["form"].errors, why
    assert Membership.objects.count() == before


def test_memberships_inside_her_scope_are_allowed(manon, people, units):
    """She makes Alice manager of team A1."""
    response = manon.post(
        "/admin/compliance_memberships/new/",
        {
            "user": people["alice"].pk,
            "unit": units["team"].pk,
            "role": "manager",
            "joined_at": "2026-01-01",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=people["alice"], role=MembershipRole.MANAGER
    ).exists()


def test_membership_edit_cannot_move_out(manon, people, units):
    """Editing Alice's membership to lab B is refused."""
    membership = _membership(people["alice"])
    response = manon.post(
        f"/admin/compliance_memberships/edit/{membership.pk}/",
        {
            "user": people["alice"].pk,
            "unit": units["lab_b"].pk,
            "role": "manager",
            "joined_at": "2026-01-01",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
    membership.refresh_from_db()
    assert membership.unit == units["team"] and membership.role == "member"


def test_units_listing_edit_and_moves(manon, units):
    """She sees her units only, edits none outside, moves none out, creates inside."""
    html = manon.get("/admin/compliance_units/").content.decode()
    assert "TEAM-A1" in html and "LAB-B" not in html
    lab_b = units["lab_b"]
    assert manon.get(f"/admin/compliance_units/edit/{lab_b.pk}/").status_code == 404
    team = units["team"]
    response = manon.post(
        f"/admin/compliance_units/edit/{team.pk}/",
        {"code": "TEAM-A1", "name": "Équipe A1", "parent": lab_b.pk},
    )
    assert response.status_code == 200 and response.context["form"].errors
    team.refresh_from_db()
    assert team.parent == units["lab_a"]
    lab_a = units["lab_a"]
    response = manon.post(
        f"/admin/compliance_units/edit/{lab_a.pk}/",
        {"code": "LAB-A", "name": "Labo A", "parent": ""},
    )
    assert response.status_code == 200 and response.context["form"].errors
    response = manon.post(
        "/admin/compliance_units/new/",
        {"code": "ROOT2", "name": "Autre institut", "parent": ""},
    )
    assert response.status_code == 200 and not OrgUnit.objects.filter(code="ROOT2")
    response = manon.post(
        "/admin/compliance_units/new/",
        {"code": "TEAM-A2", "name": "Équipe A2", "parent": lab_a.pk},
    )
    assert response.status_code == 302
    assert OrgUnit.objects.get(code="TEAM-A2").parent == lab_a
    # Her own unit keeps its parent but may be renamed.
    response = manon.post(
        f"/admin/compliance_units/edit/{lab_a.pk}/",
        {"code": "LAB-A", "name": "Laboratoire A", "parent": units["institute"].pk},
    )
    assert response.status_code == 302
    assert manon.get(f"/admin/compliance_units/delete/{lab_a.pk}/").status_code == 404


def test_requirements_only_of_her_units(manon, units, requirement, snds_course):
    """The institute's requirement is not hers; one for her team is, without groups."""
    assert (
        "Accès SNDS"
        not in manon.get("/admin/compliance_requirements/").content.decode()
    )
    url = f"/admin/compliance_requirements/edit/{requirement.pk}/"
    assert manon.get(url).status_code == 404
    form = {
        "title": "Labo A",
        "slug": "labo-a",
        "courses": [snds_course.pk],
        "reminder_days": "30",
        "active": "on",
    }
    for units_given in ([], [units["lab_b"].pk], [units["team"].pk, units["lab_b"].pk]):
        response = manon.post(
            "/admin/compliance_requirements/new/", {**form, "units": units_given}
        )
        assert response.status_code == 200 and response.context["form"].errors
    assert (
        "groups"
        not in manon.get("/admin/compliance_requirements/new/").context["form"].fields
    )
    response = manon.post(
        "/admin/compliance_requirements/new/", {**form, "units": [units["team"].pk]}
    )
    assert response.status_code == 302
    assert list(Requirement.objects.get(slug="labo-a").units.all()) == [units["team"]]


def test_reminders_listing_only_her_people(manon, people, requirement):
    for person in ("alice", "dan"):
        Reminder.objects.create(
            user=people[person],
            requirement=requirement,
            kind=ReminderKind.DUE,
            window=date(2026, 3, 1),
        )
    html = manon.get("/admin/compliance_reminders/").content.decode()
    assert "Alpha" in html and "Delta" not in html


def test_tokens_are_for_administrators(manon, requirement):
    """Even with the token permissions a manager gets no token screen."""
    token = ApiToken(name="Portail")
    token.set_token("atl_x")
    token.save()
    assert manon.get("/admin/compliance_tokens/").status_code in (302, 403)
    assert manon.post("/admin/compliance_tokens/new/", {"name": "x"}).status_code in (
        302,
        403,
    )
    assert manon.get(f"/admin/compliance_tokens/edit/{token.pk}/").status_code in (
        302,
        403,
    )
    assert ApiToken.objects.count() == 1


def test_administrator_sees_everything(client, admin_user, people, requirement):
    client.force_login(admin_user)
    html = client.get("/admin/compliance_memberships/").content.decode()
    assert "Alpha" in html and "Delta" in html
    assert (
        "Accès SNDS" in client.get("/admin/compliance_requirements/").content.decode()
    )
    pk = _membership(people["manon"]).pk
    assert client.get(f"/admin/compliance_memberships/edit/{pk}/").status_code == 200


def test_people_admin_is_for_administrators(client, people, admin_user):
    """Even with every user right, a manager gets no people admin (nor bulk actions):
    Wagtail's user form sets groups and the administrator flag."""
    from django.contrib.auth.models import Permission

    manon = people["manon"]
    manon.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts", codename__endswith="_user"
        )
    )
    client.force_login(manon)
    alice = people["alice"]
    for url in (
        "/admin/users/",
        f"/admin/users/edit/{alice.pk}/",
        f"/admin/users/edit/{manon.pk}/",
        "/admin/users/new/",
        f"/admin/bulk/accounts/user/assign_role/?id={alice.pk}",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert response.status_code == 403 or response["Location"] == "/admin/", url
    response = client.post(
        f"/admin/users/edit/{manon.pk}/", {"is_superuser": "on", "email": manon.email}
    )
    manon.refresh_from_db()
    assert not manon.is_superuser
    client.force_login(admin_user)
    assert client.get(f"/admin/users/edit/{alice.pk}/").status_code == 200
