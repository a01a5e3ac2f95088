"""Importing packages: function, command, admin form; all or nothing."""

import io
import stat
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

import pytest

from courses.packages.errors import PackageError
from courses.packages.forms import PackageLessonForm  # noqa: F401
from courses.packages.importing import (
    create_package_lesson,
    import_package,
    replace_package,
)
from courses.packages.models import Package, PackageLessonPage, PackageUnit
from learning.completion import requirements_met  # noqa: F401
from tests.scorm.factories import scorm2004_multi_sco

from .conftest import two_au_zip

pytestmark = pytest.mark.django_db


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_import_package_records_manifest_units_and_files(private_root, package_zip):
    """A cmi5 zip becomes a Package with its units, files extracted privately."""
    package = import_package(package_zip)
    assert package.format == "cmi5"
    assert package.title["en"] == "Research data"
    units = list(package.units.all())
    assert [unit.identifier for unit in units] == [
        "https://example.org/au/1",
        "https://example.org/au/2",
    ]
    assert units[0].move_on == "CompletedOrPassed"
    assert units[0].blocks == ["https://example.org/block/1"]
    assert (package.content_path() / "au1" / "index.html").is_file()
    assert package.archive.storage.exists(package.archive.name)
    assert str(private_root) in str(package.content_path())


def test_import_refuses_a_hostile_zip_and_leaves_nothing(private_root, tmp_path):
    """A traversal entry: "file: reason", no row, no file left behind."""
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("cmi5.xml", "<courseStructure/>")
        archive.writestr("../../outside.html", "x")
    with pytest.raises(PackageError) as caught:
        import_package(path)
    assert caught.value.errors == [
        "../../outside.html: path leaves the package folder (..)"
    ]
    assert not Package.objects.exists()
    assert stored_files(private_root) == []


def test_import_refuses_a_package_without_manifest(private_root, tmp_path):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("index.html", "x")
    with pytest.raises(PackageError, match="neither cmi5.xml"):
        import_package(path)
    assert stored_files(private_root) == []


def test_create_package_lesson_counts_as_a_lesson(private_root, package_zip, course):
    """The package lesson is one of the course's lessons (outline, completion)."""
    lesson = create_package_lesson(course, package_zip)
    assert lesson.live
    assert lesson.title == "Données de recherche"
    assert lesson.pk in [page.pk for page in course.lessons()]
    assert lesson.pk in [page.pk for page in course.syllabus()]


def test_a_refused_page_leaves_no_package(private_root, package_zip, course):
    """If the page cannot be created, the imported package is removed too."""
    create_package_lesson(course, package_zip, slug="same")
    with pytest.raises(Exception):  # noqa: B017 - the slug is taken
        create_package_lesson(course, package_zip, slug="same")
    assert Package.objects.count() == 1
    content = private_root / "packages" / "content"
    assert len(list(content.iterdir())) == 1


def test_import_package_command(private_root, package_zip, course, capsys):
    call_command("import_package", str(package_zip), "--course", course.slug)
    lesson = PackageLessonPage.objects.get()
    assert lesson.get_parent().pk == course.pk
    assert "cmi5" in capsys.readouterr().out


def test_import_package_command_errors(private_root, tmp_path, course):
    """Bad input: a clear message and exit status 1, nothing imported."""
    with pytest.raises(CommandError, match="no such course"):
        call_command("import_package", str(tmp_path / "x.zip"), "--course", "nope")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"garbage")
    with pytest.raises(CommandError, match="zip: not a readable zip file"):
        call_command("import_package", str(bad), "--course", course.slug)
    assert not PackageUnit.objects.exists()


