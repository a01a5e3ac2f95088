"""Quiz attempts as domain functions: start, save, submit. Each is one transaction
holding the attempt rows and their xAPI statements ("attempted", one "answered"
per question, then "passed" or "failed")."""

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language

from courses.question_languages import language_of, locale_for, localise_all
from courses.quizzes import QuizPage
from learning.exceptions import (
    AttemptClosed,
    NoAttemptsLeft,
    QuizMisconfigured,
    QuizNotAvailable,
)
from learning.models import AttemptStatus, Enrollment, QuizAttempt
from learning.projection import apply_statements, canonical_page
from learning.restrictions import require_view
from learning.xapi import vocabulary
from learning.xapi.statements import activity, build_statement
from learning.xapi.store import store_own_statements, store_statement

from .interactions import question_activity, response_string
from .scoring import InvalidAnswer, parse_answer, score_attempt, score_question

ATTEMPT_EXTENSION = "http://id.tincanapi.com/extension/attempt-id"


@dataclass
class Submission:
    attempt: QuizAttempt
    late: bool = False


def _language() -> str:
    return (get_language() or "fr").split("-")[0]


def quiz_of(
    enrollment: Enrollment, quiz: QuizPage, *, session: Mapping | None = None
) -> QuizPage:
    """The canonical quiz, checked to be live, part of the enrolled (published)
    course and viewable by the learner (PageRestricted otherwise)."""
    given, quiz = quiz, canonical_page(quiz)
    if not isinstance(quiz, QuizPage) or not quiz.live:
        raise QuizNotAvailable
    if not enrollment.course.live or quiz.get_parent().pk != enrollment.course_id:
        raise QuizNotAvailable
    require_view(enrollment.user, given, quiz, session=session)
    return quiz


def _require_available(attempt: QuizAttempt, session: Mapping | None) -> None:
    """An attempt is saved or submitted only while its quiz and course are
    published and the learner may view them (the rows are already joined)."""
    if not attempt.quiz.live or not attempt.enrollment.course.live:
        raise QuizNotAvailable
    require_view(attempt.enrollment.user, attempt.quiz, session=session)


def draw_questions(
    quiz: QuizPage, rng: random.Random, language: str | None = None
) -> list[dict]:
    """The quiz's own questions and each pool's share drawn, shuffled as
    configured, with their display order fixed.

    `language`: the attempt's; each question is shown in its translation there
    (the quiz page's or the bank's), else in its own language, which its `lang`
    says. The draw itself does not depend on the language."""
    own = quiz.question_snapshots()
    questions = _in_language(own, quiz, language, _page_translation)
    for draw in quiz.draws.select_related("pool").order_by("sort_order"):
        pool = draw.pool.question_snapshots()
        if draw.count > len(pool):
            raise QuizMisconfigured
        drawn = rng.sample(pool, draw.count)
        questions.extend(_in_language(drawn, draw.pool, language, _pool_translation))
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    for number, question in enumerate(questions, start=1):
        question["key"] = f"q{number}"
        if "choices" in question and quiz.shuffle_choices:
            rng.shuffle(question["choices"])
        if question["type"] == "ordering":
            question["display_order"] = _shuffled_ids(question["items"], rng)
        if question["type"] == "matching":
            question["right_order"] = _shuffled_ids(question["pairs"], rng)
    return questions


def _page_translation(quiz: QuizPage, locale) -> list[dict]:
    translated = QuizPage.objects.live().filter(
        translation_key=quiz.translation_key, locale=locale
    )
    page = translated.first()
    return page.question_snapshots() if page is not None else []


def _pool_translation(pool, locale) -> list[dict]:
    translated = pool.get_translation_or_none(locale)
    return translated.question_snapshots() if translated is not None else []


def _in_language(questions: list[dict], source, language, translations) -> list[dict]:
    """`questions` of `source` (a quiz page or a bank) in `language` where
    translated; no query when there is nothing to translate."""
    if not questions or not language or language_of(source) == language:
        return questions
    locale = locale_for(language)
    if locale is None:
        return questions
    return localise_all(questions, translations(source, locale), language)


