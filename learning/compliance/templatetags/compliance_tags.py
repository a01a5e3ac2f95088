from django import template

from learning.compliance.units import is_manager

register = template.Library()


@register.filter
def manages_units(user) -> bool:
    """True for people with a manager membership (the "Compliance" link)."""
    cached = getattr(user, "_compliance_manager", None)
    if cached is None:
        cached = is_manager(user)
        if user.is_authenticated:
            user._compliance_manager = cached
    return cached
