"""Write a validated course folder into the page tree, in one transaction.

The French (default-locale) course goes under the French catalogue; translations
are Wagtail translations of it (`copy_for_translation`), under the catalogue of
their locale. Every import publishes a new revision of each page, so the admin's
history shows what an import changed and learner records keep pointing at the
same pages. Lessons and quizzes that left the folder are unpublished, never
deleted: learner progress, attempts and certificates refer to them. A quiz's
question pools are created or updated by their code, keeping the ids of unchanged
questions (see `quiz_files.questions_stream_data`).
"""

import hashlib
import os
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from wagtail.models import Locale, Page

from cms.site_structure import ensure_site_structure
from courses.models import ContentLanguage, CoursePage, LessonPage, Theme
from courses.packages.errors import PackageError
from courses.packages.importing import cleanup_on_failure, import_package
from courses.packages.models import PackageLessonPage
from courses.quizzes import QuestionPool, QuizPage, QuizPoolDraw

from .quiz_files import (
    PoolData,
    PoolTranslation,
    QuizData,
    questions_stream_data,
    translated_stream_data,
)
from .reading import (
    CourseFileError,
    CourseFolder,
    CourseImportError,
    CourseTranslation,
    LessonData,
    read_course_folder,
)


@dataclass
class TranslationReport:
    """What an import did to one translation of the course."""

    language: str
    action: str  # "created", "updated" or "unpublished"
    lessons_created: list[str] = field(default_factory=list)
    lessons_updated: list[str] = field(default_factory=list)
    lessons_unpublished: list[str] = field(default_factory=list)
    quizzes_created: list[str] = field(default_factory=list)
    quizzes_updated: list[str] = field(default_factory=list)
    quizzes_unpublished: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did: the course page and the lessons it touched."""

    course: CoursePage
    created: bool
    lessons_created: list[str] = field(default_factory=list)
    lessons_updated: list[str] = field(default_factory=list)
    lessons_unpublished: list[str] = field(default_factory=list)
    quizzes_created: list[str] = field(default_factory=list)
    quizzes_updated: list[str] = field(default_factory=list)
    quizzes_unpublished: list[str] = field(default_factory=list)
    pools_created: list[str] = field(default_factory=list)
    pools_updated: list[str] = field(default_factory=list)
    translations: list[TranslationReport] = field(default_factory=list)

    def lines(self) -> list[str]:
        """A human summary, one line per fact, for the management command."""
        url = self.course.get_url() or self.course.url_path
        lines = [
            f"{self.course.slug}: {'created' if self.created else 'updated'} "
            f'course "{self.course.title}" ({url})',
            f"  lessons: {_counts(self)}",
        ]
        if _has_quizzes(self):
            lines.append(
                f"  quizzes: {_counts(self, 'quizzes')}; question pools: "
                f"{len(self.pools_created)} created, {len(self.pools_updated)} updated"
            )
        lines += [
            f"  unpublished lesson {slug} (no longer in the folder)"
            for slug in self.lessons_unpublished
        ]
        lines += [
            f"  unpublished quiz {slug} (no longer in the folder)"
            for slug in self.quizzes_unpublished
        ]
        for translation in self.translations:
            if translation.action == "unpublished":
                lines.append(
                    f"  translation {translation.language}: unpublished "
                    f"(no course.{translation.language}.md)"
                )
                continue
            line = (
                f"  translation {translation.language}: course {translation.action}, "
                f"lessons: {_counts(translation)}"
            )
            if _has_quizzes(translation):
                line += f", quizzes: {_counts(translation, 'quizzes')}"
            lines.append(line)
        return lines


def _counts(report: ImportReport | TranslationReport, kind: str = "lessons") -> str:
    return (
        f"{len(getattr(report, f'{kind}_created'))} created, "
        f"{len(getattr(report, f'{kind}_updated'))} updated, "
        f"{len(getattr(report, f'{kind}_unpublished'))} unpublished"
    )


def _has_quizzes(report: ImportReport | TranslationReport) -> bool:
    return bool(
        report.quizzes_created or report.quizzes_updated or report.quizzes_unpublished
    )


def import_course(path: str | os.PathLike) -> CoursePage:
    """Import the course folder at `path` (all or nothing); return the live course."""
    return write_course(read_course_folder(path)).course


def _package_changed(page, zip_path) -> bool:
    """Whether the folder's zip differs from the one the lesson plays (by SHA-256)."""
    if getattr(page, "package_id", None) is None:
        return True
    digest = hashlib.sha256()
    with open(zip_path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest() != page.package.sha256


def write_course(folder: CourseFolder) -> ImportReport:
    """Create or update the pages of a validated `folder`, publishing each one;
    the files of packages imported on the way go too if it fails."""
    with cleanup_on_failure():
        return _write_course(folder)


@transaction.atomic
def _write_course(folder: CourseFolder) -> ImportReport:
    try:
        return _CourseWriter(folder).write()
    except ValidationError as exc:
        # Reading validates everything it can; this is the model's last word.
        raise CourseImportError(
            [
                CourseFileError(str(folder.path), None, message)
                for message in exc.messages
            ]
        ) from exc


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _fresh(page: Page) -> Page:
    return page.__class__.objects.get(pk=page.pk)


def _order_children(parent: Page, pks: list[int]) -> None:
    """Move the pages `pks` (children of `parent`) into that order, if they are not."""
    current = list(
        Page.objects.child_of(parent)
        .filter(pk__in=pks)
        .order_by("path")
        .values_list("pk", flat=True)
    )
    if current == pks:
        return
    for pk in pks:
        # Tree paths change with every move: always move fresh instances.
        Page.objects.get(pk=pk).move(Page.objects.get(pk=parent.pk), pos="last-child")


class _CourseWriter:
    def __init__(self, folder: CourseFolder):
        self.folder = folder
        self.structure = ensure_site_structure()
        self.catalogue = self.structure.catalogue(settings.LANGUAGE_CODE)

    def write(self) -> ImportReport:
        course, created = self.write_course()
        report = ImportReport(course=course, created=created)
        lessons = self.write_lessons(course, report)
        quizzes = self.write_quizzes(course, report)
        _order_children(
            course, [page.pk for _number, page in self.numbered(lessons, quizzes)]
        )
        lessons = [_fresh(page) for page in lessons]
        quizzes = [_fresh(page) for page in quizzes]
        for translation in self.folder.translations.values():
            report.translations.append(
                self.write_translation(course, lessons, quizzes, translation)
            )
        report.translations += self.unpublish_dropped_translations(course)
        report.course = _fresh(course)
        return report

    # the default-language course and lessons

    def write_course(self) -> tuple[CoursePage, bool]:
        existing = (
            Page.objects.child_of(self.catalogue).filter(slug=self.folder.slug).first()
        )
        if existing is not None and not isinstance(existing.specific, CoursePage):
            raise ValidationError(
                f"the catalogue already has a page {self.folder.slug!r} "
                "that is not a course"
            )
        themes = list(Theme.objects.filter(code__in=self.folder.theme_codes))
        if existing is None:
            course = CoursePage(
                slug=self.folder.slug,
                locale=self.catalogue.locale,
                **self.folder.fields,
            )
            course.themes = themes
            self.catalogue.add_child(instance=course)
        else:
            course = existing.specific
            for name, value in self.folder.fields.items():
                setattr(course, name, value)
            course.themes = themes
        _publish(course)
        return _fresh(course), existing is None

    def write_lessons(
        self, course: CoursePage, report: ImportReport
    ) -> list[LessonPage]:
        existing = {
            page.slug: page for page in LessonPage.objects.child_of(course).specific()
        }
        pages = []
        for lesson in self.folder.lessons:
            page = existing.get(lesson.slug)
            if page is not None and isinstance(page, PackageLessonPage) != bool(
                lesson.package
            ):
                raise ValidationError(
                    f"{lesson.filename}: the lesson {lesson.slug!r} exists as "
                    "another kind of lesson (package or not); give it a new slug"
                )
            if page is None:
                page_class = PackageLessonPage if lesson.package else LessonPage
                page = page_class(slug=lesson.slug, locale=course.locale)
                self.set_lesson_fields(page, lesson)
                course.add_child(instance=page)
                report.lessons_created.append(lesson.slug)
            else:
                self.set_lesson_fields(page, lesson)
                report.lessons_updated.append(lesson.slug)
            _publish(page)
            pages.append(page)
        wanted = {lesson.slug for lesson in self.folder.lessons}
        for slug, page in existing.items():
            if slug not in wanted and page.live:
                page.unpublish()
                report.lessons_unpublished.append(slug)
        return pages

    def numbered(
        self, lessons: list[Page], quizzes: list[Page]
    ) -> list[tuple[int, Page]]:
        """Pages paired with their file number, in course order (lessons and quizzes
        share the numbering; `lessons` and `quizzes` follow the folder's lists)."""
        pairs = [
            *(
                (lesson.number, page)
                for lesson, page in zip(self.folder.lessons, lessons, strict=True)
            ),
            *(
                (quiz.number, page)
                for quiz, page in zip(self.folder.quizzes, quizzes, strict=True)
            ),
        ]
        return sorted(pairs, key=lambda pair: pair[0])

    # quizzes

    def write_quizzes(self, course: CoursePage, report: ImportReport) -> list[QuizPage]:
        existing = {page.slug: page for page in QuizPage.objects.child_of(course)}
        siblings = set(
            Page.objects.child_of(course)
            .not_type(QuizPage)
            .values_list("slug", flat=True)
        )
        pages = []
        for quiz in self.folder.quizzes:
            if quiz.slug in siblings:
                raise ValidationError(
                    f"{quiz.filename}: the course already has a page {quiz.slug!r} "
                    "that is not a quiz (an unpublished lesson?); rename the quiz file"
                )
            draws = [(self.write_pool(pool, report), pool.draw) for pool in quiz.pools]
            page = existing.get(quiz.slug)
            if page is None:
                page = QuizPage(slug=quiz.slug, locale=course.locale)
                self.set_quiz_fields(page, quiz, draws)
                course.add_child(instance=page)
                report.quizzes_created.append(quiz.slug)
            else:
                self.set_quiz_fields(page, quiz, draws)
                report.quizzes_updated.append(quiz.slug)
            _publish(page)
            pages.append(page)
        wanted = {quiz.slug for quiz in self.folder.quizzes}
        for slug, page in existing.items():
            if slug not in wanted and page.live:
                page.unpublish()
                report.quizzes_unpublished.append(slug)
        return pages

    @staticmethod
    def write_pool(pool: PoolData, report: ImportReport) -> QuestionPool:
        """Create or update the pool `pool.code`, keeping unchanged questions' ids."""
        default = Locale.get_default()
        snippet = QuestionPool.objects.filter(code=pool.code, locale=default).first()
        existing = list(snippet.questions.raw_data) if snippet is not None else []
        if snippet is None:
            snippet = QuestionPool(code=pool.code, locale=default)
            report.pools_created.append(pool.code)
        elif pool.code not in report.pools_updated:
            report.pools_updated.append(pool.code)
        snippet.title = pool.title
        snippet.questions = questions_stream_data(pool.questions, existing)
        snippet.full_clean()
        snippet.save()
        return snippet

    @staticmethod
    def write_pool_translation(
        source: QuestionPool, pool: PoolTranslation, locale: Locale
    ) -> QuestionPool:
        """The bank `source` in `locale` (same code and translation key), its
        questions written with the ids of the source's."""
        target = source.get_translation_or_none(locale)
        if target is None:
            target = QuestionPool(
                code=source.code, locale=locale, translation_key=source.translation_key
            )
        target.title = pool.title
        target.questions = translated_stream_data(
            pool.questions, list(source.questions.raw_data)
        )
        target.full_clean()
        target.save()
        return target

    @staticmethod
    def set_quiz_fields(
        page: QuizPage,
        quiz: QuizData,
        draws: list[tuple[QuestionPool, int]],
    ) -> None:
        for name, value in quiz.fields.items():
            setattr(page, name, value)
        # The quiz's own questions keep their ids, as a pool's do.
        existing = list(page.questions.raw_data) if page.pk else []
        page.questions = questions_stream_data(quiz.questions, existing)
        # Reuse the draw rows of pools already drawn: fewer changes in the history.
        current = {draw.pool_id: draw for draw in page.draws.all()}
        rows = []
        for position, (pool, count) in enumerate(draws):
            row = current.pop(pool.pk, None) or QuizPoolDraw(pool=pool)
            row.count = count
            row.sort_order = position
            rows.append(row)
        page.draws = rows

    @staticmethod
    def set_lesson_fields(page: LessonPage, lesson: LessonData) -> None:
        page.title = lesson.title
        page.summary = lesson.summary
        page.duration_minutes = lesson.duration_minutes
        page.body = [("markdown", lesson.body)] if lesson.body else []
        if lesson.package and _package_changed(page, lesson.package):
            try:
                page.package = import_package(lesson.package)
            except PackageError as error:
                raise ValidationError(
                    [f"{lesson.filename}: {line}" for line in error.errors]
                ) from error

    # translations

    def write_translation(
        self,
        course: CoursePage,
        lessons: list[LessonPage],
        quizzes: list[QuizPage],
        translation: CourseTranslation,
    ) -> TranslationReport:
        locale = Locale.objects.get(language_code=translation.language)
        translated = course.get_translation_or_none(locale)
        report = TranslationReport(
            language=translation.language,
            action="created" if translated is None else "updated",
        )
        if translated is None:
            translated = course.copy_for_translation(locale)
        translated = translated.specific
        # Settings are the course's own; only the texts are translated.
        for name, value in self.folder.fields.items():
            setattr(translated, name, value)
        if translation.language in ContentLanguage.values:  # the text's language
            translated.language = translation.language
        translated.title = translation.title
        translated.objectives = translation.objectives
        translated.summary = translation.summary
        translated.themes = list(course.themes.all())
        _publish(translated)
        translated = _fresh(translated)

        translated_lessons = []
        wanted = set()
        for lesson, page in zip(self.folder.lessons, lessons, strict=True):
            lesson_translation = lesson.translations.get(translation.language)
            if lesson_translation is None:
                continue
            wanted.add(page.translation_key)
            target, created = _translation_of(page, locale)
            (report.lessons_created if created else report.lessons_updated).append(
                lesson.slug
            )
            target.title = lesson_translation.title
            target.summary = lesson_translation.summary
            target.duration_minutes = lesson.duration_minutes
            target.body = (
                [("markdown", lesson_translation.body)]
                if lesson_translation.body
                else []
            )
            _publish(target)
            translated_lessons.append(target)
        for page in LessonPage.objects.child_of(translated).live():
            if page.translation_key not in wanted:
                page.unpublish()
                report.lessons_unpublished.append(page.slug)
        translated_quizzes = self.write_quiz_translations(
            translated, quizzes, translation.language, report
        )
        targets = {
            page.translation_key: page
            for page in [*translated_lessons, *translated_quizzes]
        }
        _order_children(
            translated,
            [
                targets[page.translation_key].pk
                for _number, page in self.numbered(lessons, quizzes)
                if page.translation_key in targets
            ],
        )
        return report

    def write_quiz_translations(
        self,
        translated_course: CoursePage,
        quizzes: list[QuizPage],
        language: str,
        report: TranslationReport,
    ) -> list[QuizPage]:
        """Translated quiz pages: their own title and intro, the quiz's settings and
        draws, and their own questions and pools' questions where the file
        translates them (with the original questions' ids); untranslated ones
        stay in their first language."""
        locale = translated_course.locale
        translated = []
        wanted = set()
        for quiz, page in zip(self.folder.quizzes, quizzes, strict=True):
            quiz_translation = quiz.translations.get(language)
            if quiz_translation is None:
                continue
            wanted.add(page.translation_key)
            target, created = _translation_of(page, locale)
            (report.quizzes_created if created else report.quizzes_updated).append(
                quiz.slug
            )
            draws = [
                (draw.pool, draw.count) for draw in page.draws.order_by("sort_order")
            ]
            self.set_quiz_fields(target, quiz, draws)
            originals = list(page.questions.raw_data)
            target.questions = (
                translated_stream_data(quiz_translation.questions, originals)
                if quiz_translation.questions
                else originals
            )
            target.title = quiz_translation.title
            target.intro = quiz_translation.intro
            _publish(target)
            translated.append(target)
            pools = {draw.pool.code: draw.pool for draw in page.draws.all()}
            for pool in quiz_translation.pools:
                self.write_pool_translation(pools[pool.code], pool, locale)
        for page in QuizPage.objects.child_of(translated_course).live():
            if page.translation_key not in wanted:
                page.unpublish()
                report.quizzes_unpublished.append(page.slug)
        return translated

    def unpublish_dropped_translations(
        self, course: CoursePage
    ) -> list[TranslationReport]:
        """Unpublish translations whose `course.<lang>.md` left the folder."""
        reports = []
        for translated in course.get_translations().live().specific():
            language = translated.locale.language_code
            if language in self.folder.translations:
                continue
            report = TranslationReport(language=language, action="unpublished")
            for page in LessonPage.objects.child_of(translated).live():
                page.unpublish()
                report.lessons_unpublished.append(page.slug)
            for page in QuizPage.objects.child_of(translated).live():
                page.unpublish()
                report.quizzes_unpublished.append(page.slug)
            translated.unpublish()
            reports.append(report)
        return reports


def _translation_of(page: Page, locale: Locale) -> tuple[Page, bool]:
    """The page's translation in `locale`, copied from the page if it has none yet."""
    target = page.get_translation_or_none(locale)
    if target is None:
        return page.copy_for_translation(locale).specific, True
    return target.specific, False
