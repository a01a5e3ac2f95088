"""The quiz page: introduction, the attempt form, and the review after submission.

Served by QuizPage.serve(). Views stay thin: they parse the form and call the
domain functions in `attempts.py`; correct answers never reach the page before
the attempt is submitted (the template only gets `public_question`).
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.quizzes import FeedbackMode
from learning import progress
from learning.exceptions import AlreadyEnrolled, LearningError, PageRestricted
from learning.journey import course_journey
from learning.models import AttemptStatus, Enrollment, QuizAttempt
from learning.projection import canonical_page
from learning.views import restricted

from . import attempts
from .scoring import InvalidAnswer, read_number

RESERVED_FIELDS = {"csrfmiddlewaretoken", "action", "attempt"}
# Question types whose answers are texts of the question (its language).
TEXT_ANSWERS = {
    "single_choice",
    "multiple_choice",
    "short_text",
    "ordering",
    "matching",
}


def public_question(question: dict) -> dict:
    """What the page may show of a question before submission: no answer, no feedback."""
    shown = {
        "key": question["key"],
        "type": question["type"],
        "prompt": question["prompt"],
        # The language of the question's texts (attempts from before translated
        # questions were in the default language).
        "lang": question.get("lang") or settings.LANGUAGE_CODE,
    }
    if "choices" in question:
        shown["choices"] = [
            {"id": c["id"], "text": c["text"]} for c in question["choices"]
        ]
    if question["type"] == "numeric":
        shown["unit"] = question["unit"]
    if question["type"] == "ordering":
        texts = {item["id"]: item["text"] for item in question["items"]}
        shown["items"] = [
            {"id": key, "text": texts[key]} for key in question["display_order"]
        ]
        shown["positions"] = list(range(1, len(question["items"]) + 1))
    if question["type"] == "matching":
        rights = {pair["id"]: pair["right"] for pair in question["pairs"]}
        shown["lefts"] = [{"id": p["id"], "text": p["left"]} for p in question["pairs"]]
        shown["rights"] = [
            {"id": key, "text": rights[key]} for key in question["right_order"]
        ]
    return shown


def raw_answers_from(post, attempt: QuizAttempt) -> dict:
    """Turn the posted form into raw answers by question key (InvalidAnswer if odd)."""
    questions = {question["key"]: question for question in attempt.questions}
    for name in post:
        if name not in RESERVED_FIELDS and name not in _field_names(questions):
            raise InvalidAnswer(f"unknown field {name[:40]!r}")
    raw = {}
    for key, question in questions.items():
        kind = question["type"]
        if kind == "multiple_choice":
            values = post.getlist(key)
            if values:
                raw[key] = values
        elif kind == "ordering":
            positions = {
                item["id"]: post.get(f"{key}-{item['id']}", "")
                for item in question["items"]
            }
            if any(positions.values()):
                raw[key] = _order_from_positions(positions)
        elif kind == "matching":
            matches = {
                p["id"]: post.get(f"{key}-{p['id']}", "") for p in question["pairs"]
            }
            matches = {left: right for left, right in matches.items() if right}
            if matches:
                raw[key] = matches
        elif post.get(key, "") != "":
            raw[key] = post.get(key)
    return raw


def _field_names(questions: dict) -> set[str]:
    """Every form field name the attempt's questions can post."""
    names = set()
    for key, question in questions.items():
        if question["type"] == "ordering":
            names.update(f"{key}-{item['id']}" for item in question["items"])
        elif question["type"] == "matching":
            names.update(f"{key}-{pair['id']}" for pair in question["pairs"])
        else:
            names.add(key)
    return names


def _order_from_positions(positions: dict[str, str]) -> list[str]:
    try:
        numbers = {item: int(value) for item, value in positions.items()}
    except ValueError as error:
        raise InvalidAnswer("give every item a position") from error
    if sorted(numbers.values()) != list(range(1, len(numbers) + 1)):
        raise InvalidAnswer("each position must be used exactly once")
    return sorted(numbers, key=numbers.get)


def _enrollment(request, quiz) -> Enrollment | None:
    if not request.user.is_authenticated:
        return None
    course = canonical_page(quiz.get_parent().specific)
    return Enrollment.objects.filter(user=request.user, course=course).first()


def _show_corrections(quiz, attempt: QuizAttempt) -> bool:
    if quiz.feedback_mode == FeedbackMode.AFTER_EACH_ATTEMPT:
        return True
    if quiz.feedback_mode == FeedbackMode.AFTER_PASSING:
        return bool(attempt.passed)
    return False


