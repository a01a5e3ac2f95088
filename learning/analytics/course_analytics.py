"""Per-course figures for trainers: enrolments, funnel, quiz scores, item analysis.

Everything is read from the stored records (enrolments, lesson progress and
submitted quiz attempts) in a fixed number of queries, whatever the number of
learners or attempts: attempts are streamed with `.values_list().iterator()` and
folded into running sums, so memory grows with the number of distinct questions
(and one float per attempt for the median), not with the stored snapshots.

Progress rows point at the default-language pages, so the figures are always
computed on the canonical (French) course, whichever translation is asked for.

Item analysis, per question identified by its stable id across attempts (a
question keeps its id in its pool whatever the draw and the display order):

- **difficulty** ``p`` = mean of the question's fraction (0 to 1) over the
  attempts that drew it; for an all-or-nothing question, the share of learners
  who got it right. Higher is easier.
- **discrimination** = the point-biserial correlation between the question's
  fraction ``x`` and the attempt's *rest score* ``y`` (the mean fraction of the
  other questions of the same attempt, so the question does not correlate with
  itself)::

      r = Σ (x_i − x̄)(y_i − ȳ) / √( Σ (x_i − x̄)² · Σ (y_i − ȳ)² )

  For a 0/1 question this is exactly the point-biserial
  ``r_pb = (M₁ − M₀) / s_y · √(p (1 − p))`` (M₁, M₀: mean rest score of those
  who got it right / wrong; s_y: population standard deviation of y); for a
  partial-credit question it is the same Pearson product-moment formula. It is
  left undefined (shown "—") with fewer than `MIN_ATTEMPTS_FOR_DISCRIMINATION`
  attempts, when either variance is zero, or for one-question attempts (no rest).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from courses.markdown import markdown_text
from courses.models import CoursePage, LessonPage
from courses.questions import QuestionsBlock
from courses.quizzes import QuizPage
from learning.models import (
    AttemptStatus,
    Enrollment,
    EnrollmentStatus,
    LessonProgress,
    QuizAttempt,
)
from learning.projection import canonical_page

MIN_ATTEMPTS_FOR_DISCRIMINATION = 5
SCORE_BINS = 10
_EPSILON = 1e-12

LESSON = "lesson"
QUIZ = "quiz"


def rate(part: int, whole: int) -> float | None:
    """`part / whole`, None when there is nothing to divide."""
    return part / whole if whole else None


def percent(value: float | None) -> float | None:
    """A 0..1 figure as a percentage, for display (None stays None)."""
    return None if value is None else value * 100


@dataclass(frozen=True)
class EnrolmentFigures:
    total: int
    completed: int

    @property
    def completion_rate(self) -> float | None:
        return rate(self.completed, self.total)

    @property
    def completion_percent(self) -> float | None:
        return percent(self.completion_rate)


@dataclass(frozen=True)
class FunnelStep:
    """One syllabus item: learners who completed the lesson / passed the quiz."""

    page_id: int
    title: str
    kind: str  # LESSON or QUIZ
    learners: int
    enrolled: int

    @property
    def share(self) -> float | None:
        return rate(self.learners, self.enrolled)

    @property
    def percent(self) -> float | None:
        return percent(self.share)


@dataclass(frozen=True)
class ScoreBin:
    """Attempts whose score falls in [lower, upper) percent (the last bin includes 100)."""

    lower: int
    upper: int
    attempts: int
    total: int

    @property
    def share(self) -> float | None:
        return rate(self.attempts, self.total)

    @property
    def percent(self) -> float | None:
        return percent(self.share)

    @property
    def label(self) -> str:
        return f"{self.lower}–{self.upper} %"


@dataclass(frozen=True)
class QuestionFigures:
    question_id: str
    prompt: str
    type: str
    pool: str
    times_asked: int
    difficulty: float  # mean fraction correct, 0..1
    discrimination: float | None  # point-biserial with the rest score

    @property
    def difficulty_percent(self) -> float:
        return self.difficulty * 100

    @property
    def type_label(self) -> str:
        return question_type_label(self.type)


@dataclass(frozen=True)
class QuizFigures:
    quiz_id: int
    title: str
    pass_mark: int
    attempts: int
    learners: int
    passed_first_attempt: int
    passed_eventually: int
    mean_score: float | None
    median_score: float | None
    bins: list[ScoreBin]
    questions: list[QuestionFigures]

    @property
    def first_attempt_pass_rate(self) -> float | None:
        """Share of the learners who tried whose first submitted attempt passed."""
        return rate(self.passed_first_attempt, self.learners)

    @property
    def eventual_pass_rate(self) -> float | None:
        """Share of the learners who tried who passed at some attempt."""
        return rate(self.passed_eventually, self.learners)

    @property
    def first_attempt_pass_percent(self) -> float | None:
        return percent(self.first_attempt_pass_rate)

    @property
    def eventual_pass_percent(self) -> float | None:
        return percent(self.eventual_pass_rate)

    @property
    def mean_percent(self) -> float | None:
        return percent(self.mean_score)

    @property
    def median_percent(self) -> float | None:
        return percent(self.median_score)

    @property
    def max_bin(self) -> int:
        return max((b.attempts for b in self.bins), default=0)


@dataclass(frozen=True)
class CourseAnalytics:
    course: CoursePage
    enrolments: EnrolmentFigures
    funnel: list[FunnelStep]
    quizzes: list[QuizFigures]


@cache
def _question_types() -> dict:
    return QuestionsBlock().child_blocks


def question_type_label(code: str) -> str:
    """The translated name of a question type ("single_choice" -> "Single choice")."""
    block = _question_types().get(code)
    return str(block.label) if block is not None else code


# -- running statistics ------------------------------------------------------


@dataclass
class _Moments:
    """Welford-style running means and co-moments of (x, y) pairs.

    Updating by deviations keeps an exactly constant series at exactly zero
    variance, which the naive Σx² − n·x̄² does not.
    """

    n: int = 0
    mean_x: float = 0.0
    mean_y: float = 0.0
    m2_x: float = 0.0
    m2_y: float = 0.0
    c_xy: float = 0.0

    def add(self, x: float, y: float) -> None:
        self.n += 1
        dx = x - self.mean_x
        self.mean_x += dx / self.n
        dy = y - self.mean_y
        self.mean_y += dy / self.n
        self.m2_x += dx * (x - self.mean_x)
        self.m2_y += dy * (y - self.mean_y)
        self.c_xy += dx * (y - self.mean_y)

    def correlation(self) -> float | None:
        if self.n < MIN_ATTEMPTS_FOR_DISCRIMINATION:
            return None
        if self.m2_x <= _EPSILON or self.m2_y <= _EPSILON:
            return None
        r = self.c_xy / math.sqrt(self.m2_x * self.m2_y)
        return max(-1.0, min(1.0, r))


@dataclass
class _QuestionAccumulator:
    prompt: str = ""
    type: str = ""
    pool: str = ""
    named_in_source: bool = False  # the prompt is in the default language
    asked: int = 0
    total_fraction: float = 0.0
    moments: _Moments = field(default_factory=_Moments)

    def figures(self, question_id: str) -> QuestionFigures:
        return QuestionFigures(
            question_id=question_id,
            # the prompt is Markdown: a table cell or a CSV column shows its text
            prompt=markdown_text(self.prompt),
            type=self.type,
            pool=self.pool,
            times_asked=self.asked,
            difficulty=self.total_fraction / self.asked,
            discrimination=self.moments.correlation(),
        )


@dataclass
class _QuizAccumulator:
    quiz: QuizPage
    attempts: int = 0
    scores: list[float] = field(default_factory=list)
    bins: list[int] = field(default_factory=lambda: [0] * SCORE_BINS)
    first_attempt: dict = field(default_factory=dict)  # enrolment -> (number, passed)
    passed: set = field(default_factory=set)  # enrolments that passed
    questions: dict[str, _QuestionAccumulator] = field(default_factory=dict)

    def add(self, enrollment_id, number, score, passed, questions, fractions) -> None:
        self.attempts += 1
        self.scores.append(score)
        self.bins[score_bin(score)] += 1
        first = self.first_attempt.get(enrollment_id)
        if first is None or number < first[0]:
            self.first_attempt[enrollment_id] = (number, bool(passed))
        if passed:
            self.passed.add(enrollment_id)
        self._add_items(questions or [], fractions or {})

    def _add_items(self, questions: list[dict], fractions: dict) -> None:
        items = []
        for question in questions:
            question_id = str(question.get("id") or question.get("key"))
            fraction = float(fractions.get(question.get("key"), 0.0) or 0.0)
            items.append((question_id, question, fraction))
        total = sum(fraction for _, _, fraction in items)
        for question_id, question, fraction in items:
            acc = self.questions.get(question_id)
            if acc is None:
                acc = self.questions[question_id] = _QuestionAccumulator()
            # The latest snapshot names the question (a trainer may fix a typo),
            # in the default language: a translated question is the same question
            # (same id), asked to learners of another language.
            source = question.get("lang", settings.LANGUAGE_CODE) == (
                settings.LANGUAGE_CODE
            )
            if source or not acc.named_in_source:
                acc.prompt = str(question.get("prompt", ""))
                acc.named_in_source = acc.named_in_source or source
            acc.type = str(question.get("type", ""))
            acc.pool = str(question.get("pool", ""))
            acc.asked += 1
            acc.total_fraction += fraction
            if len(items) > 1:
                acc.moments.add(fraction, (total - fraction) / (len(items) - 1))

    def figures(self) -> QuizFigures:
        learners = len(self.first_attempt)
        questions = [acc.figures(qid) for qid, acc in self.questions.items()]
        # hardest first: what a trainer looks at before rewriting a lesson
        questions.sort(key=lambda q: (q.difficulty, q.prompt, q.question_id))
        return QuizFigures(
            quiz_id=self.quiz.pk,
            title=self.quiz.title,
            pass_mark=self.quiz.pass_mark,
            attempts=self.attempts,
            learners=learners,
            passed_first_attempt=sum(
                1 for _, passed in self.first_attempt.values() if passed
            ),
            passed_eventually=len(self.passed),
            mean_score=statistics.fmean(self.scores) if self.scores else None,
            median_score=statistics.median(self.scores) if self.scores else None,
            bins=[
                ScoreBin(
                    lower=i * 100 // SCORE_BINS,
                    upper=(i + 1) * 100 // SCORE_BINS,
                    attempts=count,
                    total=self.attempts,
                )
                for i, count in enumerate(self.bins)
            ],
            questions=questions,
        )


def score_bin(score: float) -> int:
    """Index of the 10-point bin of a 0..1 score; 100 % goes in the last bin."""
    value = round(score * 100, 6)  # 0.3 * 100 is 30.000000000000004
    return max(0, min(SCORE_BINS - 1, int(value // (100 // SCORE_BINS))))


# -- the figures -------------------------------------------------------------


def _syllabus(course: CoursePage) -> tuple[list[LessonPage], list[QuizPage]]:
    """Live lessons and quizzes in tree order: two queries, no `.specific()` fan-out."""
    lessons = list(LessonPage.objects.live().child_of(course).order_by("path"))
    quizzes = list(QuizPage.objects.live().child_of(course).order_by("path"))
    return lessons, quizzes


def _enrolments(course: CoursePage, learners) -> QuerySet:
    """The course's enrolments, of `learners` only when given (a manager's people)."""
    enrolments = Enrollment.objects.filter(course=course)
    return enrolments if learners is None else enrolments.filter(user__in=learners)


def enrolment_figures(course: CoursePage, learners=None) -> EnrolmentFigures:
    counts = _enrolments(course, learners).aggregate(
        total=Count("pk"),
        completed=Count("pk", filter=Q(status=EnrollmentStatus.COMPLETED)),
    )
    return EnrolmentFigures(total=counts["total"], completed=counts["completed"])


def _lesson_completions(course: CoursePage, learners=None) -> dict[int, int]:
    rows = (
        LessonProgress.objects.filter(
            enrollment__in=_enrolments(course, learners), completed_at__isnull=False
        )
        .values("lesson_id")
        .annotate(learners=Count("enrollment_id", distinct=True))
        .order_by()
    )
    return {row["lesson_id"]: row["learners"] for row in rows}


def _submitted_attempts(quizzes: Iterable[QuizPage], learners=None) -> Iterable[tuple]:
    attempts = QuizAttempt.objects.filter(
        quiz__in=[quiz.pk for quiz in quizzes],
        status=AttemptStatus.SUBMITTED,
        score__isnull=False,
    )
    if learners is not None:
        attempts = attempts.filter(enrollment__user__in=learners)
    return (
        attempts.order_by("submitted_at", "number")
        .values_list(
            "quiz_id",
            "enrollment_id",
            "number",
            "score",
            "passed",
            "questions",
            "question_scores",
        )
        .iterator(chunk_size=500)
    )


def quiz_figures(quizzes: list[QuizPage], learners=None) -> list[QuizFigures]:
    """Scores and item analysis of the given quizzes, from one streamed query."""
    accumulators = {quiz.pk: _QuizAccumulator(quiz) for quiz in quizzes}
    if accumulators:
        for (
            quiz_id,
            enrollment_id,
            number,
            score,
            passed,
            questions,
            fractions,
        ) in _submitted_attempts(quizzes, learners):
            accumulators[quiz_id].add(
                enrollment_id, number, score, passed, questions, fractions
            )
    return [accumulators[quiz.pk].figures() for quiz in quizzes]


def course_analytics(course: CoursePage, *, learners=None) -> CourseAnalytics:
    """All the figures of one course (its canonical version), in a fixed number of
    queries; with `learners` (a queryset of people), theirs only."""
    course = canonical_page(course)
    lessons, quizzes = _syllabus(course)
    enrolments = enrolment_figures(course, learners)
    completions = _lesson_completions(course, learners) if lessons else {}
    quiz_results = quiz_figures(quizzes, learners)
    passed_by_quiz = {q.quiz_id: q.passed_eventually for q in quiz_results}

    steps = [(lesson.path, LESSON, lesson) for lesson in lessons]
    steps += [(quiz.path, QUIZ, quiz) for quiz in quizzes]
    funnel = [
        FunnelStep(
            page_id=page.pk,
            title=page.title,
            kind=kind,
            learners=completions.get(page.pk, 0)
            if kind == LESSON
            else passed_by_quiz[page.pk],
            enrolled=enrolments.total,
        )
        for _, kind, page in sorted(steps, key=lambda step: step[0])
    ]
    return CourseAnalytics(
        course=course, enrolments=enrolments, funnel=funnel, quizzes=quiz_results
    )
