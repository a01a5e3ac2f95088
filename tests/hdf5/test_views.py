"""The checker's upload view: rules, unsafe files, completion, CSRF and login."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import h5py
import pytest

from learning import progress
from learning.models import LessonProgress
from learning.xapi import vocabulary
from learning.xapi.models import Statement

pytestmark = pytest.mark.django_db


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def leftovers(directory):
    return sorted(
        p.name for p in directory.iterdir() if p.name.startswith("atelier-hdf5-")
    )


@pytest.fixture
def enrolled(learner, course):
    return progress.enrol(learner, course)


def test_check_passing_file_completes_lesson(
    client, learner, enrolled, checker_lesson, checker_url, good_file, upload_tmp
):
    """A file passing every rule completes the lesson, with its xAPI statement."""
    client.force_login(learner)
    response = client.post(checker_url, {"file": upload(good_file)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your file passes every check" in html
    assert "This lesson is now completed" in html
    assert LessonProgress.objects.get(lesson=checker_lesson).completed_at
    completed = Statement.objects.filter(verb=vocabulary.COMPLETED.id).get()
    assert completed.activity_id.endswith(str(checker_lesson.translation_key))
    assert leftovers(upload_tmp) == []


def test_check_failing_file_reports_and_does_not_complete(
    client, learner, enrolled, checker_lesson, checker_url, good_file, upload_tmp
):
    """A file failing two rules gets a report with both, with hints; no completion."""
    with h5py.File(good_file, "a") as f:
        del f.attrs["license"]
        del f["measurements/temperature"].attrs["long_name"]
    client.force_login(learner)
    response = client.post(checker_url, {"file": upload(good_file)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 of 8 checks failed" in html
    assert html.count("hdf5-check--fail") == 2
    assert "f.attrs[&quot;license&quot;]" in html
    assert "<code>/measurements/temperature</code>" in html
    assert 'role="status"' in html
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    assert leftovers(upload_tmp) == []


def test_check_passing_twice_is_fine(
    client, learner, enrolled, checker_lesson, checker_url, good_file
):
    client.force_login(learner)
    client.post(checker_url, {"file": upload(good_file)})
    response = client.post(checker_url, {"file": upload(good_file)})
    assert response.status_code == 200
    assert Statement.objects.filter(verb=vocabulary.COMPLETED.id).count() == 1


def test_check_not_enrolled_gets_report_only(
    client, learner, checker_lesson, checker_url, good_file
):
    client.force_login(learner)
    html = client.post(checker_url, {"file": upload(good_file)}).content.decode()
    assert "Start the course" in html
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("text_file", "This is not an HDF5 file"),
        ("truncated_file", "damaged or truncated"),
        ("corrupt_file", "damaged or truncated"),
    ],
)
def test_check_unreadable_file_clear_message(
    request, client, learner, enrolled, checker_url, upload_tmp, fixture, message
):
    """Non-HDF5, truncated and corrupt files: a clear message (422), temp file deleted."""
    client.force_login(learner)
    path = request.getfixturevalue(fixture)
    response = client.post(checker_url, {"file": upload(path)})
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert leftovers(upload_tmp) == []


@pytest.mark.parametrize(
    "fixture", ["external_link_file", "virtual_dataset_file", "external_storage_file"]
)
def test_check_links_outside_not_followed(
    request, client, learner, enrolled, checker_url, upload_tmp, outside_file, fixture
):
    """External links, virtual datasets and external storage are noted, never read."""
    path = request.getfixturevalue(fixture)
    outside_file.unlink()
    client.force_login(learner)
    response = client.post(checker_url, {"file": upload(path)})
    assert response.status_code == 200
    assert "Not checked:" in response.content.decode()
    assert leftovers(upload_tmp) == []


def test_check_too_many_objects(
    client, learner, enrolled, checker_url, many_objects_file, settings
):
    settings.HDF5_MAX_OBJECTS = 10
    client.force_login(learner)
    html = client.post(
        checker_url, {"file": upload(many_objects_file)}
    ).content.decode()
    assert "more than 10 objects" in html
    assert "hdf5-check--fail" in html


def test_check_oversize_refused_while_reading(
    client, learner, enrolled, checker_url, good_file, settings, upload_tmp
):
    """A file over HDF5_UPLOAD_MAX_BYTES is refused, never stored."""
    settings.HDF5_UPLOAD_MAX_BYTES = 1024
    client.force_login(learner)
    response = client.post(checker_url, {"file": upload(good_file)})
    assert response.status_code == 422
    assert "too large" in response.content.decode()
    assert "1.0\xa0KB" in response.content.decode()
    assert leftovers(upload_tmp) == []


def test_save_temporary_refuses_lying_size(good_file, upload_tmp):
    """An upload whose announced size lies is still cut at the limit."""
    from courses.hdf5.uploads import FileTooLarge, save_temporary

    fake = upload(good_file)
    fake.size = 10
    with pytest.raises(FileTooLarge):
        save_temporary(fake, limit=100)
    assert leftovers(upload_tmp) == []


def test_check_keep_file(
    client,
    learner,
    enrolled,
    checker_lesson,
    checker_url,
    good_file,
    settings,
    tmp_path,
):
    """When the learner asks, the file is kept, under their pseudonym."""
    settings.HDF5_KEPT_UPLOADS_DIR = tmp_path / "kept"
    client.force_login(learner)
    response = client.post(checker_url, {"file": upload(good_file), "keep": "on"})
    assert response.status_code == 200
    kept = tmp_path / "kept" / str(learner.pseudonym) / f"lesson-{checker_lesson.pk}.h5"
    assert kept.read_bytes() == good_file.read_bytes()


def test_check_without_file(client, learner, checker_url):
    client.force_login(learner)
    response = client.post(checker_url, {})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


def test_check_requires_login(client, checker_url, good_file):
    response = client.post(checker_url, {"file": upload(good_file)})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_check_requires_csrf_token(learner, enrolled, checker_url, good_file):
    """Without the CSRF token, the upload is refused and nothing is recorded."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post(checker_url, {"file": upload(good_file)})
    assert response.status_code == 403
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_check_csrf_token_from_lesson_page(
    learner, enrolled, checker_lesson, good_file
):
    """The form on the lesson page carries a working CSRF token."""
    import re

    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    html = client.get(checker_lesson.url).content.decode()
    form = html[html.index('class="hdf5-upload"') :]
    action = re.search(r'action="([^"]+)"', html[html.index("hdf5-upload") - 200 :])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = client.post(
        action.group(1), {"file": upload(good_file), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    assert LessonProgress.objects.get(lesson=checker_lesson).completed_at


def test_check_get_not_allowed(client, learner, checker_url):
    client.force_login(learner)
    assert client.get(checker_url).status_code == 405


def test_check_unknown_block(client, learner, checker_lesson, good_file):
    client.force_login(learner)
    response = client.post(
        f"/en/hdf5/lessons/{checker_lesson.pk}/check/nope/",
        {"file": upload(good_file)},
    )
    assert response.status_code == 404


def test_check_when_every_sandbox_slot_is_taken(
    client, learner, enrolled, checker_url, good_file, settings, tmp_path
):
    """No free sandbox slot within the queue time: 503, "try again", nothing kept."""
    from courses.hdf5.sandbox import SandboxLimits, slot

    settings.HDF5_SANDBOX_DIR = tmp_path / "slots"
    settings.HDF5_SANDBOX_SLOTS = 1
    settings.HDF5_SANDBOX_QUEUE_SECONDS = 0.2
    client.force_login(learner)
    with slot(SandboxLimits.from_settings()):
        response = client.post(checker_url, {"file": upload(good_file)})
    assert response.status_code == 503
    assert "try again in a minute" in response.content.decode()


def test_check_refused_by_view_restriction_or_unpublished_course(
    client, learner, enrolled, course, checker_lesson, checker_url, good_file
):
    """The checker of a restricted lesson, or of an unpublished course, answers 404
    and records nothing."""
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="Autres"))
    client.force_login(learner)
    assert client.post(checker_url, {"file": upload(good_file)}).status_code == 404
    restriction.delete()
    course.unpublish()
    assert client.post(checker_url, {"file": upload(good_file)}).status_code == 404
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
