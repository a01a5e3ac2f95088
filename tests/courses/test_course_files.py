"""Course files: import a course folder as pages, export it back, refuse bad folders."""

import os
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from wagtail.models import Locale, Page, Revision

import pytest

from courses.course_files import (
    CourseExportError,
    CourseImportError,
    export_course,
    import_course,
)
from courses.models import CoursePage, LessonPage

pytestmark = pytest.mark.django_db

COURSE_MD = """\
---
title: Les principes FAIR
language: fr
themes: [partage-fair, metadonnees-formats]
level: intermediate
duration_minutes: 45
licence: CC-BY-SA-4.0
doi: "10.12345/fair-101"
version: "2.1"
mandatory: true
validity_months: 24
pass_mark: 70
objectives:
  - Expliquer FAIR
  - Évaluer un jeu de données
---

Les principes **FAIR** en quatre lettres.
"""

LESSON_1 = """\
---
title: Pourquoi partager ?
summary: Les raisons de partager.
duration_minutes: 12
---

## Des données qui vivent

Prenons Léa.
"""

LESSON_2 = """\
---
title: Facilement trouvables
summary: Identifiants et métadonnées.
---

## F comme Findable

!!! tip "Bon réflexe"
    Citez vos données.
"""

COURSE_EN = """\
---
title: The FAIR principles
objectives:
  - Explain FAIR
  - Assess a dataset
---

The **FAIR** principles in four letters.
"""

LESSON_1_EN = """\
---
title: Why share?
summary: Reasons to share.
---

## Data that live on
"""

LESSON_2_EN = """\
---
title: Findable
summary: Identifiers and metadata.
---

## F for Findable
"""

FILES = {
    "course.md": COURSE_MD,
    "01-pourquoi-partager.md": LESSON_1,
    "02-findable.md": LESSON_2,
    "course.en.md": COURSE_EN,
    "01-pourquoi-partager.en.md": LESSON_1_EN,
    "02-findable.en.md": LESSON_2_EN,
}


def write_folder(
    root: Path, files: dict[str, str | bytes], slug="donnees-fair"
) -> Path:
    """Create the course folder `root/slug` holding `files`."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


def counts() -> tuple[int, int]:
    return Page.objects.count(), Revision.objects.count()


def english() -> Locale:
    return Locale.objects.get(language_code="en")


def lessons_of(course: Page) -> list[LessonPage]:
    return list(LessonPage.objects.child_of(course).order_by("path"))


def run_import(*paths: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_course", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_errors(*paths: Path) -> str:
    """Run the command on failing folders; return its stderr (exit status checked)."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_course", *map(str, paths), stdout=out, stderr=err)
    assert excinfo.value.returncode == 1
    return err.getvalue()


# --- successful import ----------------------------------------------------------


def test_import_creates_live_course_with_fields(site_structure, tmp_path):
    """A new folder becomes a live course under the French catalogue with its fields."""
    course = import_course(write_folder(tmp_path, FILES))

    assert course.live and course.slug == "donnees-fair"
    assert course.get_parent().pk == site_structure.catalogue("fr").pk
    assert course.locale.language_code == "fr"
    assert course.title == "Les principes FAIR"
    assert course.summary == "Les principes **FAIR** en quatre lettres."
    assert course.objectives == "Expliquer FAIR\nÉvaluer un jeu de données"
    assert {theme.code for theme in course.themes.all()} == {
        "partage-fair",
        "metadonnees-formats",
    }
    assert (course.level, course.duration_minutes, course.language) == (
        "intermediate",
        45,
        "fr",
    )
    assert (course.licence, course.doi, course.version) == (
        "CC-BY-SA-4.0",
        "10.12345/fair-101",
        "2.1",
    )
    assert course.mandatory is True
    assert (course.certificate_validity_months, course.pass_mark) == (24, 70)


