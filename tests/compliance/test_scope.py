"""The manager scope: one rule for every manager action, nobody widens their own.

Units: institute > lab A > team A1, institute > lab B. Alice is in team A1,
Dan in lab B; Manon manages lab A, Bob manages lab B.
"""

import io
import zipfile
from datetime import date

import pytest

from learning.certificates.exports import build_export_job, request_export
from learning.certificates.issuance import revoke_certificate
from learning.certificates.models import CertificateExport
from learning.compliance.models import Membership, MembershipRole, Requirement
from learning.compliance.scope import (
    is_manager,
    manager_scope,
    membership_change_allowed,
    unit_change_allowed,
    unit_delete_allowed,
)
from learning.exceptions import OutOfScope
from tests.factories import UserFactory

from .conftest import certify, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def people(units, snds_course):
    alice = member(units["team"], username="alice")
    dan = member(units["lab_b"], username="dan")
    return {
        "alice": alice,
        "dan": dan,
        "alice_cert": certify(alice, snds_course, on=date(2026, 1, 20)),
        "dan_cert": certify(dan, snds_course, on=date(2026, 1, 21)),
        "manon": member(units["lab_a"], username="manon", role=MembershipRole.MANAGER),
        "bob": member(units["lab_b"], username="bob", role=MembershipRole.MANAGER),
        "loner": UserFactory(username="loner"),
    }


def test_scope_manager_watches_their_units_and_below(people, units):
    """A lab manager's scope is the lab and its team, and the people in them."""
    scope = manager_scope(people["manon"])
    assert scope.unit_ids == {units["lab_a"].pk, units["team"].pk}
    assert scope.includes_person(people["alice"])
    assert not scope.includes_person(people["dan"])
    assert not scope.includes_person(people["loner"])
    assert set(scope.people().values_list("username", flat=True)) == {
        "alice",
        "manon",
    }
    assert not scope.everything and is_manager(people["manon"])


def test_scope_administrator_sees_everyone(people, admin_user):
    """Superusers act on every unit and every person, even without a unit."""
    scope = manager_scope(admin_user)
    assert scope.everything and scope.includes_person(people["loner"])
    assert scope.people().count() == len(UserFactory._meta.model.objects.all())


@pytest.mark.parametrize("who", ["anonymous", "alice", "loner", "inactive"])
def test_scope_of_non_managers_is_empty(people, who):
    """Learners, anonymous and deactivated managers act on nobody."""
    from django.contrib.auth.models import AnonymousUser

    if who == "anonymous":
        user = AnonymousUser()
    elif who == "inactive":
        user = people["manon"]
        user.is_active = False
        user.save()
    else:
        user = people[who]
    scope = manager_scope(user)
    assert not scope and not is_manager(user)
    assert not scope.includes_person(people["alice"])
    assert not scope.people().exists()


def test_revocation_outside_the_scope_is_refused(people):
    """The domain function refuses a revocation by a manager of another unit."""
    with pytest.raises(OutOfScope):
        revoke_certificate(people["alice_cert"], by=people["bob"], reason="Fraude")
    people["alice_cert"].refresh_from_db()
    assert not people["alice_cert"].is_revoked
    revoke_certificate(people["alice_cert"], by=people["manon"], reason="Fraude")
    people["alice_cert"].refresh_from_db()
    assert people["alice_cert"].revoked_by == people["manon"]


def test_zip_holds_only_the_requesters_people(people, snds_course, media):
    """A ZIP built for Manon holds Alice's PDF, not Dan's."""
    export = request_export(snds_course, by=people["manon"])
    build_export_job(export.pk)
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert names == [f"certificate-{people['alice_cert'].code}.pdf"]
    assert CertificateExport.objects.get().total == 1


def test_zip_of_a_requester_who_lost_their_units_is_empty(people, snds_course, media):
    """The scope is read when the job runs: a manager removed meanwhile gets nothing."""
    export = request_export(snds_course, by=people["manon"])
    Membership.objects.filter(user=people["manon"]).delete()
    build_export_job(export.pk)
    assert CertificateExport.objects.get().total == 0


