"""Administrators' web download of the learning-records export, built by an RQ job."""

import io

import h5py
import pytest

from learning import progress
from learning.analytics import web_exports
from learning.analytics.models import EXPORT_DIRECTORY, RecordsExport
from learning.xapi.models import Statement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/learning/records/exports/"


@pytest.fixture
def manager(db):
    """An administrator: the export of the whole LRS is reserved to them."""
    return UserFactory(username="thomas", is_superuser=True, is_staff=True)


@pytest.fixture
def records(course):
    learner = progress.enrol(UserFactory(), course)
    for lesson in course.lessons():
        progress.complete_lesson(learner, lesson)
    return Statement.objects.count()


def test_records_export_built_by_job_with_progress(
    client, manager, records, media, django_capture_on_commit_callbacks
):
    """An administrator starts the export; the job writes it privately; status, then file."""
    client.force_login(manager)
    assert "Préparer un nouvel export" in client.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL)
    export = RecordsExport.objects.get()
    status_url = f"{URL}{export.pk}/"
    assert response["Location"] == status_url
    assert export.file.name.startswith(f"{EXPORT_DIRECTORY}/")
    assert str(export.pk) not in export.file.name  # a random name
    state = client.get(status_url, {"format": "json"}).json()
    assert state["status"] == "done" and state["percent"] == 100
    assert state["done"] == state["total"] >= records
    html = client.get(status_url).content.decode()
    assert "Télécharger le fichier HDF5" in html and "<progress" in html
    download = client.get(f"{status_url}download/")
    assert download["Content-Disposition"].startswith("attachment;")
    with h5py.File(io.BytesIO(b"".join(download.streaming_content)), "r") as f:
        assert f["statements"]["id"].shape[0] == records


def test_records_export_progress_while_running(manager, records, media):
    """The job reports rows written as it goes (the page polls these numbers)."""
    export = RecordsExport.objects.create(requested_by=manager)
    seen = []
    original = web_exports.export_learning_records

    def spy(path, *, progress):
        def report(table, written, total):
            progress(table, written, total)
            seen.append(RecordsExport.objects.get(pk=export.pk).done)

        return original(path, progress=report, chunk_rows=2)

    web_exports.export_learning_records, saved = spy, original
    try:
        web_exports.build_records_export_job(str(export.pk))
    finally:
        web_exports.export_learning_records = saved
    assert seen == sorted(seen) and 0 < max(seen) and len(set(seen)) > 2
    assert RecordsExport.objects.get(pk=export.pk).percent == 100


def test_records_export_is_for_administrators_only(client, learner, manager, media):
    """Learners can neither start, follow nor download an export."""
    export = RecordsExport.objects.create(requested_by=manager, status="done")
    client.force_login(learner)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert client.get(f"{URL}{export.pk}/").status_code == 403
    assert client.get(f"{URL}{export.pk}/download/").status_code == 403
    assert RecordsExport.objects.count() == 1
    client.logout()
    assert client.get(f"{URL}{export.pk}/download/").status_code == 302


def test_records_export_not_ready_is_404(client, manager):
    """No download before the job has finished."""
    export = RecordsExport.objects.create(requested_by=manager)
    client.force_login(manager)
    assert client.get(f"{URL}{export.pk}/download/").status_code == 404
