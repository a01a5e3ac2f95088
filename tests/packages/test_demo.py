"""The demo's cmi5 course: built by code, imported through a course folder."""

import io
import zipfile

import pytest

from courses.packages.demo import SLUG, demo_cmi5_zip, install_cmi5_demo
from courses.packages.models import PackageLessonPage

pytestmark = pytest.mark.django_db


def test_demo_package_is_a_two_au_cmi5_course():
    names = zipfile.ZipFile(io.BytesIO(demo_cmi5_zip())).namelist()
    assert {
        "cmi5.xml",
        "shared/au.js",
        "metadonnees/index.html",
        "formats/content.js",
    } <= set(names)


def test_install_cmi5_demo_in_french_and_english(private_root, site_structure):
    """The course and its package lesson exist in both languages; a rerun skips."""
    assert "imported" in install_cmi5_demo()
    lessons = PackageLessonPage.objects.all()
    assert {page.locale.language_code for page in lessons} == {"fr", "en"}
    assert all(page.package.units.count() == 2 for page in lessons)
    assert install_cmi5_demo() == f"{SLUG}: already there"