def test_membership_rules_forbid_self_widening(people, units):
    """No one grants themselves a role, nor reaches a unit or person outside."""
    scope = manager_scope(people["manon"])
    allowed = membership_change_allowed
    # Alice may become manager of team A1 (inside), not of the institute or lab B.
    assert allowed(scope, person=people["alice"], unit=units["team"])
    assert not allowed(scope, person=people["alice"], unit=units["institute"])
    assert not allowed(scope, person=people["alice"], unit=units["lab_b"])
    # Manon cannot touch her own memberships, even inside her scope.
    assert not allowed(scope, person=people["manon"], unit=units["team"])
    own = Membership.objects.get(user=people["manon"])
    assert not allowed(scope, person=people["manon"], unit=None, current=own)
    # People of other units cannot be pulled in, nor unaffiliated accounts.
    assert not allowed(scope, person=people["dan"], unit=units["team"])
    assert not allowed(scope, person=people["loner"], unit=units["team"])
    dans = Membership.objects.get(user=people["dan"])
    assert not allowed(scope, person=people["alice"], unit=units["team"], current=dans)
    # A learner may do nothing.
    assert not allowed(
        manager_scope(people["alice"]), person=people["alice"], unit=units["team"]
    )


def test_membership_rules_administrators_may_do_anything(people, units, admin_user):
    scope = manager_scope(admin_user)
    assert membership_change_allowed(
        scope, person=people["loner"], unit=units["institute"]
    )


def test_unit_rules_keep_managed_units_in_place(people, units):
    """A manager creates and moves units only inside their scope; their own unit stays put."""
    scope = manager_scope(people["manon"])
    assert unit_change_allowed(scope, unit=None, parent=units["lab_a"])
    assert not unit_change_allowed(scope, unit=None, parent=None)
    assert not unit_change_allowed(scope, unit=None, parent=units["lab_b"])
    lab_a, team = units["lab_a"], units["team"]
    assert unit_change_allowed(scope, unit=lab_a, parent=units["institute"])  # as is
    assert not unit_change_allowed(scope, unit=lab_a, parent=None)
    assert not unit_change_allowed(scope, unit=lab_a, parent=units["lab_b"])
    assert unit_change_allowed(scope, unit=team, parent=lab_a)
    assert not unit_change_allowed(scope, unit=team, parent=units["lab_b"])
    assert not unit_change_allowed(
        scope, unit=units["lab_b"], parent=units["institute"]
    )
    assert unit_delete_allowed(scope, team)
    assert not unit_delete_allowed(scope, lab_a)
    assert not unit_delete_allowed(scope, units["lab_b"])


def test_requirements_in_scope_apply_only_inside(people, units, requirement):
    """Manon edits the requirements of her units only: not the institute's."""
    from django.contrib.auth.models import Group

    own = Requirement.objects.create(slug="lab-a", title="Labo A")
    own.units.add(units["team"])
    grouped = Requirement.objects.create(slug="grouped", title="Groupe")
    grouped.units.add(units["lab_a"])
    grouped.groups.add(Group.objects.create(name="Everyone"))
    mixed = Requirement.objects.create(slug="mixed", title="Mixte")
    mixed.units.add(units["lab_a"], units["lab_b"])
    assert list(manager_scope(people["manon"]).requirements()) == [own]
    assert not manager_scope(people["bob"]).requirements().exists()
    assert manager_scope(people["alice"]).requirements().count() == 0


def test_views_other_units_certificates_are_not_found(client, people, media):
    """Bob (lab B) gets 404 for Alice's PDF, badge and revocation; nothing changes."""
    cert = people["alice_cert"]
    client.force_login(people["bob"])
    for url in (
        f"/certificates/{cert.uuid}/pdf/",
        f"/certificates/{cert.uuid}/open-badge.jwt",
        f"/certificates/{cert.uuid}/revoke/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/certificates/{cert.uuid}/revoke/", {"reason": "x"}).status_code
        == 404
    )
    cert.refresh_from_db()
    assert not cert.is_revoked
    listing = client.get("/certificates/manage/", {"q": cert.code}).content.decode()
    assert cert.display_code not in listing
    client.force_login(people["manon"])
    assert client.get(f"/certificates/{cert.uuid}/pdf/").status_code == 200
    assert cert.display_code in client.get("/certificates/manage/").content.decode()


def test_views_exports_are_the_requesters(client, people, snds_course, media):
    """Another manager cannot follow or download Manon's ZIP; an administrator can."""
    export = request_export(snds_course, by=people["manon"])
    build_export_job(export.pk)
    urls = (
        f"/certificates/manage/exports/{export.pk}/",
        f"/certificates/manage/exports/{export.pk}/download/",
    )
    client.force_login(people["bob"])
    assert [client.get(url).status_code for url in urls] == [404, 404]
    client.force_login(people["manon"])
    assert [client.get(url).status_code for url in urls] == [200, 200]
