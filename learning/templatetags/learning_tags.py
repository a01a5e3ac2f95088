from django import template

register = template.Library()


@register.filter
def lesson_done(journey, lesson) -> bool:
    """Whether the learner completed `lesson` (in any of its languages)."""
    return journey.is_completed(lesson)


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
