"""Read and validate a course folder, without touching a page.

A course folder is named by the course slug and holds Markdown files with YAML
front matter (see `docs` in `courses/course_files/__init__.py`). Reading collects
every problem of every file before giving up, so a trainer fixes a folder in one
pass; `importing.py` only writes what this module has fully validated.

New kinds of file plug into `FILE_HANDLERS`: a name pattern and the function that
reads such a file into the `CourseFolder` being built. Quiz files
(`quiz-NN-slug.yaml`) are read by `quiz_files.py`.
"""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

import yaml

from courses.markdown import check_markdown
from courses.models import CoursePage, LessonPage, Theme

from .quiz_files import (
    QuizData,
    QuizTranslation,
    check_quizzes,
    read_quiz,
    read_quiz_translation,
)
from .values import (
    SLUG_PATTERN,
    SLUG_RE,
    InvalidValue,
    _boolean,
    _choice,
    _integer,
    _objectives,
    _optional_integer,
    _optional_text,
    _text,
    _text_list,
    _type_name,
)

FRONT_MATTER_FENCE = "---"


@dataclass(frozen=True)
class CourseFileError:
    """One problem in a course folder: which file, which line, what is wrong."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class CourseImportError(Exception):
    """A course folder cannot be imported; `errors` lists every problem found."""

    def __init__(self, errors: list[CourseFileError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass
class CourseTranslation:
    """The translated texts of the course (`course.<lang>.md`)."""

    language: str
    title: str
    objectives: str
    summary: str


@dataclass
class LessonTranslation:
    """The translated texts of one lesson (`NN-slug.<lang>.md`)."""

    language: str
    title: str
    summary: str
    body: str


@dataclass
class LessonData:
    """One lesson file (`NN-slug.md`), validated."""

    number: int
    slug: str
    filename: str
    title: str
    summary: str
    duration_minutes: int
    body: str
    translations: dict[str, LessonTranslation] = field(default_factory=dict)
    # A package lesson: the zip (cmi5, SCORM) in the folder it plays.
    package: Path | None = None


@dataclass
class CourseFolder:
    """Everything a course folder says, validated and ready to be written."""

    slug: str
    path: Path
    fields: dict[str, Any] = field(default_factory=dict)
    theme_codes: list[str] = field(default_factory=list)
    lessons: list[LessonData] = field(default_factory=list)
    translations: dict[str, CourseTranslation] = field(default_factory=dict)
    quizzes: list["QuizData"] = field(default_factory=list)


@dataclass
class Document:
    """A Markdown file split into its front matter and its body."""

    path: str
    data: dict[Any, Any]
    key_lines: dict[str, int]
    item_lines: dict[str, list[int]]
    body: str
    body_line: int
    end_line: int

    def line_of(self, key: str, item: int | None = None) -> int:
        """The file line of `key` (or of its `item`-th list entry); 1 if unknown."""
        if item is not None and item < len(self.item_lines.get(key, [])):
            return self.item_lines[key][item]
        return self.key_lines.get(key, 1)


@dataclass(frozen=True)
class Key:
    """A front-matter key: how to read it and which model field stores it."""

    convert: Callable[[Any], Any]
    attribute: str | None
    required: bool = False


def _course_keys() -> dict[str, Key]:
    return {
        "title": Key(_text, "title", required=True),
        "language": Key(_choice("fr", "en"), "language"),
        "themes": Key(_text_list, None),
        "level": Key(_choice("beginner", "intermediate", "advanced"), "level"),
        "duration_minutes": Key(_integer, "duration_minutes"),
        "licence": Key(
            _choice("CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "Etalab-2.0"), "licence"
        ),
        "doi": Key(_optional_text, "doi"),
        "version": Key(_text, "version"),
        "mandatory": Key(_boolean, "mandatory"),
        "validity_months": Key(_optional_integer, "certificate_validity_months"),
        "pass_mark": Key(_integer, "pass_mark"),
        "objectives": Key(_objectives, "objectives"),
    }


COURSE_KEYS = _course_keys()
COURSE_TRANSLATION_KEYS = {
    "title": Key(_text, "title", required=True),
    "objectives": Key(_objectives, "objectives"),
}
LESSON_KEYS = {
    "title": Key(_text, "title", required=True),
    "summary": Key(_optional_text, "summary"),
    "duration_minutes": Key(_integer, "duration_minutes"),
    "package": Key(_optional_text, None),  # a zip in the folder: a package lesson
}
LESSON_TRANSLATION_KEYS = {
    "title": Key(_text, "title", required=True),
    "summary": Key(_optional_text, "summary"),
}
# Ranges the model fields do not enforce by themselves.
MINIMUMS = {"duration_minutes": 1}


# --- the folder reader ---------------------------------------------------------


class CourseFolderReader:
    """Reads one course folder, collecting every error rather than the first."""

    def __init__(self, path: str | os.PathLike):
        self.display_path = Path(path)
        self.root = Path(os.path.abspath(path))
        self.errors: list[CourseFileError] = []
        self.folder = CourseFolder(slug=self.root.name, path=self.root)
        self.lesson_translations: list[tuple[str, re.Match[str], Document]] = []
        self.seen_course_file = False
        self.lesson_files: set[str] = set()
        self.translated_course_files: set[str] = set()
        self.quiz_files: set[str] = set()
        self.quiz_translations: list[tuple[str, re.Match[str], QuizTranslation]] = []

    # errors

    def error(self, name: str | None, line: int | None, message: str) -> None:
        path = str(self.display_path / name) if name else str(self.display_path)
        self.errors.append(CourseFileError(path, line, message))

    def doc_error(self, document: Document, line: int | None, message: str) -> None:
        self.errors.append(CourseFileError(document.path, line, message))

    # reading

    def read(self) -> CourseFolder:
        if not self.root.is_dir():
            exists = self.root.exists()
            self.error(
                None, None, "not a folder" if exists else "no such course folder"
            )
            raise CourseImportError(self.errors)
        if not SLUG_RE.match(self.folder.slug):
            self.error(
                None,
                None,
                f"the folder name is the course slug and must use lowercase letters, "
                f"digits and hyphens only (got {self.folder.slug!r})",
            )
        resolved_root = self.root.resolve()
        for entry in sorted(self.root.iterdir(), key=lambda entry: entry.name):
            self.read_entry(entry, resolved_root)
        self.finish()
        if self.errors:
            raise CourseImportError(self.errors)
        return self.folder

    def read_entry(self, entry: Path, resolved_root: Path) -> None:
        name = entry.name
        # Hidden files (.DS_Store, editor swap files), folders (images/) and other
        # file types (pictures, notes) are not course files.
        if name.startswith(".") or entry.suffix not in HANDLED_SUFFIXES:
            return
        if entry.is_symlink():
            self.error(name, None, "symbolic links are not allowed in a course folder")
            return
        if entry.resolve().parent != resolved_root:
            self.error(name, None, "the path resolves outside the course folder")
            return
        if entry.is_dir():
            return
        if not entry.is_file():
            self.error(name, None, "not a regular file")
            return
        for pattern, handler in FILE_HANDLERS.items():
            match = pattern.fullmatch(name)
            if match:
                text = self.read_text(entry)
                if text is not None:
                    handler(self, name, text, match)
                return
        self.error(name, None, f"unexpected file: {EXPECTED_FILES}")

    def read_text(self, entry: Path) -> str | None:
        name = entry.name
        size = entry.stat().st_size
        limit = settings.COURSE_FILE_MAX_BYTES
        if size > limit:
            self.error(
                name, 1, f"the file is {size} bytes, over the {limit}-byte limit"
            )
            return None
        raw = entry.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.error(
                name,
                line,
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            )
            return None
        # Files saved on Windows: a byte-order mark and CRLF line ends are harmless.
        return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")

    def parse_document(self, name: str, text: str) -> Document | None:
        """Split front matter and body; report YAML errors at their line in the file."""
        path = str(self.display_path / name)
        lines = text.split("\n")
        if lines[0].rstrip() != FRONT_MATTER_FENCE:
            self.error(
                name, 1, "missing front matter: the file must start with a '---' line"
            )
            return None
        end = next(
            (
                index
                for index in range(1, len(lines))
                if lines[index].rstrip() == FRONT_MATTER_FENCE
            ),
            None,
        )
        if end is None:
            self.error(name, 1, "the front matter is never closed by a '---' line")
            return None
        # The YAML starts on file line 2: YAML line n (0-based) is file line n + 2.
        yaml_text = "\n".join(lines[1:end])
        loader = yaml.SafeLoader(yaml_text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            reason = getattr(exc, "problem", None) or str(exc)
            context = getattr(exc, "context", None)
            if context:
                reason = f"{context}, {reason}"
            self.error(
                name,
                mark.line + 2 if mark else 1,
                f"invalid YAML front matter: {reason}",
            )
            return None
        finally:
            loader.dispose()
        if not isinstance(data, dict):
            self.error(
                name,
                2,
                f"the front matter must be 'key: value' lines, not {_type_name(data)}",
            )
            return None

        key_lines: dict[str, int] = {}
        item_lines: dict[str, list[int]] = {}
        duplicate = False
        for key_node, value_node in node.value if node is not None else []:
            key = str(key_node.value)
            line = key_node.start_mark.line + 2
            if key in key_lines:
                self.error(
                    name,
                    line,
                    f"duplicate field {key!r} (first on line {key_lines[key]})",
                )
                duplicate = True
                continue
            key_lines[key] = line
            if isinstance(value_node, yaml.SequenceNode):
                item_lines[key] = [
                    item.start_mark.line + 2 for item in value_node.value
                ]
        if duplicate:
            return None

        body_lines = lines[end + 1 :]
        skipped = 0
        while skipped < len(body_lines) and not body_lines[skipped].strip():
            skipped += 1
        body = "\n".join(body_lines[skipped:]).rstrip()
        document = Document(
            path=path,
            data=data,
            key_lines=key_lines,
            item_lines=item_lines,
            body=body,
            body_line=end + 2 + skipped,
            end_line=end + 1,
        )
        for problem in check_markdown(body):
            self.doc_error(
                document, document.body_line + problem.line - 1, problem.message
            )
        return document

    def read_fields(
        self, document: Document, keys: dict[str, Key], model: type
    ) -> dict[str, Any] | None:
        """Check the front matter against `keys`; return model attribute -> value."""
        values: dict[str, Any] = {}
        errors_before = len(self.errors)
        for key in document.data:
            if str(key) not in keys:
                self.doc_error(
                    document,
                    document.line_of(str(key)),
                    f"unknown field {str(key)!r} (allowed: {', '.join(keys)})",
                )
        for key, spec in keys.items():
            if key not in document.data:
                if spec.required:
                    self.doc_error(document, 1, f"missing required field {key!r}")
                    continue
                if spec.attribute is None:
                    values[key] = spec.convert(None)
                else:
                    values[spec.attribute] = model._meta.get_field(
                        spec.attribute
                    ).get_default()
                continue
            try:
                value = spec.convert(document.data[key])
                if spec.required and not value:
                    raise InvalidValue("must not be empty")
            except InvalidValue as exc:
                self.doc_error(
                    document, document.line_of(key, exc.item), f"{key}: {exc}"
                )
                continue
            if spec.attribute is None:
                values[key] = value
                continue
            message = self.field_problem(model, spec.attribute, value, key)
            if message:
                self.doc_error(document, document.line_of(key), f"{key}: {message}")
                continue
            values[spec.attribute] = value
        return values if len(self.errors) == errors_before else None

    @staticmethod
    def field_problem(model: type, attribute: str, value: Any, key: str) -> str | None:
        """Run the model field's own validation (lengths, ranges, DOI pattern)."""
        if key in MINIMUMS and value < MINIMUMS[key]:
            return f"must be at least {MINIMUMS[key]} (got {value})"
        model_field = model._meta.get_field(attribute)
        # Validator messages are lazily translated: report them in English, like
        # the rest of the import errors, whatever the site's default language.
        with translation.override("en"):
            try:
                model_field.clean(value, None)
            except ValidationError as exc:
                return " ".join(str(message) for message in exc.messages)
        return None

    def finish(self) -> None:
        """Cross-file checks once every file has been read."""
        if not self.seen_course_file:
            self.error(
                "course.md",
                None,
                "missing: a course folder needs a course.md file "
                "(front matter with at least a title, then the course summary)",
            )
        self.folder.lessons.sort(key=lambda lesson: lesson.number)
        by_number: dict[int, LessonData] = {}
        by_slug: dict[str, LessonData] = {}
        for lesson in self.folder.lessons:
            if lesson.number in by_number:
                self.error(
                    lesson.filename,
                    1,
                    f"lesson number {lesson.number:02d} is also used by "
                    f"{by_number[lesson.number].filename}",
                )
            by_number.setdefault(lesson.number, lesson)
            if lesson.slug in by_slug:
                self.error(
                    lesson.filename,
                    1,
                    f"lesson slug {lesson.slug!r} is also used by "
                    f"{by_slug[lesson.slug].filename}",
                )
            by_slug.setdefault(lesson.slug, lesson)

        lessons = {
            lesson.filename.removesuffix(".md"): lesson
            for lesson in self.folder.lessons
        }
        for name, match, document in self.lesson_translations:
            language = match["language"]
            lesson_file = f"{match['number']}-{match['slug']}.md"
            lesson = lessons.get(lesson_file.removesuffix(".md"))
            if lesson is None and lesson_file not in self.lesson_files:
                self.error(
                    name,
                    1,
                    "translation of a lesson that is not in the folder "
                    f"(no {match['number']}-{match['slug']}.md)",
                )
                continue
            fields = self.read_fields(document, LESSON_TRANSLATION_KEYS, LessonPage)
            if f"course.{language}.md" not in self.translated_course_files:
                self.error(
                    name,
                    1,
                    f"lesson translations into {language!r} need course.{language}.md",
                )
                continue
            if fields is not None and lesson is not None:
                lesson.translations[language] = LessonTranslation(
                    language=language,
                    title=fields["title"],
                    summary=fields["summary"],
                    body=document.body,
                )
        check_quizzes(self)

    def check_themes(self, document: Document) -> None:
        """Report theme codes missing from the Theme table, at their list line."""
        try:
            codes = _text_list(document.data.get("themes"))
        except InvalidValue:
            return  # reported with the other field errors
        known = set(Theme.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [
            (index, code) for index, code in enumerate(codes) if code not in known
        ]
        if unknown:
            all_codes = ", ".join(Theme.objects.values_list("code", flat=True))
        for index, code in unknown:
            self.doc_error(
                document,
                document.line_of("themes", index),
                f"themes: unknown theme {code!r} (known: {all_codes})",
            )


# --- file handlers -------------------------------------------------------------


def _translation_language(reader: CourseFolderReader, name: str, language: str) -> bool:
    languages = [
        code
        for code, _label in settings.WAGTAIL_CONTENT_LANGUAGES
        if code != settings.LANGUAGE_CODE
    ]
    if language not in languages:
        reader.error(
            name,
            None,
            f"no translation language {language!r} on this site "
            f"(translations: {', '.join(languages) or 'none'})",
        )
        return False
    return True


def read_course_file(
    reader: CourseFolderReader, name: str, text: str, match: re.Match[str]
) -> None:
    """`course.md`: the course settings, then its summary in Markdown."""
    reader.seen_course_file = True
    document = reader.parse_document(name, text)
    if document is None:
        return
    fields = reader.read_fields(document, COURSE_KEYS, CoursePage)
    reader.check_themes(document)
    if not document.body:
        reader.doc_error(
            document,
            document.end_line,
            "the course summary (Markdown after the front matter) is empty",
        )
    if fields is None:
        return
    reader.folder.theme_codes = list(dict.fromkeys(fields.pop("themes")))
    fields["summary"] = document.body
    reader.folder.fields = fields


def read_course_translation(
    reader: CourseFolderReader, name: str, text: str, match: re.Match[str]
) -> None:
    """`course.<lang>.md`: the translated title, objectives and summary."""
    language = match["language"]
    reader.translated_course_files.add(name)
    if not _translation_language(reader, name, language):
        return
    document = reader.parse_document(name, text)
    if document is None:
        return
    fields = reader.read_fields(document, COURSE_TRANSLATION_KEYS, CoursePage)
    if not document.body:
        reader.doc_error(
            document,
            document.end_line,
            "the translated course summary (Markdown after the front matter) is empty",
        )
        return
    if fields is not None:
        reader.folder.translations[language] = CourseTranslation(
            language=language,
            title=fields["title"],
            objectives=fields["objectives"],
            summary=document.body,
        )


def read_lesson(
    reader: CourseFolderReader, name: str, text: str, match: re.Match[str]
) -> None:
    """`NN-slug.md`: one lesson, its body stored as a single Markdown block."""
    reader.lesson_files.add(name)
    document = reader.parse_document(name, text)
    if document is None:
        return
    fields = reader.read_fields(document, LESSON_KEYS, LessonPage)
    if fields is None:
        return
    package = _package_file(reader, document, fields["package"])
    if fields["package"] and package is None:
        return
    reader.folder.lessons.append(
        LessonData(
            number=int(match["number"]),
            slug=match["slug"],
            filename=name,
            title=fields["title"],
            summary=fields["summary"],
            duration_minutes=fields["duration_minutes"],
            body=document.body,
            package=package,
        )
    )


def _package_file(
    reader: CourseFolderReader, document: Document, name: str | None
) -> Path | None:
    """The zip a lesson's `package:` names: a plain .zip file of the folder itself."""
    if not name:
        return None
    line = document.line_of("package")
    entry = reader.root / name
    if "/" in name or "\\" in name or name.startswith(".") or not name.endswith(".zip"):
        reader.doc_error(document, line, "package: a .zip file name of this folder")
    elif entry.is_symlink() or not entry.is_file():
        reader.doc_error(document, line, f"package: no file {name!r} in the folder")
    else:
        return entry
    return None


def read_lesson_translation(
    reader: CourseFolderReader, name: str, text: str, match: re.Match[str]
) -> None:
    """`NN-slug.<lang>.md`: checked against its lesson once the folder is read."""
    if not _translation_language(reader, name, match["language"]):
        return
    document = reader.parse_document(name, text)
    if document is not None:
        reader.lesson_translations.append((name, match, document))


FileHandler = Callable[[CourseFolderReader, str, str, re.Match[str]], None]

# Every course file kind: a full-name pattern and its reader.
FILE_HANDLERS: dict[re.Pattern[str], FileHandler] = {
    re.compile(r"course\.md"): read_course_file,
    re.compile(r"course\.(?P<language>[a-z]{2})\.md"): read_course_translation,
    re.compile(rf"(?P<number>\d\d)-(?P<slug>{SLUG_PATTERN})\.md"): read_lesson,
    re.compile(
        rf"(?P<number>\d\d)-(?P<slug>{SLUG_PATTERN})\.(?P<language>[a-z]{{2}})\.md"
    ): read_lesson_translation,
    re.compile(rf"quiz-(?P<number>\d\d)-(?P<slug>{SLUG_PATTERN})\.yaml"): read_quiz,
    re.compile(
        rf"quiz-(?P<number>\d\d)-(?P<slug>{SLUG_PATTERN})\.(?P<language>[a-z]{{2}})\.yaml"
    ): read_quiz_translation,
}
# Files with these suffixes must match a pattern above; any other file is ignored.
# (.yml is listed so that a misnamed quiz file is reported, not silently skipped.)
HANDLED_SUFFIXES = (".md", ".yaml", ".yml")
EXPECTED_FILES = (
    "expected course.md, course.en.md, NN-lesson-slug.md, NN-lesson-slug.en.md, "
    "quiz-NN-quiz-slug.yaml or quiz-NN-quiz-slug.en.yaml "
    "(NN: two digits; slug: lowercase letters, digits and hyphens)"
)


def read_course_folder(path: str | os.PathLike) -> CourseFolder:
    """Read and validate a course folder; raise CourseImportError with every error."""
    return CourseFolderReader(path).read()
