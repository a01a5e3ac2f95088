"""Quizzes: question pools (reusable banks) and the quiz page, which asks its own
questions and draws more from banks."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from cms.caching import MemoisedViewRestrictionsMixin

from .markdown_preview import MarkdownTextarea
from .previews import draft_course, is_preview
from .question_languages import language_of
from .questions import QuestionsBlock, snapshot_question
from .quiz_admin import DrawsPanel, QuizPageForm

QUESTIONS_PREVIEW = "questions"


class QuestionPool(TranslatableMixin, models.Model):
    """A bank of questions on one topic; quizzes draw N of them per attempt.

    Translatable as Wagtail snippets are (`locale`, `translation_key`): a bank's
    translation is the same bank in another language, with the same code, and its
    questions keep their block ids (and their answers' ids), so a translated
    question is the same question for grading, xAPI and analytics. Quizzes draw
    from the original bank; an attempt shows the learner's translation of each
    drawn question (courses/question_languages.py).
    """

    code = models.SlugField(
        _("code"), max_length=80, help_text=_("Unique in each language.")
    )
    title = models.CharField(_("title"), max_length=200)
    questions = StreamField(QuestionsBlock(), verbose_name=_("questions"))

    panels = [FieldPanel("title"), FieldPanel("code"), FieldPanel("questions")]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta(TranslatableMixin.Meta):
        ordering = ["title"]
        verbose_name = _("question pool")
        verbose_name_plural = _("question pools")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "locale"], name="unique_pool_code_per_locale"
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        """The code is unique in the bank's language (the admin form has no locale
        field, so the database constraint alone would answer a 500)."""
        from django.core.exceptions import ValidationError

        super().clean()
        locale_id = self.locale_id or self.get_default_locale().pk
        taken = QuestionPool.objects.filter(code=self.code, locale_id=locale_id)
        if self.pk:
            taken = taken.exclude(pk=self.pk)
        if self.code and taken.exists():
            raise ValidationError(
                {"code": _("A question pool with this code already exists.")}
            )

    @property
    def question_count(self) -> int:
        return len(self.questions)  # counts the stored blocks, builds none

    def question_snapshots(self) -> list[dict]:
        language = language_of(self)
        return [
            {**snapshot_question(bound), "pool": self.code, "lang": language}
            for bound in self.questions
        ]


class FeedbackMode(models.TextChoices):
    AFTER_EACH_ATTEMPT = "after_each_attempt", _("After each attempt")
    AFTER_PASSING = "after_passing", _("After passing")
    NEVER = "never", _("Never")


class QuizPage(MemoisedViewRestrictionsMixin, Page):
    """An assessment inside a course: its own questions, asked at every attempt,
    and questions drawn from banks (reused across quizzes)."""

    intro = models.TextField(_("introduction"), blank=True, help_text=_("Markdown."))
    questions = StreamField(
        QuestionsBlock(),
        verbose_name=_("questions of this quiz"),
        blank=True,
        help_text=_(
            "Asked at every attempt, together with the questions drawn from banks."
        ),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for unlimited attempts."),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no time limit."),
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_choices = models.BooleanField(_("shuffle answers"), default=True)
    required = models.BooleanField(_("required to complete the course"), default=True)
    feedback_mode = models.CharField(
        _("show corrections and feedback"),
        max_length=30,
        choices=FeedbackMode.choices,
        default=FeedbackMode.AFTER_EACH_ATTEMPT,
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro", widget=MarkdownTextarea(attrs={"rows": 6})),
        FieldPanel("questions"),
        DrawsPanel(
            "draws",
            heading=_("Questions drawn from banks"),
            label=_("draw"),
            add_label=_("Draw questions from a bank"),
            help_text=_(
                "A bank's questions can be reused by several quizzes; each attempt "
                "draws the given number of them at random."
            ),
        ),
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("max_attempts"),
                FieldPanel("time_limit_minutes"),
                FieldPanel("required"),
            ],
            heading=_("Rules"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("shuffle_questions"),
                FieldPanel("shuffle_choices"),
                FieldPanel("feedback_mode"),
            ],
            heading=_("Presentation"),
        ),
    ]
    base_form_class = QuizPageForm
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []
    # The trainer also previews a drawn set of questions (nothing is recorded).
    preview_modes = [
        ("", _("Quiz page")),
        (QUESTIONS_PREVIEW, _("Questions, as drawn for a learner")),
    ]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    @property
    def course(self):
        return self.get_parent().specific

    @property
    def question_count(self) -> int:
        """Questions per attempt: its own, and those drawn from banks."""
        return len(self.questions) + sum(draw.count for draw in self.draws.all())

    def question_snapshots(self) -> list[dict]:
        """The quiz's own questions in stored form (no bank: `pool` is empty)."""
        language = language_of(self)
        return [
            {**snapshot_question(bound), "pool": "", "lang": language}
            for bound in self.questions
        ]

    def serve(self, request, *args, **kwargs):
        from learning.quiz.views import serve_quiz

        from .outline import require_live_course

        require_live_course(self, request)
        return serve_quiz(request, self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["course"] = draft_course(self) if is_preview(request) else self.course
        return context

    def get_preview_template(self, request, mode_name):
        if mode_name == QUESTIONS_PREVIEW:
            return "courses/quiz_attempt.html"
        return super().get_preview_template(request, mode_name)

    def get_preview_context(self, request, mode_name):
        from learning.quiz.previews import quiz_preview_context

        context = super().get_preview_context(request, mode_name)
        return quiz_preview_context(self, context, mode_name)


class QuizPoolDraw(Orderable):
    """How many questions a quiz draws from one pool at each attempt."""

    quiz = ParentalKey(QuizPage, on_delete=models.CASCADE, related_name="draws")
    pool = models.ForeignKey(
        QuestionPool, verbose_name=_("pool"), on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveSmallIntegerField(
        _("questions drawn"), default=1, validators=[MinValueValidator(1)]
    )

    panels = [FieldPanel("pool"), FieldPanel("count")]

    class Meta(Orderable.Meta):
        verbose_name = _("draw")

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.pool_id and self.count > len(self.pool.questions):
            raise ValidationError(
                {
                    "count": _("This pool has only %(n)s questions.")
                    % {"n": len(self.pool.questions)}
                }
            )