def _shuffled_ids(items: list[dict], rng: random.Random) -> list[str]:
    ids = [item["id"] for item in items]
    for _ in range(5):  # an ordering shown already solved would give it away
        rng.shuffle(ids)
        if ids != [item["id"] for item in items]:
            break
    return ids


def _lock_enrollment(enrollment: Enrollment) -> Enrollment:
    """The enrolment locked, not the user and course rows the join reads (as in
    _lock_attempt): learners starting a quiz of one course must not queue."""
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("course", "user")
        .get(pk=enrollment.pk)
    )


def attempts_used(enrollment: Enrollment, quiz: QuizPage) -> int:
    return QuizAttempt.objects.filter(enrollment=enrollment, quiz=quiz).count()


def start_attempt(
    enrollment: Enrollment,
    quiz: QuizPage,
    *,
    when: datetime | None = None,
    rng: random.Random | None = None,
    session: Mapping | None = None,
) -> QuizAttempt:
    """Open a new attempt (or return the open one): draws questions, records "attempted".

    The questions are shown in the language of the quiz page the learner started
    from (its translation's), fixed with the attempt. `session`: the learner's,
    for a course behind a shared password.
    """
    when = when or timezone.now()
    language = language_of(quiz)
    try:
        with transaction.atomic():
            enrollment = _lock_enrollment(enrollment)
            quiz = quiz_of(enrollment, quiz, session=session)
            current = QuizAttempt.objects.filter(
                enrollment=enrollment, quiz=quiz, status=AttemptStatus.OPEN
            ).first()
            if current and not _expired(current, when):
                return current
            if current:
                _finalise(current, current.deadline)
            used = attempts_used(enrollment, quiz)
            if quiz.max_attempts and used >= quiz.max_attempts:
                raise NoAttemptsLeft
            attempt = QuizAttempt.objects.create(
                enrollment=enrollment,
                quiz=quiz,
                number=used + 1,
                started_at=when,
                deadline=when + timedelta(minutes=quiz.time_limit_minutes)
                if quiz.time_limit_minutes
                else None,
                questions=draw_questions(quiz, rng or random.SystemRandom(), language),
            )
            statement = build_statement(
                user=enrollment.user,
                verb=vocabulary.ATTEMPTED,
                obj=activity("quiz", quiz),
                when=when,
                registration=enrollment.pk,
                parent=activity("course", enrollment.course, with_definition=False),
                language=_language(),
            )
            statement["context"]["extensions"] = {ATTEMPT_EXTENSION: attempt.number}
            store_statement(statement)
            apply_statements([statement])
            return attempt
    except IntegrityError as error:  # a second tab started one at the same moment
        raise AttemptClosed from error


def _expired(attempt: QuizAttempt, when: datetime) -> bool:
    return attempt.deadline is not None and when > attempt.deadline


def parse_answers(attempt: QuizAttempt, raw_answers: dict) -> dict:
    """Validate raw answers by question key; InvalidAnswer names the question."""
    by_key = {question["key"]: question for question in attempt.questions}
    unknown = set(raw_answers) - set(by_key)
    if unknown:
        raise InvalidAnswer(f"unknown question {sorted(unknown)[0]!r}")
    parsed = {}
    for key, raw in raw_answers.items():
        try:
            parsed[key] = parse_answer(by_key[key], raw)
        except InvalidAnswer as error:
            raise InvalidAnswer(f"{key}: {error}") from error
    return parsed


def _lock_attempt(attempt: QuizAttempt) -> QuizAttempt:
    """Re-read the attempt under a lock, with its enrolment locked too (the
    learner's progress changes queue on it, as in learning.progress), but not
    the user, course or quiz rows the join reads: locking those would queue
    every learner of the course, and editors publishing it."""
    return (
        QuizAttempt.objects.select_for_update(of=("self", "enrollment"))
        .select_related("enrollment__user", "enrollment__course", "quiz")
        .get(pk=attempt.pk)
    )


