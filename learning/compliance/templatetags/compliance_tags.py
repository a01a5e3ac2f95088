from django import template
from django.utils import translation
from django.utils.formats import get_format, localize
from django.utils.html import escape
from django.utils.safestring import mark_safe

from learning.compliance.models import ComplianceStatus
from learning.compliance.scope import is_manager

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


def _formatters():
    """Escaped status labels and a number formatter for the active language."""
    language = translation.get_language()
    found = _FORMATTERS.get(language)
    if found is None:
        separator = get_format("DECIMAL_SEPARATOR")
        labels = {status: escape(status.label) for status in ComplianceStatus}

        def number(value) -> str:
            if isinstance(value, float):
                return escape(str(value).replace(".", separator))
            return escape(localize(value))

        found = _FORMATTERS[language] = (labels, number)
    return found


_FORMATTERS: dict = {}


@register.simple_tag
def unit_row_cells(row):
    """A unit row's cells after its name: people, cleared, one per status, the bar.

    Written in Python rather than in the template: the institute's dashboard
    has hundreds of these rows and the template engine made them its slowest
    part. The HTML is the one the template wrote; every value is escaped.
    """
    labels, number = _formatters()
    segments = row.segments
    counts = "".join(
        f'<td>{number(s.count)} <span class="muted">({number(s.percent)} %)</span></td>'
        for s in segments
    )
    aria = ", ".join(f"{labels[s.status]} {number(s.percent)} %" for s in segments)
    bar = "".join(
        f'<span class="status-{escape(s.status.value)}" style="width: {s.percent:.1f}%"'
        f' title="{labels[s.status]}: {number(s.count)}"></span>'
        for s in segments
        if s.count
    )
    return mark_safe(  # noqa: S308 - built from the escaped values above
        f"<td>{number(row.total)}</td>\n<td>{number(row.cleared_percent)} %</td>\n"
        f'{counts}\n<td class="bar-col"><div class="status-bar" role="img"'
        f' aria-label="{aria}">{bar}</div></td>'
    )
