from django import template

from courses.outline import canonical_id
from courses.quizzes import QuizPage

register = template.Library()


@register.filter
def lesson_done(journey, lesson) -> bool:
    """Whether the learner completed `lesson` (in any of its languages)."""
    return journey.is_completed(lesson)


@register.filter
def step_state(journey, item) -> str:
    """The learner's state on a lesson or quiz (an outline Step or a page):
    "done" or "to_do" for a lesson, "passed", "to_pass" or "optional" (not
    required, not passed) for a quiz; "" when not enrolled."""
    if journey is None or not journey.enrollment:
        return ""
    is_quiz = getattr(item, "is_quiz", None)
    if is_quiz is None:
        is_quiz = isinstance(item, QuizPage)
    step_id = getattr(item, "canonical_id", None) or canonical_id(item)
    if step_id in journey.completed_lesson_ids:
        return "passed" if is_quiz else "done"
    if not is_quiz:
        return "to_do"
    return "to_pass" if getattr(item, "required", True) else "optional"


@register.filter
def get_item(mapping, key):
    """mapping[key], or None (for answers saved by question key)."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def position_of(order, item_id) -> int | None:
    """1-based position of `item_id` in a saved ordering answer."""
    try:
        return list(order).index(item_id) + 1
    except (ValueError, TypeError):
        return None