def test_import_creates_lessons_in_order(site_structure, tmp_path):
    """Lessons are live children in NN order, each body one Markdown block."""
    course = import_course(write_folder(tmp_path, FILES))

    lessons = lessons_of(course)
    assert [lesson.slug for lesson in lessons] == ["pourquoi-partager", "findable"]
    assert all(lesson.live for lesson in lessons)
    first, second = lessons
    assert (first.title, first.summary, first.duration_minutes) == (
        "Pourquoi partager ?",
        "Les raisons de partager.",
        12,
    )
    assert second.duration_minutes == 10  # the model default
    assert [block.block_type for block in first.body] == ["markdown"]
    assert first.body[0].value == "## Des données qui vivent\n\nPrenons Léa."


def test_import_creates_english_translations(site_structure, tmp_path):
    """course.en.md and NN-slug.en.md become live English translations at /en/."""
    course = import_course(write_folder(tmp_path, FILES))

    translated = course.get_translation(english()).specific
    assert translated.live
    assert translated.get_parent().pk == site_structure.catalogue("en").pk
    assert translated.url == "/en/catalogue/donnees-fair/"
    assert translated.title == "The FAIR principles"
    assert translated.summary == "The **FAIR** principles in four letters."
    assert translated.objectives == "Explain FAIR\nAssess a dataset"
    assert (translated.level, translated.pass_mark) == ("intermediate", 70)
    assert translated.themes.count() == 2
    lessons = lessons_of(translated)
    assert [lesson.title for lesson in lessons] == ["Why share?", "Findable"]
    assert all(lesson.live for lesson in lessons)
    assert lessons[0].url == "/en/catalogue/donnees-fair/pourquoi-partager/"
    assert lessons[0].duration_minutes == 12
    assert lessons[0].body[0].value == "## Data that live on"
    assert lessons[0].translation_key == lessons_of(course)[0].translation_key


def test_import_uses_defaults_for_absent_keys(site_structure, tmp_path):
    """A course.md with only a title gets the model defaults and no translation."""
    folder = write_folder(
        tmp_path, {"course.md": "---\ntitle: Minimal\n---\nRésumé.\n"}
    )

    course = import_course(folder)

    assert (course.level, course.duration_minutes, course.language) == (
        "beginner",
        30,
        "fr",
    )
    assert (course.licence, course.doi, course.version) == ("CC-BY-4.0", "", "1.0")
    assert course.certificate_validity_months is None and course.pass_mark == 80
    assert course.themes.count() == 0 and not course.get_translations().exists()


def test_import_ignores_files_that_are_not_markdown(site_structure, tmp_path):
    """Pictures, hidden files and sub-folders sit beside the course files harmlessly."""
    folder = write_folder(
        tmp_path, {**FILES, "schema.png": b"\x89PNG\r\n", ".DS_Store": b"\x00\xff"}
    )
    (folder / "images").mkdir()

    assert import_course(folder).live


def test_import_command_reports_what_it_did(site_structure, tmp_path):
    """The command prints the course, lesson and translation counts, exit status 0."""
    out, err = run_import(write_folder(tmp_path, FILES))

    assert (
        'donnees-fair: created course "Les principes FAIR" (/catalogue/donnees-fair/)'
        in out
    )
    assert "lessons: 2 created, 0 updated, 0 unpublished" in out
    assert "translation en: course created, lessons: 2 created" in out
    assert err == ""


# --- re-import ------------------------------------------------------------------


def test_reimport_publishes_new_revision_without_duplicate(site_structure, tmp_path):
    """Importing an existing slug updates the same pages through new live revisions."""
    folder = write_folder(tmp_path, FILES)
    course = import_course(folder)
    pages_before = Page.objects.count()
    revisions_before = course.revisions.count()
    lesson = lessons_of(course)[0]
    (folder / "course.md").write_text(
        COURSE_MD.replace("title: Les principes FAIR", "title: FAIR, deuxième édition"),
        encoding="utf-8",
    )
    (folder / "01-pourquoi-partager.md").write_text(
        LESSON_1.replace("Prenons Léa.", "Prenons Karim."), encoding="utf-8"
    )

    updated = import_course(folder)

    assert updated.pk == course.pk and Page.objects.count() == pages_before
    assert updated.title == "FAIR, deuxième édition" and updated.live
    assert updated.revisions.count() == revisions_before + 1
    assert updated.live_revision == updated.latest_revision
    lesson = LessonPage.objects.get(pk=lesson.pk)
    assert lesson.body[0].value.endswith("Prenons Karim.")
    assert lesson.revisions.count() == 2


