"""The demo's HDF5 material: a generated weather-station file and its blocks.

Course folders hold Markdown only (the importer attaches no documents), so
`seed_demo` calls `install_hdf5_demo` after importing the course
"hdf5-en-pratique": it generates the station file with h5py, stores it as a
Wagtail document, and adds a viewer block and a checker block to the right
lessons (and their translations). Idempotent.

`DEMO_QUESTIONS` are the course's data-exercise questions (lesson 3), ready for
the quiz engine: `compute_document_answer(document, **question["answer"])`.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.core.files import File

import h5py
import numpy as np

COURSE_SLUG = "hdf5-en-pratique"
DOCUMENT_TITLE = "Station météo de Montlouis — janvier 2024 (HDF5)"
FILE_NAME = "station-meteo.h5"
VIEWER_LESSONS = ("explorer-un-fichier", "lire-des-valeurs")
CHECKER_LESSON = "documenter-son-fichier"
HOURS = 31 * 24

POOL_TITLE = {
    "fr": "Station météo : lire un fichier HDF5",
    "en": "Weather station: reading an HDF5 file",
}
DEMO_QUESTIONS = [
    {
        "prompt": {
            "fr": "Quelle est l’unité de /measurements/air_temperature ?",
            "en": "What is the unit of /measurements/air_temperature?",
        },
        "answer": {
            "kind": "attribute",
            "path": "/measurements/air_temperature",
            "name": "units",
        },
    },
    {
        "prompt": {
            "fr": "Combien de valeurs contient /measurements/air_temperature ?",
            "en": "How many values does /measurements/air_temperature hold?",
        },
        "answer": {"kind": "size", "path": "/measurements/air_temperature"},
    },
    {
        "prompt": {
            "fr": "Quelle est la température moyenne du mois, arrondie au dixième ?",
            "en": "What is the mean temperature of the month, to one decimal?",
        },
        "answer": {
            "kind": "mean",
            "path": "/measurements/air_temperature",
            "decimals": 1,
        },
        "tolerance": 0.1,
        "unit": "°C",
    },
    {
        "prompt": {
            "fr": "Quel est le cumul de précipitations du mois, arrondi au dixième ?",
            "en": "What is the total precipitation of the month, to one decimal?",
        },
        "answer": {"kind": "sum", "path": "/measurements/precipitation", "decimals": 1},
        "tolerance": 0.1,
        "unit": "mm",
    },
    {
        "prompt": {
            "fr": "Quel jeu de données de /measurements n’a pas d’attribut units ?",
            "en": "Which dataset of /measurements has no units attribute?",
        },
        "answer": {
            "kind": "missing_attribute",
            "path": "/measurements",
            "name": "units",
        },
    },
    {
        "prompt": {
            "fr": "À quelle altitude (en mètres) se trouve la station ?",
            "en": "At what elevation (in metres) is the station?",
        },
        "answer": {"kind": "attribute", "path": "/station", "name": "elevation"},
        "unit": "m",
    },
]
QUIZ_SLUG = "exercice-lire-un-fichier-hdf5"
QUIZ_TITLE = {
    "fr": "Exercice : lire un fichier HDF5",
    "en": "Exercise: reading an HDF5 file",
}
QUIZ_INTRO = {
    "fr": (
        "Répondez aux questions de la leçon « Lire et résumer des valeurs » en "
        "explorant le fichier de la station météo (arborescence de la leçon "
        "« Explorer un fichier », ou un script h5py sur le fichier téléchargé). "
        "Les réponses ont été lues dans le fichier lui-même."
    ),
    "en": (
        "Answer the questions of the lesson “Reading and summarising values” by "
        "exploring the weather-station file (the tree in the lesson “Exploring a "
        "file”, or an h5py script on the downloaded file). The answers were read "
        "from the file itself."
    ),
}
OLD_INTRO_END = " The questions are in French."
POOL_CODE = "hdf5-station-meteo"


def write_weather_station_file(path: str | Path, *, seed: int = 2024) -> Path:
    """A month of hourly measurements from a fictional mountain weather station."""
    path = Path(path)
    rng = np.random.default_rng(seed)
    hours = np.arange(HOURS)
    start = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
    daily = np.sin(2 * np.pi * (hours % 24 - 9) / 24)
    front = np.convolve(rng.normal(0, 1, HOURS), np.ones(48) / 48, mode="same") * 6
    temperature = (-1.5 + 4.0 * daily + front + rng.normal(0, 0.4, HOURS)).round(2)
    temperature[[200, 201, 202]] = np.nan  # a sensor failure, documented below
    humidity = np.clip(78 - 12 * daily - 2 * front + rng.normal(0, 3, HOURS), 20, 100)
    pressure = 845 + np.cumsum(rng.normal(0, 0.35, HOURS)) - front
    rain = np.where(rng.random(HOURS) < 0.08, rng.gamma(1.4, 0.9, HOURS), 0.0).round(1)
    wind = np.abs(rng.normal(3.5, 2.0, HOURS)).round(1)

    with h5py.File(path, "w") as f:
        f.attrs.update(
            title="Station météorologique de Montlouis : mesures horaires, janvier 2024",
            creator="Observatoire fictif des Pyrénées (données de démonstration)",
            license="CC-BY-4.0",
            description=(
                "Température, humidité, pression, précipitations et vent, toutes les "
                "heures du 1er au 31 janvier 2024. Données générées pour l’enseignement."
            ),
            Conventions="CF-1.10, ACDD-1.3",
            history=f"Generated by Atelier (courses/hdf5/demo.py), seed {seed}",
        )
        station = f.create_group("station")
        station.attrs.update(
            name="Montlouis (fictive)",
            latitude=42.51,
            longitude=2.12,
            elevation=1650,
            elevation_units="m",
        )
        group = f.create_group("measurements")
        options = {"chunks": (24 * 7,), "compression": "gzip", "shuffle": True}
        time = group.create_dataset(
            "time", data=start + hours * 3600, dtype="int64", **options
        )
        time.attrs.update(
            units="seconds since 1970-01-01T00:00:00Z",
            long_name="time",
            standard_name="time",
        )
        time.make_scale("time")
        variables = [
            ("air_temperature", temperature, "degC", "air temperature at 2 m"),
            ("relative_humidity", humidity.round(1), "%", "relative humidity"),
            ("air_pressure", pressure.round(1), "hPa", "station-level pressure"),
            ("precipitation", rain, "mm", "precipitation amount over the hour"),
            ("wind_speed", wind, None, "mean wind speed at 10 m"),  # no units: ex. 5
        ]
        for name, values, units, long_name in variables:
            dataset = group.create_dataset(
                name, data=values.astype("float32"), fillvalue=np.nan, **options
            )
            if units:
                dataset.attrs["units"] = units
            dataset.attrs["long_name"] = long_name
            dataset.dims[0].attach_scale(time)
        group["air_temperature"].attrs["comment"] = (
            "NaN: sensor failure on 9 January 2024, 08:00–10:00 UTC."
        )
    return path


def demo_document():
    """The station file as a Wagtail document (created once)."""
    from wagtail.documents.models import Document

    document = Document.objects.filter(title=DOCUMENT_TITLE).first()
    if document is not None:
        return document
    with tempfile.TemporaryDirectory() as directory:
        path = write_weather_station_file(Path(directory) / FILE_NAME)
        with open(path, "rb") as stream:
            document = Document(title=DOCUMENT_TITLE, file=File(stream, name=FILE_NAME))
            document.save()
    return document


def _add_block(lesson, block_type: str, value: dict) -> bool:
    if any(child.block_type == block_type for child in lesson.body):
        return False
    lesson.body.append((block_type, value))
    lesson.save_revision().publish()
    return True


def install_hdf5_demo() -> str:
    """Attach the station file to the HDF5 course's lessons; says what it did."""
    from courses.models import CoursePage, LessonPage

    course = CoursePage.objects.filter(
        slug=COURSE_SLUG, locale__language_code="fr"
    ).first()
    if course is None:
        return f"{COURSE_SLUG}: course not found, HDF5 demo skipped"
    document = demo_document()
    added = 0
    for lesson in LessonPage.objects.child_of(course).specific():
        translations = lesson.get_translations(inclusive=True).specific()
        for page in translations:
            if lesson.slug in VIEWER_LESSONS:
                added += _add_block(
                    page,
                    "hdf5_viewer",
                    {
                        "document": document,
                        "show_previews": True,
                        "show_download": True,
                    },
                )
            if lesson.slug == CHECKER_LESSON:
                added += _add_block(
                    page,
                    "hdf5_checker",
                    {
                        "root_attributes": "title, creator, license, description",
                        "dataset_attributes": "units, long_name",
                        "require_dimension_scales": False,
                        "forbid_empty_datasets": True,
                        "complete_lesson": True,
                    },
                )
    quiz = install_demo_quiz(course, document)
    return (
        f"{COURSE_SLUG}: HDF5 demo file attached, {added} block(s) added; "
        f"quiz “{quiz.title}” ready"
    )