def serve_quiz(request, quiz):
    enrollment = _enrollment(request, quiz)
    canonical_quiz = canonical_page(quiz)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"/accounts/login/?next={quiz.url}")
        return _post(request, quiz, enrollment)
    context = {"page": quiz, "self": quiz, "course": quiz.get_parent().specific}
    review_id = request.GET.get("attempt")
    if review_id:
        return _review(request, quiz, enrollment, review_id, context)
    if enrollment:
        open_attempt = QuizAttempt.objects.filter(
            enrollment=enrollment, quiz=canonical_quiz, status=AttemptStatus.OPEN
        ).first()
        if (
            open_attempt
            and open_attempt.deadline
            and timezone.now() > open_attempt.deadline
        ):
            # closes it at its deadline
            attempts.save_answers(open_attempt, {}, session=request.session)
            messages.warning(
                request,
                _(
                    "The time limit has passed: your attempt was scored with the answers you had saved."
                ),
            )
            open_attempt = None
        if open_attempt:
            context.update(
                attempt=open_attempt,
                questions=[public_question(q) for q in open_attempt.questions],
                answers=open_attempt.answers,
                problems=answer_problems(open_attempt),
                seconds_left=_seconds_left(open_attempt),
            )
            return render(request, "courses/quiz_attempt.html", context)
        past = list(
            QuizAttempt.objects.filter(
                enrollment=enrollment, quiz=canonical_quiz
            ).order_by("number")
        )
        context.update(
            past_attempts=past,
            attempts_left=attempts_left(enrollment, canonical_quiz, used=len(past)),
            best=max((a.score or 0 for a in past), default=None),
            passed=any(a.passed for a in past),
        )
    return render(request, "courses/quiz_page.html", context)


def _seconds_left(attempt: QuizAttempt) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - timezone.now()).total_seconds()))


def _post(request, quiz, enrollment):
    action = request.POST.get("action")
    if action == "start":
        if enrollment is None:
            try:
                enrollment = progress.enrol(
                    request.user, quiz.get_parent().specific, session=request.session
                )
            except AlreadyEnrolled:
                enrollment = _enrollment(request, quiz)
            except PageRestricted as error:
                return restricted(request, error, quiz)
            except LearningError as error:
                return _error(request, quiz, error.message, status=409)
        try:
            attempts.start_attempt(enrollment, quiz, session=request.session)
        except PageRestricted as error:
            return restricted(request, error, quiz)
        except LearningError as error:
            return _error(request, quiz, error.message, status=409)
        return HttpResponseRedirect(quiz.url)
    if action not in ("save", "submit"):
        return _error(request, quiz, _("Unknown action."), status=400)
    if enrollment is None:
        return _error(
            request, quiz, _("You are not enrolled in this course."), status=403
        )
    attempt = QuizAttempt.objects.filter(
        pk=_uuid_or_none(request.POST.get("attempt")), enrollment=enrollment
    ).first()
    if attempt is None:
        return _error(request, quiz, _("This attempt does not exist."), status=404)
    try:
        raw = raw_answers_from(request.POST, attempt)
        if action == "save":
            result = attempts.save_answers(attempt, raw, session=request.session)
        else:
            result = attempts.submit_attempt(attempt, raw, session=request.session)
    except InvalidAnswer as error:
        return _error(
            request,
            quiz,
            _("Your answers could not be read (%(reason)s). Nothing was recorded.")
            % {"reason": error},
            status=400,
        )
    except PageRestricted as error:
        return restricted(request, error, quiz)
    except LearningError as error:
        return _error(request, quiz, error.message, status=409)
    if result.late:
        return _error(
            request,
            quiz,
            _(
                "The time limit has passed: your attempt was scored with the answers you had saved before it."
            ),
            status=409,
            attempt=result.attempt,
        )
    if action == "save":
        messages.success(request, _("Your answers are saved."))
        for problem in answer_problems(result.attempt).values():
            messages.warning(request, problem)
        return HttpResponseRedirect(quiz.url)
    return HttpResponseRedirect(f"{quiz.url}?attempt={result.attempt.pk}")


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _error(request, quiz, message, *, status, attempt=None):
    return render(
        request,
        "courses/quiz_error.html",
        {"page": quiz, "self": quiz, "message": message, "attempt": attempt},
        status=status,
    )


def attempts_left(enrollment, quiz, *, used: int | None = None) -> int | None:
    """How many more attempts the learner may start; None when unlimited."""
    if not quiz.max_attempts:
        return None
    if used is None:
        used = attempts.attempts_used(enrollment, quiz)
    return max(0, quiz.max_attempts - used)


def _review(request, quiz, enrollment, review_id, context):
    attempt = None
    if enrollment is not None:
        attempt = QuizAttempt.objects.filter(
            pk=_uuid_or_none(review_id),
            enrollment=enrollment,
            status=AttemptStatus.SUBMITTED,
        ).first()
    if attempt is None:
        raise Http404
    canonical_quiz = canonical_page(quiz)
    corrections = _show_corrections(canonical_quiz, attempt)
    context.update(
        attempt=attempt,
        corrections=corrections,
        attempts_left=attempts_left(enrollment, canonical_quiz),
        max_attempts=canonical_quiz.max_attempts,
        reviewed=[_reviewed(q, attempt, corrections) for q in attempt.questions],
        # What the completion rule still asks for, or the certificate's state.
        journey=course_journey(request.user, context["course"]),
    )
    return render(request, "courses/quiz_review.html", context)


