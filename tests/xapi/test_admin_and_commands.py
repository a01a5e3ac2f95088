"""Admin screens (clients, forwarding health) and the LRS management commands."""

import io
import re

from django.core.management import CommandError, call_command
from django.urls import reverse

import pytest

from learning.xapi.lrs.models import Destination, LRSClient, OutboxEntry
from tests.factories import UserFactory
from tests.xapi.conftest import LRS, statement


@pytest.fixture
def admin_client(client, db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_admin_creates_a_client_and_shows_its_secret_once(admin_client, client):
    response = admin_client.post(
        reverse("lrsclient:add"),
        {"name": "H5P", "scopes": ["statements/write", "state"], "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    created = LRSClient.objects.get(name="H5P")
    assert created.scopes == ["statements/write", "state"]
    message = [str(m) for m in response.context["messages"]][0]
    secret = re.search(r"secret ?: (\S+)", message).group(1)  # French or English
    assert created.key in message and created.check_secret(secret)
    assert LRS(client, created, secret).post(statement()).status_code == 200
    assert admin_client.get(reverse("lrsclient:index")).status_code == 200


def test_admin_lists_destination_health(
    admin_client, lrs, django_capture_on_commit_callbacks
):
    destination = Destination.objects.create(
        name="Learning Locker", endpoint="http://127.0.0.1:1/xapi/", is_active=True
    )
    Destination.objects.filter(pk=destination.pk).update(
        last_error="HTTP 500: boom", failure_count=3, paused=True
    )
    lrs.post([statement(), statement()])
    assert OutboxEntry.objects.count() == 2
    response = admin_client.get(reverse("destination:index"))
    html = response.content.decode()
    assert response.status_code == 200 and "Learning Locker" in html
    assert "HTTP 500: boom" in html
    edit = admin_client.get(reverse("destination:edit", args=[destination.pk]))
    assert edit.status_code == 200


def test_create_lrs_client_command(db):
    out = io.StringIO()
    call_command(
        "create_lrs_client",
        "cmi5",
        "--scope",
        "statements/write",
        "--scope",
        "state",
        stdout=out,
    )
    lines = dict(line.split(":", 1) for line in out.getvalue().splitlines())
    client = LRSClient.objects.get(name="cmi5")
    assert client.key == lines["key"].strip() and client.check_secret(
        lines["secret"].strip()
    )
    assert client.scopes == ["statements/write", "state"]
    with pytest.raises(CommandError):
        call_command("create_lrs_client", "cmi5", stdout=out)
    call_command("create_lrs_client", "cmi5", "--reset", "--secret", "new", stdout=out)
    client.refresh_from_db()
    assert client.check_secret("new")


def test_forward_statements_command_reports(db, lrs):
    Destination.objects.create(name="down", endpoint="http://127.0.0.1:1/xapi/")
    lrs.post(statement())
    out = io.StringIO()
    call_command("forward_statements", stdout=out)
    assert "down: 0 delivered, 1 pending (active)" in out.getvalue()


def test_demo_client_is_seeded_idempotently(client, db):
    """The README's demo key and secret work; seeding twice keeps one client."""
    from learning.xapi.lrs.models import DEMO_CLIENT, ensure_demo_client

    assert ensure_demo_client().endswith("created")
    assert ensure_demo_client().endswith("kept")
    _, key, secret = DEMO_CLIENT
    demo = LRSClient.objects.get(key=key)
    assert LRS(client, demo, secret).get().status_code == 200


def _destination_form(destination: Destination, **changes) -> dict:
    data = {
        "name": destination.name,
        "endpoint": destination.endpoint,
        "username": destination.username,
        "password": "",
        "verbs": "",
        "activity_prefixes": "",
        "batch_size": destination.batch_size,
        "is_active": "on",
    }
    return {**data, **changes}


def test_destination_password_is_write_only(admin_client, db):
    """The edit form never echoes the saved password; blank keeps it, a new one
    replaces it, "remove" clears it."""
    destination = Destination.objects.create(
        name="Ralph",
        endpoint="http://127.0.0.1:1/xapi/",
        username="atelier",
        password="s3cret-Pa55",
    )
    url = reverse("destination:edit", args=[destination.pk])
    html = admin_client.get(url).content.decode()
    assert "s3cret-Pa55" not in html
    assert 'name="clear_password"' in html

    response = admin_client.post(url, _destination_form(destination, name="Ralph 2"))
    assert response.status_code == 302
    destination.refresh_from_db()
    assert (destination.name, destination.password) == ("Ralph 2", "s3cret-Pa55")

    admin_client.post(url, _destination_form(destination, password="n3w-Pa55"))
    destination.refresh_from_db()
    assert destination.password == "n3w-Pa55"
    assert "n3w-Pa55" not in admin_client.get(url).content.decode()

    admin_client.post(url, _destination_form(destination, clear_password="on"))
    destination.refresh_from_db()
    assert destination.password == ""