def test_reimport_unpublishes_removed_lesson(site_structure, tmp_path):
    """A lesson no longer in the folder is unpublished with its translation."""
    folder = write_folder(tmp_path, FILES)
    course = import_course(folder)
    removed = lessons_of(course)[1]
    (folder / "02-findable.md").unlink()
    (folder / "02-findable.en.md").unlink()

    out, _err = run_import(folder)

    removed = LessonPage.objects.get(pk=removed.pk)
    assert not removed.live
    assert not removed.get_translation(english()).live
    assert [
        lesson.slug for lesson in CoursePage.objects.get(pk=course.pk).lessons()
    ] == ["pourquoi-partager"]
    assert "unpublished lesson findable (no longer in the folder)" in out


def test_reimport_follows_new_lesson_order(site_structure, tmp_path):
    """Renumbered lessons are moved into the new order, in both languages."""
    folder = write_folder(tmp_path, FILES)
    course = import_course(folder)
    for name in ("02-findable.md", "02-findable.en.md"):
        (folder / name).rename(folder / name.replace("02-", "00-"))

    import_course(folder)

    assert [lesson.slug for lesson in lessons_of(course)] == [
        "findable",
        "pourquoi-partager",
    ]
    translated = course.get_translation(english())
    assert [lesson.title for lesson in lessons_of(translated)] == [
        "Findable",
        "Why share?",
    ]


def test_reimport_adds_new_lesson_and_republishes_returning_one(
    site_structure, tmp_path
):
    """A new lesson file creates a page; a lesson file put back republishes its page."""
    folder = write_folder(tmp_path, FILES)
    course = import_course(folder)
    (folder / "02-findable.md").rename(tmp_path / "02-findable.md")
    (folder / "02-findable.en.md").unlink()
    import_course(folder)
    (tmp_path / "02-findable.md").rename(folder / "02-findable.md")
    (folder / "03-en-pratique.md").write_text(
        "---\ntitle: En pratique\n---\nUne liste.\n", encoding="utf-8"
    )

    out, _err = run_import(folder)

    lessons = lessons_of(course)
    assert [(lesson.slug, lesson.live) for lesson in lessons] == [
        ("pourquoi-partager", True),
        ("findable", True),
        ("en-pratique", True),
    ]
    assert "lessons: 1 created, 2 updated, 0 unpublished" in out


def test_reimport_unpublishes_dropped_translation(site_structure, tmp_path):
    """Without course.en.md any more, the English course and lessons are unpublished."""
    folder = write_folder(tmp_path, FILES)
    course = import_course(folder)
    for name in ("course.en.md", "01-pourquoi-partager.en.md", "02-findable.en.md"):
        (folder / name).unlink()

    out, _err = run_import(folder)

    translated = course.get_translation(english())
    assert not translated.live
    assert not any(lesson.live for lesson in lessons_of(translated))
    assert "translation en: unpublished" in out


# --- errors: reported with file and line, nothing written ------------------------


def replace(name: str, old: str, new: str) -> dict[str, str]:
    """FILES with `old` replaced by `new` in the file `name`."""
    assert old in FILES[name]
    return {**FILES, name: FILES[name].replace(old, new)}


def without(*names: str) -> dict[str, str]:
    return {name: text for name, text in FILES.items() if name not in names}


