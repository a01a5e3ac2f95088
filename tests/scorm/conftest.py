import json

from django.test import Client

import pytest

from courses.packages.importing import create_package_lesson
from learning import progress
from learning.launches.sessions import start_session
from tests.factories import CoursePageFactory

from .factories import scorm12_mono_sco, scorm2004_multi_sco

CONTENT = "content.testserver"


@pytest.fixture
def origin(settings, tmp_path):
    settings.PACKAGE_CONTENT_ORIGIN = f"http://{CONTENT}"
    settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def scorm_course(catalogue):
    """A published course whose only lesson will be a SCORM package."""
    return CoursePageFactory(parent=catalogue, title="Données FAIR", slug="fair")


def package_lesson(course, package: bytes, tmp_path, name="scorm.zip"):
    path = tmp_path / name
    path.write_bytes(package)
    return create_package_lesson(course, path)


@pytest.fixture
def lesson2004(origin, scorm_course, tmp_path):
    return package_lesson(scorm_course, scorm2004_multi_sco(), tmp_path)


@pytest.fixture
def lesson12(origin, scorm_course, tmp_path):
    return package_lesson(scorm_course, scorm12_mono_sco(), tmp_path, "scorm12.zip")


@pytest.fixture
def enrollment(learner, scorm_course):
    return progress.enrol(learner, scorm_course)


class Player:
    """A launched SCO seen from its wrapper page: the runtime endpoints with
    the session's runtime token, as player.js calls them."""

    def __init__(self, session, token: str):
        self.session = session
        self.token = token
        self.sequence = 0
        self.client = Client()

    def post(
        self, action: str, body=None, *, token: str | None = None, raw=None, **extra
    ):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token or self.token}"}
        return self.client.post(
            f"/packages/scorm/{self.session.content_key}/{action}",
            data=raw if raw is not None else json.dumps(body or {}),
            content_type="application/json",
            HTTP_HOST=CONTENT,
            **headers,
            **extra,
        )

    def values(self) -> dict:
        response = self.post("data")
        assert response.status_code == 200, response.content
        return response.json()["values"]

    def initialize(self):
        response = self.post("initialize")
        assert response.status_code == 200, response.content

    def commit(self, cmi: dict, *, terminate=False, expect=200):
        self.sequence += 1
        response = self.post(
            "commit", {"cmi": cmi, "sequence": self.sequence, "terminate": terminate}
        )
        assert response.status_code == expect, response.content
        return response


def launch(enrollment, lesson, unit_index: int = 0, *, mode="Normal") -> Player:
    """Start a session of the lesson's unit and follow its launch token to the wrapper."""
    unit = list(lesson.package.units.all())[unit_index]
    session, token = start_session(enrollment, lesson, unit, mode=mode)
    response = Client().get(f"/packages/launch/{token}", HTTP_HOST=CONTENT)
    assert response.status_code == 302
    path, _, runtime_token = response["Location"].partition("#")
    assert path == f"/packages/scorm/{session.content_key}/player"
    session.refresh_from_db()
    return Player(session, runtime_token)
