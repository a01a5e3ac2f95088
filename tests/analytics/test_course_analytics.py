"""Course analytics computed on the hand-built record of conftest.py.

Every expected figure below was worked out by hand from the table in the
conftest docstring; the discrimination values are checked against the
point-biserial formula r_pb = (M1 - M0) / s_y * sqrt(p q) where the question is
scored 0/1, and against the Pearson formula where it has partial credit.
"""

import math
from datetime import timedelta

from django.utils import timezone

import pytest

from learning.analytics.course_analytics import (
    LESSON,
    QUIZ,
    course_analytics,
    score_bin,
)
from tests.analytics.conftest import add_attempt, enrol, make_quiz
from tests.factories import CoursePageFactory, UserFactory

pytestmark = pytest.mark.django_db


def by_id(quiz):
    return {question.question_id: question for question in quiz.questions}


def test_course_analytics_enrolments(course, records):
    """Six enrolled, A and B completed: a third of the learners."""
    figures = course_analytics(course).enrolments
    assert (figures.total, figures.completed) == (6, 2)
    assert figures.completion_rate == pytest.approx(1 / 3)


def test_course_analytics_funnel_follows_the_syllabus(course, lessons, records):
    """Lessons 1-3 were completed by 5, 4 and 3 learners; the quiz passed by A and B."""
    funnel = course_analytics(course).funnel
    assert [(step.title, step.kind, step.learners) for step in funnel] == [
        ("Le SNDS", LESSON, 5),
        ("Accès", LESSON, 4),
        ("Sécurité", LESSON, 3),
        ("Évaluation finale", QUIZ, 2),
    ]
    assert [step.share for step in funnel] == pytest.approx(
        [5 / 6, 4 / 6, 3 / 6, 2 / 6]
    )


def test_course_analytics_quiz_pass_rates(course, records):
    """Eight submitted attempts by six learners; A passed first time, B at the second."""
    (quiz,) = course_analytics(course).quizzes
    assert (quiz.attempts, quiz.learners) == (8, 6)  # E's open attempt is left out
    assert (quiz.passed_first_attempt, quiz.passed_eventually) == (1, 2)
    assert quiz.first_attempt_pass_rate == pytest.approx(1 / 6)
    assert quiz.eventual_pass_rate == pytest.approx(2 / 6)


def test_course_analytics_quiz_scores_and_bins(course, records):
    """Scores 1, .75, .875, .5, .375, .25, .25, 0: mean .5, median .4375."""
    (quiz,) = course_analytics(course).quizzes
    assert quiz.mean_score == pytest.approx(0.5)
    assert quiz.median_score == pytest.approx(0.4375)
    assert [b.attempts for b in quiz.bins] == [1, 0, 2, 1, 0, 1, 0, 1, 1, 1]
    assert [(b.lower, b.upper) for b in quiz.bins][:2] == [(0, 10), (10, 20)]
    assert quiz.bins[-1].upper == 100
    assert sum(b.share for b in quiz.bins) == pytest.approx(1)
    assert quiz.max_bin == 2


def test_course_analytics_question_difficulty(course, records):
    """Difficulty is the mean fraction, per stable id whatever the key: qb 2/7, qd 4/8."""
    (quiz,) = course_analytics(course).quizzes
    questions = by_id(quiz)
    assert {qid: q.times_asked for qid, q in questions.items()} == {
        "qa": 8,
        "qb": 7,  # F's draw left it out
        "qc": 8,
        "qd": 8,
    }
    assert questions["qa"].difficulty == pytest.approx(5 / 8)
    assert questions["qb"].difficulty == pytest.approx(2 / 7)
    assert questions["qc"].difficulty == pytest.approx(5 / 8)
    assert questions["qd"].difficulty == pytest.approx(4 / 8)
    # hardest first, ties by prompt
    assert [q.question_id for q in quiz.questions] == ["qb", "qd", "qc", "qa"]
    assert questions["qa"].prompt == "Que contient le SNDS ?"
    assert questions["qa"].type_label == "Choix unique"  # French by default


def point_biserial(xs, ys):
    """r_pb = (M1 - M0) / s_y * sqrt(p q), population s_y (xs are 0 or 1)."""
    ones = [y for x, y in zip(xs, ys, strict=True) if x == 1]
    zeros = [y for x, y in zip(xs, ys, strict=True) if x == 0]
    mean = sum(ys) / len(ys)
    s = math.sqrt(sum((y - mean) ** 2 for y in ys) / len(ys))
    p = len(ones) / len(xs)
    return (
        (sum(ones) / len(ones) - sum(zeros) / len(zeros)) / s * math.sqrt(p * (1 - p))
    )