ERROR_CASES = {
    "unknown_admonition": (
        replace("02-findable.md", "!!! tip", "!!! tipp"),
        "02-findable.md:8: unknown admonition type 'tipp' "
        "(allowed: note, info, tip, warning, danger)",
    ),
    "unclosed_fence": (
        replace(
            "01-pourquoi-partager.md",
            "Prenons Léa.",
            "Prenons Léa.\n\n```python\nx = 1",
        ),
        "01-pourquoi-partager.md:11: code fence ``` is never closed",
    ),
    "markdown_in_translation": (
        replace("course.en.md", "The **FAIR**", "!!! hint\n    The **FAIR**"),
        "course.en.md:8: unknown admonition type 'hint'",
    ),
    "broken_yaml": (
        replace("course.md", "level: intermediate", "level: intermediate: oops"),
        "course.md:5: invalid YAML front matter: mapping values are not allowed here",
    ),
    "yaml_bad_indentation": (
        replace("01-pourquoi-partager.md", "summary: Les", "  summary: Les"),
        "01-pourquoi-partager.md:3: invalid YAML front matter",
    ),
    "unknown_field": (
        replace("course.md", "level: intermediate", "level: intermediate\nauteur: Léa"),
        "course.md:6: unknown field 'auteur' (allowed: title, language, themes",
    ),
    "unknown_field_in_translation": (
        replace("course.en.md", "title: The", "level: beginner\ntitle: The"),
        "course.en.md:2: unknown field 'level' (allowed: title, objectives)",
    ),
    "duplicate_field": (
        replace("02-findable.md", "summary: Id", "title: Encore\nsummary: Id"),
        "02-findable.md:3: duplicate field 'title' (first on line 2)",
    ),
    "missing_title": (
        replace("01-pourquoi-partager.md", "title: Pourquoi partager ?\n", ""),
        "01-pourquoi-partager.md:1: missing required field 'title'",
    ),
    "empty_title": (
        replace("course.md", "title: Les principes FAIR", "title:"),
        "course.md:2: title: must be text, not empty",
    ),
    "missing_translation_title": (
        replace("02-findable.en.md", "title: Findable\n", ""),
        "02-findable.en.md:1: missing required field 'title'",
    ),
    "duration_not_a_number": (
        replace(
            "01-pourquoi-partager.md", "duration_minutes: 12", "duration_minutes: long"
        ),
        "01-pourquoi-partager.md:4: duration_minutes: must be a whole number, not text",
    ),
    "duration_zero": (
        replace("course.md", "duration_minutes: 45", "duration_minutes: 0"),
        "course.md:6: duration_minutes: must be at least 1 (got 0)",
    ),
    "mandatory_not_boolean": (
        replace("course.md", "mandatory: true", "mandatory: oui"),
        "course.md:10: mandatory: must be true or false, not text",
    ),
    "version_as_number": (
        replace("course.md", 'version: "2.1"', "version: 2.1"),
        'course.md:9: version: must be text, not a number (put it in quotes: "2.1")',
    ),
    "pass_mark_over_100": (
        replace("course.md", "pass_mark: 70", "pass_mark: 170"),
        "course.md:12: pass_mark: Ensure this value is less than or equal to 100.",
    ),
    "validity_months_zero": (
        replace("course.md", "validity_months: 24", "validity_months: 0"),
        "course.md:11: validity_months: Ensure this value is greater than or equal "
        "to 1.",
    ),
    "unknown_level": (
        replace("course.md", "level: intermediate", "level: expert"),
        "course.md:5: level: must be one of beginner, intermediate, advanced "
        "(got 'expert')",
    ),
    "unknown_language": (
        replace("course.md", "language: fr", "language: de"),
        "course.md:3: language: must be one of fr, en (got 'de')",
    ),
    "unknown_licence": (
        replace("course.md", "licence: CC-BY-SA-4.0", "licence: MIT"),
        "course.md:7: licence: must be one of CC-BY-4.0, CC-BY-SA-4.0, CC0-1.0, "
        "Etalab-2.0 (got 'MIT')",
    ),
    "invalid_doi": (
        replace("course.md", '"10.12345/fair-101"', "https://doi.org/10.12345/x"),
        "course.md:8: doi: Enter a DOI such as 10.12345/abc-def",
    ),
    "objectives_not_a_list": (
        replace(
            "course.en.md",
            "objectives:\n  - Explain FAIR\n  - Assess a dataset",
            "objectives: Explain FAIR",
        ),
        "course.en.md:3: objectives: must be a list",
    ),
    "objective_not_text": (
        replace("course.md", "  - Expliquer FAIR", "  - [Expliquer, FAIR]"),
        "course.md:14: objectives: item 1 must be non-empty text, not a list",
    ),
    "unknown_theme": (
        replace("course.md", "metadonnees-formats]", "metadonnees]"),
        "course.md:4: themes: unknown theme 'metadonnees' (known: partage-fair,",
    ),
    "summary_too_long": (
        replace("02-findable.md", "summary: Identifiants", "summary: " + "x" * 301),
        "02-findable.md:3: summary: Ensure this value has at most 300 characters",
    ),
    "empty_course_summary": (
        replace("course.md", "Les principes **FAIR** en quatre lettres.\n", ""),
        "course.md:16: the course summary (Markdown after the front matter) is empty",
    ),
    "front_matter_not_a_mapping": (
        replace(
            "02-findable.md",
            "title: Facilement trouvables\nsummary: Identifiants et métadonnées.",
            "- a list",
        ),
        "02-findable.md:2: the front matter must be 'key: value' lines, not a list",
    ),
    "missing_front_matter": (
        {**FILES, "02-findable.md": "# Facilement trouvables\n"},
        "02-findable.md:1: missing front matter: the file must start with a '---' line",
    ),
    "unclosed_front_matter": (
        {**FILES, "02-findable.md": "---\ntitle: Facilement trouvables\n\nTexte.\n"},
        "02-findable.md:1: the front matter is never closed by a '---' line",
    ),
    "duplicate_lesson_number": (
        {**FILES, "02-autre.md": LESSON_2},
        "02-findable.md:1: lesson number 02 is also used by 02-autre.md",
    ),
    "duplicate_lesson_slug": (
        {**FILES, "03-findable.md": LESSON_2},
        "03-findable.md:1: lesson slug 'findable' is also used by 02-findable.md",
    ),
    "unexpected_markdown_file": (
        {**FILES, "notes.md": "# Notes\n"},
        "notes.md: unexpected file: expected course.md, course.en.md, "
        "NN-lesson-slug.md",
    ),
    "uppercase_lesson_slug": (
        {**FILES, "03-Findable.md": LESSON_2},
        "03-Findable.md: unexpected file",
    ),
    "unknown_translation_language": (
        {**FILES, "course.de.md": COURSE_EN},
        "course.de.md: no translation language 'de' on this site (translations: en)",
    ),
    "translation_without_lesson": (
        {**FILES, "03-pratique.en.md": LESSON_2_EN},
        "03-pratique.en.md:1: translation of a lesson that is not in the folder "
        "(no 03-pratique.md)",
    ),
    "lesson_translation_without_course_translation": (
        without("course.en.md"),
        "01-pourquoi-partager.en.md:1: lesson translations into 'en' need course.en.md",
    ),
    "not_utf8": (
        {
            **FILES,
            "02-findable.md": LESSON_2.encode("utf-8").replace(b"Citez", b"Cit\xe9 "),
        },
        "02-findable.md:9: not UTF-8 text (byte 0xe9); save the file as UTF-8",
    ),
    "missing_course_md": (
        without("course.md", "course.en.md"),
        "course.md: missing: a course folder needs a course.md file",
    ),
    "empty_folder": ({}, "course.md: missing: a course folder needs a course.md file"),
}


