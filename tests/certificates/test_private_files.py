"""Private files (certificate PDFs, ZIPs, learning-records exports) live outside
MEDIA_ROOT under random names, leave only through permission-checking views,
and exports are deleted after the retention period."""

import io
import zipfile
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

import pytest

from cms.checks import check_private_root
from cms.storage import move_to_private
from learning.analytics.models import RecordsExport, RecordsExportStatus
from learning.analytics.web_exports import build_records_export_job
from learning.certificates.models import CertificateExport, ExportStatus
from learning.compliance.models import Membership, MembershipRole, OrgUnit
from learning.retention import delete_expired_exports
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def roots(settings, tmp_path):
    """Media and private files in folders of this test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    return settings


def private_path(settings, name):
    return settings.PRIVATE_ROOT / name


def assert_private(settings, client, name):
    """The file is in the private root, nowhere under MEDIA_ROOT, with no URL."""
    assert private_path(settings, name).is_file()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))
    assert client.get(f"/media/{name}").status_code == 404
    with pytest.raises(ValueError):
        storages["private"].url(name)


@pytest.fixture
def other_manager(db):
    """Manages a unit the learner does not belong to."""
    unit = OrgUnit.objects.create(code="OTHER", name="Autre labo")
    user = UserFactory(username="olga")
    Membership.objects.create(user=user, unit=unit, role=MembershipRole.MANAGER)
    return user


@pytest.fixture
def zip_export(
    client, certificate, manager, validity_course, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/certificates/manage/courses/{validity_course.pk}/zip/")
    client.logout()
    return CertificateExport.objects.get()


def test_certificate_pdf_is_private(
    client, settings, certificate, learner, other_learner, manager
):
    """The PDF is stored privately under a name without its code; the owner and
    their manager download it, another learner gets 404, anonymous the log-in."""
    from learning.certificates.pdf import ensure_pdf

    ensure_pdf(certificate)
    certificate.refresh_from_db()
    name = certificate.pdf.name
    assert name.startswith("certificates/") and certificate.code not in name
    assert_private(settings, client, name)

    url = f"/certificates/{certificate.uuid}/pdf/"
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(other_learner)
    assert client.get(url).status_code == 404
    for user in (learner, manager):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")


def test_certificate_zip_is_private(
    client, settings, zip_export, learner, manager, other_manager, validity_course
):
    """The ZIP has a random name in the private storage; only the manager who asked
    downloads it (under a readable name)."""
    name = zip_export.file.name
    assert name.startswith("exports/certificates/")
    token = name.rsplit("/", 1)[1].removesuffix(".zip")
    assert len(token) >= 32 and validity_course.slug not in name
    assert_private(settings, client, name)
    assert (
        client.get(
            f"/media/certificates/exports/certificates-{validity_course.slug}-{zip_export.pk}.zip"
        ).status_code
        == 404
    )

    url = f"/certificates/manage/exports/{zip_export.pk}/download/"
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(learner)
    assert client.get(url).status_code == 403
    client.force_login(other_manager)
    assert client.get(url).status_code == 404
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificates-{validity_course.slug}-{zip_export.pk}.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 1


def test_records_export_is_private(client, settings, course, learner, manager):
    """The learning-records export: private, random name, administrators only."""
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    export = RecordsExport.objects.create(requested_by=admin)
    build_records_export_job(str(export.pk))
    export.refresh_from_db()
    name = export.file.name
    assert name.startswith("exports/learning-records/") and str(export.pk) not in name
    assert_private(settings, client, name)

    url = f"/learning/records/exports/{export.pk}/download/"
    assert client.get(url)["Location"].startswith("/accounts/login/")
    for user in (learner, manager):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(admin)
    assert client.get(url).status_code == 200


def test_expired_exports_are_deleted(client, settings, zip_export, manager):
    """Past EXPORT_RETENTION_DAYS the file goes, the row says expired, the
    download is 404; recent exports and files stay; stray old files go too."""
    settings.EXPORT_RETENTION_DAYS = 7
    storage = storages["private"]
    kept = CertificateExport.objects.create(
        course=zip_export.course, requested_by=manager
    )
    kept.file.save("recent.zip", ContentFile(b"zip"), save=True)
    stray = storage.save("exports/certificates/stray.zip", ContentFile(b"zip"))
    records = RecordsExport.objects.create(
        requested_at=timezone.now() - timedelta(days=30),
        status=RecordsExportStatus.DONE,
    )
    records.file.save("records.h5", ContentFile(b"h5"), save=True)
    CertificateExport.objects.filter(pk=zip_export.pk).update(
        requested_at=timezone.now() - timedelta(days=8)
    )
    old_name, records_name = zip_export.file.name, records.file.name

    assert delete_expired_exports(now=timezone.now() + timedelta(hours=1)) == 2
    assert storage.exists(stray)  # fresh: a job may be about to record it
    assert delete_expired_exports(now=timezone.now() + timedelta(days=8)) >= 2
    assert not storage.exists(stray) and not storage.exists(kept.file.name)

    zip_export.refresh_from_db()
    records.refresh_from_db()
    assert not storage.exists(old_name) and not storage.exists(records_name)
    assert (zip_export.status, zip_export.file.name) == (ExportStatus.EXPIRED, "")
    assert records.status == RecordsExportStatus.EXPIRED
    client.force_login(manager)
    assert (
        client.get(
            f"/certificates/manage/exports/{zip_export.pk}/download/"
        ).status_code
        == 404
    )
    page = client.get(f"/certificates/manage/exports/{zip_export.pk}/").content.decode()
    assert "Cet export a expiré" in page


def test_retention_command_and_zero_days(settings, zip_export, capsys):
    """`delete_expired_exports` says what it did; 0 days keeps everything."""
    CertificateExport.objects.filter(pk=zip_export.pk).update(
        requested_at=timezone.now() - timedelta(days=400)
    )
    settings.EXPORT_RETENTION_DAYS = 0
    call_command("delete_expired_exports")
    assert "0 expired export file(s) deleted" in capsys.readouterr().out
    settings.EXPORT_RETENTION_DAYS = 7
    call_command("delete_expired_exports")
    assert "1 expired export file(s) deleted" in capsys.readouterr().out


def test_cleanup_is_scheduled_by_rq_cron():
    """cms.cron (what `make worker` gives rqcron) runs the cleanup every hour."""
    from fakeredis import FakeStrictRedis
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=FakeStrictRedis())
    scheduler.load_config_from_file("cms.cron")
    jobs = {job.func.__name__: job for job in scheduler.get_jobs()}
    cleanup = jobs["delete_expired_exports_job"]
    assert (cleanup.queue_name, cleanup.cron) == ("default", "17 * * * *")


def test_existing_public_files_move_to_private(settings, certificate, validity_course):
    """The migration's mover: a ZIP under MEDIA_ROOT moves to the private storage
    under a random name and leaves MEDIA_ROOT; a missing one is marked expired."""
    public = storages["default"]
    old = public.save(
        "certificates/exports/certificates-snds-1.zip", ContentFile(b"zip")
    )
    moved = CertificateExport.objects.create(course=validity_course, file=old)
    lost = CertificateExport.objects.create(
        course=validity_course, file="certificates/exports/gone.zip"
    )
    queryset = CertificateExport.objects.all()
    missing = {"file": "", "status": "expired"}
    assert (
        move_to_private(queryset, "file", "exports/certificates", missing=missing) == 1
    )
    moved.refresh_from_db()
    lost.refresh_from_db()
    assert moved.file.name.startswith("exports/certificates/")
    assert storages["private"].open(moved.file.name).read() == b"zip"
    assert not public.exists(old)
    assert (lost.file.name, lost.status) == ("", "expired")
    # Run again (the migration re-applied): nothing moves twice.
    assert (
        move_to_private(queryset, "file", "exports/certificates", missing=missing) == 0
    )


def test_private_root_inside_media_root_fails_the_check(settings):
    """PRIVATE_ROOT under MEDIA_ROOT (or STATIC_ROOT) is a configuration error."""
    assert check_private_root(None) == []
    settings.PRIVATE_ROOT = settings.MEDIA_ROOT / "private"
    assert [error.id for error in check_private_root(None)] == ["cms.E001"]


def test_kept_hdf5_files_are_private_and_go_with_the_account(
    settings, learner, django_capture_on_commit_callbacks
):
    """Files kept after an HDF5 check sit in the private root and are deleted
    with the learner's account."""
    from accounts.privacy import delete_account
    from courses.hdf5.uploads import kept_uploads_dir

    assert kept_uploads_dir() == settings.PRIVATE_ROOT / "hdf5-uploads"
    folder = kept_uploads_dir() / str(learner.pseudonym)
    folder.mkdir(parents=True)
    (folder / "lesson-1.h5").write_bytes(b"\x89HDF")
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(learner)
    assert not folder.exists()
