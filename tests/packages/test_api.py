"""The packages API: import, enrol, launch URL; refusals with the right status."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

import pytest

from courses.packages.models import Package, PackageLessonPage
from learning.launches.models import LaunchSession, PackageApiToken
from tests.factories import CoursePageFactory

from .conftest import two_au_zip

pytestmark = pytest.mark.django_db
CONTENT = "content.testserver"


@pytest.fixture
def token(course, capsys):
    call_command("create_package_token", "harness", "--course", course.slug)
    return capsys.readouterr().out.strip()


@pytest.fixture
def api(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def upload(api, course_slug, data=None, **fields):
    return api.post(
        f"/api/v1/packages/courses/{course_slug}/lessons",
        {"file": SimpleUploadedFile("c.zip", data or two_au_zip()), **fields},
    )


def test_harness_imports_enrols_and_launches(
    settings, private_root, api, course, learner
):
    """The whole harness flow: import, enrol, a launch URL that opens the AU once."""
    settings.PACKAGE_CONTENT_ORIGIN = f"http://{CONTENT}"
    response = upload(api, course.slug, title="Module API")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["format"] == "cmi5" and len(body["units"]) == 2
    assert PackageLessonPage.objects.get(pk=body["lesson_id"]).title == "Module API"

    enrol = api.post(
        f"/api/v1/packages/courses/{course.slug}/enrolments",
        {"person": learner.email},
        content_type="application/json",
    )
    assert enrol.status_code == 201
    again = api.post(
        f"/api/v1/packages/courses/{course.slug}/enrolments",
        {"person": str(learner.pseudonym)},
        content_type="application/json",
    )
    assert again.status_code == 200 and not again.json()["created"]

    unit_id = body["units"][1]["id"]
    launch = api.post(
        f"/api/v1/packages/units/{unit_id}/launches",
        {"person": learner.email},
        content_type="application/json",
    )
    assert launch.status_code == 201, launch.content
    url = launch.json()["launch_url"]
    assert url.startswith(f"http://{CONTENT}/packages/launch/")
    path = url.removeprefix(f"http://{CONTENT}")
    opened = Client().get(path, HTTP_HOST=CONTENT)
    assert opened.status_code == 302 and "/au2/index.html" in opened["Location"]
    assert Client().get(path, HTTP_HOST=CONTENT).status_code == 404  # single use
    assert LaunchSession.objects.get().enrollment.user == learner


def test_api_refusals(settings, private_root, api, token, course, catalogue, learner):
    """401 without token, 403 out of scope, 404 unknown, 400 refused zip, 409 not enrolled."""
    settings.PACKAGE_CONTENT_ORIGIN = f"http://{CONTENT}"
    assert (
        Client().post(f"/api/v1/packages/courses/{course.slug}/lessons").status_code
        == 401
    )
    other = CoursePageFactory(parent=catalogue, slug="autre")
    assert upload(api, other.slug).status_code == 403
    assert upload(api, "nope").status_code == 404
    refused = upload(api, course.slug, data=b"garbage")
    assert refused.status_code == 400
    assert refused.json()["errors"][0].startswith("zip: not a readable zip file")
    assert not Package.objects.exists()

    unit_id = upload(api, course.slug).json()["units"][0]["id"]
    launch = f"/api/v1/packages/units/{unit_id}/launches"
    json = "application/json"
    assert api.post(launch, {"person": "x@y.z"}, content_type=json).status_code == 404
    assert (
        api.post(launch, {"person": learner.email}, content_type=json).status_code
        == 409
    )
    assert (
        api.post(
            "/api/v1/packages/units/999999/launches",
            {"person": learner.email},
            content_type=json,
        ).status_code
        == 404
    )
    PackageApiToken.objects.update(revoked=True)
    assert upload(api, course.slug).status_code == 401