def _reviewed(question: dict, attempt: QuizAttempt, corrections: bool) -> dict:
    """A submitted question with the learner's answer (and, if allowed, corrections)."""
    answer = attempt.answers.get(question["key"])
    shown = public_question(question)
    row = {
        **shown,
        # True/False and numbers are said in the page's language, the rest in
        # the question's.
        "answer_lang": shown["lang"] if question["type"] in TEXT_ANSWERS else "",
        "choice_lang": shown["lang"] if "choices" in question else "",
        "answer": answer,
        "given": given_text(question, answer),
        "problem": answer_problem(question, answer),
        "score": attempt.question_scores.get(question["key"], 0),
    }
    row["choices"] = reviewed_choices(question, answer, corrections)
    if corrections:
        row["feedback"] = question.get("feedback", "")
        row["solution"] = _solution_text(question)
    return row


def reviewed_choices(question: dict, answer, corrections: bool) -> list[dict]:
    """Each choice of a choice or true/false question as shown after submission:
    its text, whether the learner chose it and, with corrections, whether it is
    correct and its own feedback. Empty for the other question types."""
    if "choices" in question:
        chosen = answer if isinstance(answer, list) else [answer]
        choices = [
            (c["text"], c["id"] in chosen, c["correct"], c.get("feedback", ""))
            for c in question["choices"]
        ]
    elif question["type"] == "true_false":
        choices = [
            (label, answer is value, question["answer"] is value, "")
            for label, value in ((_("True"), True), (_("False"), False))
        ]
    else:
        return []
    return [
        {"text": text, "chosen": chosen}
        | ({"correct": correct, "feedback": feedback} if corrections else {})
        for text, chosen, correct, feedback in choices
    ]


def answer_problem(question: dict, answer) -> str | None:
    """Why a kept answer will score nothing although the learner gave one."""
    if question["type"] != "numeric" or answer is None:
        return None
    if read_number(answer, question.get("unit", "")) is not None:
        return None
    if question.get("unit"):
        return _(
            "“%(answer)s” could not be read as a number: give the number alone, "
            "in %(unit)s."
        ) % {"answer": answer, "unit": question["unit"]}
    return _("“%(answer)s” could not be read as a number.") % {"answer": answer}


def answer_problems(attempt: QuizAttempt) -> dict[str, str]:
    """Question key -> the problem of its kept answer (see answer_problem)."""
    problems = {}
    for number, question in enumerate(attempt.questions, start=1):
        problem = answer_problem(question, attempt.answers.get(question["key"]))
        if problem:
            problems[question["key"]] = _("Question %(number)s: %(problem)s") % {
                "number": number,
                "problem": problem,
            }
    return problems


def given_text(question: dict, answer) -> str:
    """The learner's answer as they gave it, in words (for the review)."""
    kind = question["type"]
    if answer is None:
        return ""
    if kind in ("single_choice", "multiple_choice"):
        chosen = answer if isinstance(answer, list) else [answer]
        return " ; ".join(c["text"] for c in question["choices"] if c["id"] in chosen)
    if kind == "true_false":
        return _("True") if answer else _("False")
    if kind == "ordering":
        texts = {item["id"]: item["text"] for item in question["items"]}
        return " → ".join(texts.get(key, "?") for key in answer)
    if kind == "matching":
        rights = {p["id"]: p["right"] for p in question["pairs"]}
        return " ; ".join(
            f"{p['left']} → {rights.get(answer[p['id']], '?')}"
            for p in question["pairs"]
            if p["id"] in answer
        )
    return str(answer)


def _solution_text(question: dict) -> str:
    kind = question["type"]
    if kind in ("single_choice", "multiple_choice"):
        return " ; ".join(c["text"] for c in question["choices"] if c["correct"])
    if kind == "true_false":
        return _("True") if question["answer"] else _("False")
    if kind == "numeric":
        shown_tolerance = question.get("shown_tolerance", question["tolerance"])
        tolerance = f" ± {shown_tolerance}" if shown_tolerance not in ("0", "") else ""
        value = question.get("shown_value", question["value"])
        return f"{value}{tolerance} {question['unit']}".strip()
    if kind == "short_text":
        return " / ".join(question["accepted"])
    if kind == "ordering":
        return " → ".join(item["text"] for item in question["items"])
    if kind == "matching":
        return " ; ".join(f"{p['left']} → {p['right']}" for p in question["pairs"])
    return ""
