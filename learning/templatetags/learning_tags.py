from django import template

register = template.Library()


@register.filter
def lesson_done(journey, lesson) -> bool:
    """Whether the learner completed `lesson` (in any of its languages)."""
    return journey.is_completed(lesson)