def test_admin_form_imports_the_uploaded_zip(private_root, course, admin_client):
    """A trainer uploads the zip on the page: the lesson is created with it."""
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    url = f"/admin/pages/add/packages/packagelessonpage/{course.pk}/"
    data = nested_form_data(
        {
            "title": "Module importé",
            "slug": "module-importe",
            "summary": "",
            "duration_minutes": 10,
            "body": streamfield([]),
            "package_file": SimpleUploadedFile(
                "module.zip", two_au_zip(), content_type="application/zip"
            ),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    lesson = PackageLessonPage.objects.get(slug="module-importe")
    assert lesson.package.units.count() == 2


def test_admin_form_shows_package_errors(private_root, course, admin_client):
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    url = f"/admin/pages/add/packages/packagelessonpage/{course.pk}/"
    data = nested_form_data(
        {
            "title": "Module",
            "slug": "module",
            "duration_minutes": 10,
            "body": streamfield([]),
            "package_file": SimpleUploadedFile("module.zip", b"nope"),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "zip: not a readable zip file" in response.content.decode()
    assert not Package.objects.exists()


# -- SCORM: broken or hostile packages change nothing ---------------------------


def rebuilt(package: bytes, *, drop=(), replace=None, add=()) -> bytes:
    """`package` with entries dropped, replaced ({name: data}) or added ((ZipInfo
    or name, data) pairs)."""
    source = zipfile.ZipFile(io.BytesIO(package))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name not in drop:
                target.writestr(name, (replace or {}).get(name, source.read(name)))
        for entry, data in add:
            target.writestr(entry, data)
    return buffer.getvalue()


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


MANIFEST = "imsmanifest.xml"
SCORM_REFUSALS = {
    "missing SCO page": (
        {"drop": ["sco/quiz/index.html"]},
        "imsmanifest.xml: item quiz: launches sco/quiz/index.html, "
        "which is not in the package",
    ),
    "entities": (
        {
            "replace": {
                MANIFEST: b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]>'
                b"<manifest>&a;</manifest>"
            }
        },
        "imsmanifest.xml: refused XML",
    ),
    "not XML": (
        {"replace": {MANIFEST: b"<manifest><organizations>"}},
        "imsmanifest.xml: not well-formed XML",
    ),
    "no organization": (
        {
            "replace": {
                MANIFEST: b'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1">'
                b"<organizations/><resources/></manifest>"
            }
        },
        "imsmanifest.xml: no organization",
    ),
    "traversal": (
        {"add": [("../../cms/static/evil.js", "alert(1)")]},
        "../../cms/static/evil.js: path leaves the package folder (..)",
    ),
    "absolute path": (
        {"add": [("/etc/cron.d/evil", "x")]},
        "/etc/cron.d/evil: absolute path",
    ),
    "symbolic link": (
        {"add": [(symlink("shared/passwd"), "/etc/passwd")]},
        "shared/passwd: symbolic link",
    ),
    "duplicate": (
        {"add": [("shared/sco.js", "alert(1)")]},
        "shared/sco.js: appears twice in the zip",
    ),
}


@pytest.fixture(scope="module")
def scorm_zip() -> bytes:
    return scorm2004_multi_sco()


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("change", SCORM_REFUSALS.values(), ids=SCORM_REFUSALS)
def test_import_refuses_broken_or_hostile_scorm(
    private_root, tmp_path, scorm_zip, change
):
    """A SCORM zip with a broken manifest or a hostile entry: "file: reason",
    no row, no file left behind."""
    options, expected = change
    path = tmp_path / "scorm.zip"
    path.write_bytes(rebuilt(scorm_zip, **options))
    with pytest.raises(PackageError) as caught:
        import_package(path)
    assert any(line.startswith(expected) for line in caught.value.errors), (
        caught.value.errors
    )
    assert not Package.objects.exists() and not PackageUnit.objects.exists()
    assert stored_files(private_root) == []


def test_refused_scorm_replacement_keeps_the_lesson_as_it_was(
    private_root, tmp_path, scorm_zip, course, admin_client
):
    """A broken new zip, by `replace_package` or in the admin, leaves the lesson
    with its package, its revisions and its files."""
    from wagtail.models import Revision
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    good = tmp_path / "good.zip"
    good.write_bytes(scorm_zip)
    lesson = create_package_lesson(course, good)
    package_id = lesson.package_id
    revisions = Revision.objects.count()
    files = stored_files(private_root)
    broken = rebuilt(scorm_zip, drop=["sco/intro/index.html"])
    bad = tmp_path / "bad.zip"
    bad.write_bytes(broken)

    with pytest.raises(PackageError, match="item intro: launches"):
        replace_package(PackageLessonPage.objects.get(pk=lesson.pk), bad)
    response = admin_client.post(
        f"/admin/pages/{lesson.pk}/edit/",
        nested_form_data(
            {
                "title": lesson.title,
                "slug": lesson.slug,
                "duration_minutes": 10,
                "body": streamfield([]),
                "package_file": SimpleUploadedFile("module.zip", broken),
            }
        ),
    )
    assert response.status_code == 200
    assert "item intro: launches sco/intro/index.html" in response.content.decode()

    assert PackageLessonPage.objects.get(pk=lesson.pk).package_id == package_id
    assert Package.objects.count() == 1
    assert Revision.objects.count() == revisions
    assert stored_files(private_root) == files