@pytest.mark.parametrize(
    ("files", "expected"), list(ERROR_CASES.values()), ids=list(ERROR_CASES)
)
def test_import_error_names_file_line_and_reason(db, tmp_path, files, expected):
    """Each mistake is reported as file:line: reason, exit status 1, nothing created."""
    folder = write_folder(tmp_path, files)
    before = counts()

    errors = import_errors(folder)

    assert f"{folder}/{expected}" in errors
    assert counts() == before
    with pytest.raises(CourseImportError):
        import_course(folder)
    assert counts() == before


def test_import_error_file_too_large(db, tmp_path, settings):
    """A file over COURSE_FILE_MAX_BYTES is refused before being read."""
    settings.COURSE_FILE_MAX_BYTES = 100
    folder = write_folder(tmp_path, FILES)
    size = len(COURSE_MD.encode())

    errors = import_errors(folder)

    assert f"course.md:1: the file is {size} bytes, over the 100-byte limit" in errors
    assert not CoursePage.objects.exists()


def test_import_error_symbolic_link(db, tmp_path):
    """A course file that is a symbolic link (here, to a file outside) is refused."""
    outside = tmp_path / "secret.md"
    outside.write_text(LESSON_2, encoding="utf-8")
    folder = write_folder(tmp_path, without("02-findable.md", "02-findable.en.md"))
    os.symlink(outside, folder / "02-findable.md")

    errors = import_errors(folder)

    assert "02-findable.md: symbolic links are not allowed in a course folder" in errors
    assert not CoursePage.objects.exists()


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("Donnees_FAIR", "the folder name is the course slug and must use lowercase"),
        ("absent", "no such course folder"),
    ],
)
def test_import_error_bad_folder(db, tmp_path, slug, expected):
    """A folder whose name is not a slug, or no folder at all, is refused by name."""
    if slug != "absent":
        write_folder(tmp_path, FILES, slug=slug)

    errors = import_errors(tmp_path / slug)

    assert f"{tmp_path / slug}: {expected}" in errors
    assert not CoursePage.objects.exists()


