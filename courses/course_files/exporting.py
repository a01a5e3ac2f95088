"""Write a course back to a folder of Markdown files that `import_course` reads.

The export is of the live (published) pages: `course.md`, one `NN-slug.md` per
live lesson and one `quiz-NN-slug.yaml` per live quiz, numbered together in tree
order, and `.<lang>.md`/`.<lang>.yaml` files for live translations. Markdown
blocks come out as they are; other blocks are turned into their closest Markdown
(best effort, reported as warnings when something will not come back the same).
"""

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from wagtail.models import Locale
from wagtail.rich_text import expand_db_html

import yaml

from courses.models import CoursePage, LessonPage
from courses.quizzes import QuizPage

from .quiz_files import quiz_translation_yaml, quiz_yaml
from .reading import FILE_HANDLERS, HANDLED_SUFFIXES, SLUG_RE


class CourseExportError(Exception):
    """The course cannot be exported (unknown slug, target folder not empty...)."""


@dataclass
class ExportReport:
    """Where the course was written, which files, and what did not round-trip."""

    folder: Path
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def export_course(
    slug: str, path: str | os.PathLike, *, force: bool = False
) -> ExportReport:
    """Write course `slug` to `path/<slug>/`; refuse a non-empty folder unless `force`.

    The folder is named by the slug because the import reads the slug from the
    folder name: what this writes can always be imported back.
    """
    course = (
        CoursePage.objects.filter(
            slug=slug, locale__language_code=settings.LANGUAGE_CODE
        )
        .order_by("path")
        .first()
    )
    if course is None:
        known = CoursePage.objects.filter(
            locale__language_code=settings.LANGUAGE_CODE
        ).values_list("slug", flat=True)
        raise CourseExportError(
            f"no course with the slug {slug!r} "
            f"(courses: {', '.join(sorted(known)) or 'none'})"
        )
    folder = Path(path) / slug
    _prepare_folder(folder, force=force)
    report = ExportReport(folder=folder)
    for name, text in _course_files(course, report.warnings):
        if isinstance(text, Path):  # a package lesson's zip, copied as it is
            shutil.copyfile(text, folder / name)
        else:
            (folder / name).write_text(text, encoding="utf-8")
        report.files.append(name)
    return report


