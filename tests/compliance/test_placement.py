"""People placed in units: the unit chosen at sign-up or in the profile awaits its
managers' confirmation; administrators place people in no unit; SSO claims place
people at once (issue 17, point 11)."""

import json
from datetime import date

from django.apps import apps
from django.contrib.auth import get_user_model

import pytest
import time_machine

from learning.compliance.models import (
    Membership,
    MembershipRole,
    UnitRequest,
    UnitRequestStatus,
)
from learning.compliance.placement import (
    claimed_units,
    place_from_sso,
    request_unit,
    unit_paths,
)
from tests.accounts.oidc_provider import LocalOpenIDProvider
from tests.accounts.test_oidc import (  # noqa: F401 - oidc_settings is a fixture
    CLAIMS,
    CLIENT_ID,
    CLIENT_SECRET,
    oidc_settings,
    sso_login,
)
from tests.factories import UserFactory

from .conftest import at, member

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "alex.durand@inserm.fr",
    "username": "adurand",
    "first_name": "Alex",
    "last_name": "Durand",
    "preferred_language": "fr",
    "password1": "un mot de passe solide 2026",
    "password2": "un mot de passe solide 2026",
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(date(2026, 3, 10)), tick=False):
        yield


def signed_up(client, units, unit="team"):
    response = client.post("/accounts/signup/", {**SIGNUP, "unit": units[unit].pk})
    assert response.status_code == 302, response.context["form"].errors
    return get_user_model().objects.get(username="adurand")


def test_unit_paths_name_every_level(units):
    """The list shows each unit with the units above it, in path order."""
    assert unit_paths() == [
        (units["institute"].pk, "Institut"),
        (units["lab_a"].pk, "Institut › Labo A"),
        (units["team"].pk, "Institut › Labo A › Équipe A1"),
        (units["lab_b"].pk, "Institut › Labo B"),
    ]


def test_signup_offers_the_units_by_path(client, units):
    """The sign-up page has a labelled select of every unit, by its path."""
    html = client.get("/accounts/signup/").content.decode()
    assert '<label for="id_unit"' in html
    assert '<select name="unit"' in html
    assert "Institut › Labo A › Équipe A1</option>" in html


def test_signup_without_units_has_no_unit_field(client, db):
    """A site without units asks for none."""
    assert 'name="unit"' not in client.get("/accounts/signup/").content.decode()


def test_signup_unit_awaits_confirmation(client, requirement, units, manager_a):
    """The unit chosen at sign-up is a request, not a membership: the person is in
    no dashboard until a manager of the unit confirms; they are listed as awaiting
    for the managers of that unit (and above), not for others."""
    person = signed_up(client, units)
    request = UnitRequest.objects.get(user=person)
    assert (request.unit, request.source, request.status) == (
        units["team"],
        "signup",
        "pending",
    )
    assert not Membership.objects.filter(user=person).exists()

    client.force_login(manager_a)
    page = client.get("/compliance/")
    assert [r.user for r in page.context["awaiting"]] == [person]
    assert person not in {row_user(r) for r in page.context["overview"].people}
    html = page.content.decode()
    assert "En attente de confirmation" in html and "alex.durand@inserm.fr" in html
    assert page.context["unplaced"] == []  # administrators only

    other = member(units["lab_b"], username="bob", role=MembershipRole.MANAGER)
    client.force_login(other)
    assert client.get("/compliance/").context["awaiting"] == []


def row_user(row):
    return get_user_model().objects.get(pk=row.user_id)