def test_import_error_collects_every_problem(db, tmp_path):
    """All problems of all files come out in one run, not just the first."""
    files = {
        **replace("02-findable.md", "!!! tip", "!!! tipp"),
        "course.md": COURSE_MD.replace("pass_mark: 70", "pass_mark: lots"),
        "notes.md": "x",
    }
    errors = import_errors(write_folder(tmp_path, files))

    assert "02-findable.md:8: unknown admonition type 'tipp'" in errors
    assert "course.md:12: pass_mark: must be a whole number" in errors
    assert "notes.md: unexpected file" in errors


def test_import_error_leaves_existing_course_unchanged(site_structure, tmp_path):
    """A broken re-import changes no page and adds no revision."""
    folder = write_folder(tmp_path, FILES)
    import_course(folder)
    before = counts()
    (folder / "course.md").write_text(
        COURSE_MD.replace("title: Les principes FAIR", "title: Changé\nauteur: x"),
        encoding="utf-8",
    )
    (folder / "01-pourquoi-partager.md").unlink()

    import_errors(folder)

    assert counts() == before
    assert CoursePage.objects.get(
        slug="donnees-fair", locale__language_code="fr"
    ).title == ("Les principes FAIR")
    assert LessonPage.objects.get(
        slug="pourquoi-partager", locale__language_code="fr"
    ).live


def test_import_error_in_one_folder_imports_none(db, tmp_path):
    """Given several folders, one broken folder means no course is imported at all."""
    good = write_folder(tmp_path, FILES, slug="bon")
    bad = write_folder(tmp_path, without("course.md", "course.en.md"), slug="mauvais")

    errors = import_errors(good, bad)

    assert "mauvais/course.md: missing" in errors
    assert not CoursePage.objects.exists()


# --- export -----------------------------------------------------------------------


SNAPSHOT_FIELDS = (
    "title",
    "slug",
    "summary",
    "objectives",
    "level",
    "duration_minutes",
    "language",
    "licence",
    "doi",
    "version",
    "mandatory",
    "certificate_validity_months",
    "pass_mark",
)


def snapshot(slug: str) -> dict:
    """Every imported value of a course and its translations, without page ids."""
    course = CoursePage.objects.get(slug=slug, locale__language_code="fr")
    pages = {}
    for page in [course, *course.get_translations()]:
        page = page.specific
        pages[page.locale.language_code] = {
            "live": page.live,
            **{name: getattr(page, name) for name in SNAPSHOT_FIELDS},
            "themes": sorted(theme.code for theme in page.themes.all()),
            "lessons": [
                (
                    lesson.slug,
                    lesson.title,
                    lesson.summary,
                    lesson.duration_minutes,
                    lesson.live,
                    [(block["type"], block["value"]) for block in lesson.body.raw_data],
                )
                for lesson in lessons_of(page)
            ],
        }
    return pages


