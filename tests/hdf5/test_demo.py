"""The demo: the station file answers every question; seed attaches the blocks."""

from django.conf import settings

import pytest

from courses.hdf5.answers import compute_answer
from courses.hdf5.checker import Checklist, check_file
from courses.hdf5.demo import (
    DEMO_QUESTIONS,
    install_hdf5_demo,
    write_weather_station_file,
)


def test_demo_file_answers_every_question(tmp_path):
    """Each demo data-exercise question has a computable answer."""
    path = write_weather_station_file(tmp_path / "station.h5")
    answers = [
        compute_answer(path, **question["answer"]) for question in DEMO_QUESTIONS
    ]
    assert len(answers) >= 5
    values = [answer.value for answer in answers]
    assert values[0] == "degC"
    assert values[1] == 744
    assert isinstance(values[2], float)
    assert values[4] == "/measurements/wind_speed"
    assert values[5] == 1650


def test_demo_file_fails_only_on_units(tmp_path):
    """The demo file is a teaching example: exactly the wind speed lacks units."""
    path = write_weather_station_file(tmp_path / "station.h5")
    report = check_file(path, Checklist(dimension_scales=True))
    assert [item.code for item in report.failures] == ["dataset_attribute:units"]


@pytest.mark.django_db
def test_install_demo_adds_blocks(client, site_structure, settings_media):
    """After the import, viewer and checker blocks are added (fr and en), once."""
    from courses.course_files import import_course
    from courses.models import LessonPage

    import_course(settings.COURSE_CONTENT_DIR / "hdf5-en-pratique")
    assert "6 block(s) added" in install_hdf5_demo()  # (2 viewers + 1 checker) x 2
    assert "0 block(s) added" in install_hdf5_demo()
    for lesson in LessonPage.objects.filter(slug="explorer-un-fichier"):
        html = client.get(lesson.url).content.decode()
        assert "air_temperature" in html
        assert "744 · float32" in html
    for lesson in LessonPage.objects.filter(slug="documenter-son-fichier"):
        assert "hdf5-checker" in client.get(lesson.url).content.decode()


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
def test_install_demo_adds_the_quiz_once(site_structure, settings_media):
    """The course ends with a required quiz drawing every data exercise (fr and en)."""
    from wagtail.models import Locale

    from courses.course_files import import_course
    from courses.models import CoursePage
    from courses.quizzes import QuestionPool, QuizPage

    import_course(settings.COURSE_CONTENT_DIR / "hdf5-en-pratique")
    install_hdf5_demo()
    install_hdf5_demo()
    pool = QuestionPool.objects.get(
        code="hdf5-station-meteo", locale__language_code="fr"
    )
    snapshots = pool.question_snapshots()
    # Its English translation: the same questions (ids), their prompts in English.
    english = pool.get_translation(Locale.objects.get(language_code="en"))
    assert [s["id"] for s in english.question_snapshots()] == [
        s["id"] for s in snapshots
    ]
    assert [s["prompt"] for s in english.question_snapshots()] == [
        q["prompt"]["en"] for q in DEMO_QUESTIONS
    ]
    assert len(snapshots) == len(DEMO_QUESTIONS) >= 5
    assert {s["type"] for s in snapshots} == {"numeric", "short_text"}
    assert all(s["source"]["kind"] for s in snapshots)
    quizzes = QuizPage.objects.filter(slug="exercice-lire-un-fichier-hdf5").live()
    assert "in French" not in quizzes.get(locale__language_code="en").intro
    assert {q.locale.language_code: q.title for q in quizzes} == {
        "fr": "Exercice : lire un fichier HDF5",
        "en": "Exercise: reading an HDF5 file",
    }
    for quiz in quizzes:
        assert (quiz.required, quiz.pass_mark, quiz.max_attempts) == (True, 80, 3)
        assert [(d.pool_id, d.count) for d in quiz.draws.all()] == [
            (pool.pk, len(DEMO_QUESTIONS))
        ]
        course = CoursePage.objects.get(pk=quiz.get_parent().pk)
        assert course.get_children().last().pk == quiz.pk