def test_manager_confirms_a_request(client, requirement, units, manager_a):
    """Confirming makes the person a member (joined today) who then shows in the
    dashboard; the filters are kept."""
    person = signed_up(client, units)
    # Their address confirmed: `due` (unconfirmed, `identity_unverified`).
    person.emailaddress_set.update(verified=True)
    request = UnitRequest.objects.get(user=person)
    client.force_login(manager_a)
    response = client.post(
        f"/compliance/requests/{request.pk}/confirm/", {"back": "status=due"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/compliance/?status=due"
    membership = Membership.objects.get(user=person)
    assert (membership.unit, membership.role, membership.joined_at) == (
        units["team"],
        MembershipRole.MEMBER,
        date(2026, 3, 10),
    )
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("confirmed", manager_a)
    page = client.get(response["Location"])
    assert "est désormais membre de Équipe A1" in page.content.decode()
    assert person.pk in {row.user_id for row in page.context["overview"].people}
    assert page.context["awaiting"] == []


def test_manager_declines_a_request(client, requirement, units, manager_a):
    """Declining leaves the person out; their profile says so, and they may ask again."""
    person = signed_up(client, units)
    request = UnitRequest.objects.get(user=person)
    client.force_login(manager_a)
    assert client.post(f"/compliance/requests/{request.pk}/refuse/").status_code == 302
    assert not Membership.objects.filter(user=person).exists()
    request.refresh_from_db()
    assert request.status == UnitRequestStatus.REFUSED
    person.emailaddress_set.update(verified=True)
    client.force_login(person)
    html = client.get("/accounts/profile/").content.decode()
    assert "a été déclinée" in html


def test_request_decisions_refused_outside_the_scope(client, requirement, units):
    """A manager of another unit, the person themselves, a learner: no decision
    (404 or 403); a decided request cannot be decided again; GET is 405."""
    person = signed_up(client, units)
    request = UnitRequest.objects.get(user=person)
    confirm = f"/compliance/requests/{request.pk}/confirm/"
    refuse = f"/compliance/requests/{request.pk}/refuse/"
    other = member(units["lab_b"], username="bob", role=MembershipRole.MANAGER)
    client.force_login(other)
    assert client.post(confirm).status_code == 404
    assert client.post(refuse).status_code == 404
    learner = member(units["team"], username="lea")
    client.force_login(learner)
    assert client.post(confirm).status_code == 403
    client.force_login(person)
    assert client.post(confirm).status_code == 403
    assert client.post("/compliance/requests/99999999/confirm/").status_code == 403
    assert client.post(f"/compliance/requests/{'9' * 30}/confirm/").status_code == 404
    assert not Membership.objects.filter(user=person).exists()
    boss = member(units["institute"], username="boss", role=MembershipRole.MANAGER)
    client.force_login(boss)
    assert client.get(confirm).status_code == 405
    assert client.post(confirm).status_code == 302
    assert client.post(refuse).status_code == 404  # already decided


def test_manager_never_confirms_their_own_request(client, units):
    """A manager who asks to join one of their units cannot confirm it themselves."""
    boss = member(units["institute"], username="boss", role=MembershipRole.MANAGER)
    request = request_unit(boss, units["lab_b"], source="profile")
    client.force_login(boss)
    assert client.post(f"/compliance/requests/{request.pk}/confirm/").status_code == 404
    assert not Membership.objects.filter(user=boss, unit=units["lab_b"]).exists()


@pytest.mark.parametrize("value", ["abc", "999999", "1" * 40, "\x00", "-1", " "])
def test_signup_bad_unit_is_a_form_error(client, units, value):
    """An unknown or malformed unit: the form again with an error, nobody created."""
    response = client.post("/accounts/signup/", {**SIGNUP, "unit": value})
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not get_user_model().objects.filter(username="adurand").exists()


def test_signup_without_a_unit(client, units):
    """The unit is optional: no request then."""
    response = client.post("/accounts/signup/", {**SIGNUP, "unit": ""})
    assert response.status_code == 302
    assert not UnitRequest.objects.exists()


@pytest.fixture
def camille(units):
    from allauth.account.models import EmailAddress

    user = UserFactory(username="camille", first_name="Camille", last_name="Petit")
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user


PROFILE = {"first_name": "Camille", "last_name": "Petit", "preferred_language": "fr"}


def test_profile_asks_to_join_changes_and_withdraws(client, units, camille):
    """In the profile a person asks to join a unit (told it awaits confirmation),
    changes their mind (one request at a time) or withdraws."""
    client.force_login(camille)
    page = client.get("/accounts/profile/").content.decode()
    assert "Vous n’appartenez encore à aucune unité." in page
    response = client.post(
        "/accounts/profile/", {**PROFILE, "unit": units["lab_a"].pk}, follow=True
    )
    html = response.content.decode()
    assert "Votre demande pour rejoindre Labo A est envoyée" in html
    assert "ne l’ont pas encore confirmée" in html
    assert UnitRequest.objects.get(user=camille).source == "profile"
    client.post("/accounts/profile/", {**PROFILE, "unit": units["lab_b"].pk})
    assert list(UnitRequest.objects.values_list("unit__code", flat=True)) == ["LAB-B"]
    client.post("/accounts/profile/", {**PROFILE, "unit": ""})
    assert not UnitRequest.objects.exists()


@pytest.mark.parametrize("value", ["abc", "999999", "1" * 40, "\x00"])
def test_profile_bad_unit_is_a_form_error(client, units, camille, value):
    client.force_login(camille)
    response = client.post("/accounts/profile/", {**PROFILE, "unit": value})
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not UnitRequest.objects.exists()


def test_request_for_a_unit_already_joined_is_nothing(units):
    person = member(units["lab_a"])
    assert request_unit(person, units["lab_a"], source="profile") is None
    assert not UnitRequest.objects.exists()


def test_administrator_sees_and_places_people_in_no_unit(
    client, admin_user, requirement, units, camille
):
    """People in no unit who asked for none are listed for administrators, who
    place them from the person page; a manager may not place anyone."""
    camille.declared_unit = "UMR 1234"
    camille.save()
    client.force_login(admin_user)
    page = client.get("/compliance/")
    assert camille in page.context["unplaced"]
    assert admin_user not in page.context["unplaced"]
    assert "UMR 1234" in page.content.decode()
    person_page = client.get(f"/compliance/people/{camille.pseudonym}/")
    assert "Institut › Labo A › Équipe A1</option>" in person_page.content.decode()
    response = client.post(
        f"/compliance/people/{camille.pseudonym}/place/", {"unit": units["team"].pk}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=camille).role == MembershipRole.MEMBER
    assert camille not in client.get("/compliance/").context["unplaced"]

    for value in ["", "abc", "1" * 40, "999999"]:
        bad = client.post(
            f"/compliance/people/{camille.pseudonym}/place/", {"unit": value}
        )
        assert bad.status_code == 400

    manager = member(units["institute"], username="boss", role=MembershipRole.MANAGER)
    stranger = UserFactory()
    client.force_login(manager)
    assert "unplaced" not in client.get("/compliance/").content.decode()
    response = client.post(
        f"/compliance/people/{stranger.pseudonym}/place/", {"unit": units["team"].pk}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=stranger).exists()


# -- the SSO ---------------------------------------------------------------------------


def test_sso_claim_names_units(settings, units):
    """The configured claim names units by code or name, one value or a list."""
    settings.OIDC_UNIT_CLAIM = "ou"
    assert claimed_units({"ou": "lab-a"}) == [units["lab_a"]]
    assert set(claimed_units({"ou": ["Labo B", "TEAM-A1", "nope", 3]})) == {
        units["lab_b"],
        units["team"],
    }
    assert claimed_units({"ou": {"x": 1}}) == []
    assert claimed_units({}) == []
    settings.OIDC_UNIT_CLAIM = ""
    assert claimed_units({"ou": "LAB-A"}) == []


def test_sso_places_as_member_never_manager(settings, units):
    settings.OIDC_UNIT_CLAIM = "ou"
    person = UserFactory()
    request_unit(person, units["lab_a"], source="signup")
    (membership,) = place_from_sso(person, {"ou": "LAB-A"})
    assert membership.role == MembershipRole.MEMBER
    assert not UnitRequest.objects.exists()  # the SSO answered it
    assert place_from_sso(person, {"ou": "LAB-A"}) == []


@pytest.fixture
def provider(monkeypatch):
    """The local OpenID provider of tests/accounts, whose claims name a team."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with LocalOpenIDProvider(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        claims={**CLAIMS, "supannEntiteAffectation": ["TEAM-A1"]},
    ) as provider:
        yield provider


@pytest.mark.usefixtures("oidc_settings")
def test_sso_sign_up_joins_the_claimed_unit(client, settings, units, provider):
    """Through a real OpenID Connect provider: the new account is a member of the
    unit its `OIDC_UNIT_CLAIM` names."""
    settings.OIDC_UNIT_CLAIM = "supannEntiteAffectation"
    response = sso_login(client, provider)
    assert response.status_code == 302
    person = get_user_model().objects.get(email=CLAIMS["email"])
    membership = Membership.objects.get(user=person)
    assert (membership.unit, membership.role) == (units["team"], "member")


# -- the old free-text unit ------------------------------------------------------------


def test_typed_units_become_requests(units):
    """The migration turns a typed unit matching a unit's code or name (any case)
    into a pending request; people already in a unit, or typing something
    unknown, keep their text only."""
    from importlib import import_module

    migration = import_module("learning.compliance.migrations.0004_unit_requests")
    by_code = UserFactory(declared_unit=" lab-a ")
    by_name = UserFactory(declared_unit="équipe a1")
    unknown = UserFactory(declared_unit="UMR 9999")
    placed = member(units["lab_b"])
    placed.declared_unit = "LAB-A"
    placed.save()
    migration.requests_from_typed_units(apps, None)
    found = {
        r.user: (r.unit, r.source, r.status)
        for r in UnitRequest.objects.select_related("unit", "user")
    }
    assert found == {
        by_code: (units["lab_a"], "migrated", "pending"),
        by_name: (units["team"], "migrated", "pending"),
    }
    assert unknown not in found and placed not in found


def test_personal_data_export_holds_units_and_requests(client, units, camille):
    """The person's data export lists their units and requests to join one."""
    Membership.objects.create(user=camille, unit=units["lab_a"])
    request_unit(camille, units["lab_b"], source="profile")
    client.force_login(camille)
    data = json.loads(client.get("/accounts/profile/data.json").content)
    learning = data["learning"]
    assert [u["code"] for u in learning["units"]] == ["LAB-A"]
    assert [(r["unit"], r["status"]) for r in learning["unit_requests"]] == [
        ("Labo B", "pending")
    ]