def test_course_analytics_question_discrimination(course, records):
    """Discrimination is the correlation of the question with the rest score."""
    (quiz,) = course_analytics(course).quizzes
    questions = by_id(quiz)
    # qb (0/1): rest scores 1, 1, 5/6, 2/3, 1/2, 1/3, 1/3 for answers 1,0,1,0,0,0,0;
    # M1 = 11/12, M0 = 17/30, s_y = sqrt(1/14), p = 2/7:
    # r = (7/20) * sqrt(14) * sqrt(10/49) = sqrt(0.35)
    qb_x = [1, 0, 1, 0, 0, 0, 0]
    qb_y = [1, 1, 5 / 6, 2 / 3, 1 / 2, 1 / 3, 1 / 3]
    assert point_biserial(qb_x, qb_y) == pytest.approx(math.sqrt(0.35))
    assert questions["qb"].discrimination == pytest.approx(math.sqrt(0.35))
    # qa (0/1), rest 1, 2/3, 5/6, 1/3, 1/2, 0, 1/3, 0 (F's rest is qc, qd only)
    qa_x = [1, 1, 1, 1, 0, 1, 0, 0]
    qa_y = [1, 2 / 3, 5 / 6, 1 / 3, 1 / 2, 0, 1 / 3, 0]
    assert questions["qa"].discrimination == pytest.approx(point_biserial(qa_x, qa_y))
    assert questions["qa"].discrimination == pytest.approx(0.410072, abs=1e-6)
    # qc (0/1): M1 = 8/15, M0 = 1/3, s_y = sqrt(0.130208), p = 5/8 -> 0.6 / sqrt(5)
    assert questions["qc"].discrimination == pytest.approx(0.6 / math.sqrt(5))
    # qd has partial credit: x = 1, 1, .5, 1, .5, 0, 0, 0 against rest
    # y = 1, 2/3, 1, 1/3, 1/3, 1/3, 1/3, 0: Sxy = 1/2, Sxx = 1.5, Syy = 1/2 -> 1/sqrt(3)
    assert questions["qd"].discrimination == pytest.approx(1 / math.sqrt(3))


def test_course_analytics_discrimination_needs_five_attempts(course):
    """With four attempts the discrimination is undefined (shown "—")."""
    quiz = make_quiz(course)
    when = timezone.now() - timedelta(days=1)
    rows = [(1, 1), (1, 0), (0, 1), (0, 0)]
    for i, (a, b) in enumerate(rows):
        enrollment = enrol(UserFactory(username=f"four-{i}"), course, when=when)
        add_attempt(enrollment, quiz, 1, {"qa": a, "qb": b}, ["qa", "qb"], when=when)
    (figures,) = course_analytics(course).quizzes
    assert all(q.discrimination is None for q in figures.questions)
    assert by_id(figures)["qa"].difficulty == pytest.approx(0.5)


def test_course_analytics_discrimination_zero_variance(course):
    """A question everyone got right, or a constant rest score, has no discrimination."""
    quiz = make_quiz(course)
    when = timezone.now() - timedelta(days=1)
    for i, other in enumerate([1, 0, 1, 0, 0, 1]):
        enrollment = enrol(UserFactory(username=f"same-{i}"), course, when=when)
        fractions = {"easy": 1, "other": other, "flat": 1 / 3}
        add_attempt(
            enrollment, quiz, 1, fractions, ["easy", "other", "flat"], when=when
        )
    questions = by_id(course_analytics(course).quizzes[0])
    assert questions["easy"].difficulty == 1
    assert questions["easy"].discrimination is None  # no variance in x
    assert questions["flat"].discrimination is None  # same fraction every time
    # "other" against the rest (easy + flat) / 2, which is constant: no variance in y
    assert questions["other"].discrimination is None


def test_course_analytics_empty_course(catalogue):
    """A course without enrolment or attempts gives zeros and no rate."""
    course = CoursePageFactory(parent=catalogue, title="Vide", slug="vide")
    make_quiz(course)
    figures = course_analytics(course)
    assert (figures.enrolments.total, figures.enrolments.completion_rate) == (0, None)
    assert [step.learners for step in figures.funnel] == [0]
    (quiz,) = figures.quizzes
    assert (quiz.attempts, quiz.mean_score, quiz.median_score) == (0, None, None)
    assert quiz.first_attempt_pass_rate is None
    assert quiz.questions == []
    assert [b.share for b in quiz.bins] == [None] * 10


def test_course_analytics_on_a_translation_uses_the_canonical_course(course, records):
    """Asking for the English page gives the French course's figures."""
    from wagtail.models import Locale

    english = course.copy_for_translation(Locale.objects.get(language_code="en"))
    figures = course_analytics(english)
    assert figures.course.pk == course.pk
    assert figures.enrolments.total == 6


@pytest.mark.parametrize(
    ("score", "expected"),
    [(0, 0), (0.0999, 0), (0.1, 1), (0.3, 3), (0.7, 7), (0.8999, 8), (0.9, 9), (1, 9)],
)
def test_score_bin_edges(score, expected):
    """A score on a boundary goes to the upper bin; 100 % is in the last one."""
    assert score_bin(score) == expected