def _prepare_folder(folder: Path, *, force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise CourseExportError(f"{folder} exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        if not force:
            raise CourseExportError(
                f"{folder} is not empty; use --force (force=True) to overwrite it"
            )
        # Stale course files would come back on the next import (a deleted lesson,
        # a dropped translation): remove them; keep anything else (images...).
        for entry in folder.iterdir():
            if entry.suffix in HANDLED_SUFFIXES and not entry.is_dir():
                entry.unlink()
    folder.mkdir(parents=True, exist_ok=True)


def _course_files(course: CoursePage, warnings: list[str]) -> list[tuple[str, str]]:
    if not SLUG_RE.match(course.slug):
        warnings.append(
            f"course slug {course.slug!r} is not lowercase letters, digits and "
            "hyphens: the folder cannot be imported back as it is"
        )
    front = {
        "title": course.title,
        "language": course.language,
        "themes": [theme.code for theme in course.themes.order_by("position", "code")],
        "level": course.level,
        "duration_minutes": course.duration_minutes,
        "licence": course.licence,
        "doi": course.doi,
        "version": course.version,
        "mandatory": course.mandatory,
        "validity_months": course.certificate_validity_months,
        "pass_mark": course.pass_mark,
        "objectives": course.objective_list,
    }
    files = [("course.md", _document(front, course.summary))]

    # Lessons and quizzes share the numbering: NN is the position in the course.
    pages = list(
        course.get_children()
        .live()
        .type(LessonPage, QuizPage)
        .specific()
        .order_by("path")
    )
    if len(pages) > 99:
        raise CourseExportError(
            f"{course.slug} has {len(pages)} lessons and quizzes; "
            "course files number them 01-99"
        )
    names = {}
    pools: dict[str, str] = {}
    for number, page in enumerate(pages, start=1):
        if isinstance(page, QuizPage):
            name = f"quiz-{number:02d}-{page.slug}"
            names[page.pk] = name
            if not SLUG_RE.match(page.slug):
                warnings.append(
                    f"{name}.yaml: quiz slug {page.slug!r} is not lowercase letters, "
                    "digits and hyphens: the folder cannot be imported back as it is"
                )
            _check_pools_once(page, f"{name}.yaml", pools, warnings)
            files.append((f"{name}.yaml", quiz_yaml(page, f"{name}.yaml", warnings)))
            continue
        name = f"{number:02d}-{page.slug}"
        names[page.pk] = name
        if not _is_lesson_name(f"{name}.md"):
            warnings.append(
                f"{name}.md: lesson slug {page.slug!r} is not lowercase letters, "
                "digits and hyphens: the folder cannot be imported back as it is"
            )
        front = {
            "title": page.title,
            "summary": page.summary,
            "duration_minutes": page.duration_minutes,
        }
        package = getattr(page, "package", None)
        if package is not None:
            front["package"] = f"{name}.zip"
            files.append((f"{name}.zip", Path(package.archive.path)))
        files.append(
            (f"{name}.md", _document(front, _body(page, f"{name}.md", warnings)))
        )

    for locale in Locale.objects.exclude(language_code=settings.LANGUAGE_CODE).order_by(
        "language_code"
    ):
        translated = course.get_translation_or_none(locale)
        if translated is None or not translated.live:
            continue
        translated = translated.specific
        language = locale.language_code
        front = {"title": translated.title, "objectives": translated.objective_list}
        files.append((f"course.{language}.md", _document(front, translated.summary)))
        for page in pages:
            target = page.get_translation_or_none(locale)
            if target is None or not target.live:
                continue
            target = target.specific
            if isinstance(page, QuizPage):
                name = f"{names[page.pk]}.{language}.yaml"
                files.append((name, quiz_translation_yaml(target, page)))
                continue
            name = f"{names[page.pk]}.{language}.md"
            front = {"title": target.title, "summary": target.summary}
            files.append((name, _document(front, _body(target, name, warnings))))
    return files


def _check_pools_once(
    quiz: QuizPage, name: str, pools: dict[str, str], warnings: list[str]
) -> None:
    """A pool is written where it is drawn; a second draw would define it twice."""
    for draw in quiz.draws.select_related("pool").order_by("sort_order", "pk"):
        code = draw.pool.code
        if code in pools:
            warnings.append(
                f"{name}: pool {code!r} is also drawn in {pools[code]}; it is written "
                "in both files, which the import refuses: keep it in one quiz"
            )
        pools.setdefault(code, name)


def _is_lesson_name(name: str) -> bool:
    return any(
        pattern.fullmatch(name) and "number" in pattern.groupindex
        for pattern in FILE_HANDLERS
    )


def _document(front: dict[str, Any], body: str) -> str:
    """Front matter between '---' lines, a blank line, then the Markdown body."""
    text = (
        "---\n"
        + yaml.safe_dump(
            front,
            allow_unicode=True,
            sort_keys=False,
            # one line per value, however long: trainers edit these by hand
            width=float("inf"),
        )
        + "---\n"
    )
    body = (body or "").strip("\n").rstrip()
    return f"{text}\n{body}\n" if body.strip() else text


# --- blocks to Markdown ---------------------------------------------------------

_BLOCK_KEY = re.compile(r'\sdata-block-key="[^"]*"')


def _body(page: LessonPage, name: str, warnings: list[str]) -> str:
    parts = []
    for block in page.body:
        converter = BLOCK_EXPORTERS.get(block.block_type)
        if converter is None:
            warnings.append(
                f"{name}: {block.block_type} block left out (no Markdown form)"
            )
            continue
        text = converter(block.value, name, warnings)
        if text.strip():
            parts.append(text.strip("\n").rstrip())
    return "\n\n".join(parts)


def _markdown(value: str, name: str, warnings: list[str]) -> str:
    return value


def _rich_text(value: Any, name: str, warnings: list[str]) -> str:
    # Front-end HTML (links resolved), which the Markdown sanitiser accepts as it is.
    return _BLOCK_KEY.sub("", expand_db_html(value.source))


def _indent(text: str) -> str:
    return "\n".join(
        f"    {line}" if line.strip() else "" for line in text.splitlines()
    )


def _callout(value: Any, name: str, warnings: list[str]) -> str:
    title = (value.get("title") or "").replace('"', "'")
    header = f'!!! {value["kind"]} "{title}"' if title else f"!!! {value['kind']}"
    return f"{header}\n{_indent(value['text'] or '')}"


def _quote(value: Any, name: str, warnings: list[str]) -> str:
    lines = [
        f"> {line}" if line.strip() else ">" for line in value["text"].splitlines()
    ]
    if value.get("attribution"):
        lines += [">", f"> — {value['attribution']}"]
    return "\n".join(lines)


def _not_round_trippable(kind: str, name: str, warnings: list[str]) -> None:
    warnings.append(
        f"{name}: {kind} block exported as a Markdown link; "
        "it will come back as Markdown text, not as a media block"
    )


def _image(value: Any, name: str, warnings: list[str]) -> str:
    _not_round_trippable("image", name, warnings)
    image = value.get("image")
    url = image.file.url if image is not None else ""
    text = f"[{value.get('alt_text') or 'image'}]({url})"
    return f"{text}\n\n*{value['caption']}*" if value.get("caption") else text


def _video(value: Any, name: str, warnings: list[str]) -> str:
    _not_round_trippable("video", name, warnings)
    video = value.get("video")
    text = f"[{value.get('title') or 'video'}]({video.url if video else ''})"
    return f"{text}\n\n{value['transcript']}" if value.get("transcript") else text


def _document_link(value: Any, name: str, warnings: list[str]) -> str:
    _not_round_trippable("document", name, warnings)
    document = value.get("document")
    title = value.get("title") or (document.title if document else "document")
    text = f"[{title}]({document.url if document else ''})"
    return f"{text} — {value['description']}" if value.get("description") else text


BLOCK_EXPORTERS = {
    "markdown": _markdown,
    "rich_text": _rich_text,
    "callout": _callout,
    "quote": _quote,
    "image": _image,
    "video": _video,
    "document": _document_link,
}