def save_answers(
    attempt: QuizAttempt, raw_answers: dict, *, when=None, session=None
) -> Submission:
    """Keep the answers of an open attempt (submitting later scores them)."""
    when = when or timezone.now()
    with transaction.atomic():
        attempt = _lock_attempt(attempt)
        if not attempt.is_open:
            raise AttemptClosed
        _require_available(attempt, session)
        if _expired(attempt, when):
            _finalise(attempt, attempt.deadline)
            return Submission(attempt, late=True)
        answers = parse_answers(attempt, raw_answers)
        attempt.answers = {**attempt.answers, **answers}
        attempt.save(update_fields=["answers"])
        return Submission(attempt)


def submit_attempt(
    attempt: QuizAttempt, raw_answers: dict, *, when=None, session=None
) -> Submission:
    """Score the attempt on the server and record its statements.

    After the time limit, the posted answers are ignored: the attempt is scored
    as submitted at the limit, with what was saved before it. `session`: the
    learner's, for a course behind a shared password.
    """
    when = when or timezone.now()
    with transaction.atomic():
        attempt = _lock_attempt(attempt)
        if not attempt.is_open:
            raise AttemptClosed
        _require_available(attempt, session)
        if _expired(attempt, when):
            _finalise(attempt, attempt.deadline)
            return Submission(attempt, late=True)
        attempt.answers = {**attempt.answers, **parse_answers(attempt, raw_answers)}
        _finalise(attempt, when)
        return Submission(attempt)


def _finalise(attempt: QuizAttempt, when: datetime) -> None:
    """Score, close and record the attempt; completes the course when it is due.

    The statements are stored in bulk and projected together: a constant number
    of queries whatever the number of questions.
    """
    from learning.progress import complete_course, course_requirements_met

    quiz = attempt.quiz.specific
    enrollment = attempt.enrollment
    scores, score = score_attempt(attempt.questions, attempt.answers)
    passed = score * 100 >= quiz.pass_mark
    language = _language()
    statements = _answered_statements(attempt, when, language)
    statements.append(_outcome_statement(attempt, when, language, scores, passed))
    store_own_statements(statements)
    apply_statements(statements)
    attempt.status = AttemptStatus.SUBMITTED
    attempt.submitted_at = when
    attempt.question_scores = scores
    attempt.score = score
    attempt.passed = passed
    attempt.save()
    if passed and not enrollment.is_completed and course_requirements_met(enrollment):
        complete_course(enrollment, when=when)


def _answered_statements(attempt: QuizAttempt, when: datetime, language: str):
    """One "answered" per question, built from the questions the attempt drew."""
    enrollment = attempt.enrollment
    quiz_activity = activity("quiz", attempt.quiz, with_definition=False)
    course_activity = activity("course", enrollment.course, with_definition=False)
    statements = []
    for question in attempt.questions:
        answer = attempt.answers.get(question["key"])
        fraction = score_question(question, answer)
        statement = build_statement(
            user=enrollment.user,
            verb=vocabulary.ANSWERED,
            obj=question_activity(question, language),
            when=when,
            registration=enrollment.pk,
            parent=quiz_activity,
            language=language,
            completion=answer is not None,
            success=fraction == 1.0,
            score=(round(fraction, 4), 0.0, 1.0),
        )
        statement["context"]["contextActivities"]["grouping"] = [
            course_activity.as_version()
        ]
        statement["result"]["response"] = response_string(question, answer)
        statements.append(statement)
    return statements


def _outcome_statement(
    attempt: QuizAttempt, when: datetime, language: str, scores: dict, passed: bool
) -> dict:
    """The "passed" or "failed" statement, with the total score and duration."""
    enrollment = attempt.enrollment
    outcome = build_statement(
        user=enrollment.user,
        verb=vocabulary.PASSED if passed else vocabulary.FAILED,
        obj=activity("quiz", attempt.quiz.specific),
        when=when,
        registration=enrollment.pk,
        parent=activity("course", enrollment.course, with_definition=False),
        language=language,
        completion=True,
        success=passed,
        score=(round(sum(scores.values()), 4), 0.0, float(len(attempt.questions))),
        duration=max(when - attempt.started_at, timedelta(0)),
    )
    outcome["context"]["extensions"] = {ATTEMPT_EXTENSION: attempt.number}
    return outcome
