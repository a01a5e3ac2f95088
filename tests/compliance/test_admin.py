"""The Wagtail admin screens: units (no cycles), requirements, tokens, read-only logs."""

import re

from django.contrib.messages import get_messages

import pytest

from learning.compliance.models import ApiToken, OrgUnit, Requirement, hash_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_unit_cannot_move_under_its_descendant(admin_client, units):
    """Editing the institute to sit under its own team is refused."""
    institute = units["institute"]
    response = admin_client.post(
        f"/admin/compliance_units/edit/{institute.pk}/",
        {"code": "INST", "name": "Institut", "parent": units["team"].pk},
    )
    assert response.status_code == 200  # the form again, with the error
    assert response.context["form"].errors["parent"]
    institute.refresh_from_db()
    assert institute.parent is None


def test_admin_creates_a_unit(admin_client, units):
    response = admin_client.post(
        "/admin/compliance_units/new/",
        {"code": "LAB-C", "name": "Labo C", "parent": units["institute"].pk},
    )
    assert response.status_code == 302
    assert OrgUnit.objects.get(code="LAB-C").parent == units["institute"]


def test_admin_creates_a_requirement(admin_client, snds_course, units):
    response = admin_client.post(
        "/admin/compliance_requirements/new/",
        {
            "title": "Accès SNDS",
            "slug": "snds",
            "courses": [snds_course.pk],
            "units": [units["lab_a"].pk],
            "validity_months": "12",
            "reminder_days": "30",
            "due_days": "30",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    requirement = Requirement.objects.get(slug="snds")
    assert list(requirement.courses.all()) == [snds_course]


def test_admin_token_is_shown_once_and_stored_hashed(admin_client, requirement):
    """Creating a token shows it in a message; only its hash is kept; it works."""
    response = admin_client.post(
        "/admin/compliance_tokens/new/",
        {"name": "Portail SNDS", "requirements": [requirement.pk]},
    )
    assert response.status_code == 302
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    plain = re.search(r"atl_[\w-]+", text).group(0)
    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(plain)
    assert plain not in (token.token_hash, token.hint)
    answer = admin_client.get(
        "/api/v1/compliance/gates/snds/nobody@example.org",
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert answer.status_code == 404  # authenticated, scoped; unknown person


def test_admin_logs_are_read_only(admin_client):
    """Even a superuser cannot add gate calls or reminders by hand."""
    assert admin_client.get("/admin/compliance_gate_calls/").status_code == 200
    assert admin_client.get("/admin/compliance_gate_calls/new/").status_code in (
        302,
        403,
    )
    assert admin_client.get("/admin/compliance_reminders/new/").status_code in (
        302,
        403,
    )


def test_admin_compliance_hidden_from_managers_group(client, db):
    """The trainers'/managers' groups get no rights on compliance models by default."""
    from cms.roles import ensure_role_groups
    from tests.factories import UserFactory

    user = UserFactory()
    user.groups.add(ensure_role_groups()["managers"])
    client.force_login(user)
    assert client.get("/admin/compliance_tokens/").status_code in (302, 403)


def test_admin_menu_links_managers_to_the_dashboard(client, manager_a, admin_user):
    """Managers (and admins) see a link to the dashboard in the admin menu."""
    from cms.roles import ensure_role_groups

    manager_a.groups.add(ensure_role_groups()["managers"])
    client.force_login(manager_a)
    assert '"/compliance/"' in client.get("/admin/").content.decode()
