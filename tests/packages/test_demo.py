"""The demo's cmi5 and SCORM courses: built by code, imported through a course folder."""

import io
import zipfile

import pytest

from courses.packages.demo import SLUG, demo_cmi5_zip, install_cmi5_demo
from courses.packages.models import PackageLessonPage
from courses.packages.scorm import parse_scorm
from courses.packages.scorm_demo import SCOS, demo_scorm_zip, install_scorm_demo
from courses.packages.scorm_demo import SLUG as SCORM_SLUG
from learning import progress
from learning.models import Enrollment, LessonProgress
from tests.scorm.conftest import launch

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def scorm_zip() -> bytes:
    return demo_scorm_zip()


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


def test_demo_scorm_package_is_a_three_sco_scorm2004_course(scorm_zip):
    """SCORM 2004 4th edition: two SCOs to read (completed), a quiz to pass
    (0.8 by measure); every page and question in French and English."""
    archive = zipfile.ZipFile(io.BytesIO(scorm_zip))
    manifest = parse_scorm(archive.read("imsmanifest.xml"), set(archive.namelist()))
    assert manifest["version"] == "SCORM 2004 4th Edition"
    units = manifest["units"]
    assert [unit["identifier"] for unit in units] == ["droits", "licences", "quiz"]
    assert [unit["extra"]["scorm"]["requires"] for unit in units] == [
        "completed",
        "completed",
        "passed",
    ]
    assert units[2]["extra"]["scorm"]["scaled_passing_score"] == 0.8
    for sco in SCOS:
        assert all(set(page) == {"fr", "en"} for page in sco.pages)
        for question in sco.questions:
            assert set(question.text) == {"fr", "en"}
            assert question.correct in [value for value, _labels in question.choices]
            assert all(set(labels) == {"fr", "en"} for _v, labels in question.choices)


def test_install_scorm_demo_played_to_the_end(
    settings, private_root, site_structure, learner
):
    """The SCORM course exists in French and English (a rerun skips); played as
    its SCOs report, the two readings completed and the quiz passed complete
    the lesson and the course."""
    settings.PACKAGE_CONTENT_ORIGIN = "http://content.testserver"
    assert "imported" in install_scorm_demo()
    assert install_scorm_demo() == f"{SCORM_SLUG}: already there"
    lessons = PackageLessonPage.objects.filter(package__format="scorm2004")
    assert {page.locale.language_code for page in lessons} == {"fr", "en"}
    lesson = lessons.get(locale__language_code="fr")
    enrollment = progress.enrol(learner, lesson.get_parent().specific)
    for index in (0, 1):
        player = launch(enrollment, lesson, index)
        player.initialize()
        player.commit(
            {
                "completion_status": "completed",
                "progress_measure": "1.00",
                "location": "2",
                "exit": "normal",
                "session_time": "PT3M",
            },
            terminate=True,
        )
    quiz = launch(enrollment, lesson, 2)
    quiz.initialize()
    quiz.commit(
        {
            "completion_status": "completed",
            "success_status": "passed",
            "score": {"scaled": "0.8", "raw": "4", "min": "0", "max": "5"},
            "exit": "normal",
            "session_time": "PT2M",
        },
        terminate=True,
    )
    assert LessonProgress.objects.get(lesson=lesson).completed_at is not None
    assert Enrollment.objects.get(pk=enrollment.pk).is_completed
