"""A researcher checks their own HDF5 file in the demo course: the first upload
fails two checks and shows why, the fixed file passes and completes the lesson.

The files are generated with h5py in the test. Each page passes axe-core.
"""

import re

from django.conf import settings
from django.test import Client

import h5py
import numpy as np
import pytest
from playwright.sync_api import expect

from cms.site_structure import ensure_site_structure
from courses.course_files import import_course
from courses.hdf5.demo import CHECKER_LESSON, install_hdf5_demo
from courses.models import LessonPage
from learning import progress
from learning.models import LessonProgress
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

HDF5_FOLDER = settings.BASE_DIR / "content/courses/hdf5-en-pratique"


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )


def write_learner_file(path, *, fixed: bool):
    """A learner's measurements; unfixed, it lacks a licence and a dataset's units."""
    with h5py.File(path, "w") as f:
        f.attrs.update(
            title="Débit de la Têt à Prades, mars 2024",
            creator="Camille Durand",
            description="Débit journalier mesuré à la station hydrométrique.",
        )
        if fixed:
            f.attrs["license"] = "CC-BY-4.0"
        day = f.create_dataset("river/day", data=np.arange(31))
        day.attrs.update(units="days since 2024-03-01", long_name="day")
        flow = f.create_dataset("river/discharge", data=np.linspace(4.2, 9.8, 31))
        flow.attrs["long_name"] = "river discharge"
        if fixed:
            flow.attrs["units"] = "m3 s-1"
    return path


@pytest.fixture
def checker_ready(e2e_db, settings, tmp_path):
    """The HDF5 demo course with its checker lesson, a learner enrolled."""
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_site_structure()
    course = import_course(HDF5_FOLDER)
    install_hdf5_demo()
    learner = UserFactory(username="camille")
    progress.enrol(learner, course)
    lesson = LessonPage.objects.live().get(
        slug=CHECKER_LESSON, locale__language_code="fr"
    )
    return learner, lesson


def test_hdf5_checker_fail_fix_pass(
    page, live_server, checker_ready, assert_accessible, tmp_path
):
    """Two failures with hints, then the fixed file passes and completes the lesson."""
    learner, lesson = checker_ready
    log_in(page, live_server, learner)
    page.goto(f"{live_server.url}{lesson.url}")
    expect(page.locator(".hdf5-checker")).to_be_visible()
    assert_accessible(page)

    broken = write_learner_file(tmp_path / "debit.h5", fixed=False)
    page.get_by_label("Votre fichier HDF5").set_input_files(str(broken))
    page.get_by_role("button", name="Vérifier mon fichier").click()
    expect(page.get_by_role("heading", name=re.compile("debit.h5"))).to_be_visible()
    failures = page.locator(".hdf5-report .hdf5-check--fail")
    expect(failures).to_have_count(2)
    expect(failures.filter(has_text="license")).to_have_count(1)
    expect(failures.filter(has_text="units")).to_have_count(1)
    expect(failures.locator(".hdf5-check__hint")).to_have_count(2)
    expect(failures.locator("code", has_text="/river/discharge")).to_be_visible()
    expect(page.get_by_text("Cette leçon est maintenant terminée.")).to_have_count(0)
    assert_accessible(page)
    assert not LessonProgress.objects.filter(
        enrollment__user=learner, completed_at__isnull=False
    ).exists()

    fixed = write_learner_file(tmp_path / "debit.h5", fixed=True)
    page.get_by_label("Votre fichier HDF5").set_input_files(str(fixed))
    page.get_by_role("button", name="Vérifier mon fichier").click()
    expect(
        page.get_by_text("Votre fichier passe toutes les vérifications. Bravo !")
    ).to_be_visible()
    expect(page.locator(".hdf5-report .hdf5-check--fail")).to_have_count(0)
    expect(page.get_by_text("Cette leçon est maintenant terminée.")).to_be_visible()
    assert_accessible(page)
    completed = LessonProgress.objects.get(enrollment__user=learner)
    assert completed.lesson_id == lesson.pk and completed.completed_at is not None

    page.get_by_role("link", name=re.compile("Retour à la leçon")).first.click()
    expect(page.locator("[aria-current=page]", has_text=lesson.title)).to_be_visible()
    expect(page.locator(".done-mark").first).to_be_visible()
    assert_accessible(page)
