"""What a quiz preview shows the trainer: the quiz page, or a set of questions
drawn as for a learner (from the draft's own questions and pools). Nothing is
recorded: no enrolment, no attempt, no statement; the form cannot be sent."""

import random
from types import SimpleNamespace

from courses.previews import preview_url
from courses.question_languages import language_of
from courses.quizzes import QUESTIONS_PREVIEW, QuizPage
from learning.exceptions import QuizMisconfigured

from .attempts import draw_questions
from .views import public_question


def quiz_preview_context(quiz: QuizPage, context: dict, mode: str) -> dict:
    """`context` (the page's) completed for the preview `mode`."""
    context["questions_preview_url"] = (
        f"{preview_url(quiz)}?mode={QUESTIONS_PREVIEW}" if quiz.pk else ""
    )
    if mode != QUESTIONS_PREVIEW:
        return context
    try:
        # A fresh draw at each preview, like a new attempt.
        questions = draw_questions(quiz, random.SystemRandom(), language_of(quiz))
    except QuizMisconfigured as error:
        questions = []
        context["preview_error"] = error.message
    context.update(
        attempt=SimpleNamespace(pk="", number=1, deadline=None),
        questions=[public_question(question) for question in questions],
        answers={},
        seconds_left=None,
    )
    return context
