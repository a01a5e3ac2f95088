"""The completion rule, written once.

A course is completed when **every published lesson is marked as done** (opening
a lesson or following "next" does not mark it) **and every published quiz marked
"required" is passed**. Optional quizzes never block completion. Completing the
course issues the certificate.

Writes (`progress.complete_lesson`, a quiz submission) ask `requirements_met`,
which reads the database; pages ask `Completion`, built from the memoised outline
and the learner's progress rows they already read. Both decide with `counts`.
"""

from dataclasses import dataclass

from courses.models import CoursePage, LessonPage, QuizPage
from courses.outline import Outline, Step

from .models import Enrollment, LessonProgress, QuizAttempt


def counts(step: Step) -> bool:
    """Whether a step must be done to complete its course: lessons and required quizzes."""
    return not step.is_quiz or step.required


@dataclass(frozen=True)
class Completion:
    """What the rule says about one learner in one course, for display."""

    steps: tuple[Step, ...]  # the steps that count, in the trainer's order
    done_ids: frozenset[int]  # canonical ids of completed lessons and passed quizzes
    completed: bool = False  # the enrolment is completed (the rule was met)

    @property
    def missing(self) -> list[Step]:
        """The steps still to do, in order (none once the course is completed)."""
        if self.completed:
            return []
        return [step for step in self.steps if step.canonical_id not in self.done_ids]

    @property
    def next_step(self) -> Step | None:
        """Where "continue" leads: the first unfinished lesson or required quiz."""
        missing = self.missing
        return missing[0] if missing else None

    def next_after(self, step_id: int) -> Step | None:
        """After finishing step `step_id` (canonical): the next step still to do
        further on, else the first one still to do earlier."""
        order = [step.canonical_id for step in self.steps]
        position = order.index(step_id) if step_id in order else -1
        missing = self.missing
        later = [step for step in missing if order.index(step.canonical_id) > position]
        return (later or missing or [None])[0]

    @property
    def lesson_count(self) -> int:
        return sum(not step.is_quiz for step in self.steps)

    @property
    def quiz_count(self) -> int:
        return sum(step.is_quiz for step in self.steps)

    @property
    def lessons_done(self) -> int:
        return self.lesson_count - sum(not step.is_quiz for step in self.missing)

    @property
    def quizzes_done(self) -> int:
        """Required quizzes passed."""
        return self.quiz_count - sum(step.is_quiz for step in self.missing)

    @property
    def percent(self) -> int:
        if self.completed:
            return 100
        if not self.steps:
            return 0
        return round(100 * (len(self.steps) - len(self.missing)) / len(self.steps))


def completion(
    outline: Outline | None, done_ids, enrollment: Enrollment | None = None
) -> Completion:
    """The rule applied to a course's outline (in any language) and what is done."""
    steps = tuple(step for step in outline.steps if counts(step)) if outline else ()
    return Completion(
        steps=steps,
        done_ids=frozenset(done_ids),
        completed=bool(enrollment and enrollment.is_completed),
    )


def done_step_ids(enrollment: Enrollment) -> set[int]:
    """Canonical ids of the completed lessons and passed quizzes (one query)."""
    lessons = LessonProgress.objects.filter(
        enrollment=enrollment, completed_at__isnull=False
    ).values_list("lesson_id", flat=True)
    quizzes = QuizAttempt.objects.filter(
        enrollment=enrollment, passed=True
    ).values_list("quiz_id", flat=True)
    return set(lessons.order_by().union(quizzes.order_by(), all=True))


def _counted_step_ids(course: CoursePage) -> set[int]:
    """The rule in SQL: the course's live lessons and live required quizzes (one query)."""
    lessons = LessonPage.objects.live().child_of(course).values_list("pk", flat=True)
    quizzes = (
        QuizPage.objects.live()
        .child_of(course)
        .filter(required=True)
        .values_list("pk", flat=True)
    )
    return set(lessons.order_by().union(quizzes.order_by(), all=True))


def requirements_met(enrollment: Enrollment) -> bool:
    """Whether the rule is met now, from the database (two queries)."""
    required = _counted_step_ids(enrollment.course)
    return bool(required) and required <= done_step_ids(enrollment)


def issued_certificate(enrollment: Enrollment):
    """The certificate of the enrolment's current completion, None while it is on
    its way (the job issues it after the completion is committed)."""
    from .certificates.models import Certificate

    if not enrollment.is_completed:
        return None
    return Certificate.objects.filter(
        enrollment=enrollment, completed_at=enrollment.completed_at
    ).first()