def read_tree(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def delete_course(slug: str) -> None:
    for course in CoursePage.objects.filter(slug=slug):
        course.delete()


def test_export_round_trip_gives_identical_course(site_structure, tmp_path):
    """Import, export, re-import from scratch: same values, and the same files again."""
    import_course(write_folder(tmp_path / "source", FILES))
    original = snapshot("donnees-fair")

    first = export_course("donnees-fair", tmp_path / "first")
    delete_course("donnees-fair")
    import_course(first.folder)
    second = export_course("donnees-fair", tmp_path / "second")

    assert snapshot("donnees-fair") == original
    assert first.files == [
        "course.md",
        "01-pourquoi-partager.md",
        "02-findable.md",
        "course.en.md",
        "01-pourquoi-partager.en.md",
        "02-findable.en.md",
    ]
    assert read_tree(second.folder) == read_tree(first.folder)
    assert first.warnings == []


def test_export_writes_readable_front_matter(site_structure, tmp_path):
    """course.md keeps every key, in the documented order, with unicode as is."""
    import_course(write_folder(tmp_path / "source", FILES))

    report = export_course("donnees-fair", tmp_path)

    text = (report.folder / "course.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Les principes FAIR\nlanguage: fr\nthemes:\n")
    assert "- Évaluer un jeu de données\n" in text
    assert "validity_months: 24\npass_mark: 70\n" in text
    assert text.endswith("---\n\nLes principes **FAIR** en quatre lettres.\n")


def test_export_converts_other_blocks_to_markdown(site_structure, tmp_path):
    """Rich text, callouts, quotes become Markdown; media become links, with a warning."""
    course = import_course(write_folder(tmp_path / "source", FILES))
    lesson = lessons_of(course)[0]
    callout = {"kind": "warning", "title": "Attention", "text": "Un.\n\nDeux."}
    quote = {"text": "Aussi ouvert que possible.", "attribution": "CNRS"}
    video = {"video": "https://example.org/v/1", "title": "Vidéo", "transcript": ""}
    lesson.body = [
        {"type": "rich_text", "value": '<h2 data-block-key="a1">Titre</h2>'},
        {"type": "callout", "value": callout},
        {"type": "quote", "value": quote},
        {"type": "video", "value": video},
    ]
    lesson.save_revision().publish()

    report = export_course("donnees-fair", tmp_path / "export")

    text = (report.folder / "01-pourquoi-partager.md").read_text(encoding="utf-8")
    assert text.endswith(
        "<h2>Titre</h2>\n\n"
        '!!! warning "Attention"\n    Un.\n\n    Deux.\n\n'
        "> Aussi ouvert que possible.\n>\n> — CNRS\n\n"
        "[Vidéo](https://example.org/v/1)\n"
    )
    assert report.warnings == [
        "01-pourquoi-partager.md: video block exported as a Markdown link; "
        "it will come back as Markdown text, not as a media block"
    ]
    # ...and what it wrote imports back.
    delete_course("donnees-fair")
    assert import_course(report.folder).live


def test_export_command_refuses_unknown_slug(site_structure, tmp_path):
    """Exporting a slug no course has fails with a clear message and exit status 1."""
    with pytest.raises(
        CommandError, match="no course with the slug 'inconnu'"
    ) as excinfo:
        call_command("export_course", "inconnu", str(tmp_path), stdout=StringIO())

    assert excinfo.value.returncode == 1
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(CourseExportError):
        export_course("inconnu", tmp_path)


def test_export_command_refuses_non_empty_folder_without_force(
    site_structure, tmp_path
):
    """A non-empty target is refused unless --force, which replaces its course files."""
    import_course(write_folder(tmp_path / "source", FILES))
    target = write_folder(
        tmp_path / "out", {"99-ancienne.md": "x", "schema.png": b"png"}
    )

    with pytest.raises(CommandError, match="is not empty; use --force") as excinfo:
        call_command(
            "export_course", "donnees-fair", str(tmp_path / "out"), stdout=StringIO()
        )
    assert excinfo.value.returncode == 1

    out = StringIO()
    call_command(
        "export_course", "donnees-fair", str(tmp_path / "out"), "--force", stdout=out
    )

    assert "Exported donnees-fair to" in out.getvalue()
    assert sorted(path.name for path in target.iterdir()) == sorted(
        [*FILES, "schema.png"]
    )
