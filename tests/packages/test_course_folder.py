"""A course folder's lesson file can name a package zip of the folder."""

import zipfile

import pytest

from courses.course_files import CourseImportError
from courses.course_files.exporting import export_course
from courses.course_files.importing import import_course
from courses.packages.models import Package, PackageLessonPage

from .conftest import two_au_zip

pytestmark = pytest.mark.django_db

COURSE_MD = "---\ntitle: Données\nlanguage: fr\n---\nUn cours.\n"


def folder(tmp_path, package_line="package: module.zip", zip_data=None):
    root = tmp_path / "donnees-paquet"
    root.mkdir()
    (root / "course.md").write_text(COURSE_MD)
    (root / "01-intro.md").write_text("---\ntitle: Introduction\n---\nBonjour.\n")
    (root / "02-module.md").write_text(
        f"---\ntitle: Module cmi5\n{package_line}\n---\nPrésentation.\n"
    )
    (root / "module.zip").write_bytes(zip_data or two_au_zip())
    return root


def test_course_folder_imports_a_package_lesson(private_root, site_structure, tmp_path):
    """`package: module.zip` makes the lesson a package lesson; re-import keeps it."""
    course = import_course(folder(tmp_path))
    lesson = PackageLessonPage.objects.get()
    assert lesson.get_parent().pk == course.pk
    assert lesson.title == "Module cmi5"
    assert lesson.package.units.count() == 2
    import_course(tmp_path / "donnees-paquet")  # same zip: no new package
    assert Package.objects.count() == 1

    exported = export_course("donnees-paquet", tmp_path / "out")
    assert "02-module.zip" in exported.files
    text = (tmp_path / "out" / "donnees-paquet" / "02-module.md").read_text()
    assert "package: 02-module.zip" in text


def test_course_folder_refuses_a_missing_or_hostile_package(
    private_root, site_structure, tmp_path
):
    """A missing zip, a path, or a hostile zip: file: reason, nothing created."""
    with pytest.raises(CourseImportError) as caught:
        import_course(folder(tmp_path, "package: ../module.zip"))
    assert "02-module.md:3: package: a .zip file name of this folder" in str(
        caught.value
    )

    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("cmi5.xml", "<courseStructure/>")
        archive.writestr("/abs.html", "x")
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(CourseImportError) as caught:
        import_course(folder(other, zip_data=evil.read_bytes()))
    assert "02-module.md: /abs.html: absolute path" in str(caught.value)
    assert not Package.objects.exists()
    assert not PackageLessonPage.objects.exists()
    content = private_root / "packages" / "content"
    assert not content.exists() or not any(content.iterdir())