def demo_pool(document):
    """The pool of the station's data exercises, answers computed from the file."""
    from wagtail.models import Locale

    from courses.questions import QuestionsBlock
    from courses.quizzes import QuestionPool

    pool = QuestionPool.objects.filter(
        code=POOL_CODE, locale=Locale.get_default()
    ).first()
    if pool is not None:
        return pool
    block = QuestionsBlock().child_blocks["hdf5"]
    stream = []
    for question in DEMO_QUESTIONS:
        answer = question["answer"]
        raw = {
            "prompt": question["prompt"]["fr"],
            "feedback": "",
            "document": document.pk,
            "kind": answer["kind"],
            "path": answer["path"],
            "attribute": answer.get("name", ""),
            "decimals": answer.get("decimals", 2),
            "tolerance": str(question.get("tolerance", 0)),
            "unit": question.get("unit", ""),
            "answer": "",
        }
        value = block.clean(block.to_python(raw))  # what saving in the editor does
        stream.append(("hdf5", value))
    return QuestionPool.objects.create(
        code=POOL_CODE, title=POOL_TITLE["fr"], questions=stream
    )


def install_demo_quiz(course, document):
    """The course's last page: a required quiz drawing every data exercise."""
    from wagtail.models import Locale

    from courses.quizzes import QuizPage

    pool = demo_pool(document)
    quiz = QuizPage.objects.child_of(course).filter(slug=QUIZ_SLUG).first()
    if quiz is None:
        quiz = course.add_child(
            instance=QuizPage(
                title=QUIZ_TITLE["fr"],
                slug=QUIZ_SLUG,
                intro=QUIZ_INTRO["fr"],
                pass_mark=80,
                max_attempts=3,
                required=True,
            )
        )
    _ensure_draw(quiz, pool)
    if not quiz.live or quiz.has_unpublished_changes:
        quiz.save_revision().publish()
    for language in ("en",):
        locale = Locale.objects.filter(language_code=language).first()
        translated_course = locale and course.get_translation_or_none(locale)
        if translated_course is None:
            continue
        _ensure_pool_translation(pool, locale)
        target = quiz.get_translation_or_none(locale)
        if target is None:
            target = quiz.copy_for_translation(locale).specific
            target.title = QUIZ_TITLE[language]
            target.intro = QUIZ_INTRO[language]
            target.slug = QUIZ_SLUG
        outdated = target.intro.endswith(OLD_INTRO_END)  # before the English bank
        if outdated:
            target.intro = QUIZ_INTRO[language]
        _ensure_draw(target, pool)
        if not target.live or target.has_unpublished_changes or outdated:
            target.save_revision().publish()
    return QuizPage.objects.get(pk=quiz.pk)


def _ensure_pool_translation(pool, locale) -> None:
    """The pool in `locale`: the same questions (same ids, same answers read
    from the file), their prompts in that language."""
    if pool.has_translation(locale):
        return
    translated = pool.copy_for_translation(locale)
    translated.title = POOL_TITLE.get(locale.language_code, pool.title)
    stream = list(translated.questions.raw_data)
    for block, question in zip(stream, DEMO_QUESTIONS, strict=False):
        block["value"]["prompt"] = question["prompt"].get(
            locale.language_code, block["value"]["prompt"]
        )
    translated.questions = stream
    translated.save()


def _ensure_draw(quiz, pool) -> None:
    from courses.quizzes import QuizPoolDraw

    if not QuizPoolDraw.objects.filter(quiz=quiz, pool=pool).exists():
        QuizPoolDraw.objects.create(quiz=quiz, pool=pool, count=len(pool.questions))
