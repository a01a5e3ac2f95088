"""Course content as Wagtail pages: catalogue > course (module) > lesson.

Pages give trainers revisions, preview, scheduled publishing and translations
for free; learner records (in `learning/`) point at these pages by id.
"""

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.caching import MemoisedViewRestrictionsMixin

from .blocks import LessonBodyBlock
from .markdown_preview import MarkdownTextarea
from .previews import draft_children, draft_course, draft_outline, is_preview
from .question_languages import locale_codes


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", "CC BY 4.0"
    CC_BY_SA = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    CC0 = "CC0-1.0", "CC0 1.0"
    ETALAB = "Etalab-2.0", _("Licence Ouverte / Etalab 2.0")


class ContentLanguage(models.TextChoices):
    FR = "fr", "Français"
    EN = "en", "English"


class Theme(models.Model):
    """A teaching theme of the catalogue (DORANUM's nine themes are seeded)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_fr = models.CharField(_("name (French)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)

    panels = [
        FieldPanel("code"),
        FieldPanel("position"),
        FieldPanel("name_fr"),
        FieldPanel("name_en"),
    ]

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (French when unknown)."""
        return (
            self.name_en if (get_language() or "fr").startswith("en") else self.name_fr
        )


class CourseIndexPage(MemoisedViewRestrictionsMixin, Page):
    """The catalogue: every published course below it, with facets and search."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("catalogue")

    def serve(self, request, *args, **kwargs):
        from cms.middleware import mark_cacheable

        if not request.GET:  # searches and filters are not kept
            mark_cacheable(request)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .catalogue import search_catalogue

        context = super().get_context(request, *args, **kwargs)
        context["results"] = search_catalogue(
            self, request.GET, user=request.user, session=request.session
        )
        return context


doi_validator = RegexValidator(
    r"^10\.\d{4,9}/\S+$",
    _("Enter a DOI such as 10.12345/abc-def (without https://doi.org/)."),
)


class CoursePage(MemoisedViewRestrictionsMixin, Page):
    """A training module: its description, its settings and its lessons below it."""

    summary = models.TextField(_("summary"), help_text=_("Markdown."))
    objectives = models.TextField(
        _("learning objectives"), blank=True, help_text=_("One objective per line.")
    )
    themes = ParentalManyToManyField(Theme, verbose_name=_("themes"), blank=True)
    level = models.CharField(
        _("level"), max_length=20, choices=Level.choices, default=Level.BEGINNER
    )
    duration_minutes = models.PositiveIntegerField(
        _("estimated duration (minutes)"), default=30, validators=[MinValueValidator(1)]
    )
    language = models.CharField(
        _("teaching language"),
        max_length=5,
        choices=ContentLanguage.choices,
        default=ContentLanguage.FR,
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.CC_BY
    )
    doi = models.CharField(
        _("DOI"), max_length=200, blank=True, validators=[doi_validator]
    )
    version = models.CharField(_("version"), max_length=20, default="1.0")
    mandatory = models.BooleanField(
        _("mandatory training"),
        default=False,
        help_text=_("Required before access to a resource, such as the SNDS."),
    )
    certificate_validity_months = models.PositiveSmallIntegerField(
        _("certificate validity (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("Leave empty for a certificate that does not expire."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary", widget=MarkdownTextarea(attrs={"rows": 6})),
        FieldPanel("objectives"),
        MultiFieldPanel(
            [
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("level"),
                FieldPanel("duration_minutes"),
                FieldPanel("language"),
            ],
            heading=_("Catalogue"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("licence"),
                FieldPanel("doi"),
                FieldPanel("version"),
            ],
            heading=_("Publication"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("mandatory"),
                FieldPanel("certificate_validity_months"),
                FieldPanel("pass_mark"),
            ],
            heading=_("Certification"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("objectives"),
        index.FilterField("level"),
        index.FilterField("language"),
        index.FilterField("locale_id"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = [
        "courses.LessonPage",
        "courses.QuizPage",
        "packages.PackageLessonPage",
    ]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    @property
    def content_language(self) -> str:
        """The language of the course's text: a page outside the default locale (a
        translation) is in its locale's language; in the default locale, the
        trainer's teaching language says (a course may be taught in English there).
        The catalogue annotates it (`catalogue_language`) to filter on it."""
        annotated = getattr(self, "catalogue_language", None)
        if annotated:
            return annotated
        code = locale_codes().get(self.locale_id, settings.LANGUAGE_CODE)
        return self.language if code == settings.LANGUAGE_CODE else code

    @property
    def content_language_label(self) -> str:
        return dict(ContentLanguage.choices).get(
            self.content_language, self.content_language
        )

    @property
    def objective_list(self) -> list[str]:
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]

    @property
    def duration_label(self) -> str:
        hours, minutes = divmod(self.duration_minutes, 60)
        if not hours:
            return f"{minutes} min"
        return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"

    def lessons(self):
        return LessonPage.objects.live().child_of(self).specific()

    def quizzes(self):

        return QuizPage.objects.live().child_of(self).specific()

    def syllabus(self):
        """Lessons and quizzes, in the order the trainer arranged them."""
        return (
            Page.objects.live()
            .child_of(self)
            .type(LessonPage, _quiz_page_model())
            .specific()
        )

    def get_context(self, request, *args, **kwargs):
        from learning.journey import Journey, course_journey

        context = super().get_context(request, *args, **kwargs)
        if is_preview(request):  # the draft course, its drafts included
            syllabus = draft_children(self)
            context["syllabus"] = syllabus
            context["lessons"] = [p for p in syllabus if isinstance(p, LessonPage)]
            context["journey"] = Journey(outline=draft_outline(self, syllabus))
            return context
        context["lessons"] = self.lessons()
        context["syllabus"] = self.syllabus()
        context["journey"] = course_journey(request.user, self)
        return context


class LessonPage(MemoisedViewRestrictionsMixin, Page):
    """One lesson of a course: a body of content blocks."""

    summary = models.CharField(_("summary"), max_length=300, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("estimated duration (minutes)"), default=10, validators=[MinValueValidator(1)]
    )
    body = StreamField(LessonBodyBlock(), verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("duration_minutes"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    @property
    def course(self) -> CoursePage:
        return self.get_parent().specific

    def serve(self, request, *args, **kwargs):
        from cms.middleware import mark_cacheable
        from learning.journey import lesson_journey

        from .outline import require_live_course

        require_live_course(self, request)
        if not request.GET:
            mark_cacheable(request)  # for anonymous visitors only (cms/middleware.py)

        # Records the opening (unless a reload or a preview) and keeps the
        # journey for the page.
        if not getattr(request, "is_preview", False):
            self._journey = lesson_journey(request.user, self, session=request.session)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from learning.journey import Journey, course_journey

        from .outline import parent_outline

        context = super().get_context(request, *args, **kwargs)
        journey = getattr(self, "_journey", None)
        if is_preview(request):  # the draft course: no progress read or recorded
            course = draft_course(self)
            outline = draft_outline(course, draft_children(course, current=self))
            journey = Journey(outline=outline)
        else:
            outline = parent_outline(self)
        siblings = outline.lessons if outline else []
        position = next(
            (i for i, lesson in enumerate(siblings) if lesson.pk == self.pk), 0
        )
        # "Previous" and "next" walk the lessons and quizzes in the trainer's
        # order, as the completion rule does: the last lesson leads to the quiz.
        steps = list(outline.steps) if outline else []
        step = next((i for i, s in enumerate(steps) if s.pk == self.pk), None)
        if journey is None:  # a caller that skipped serve()
            journey = course_journey(request.user, self.course)
        context.update(
            # Title and URL of the course; lessons are Steps (pk, title, url,
            # canonical_id): the memoised outline, no query.
            course=outline.course if outline else self.course,
            lessons=siblings,
            steps=steps,
            lesson_number=position + 1,
            previous_step=steps[step - 1] if step else None,
            next_step=steps[step + 1]
            if step is not None and step + 1 < len(steps)
            else None,
            journey=journey,
        )
        return context


def _quiz_page_model():

    return QuizPage


from .quizzes import FeedbackMode, QuestionPool, QuizPage, QuizPoolDraw  # noqa: E402, F401
