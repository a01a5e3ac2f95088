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
        f'<td>{number(s.count)} <span class="muted percent">({number(s.percent)} %)</span></td>'
        for s in segments
    )
    aria = ", ".join(f"{labels[s.status]} {number(s.percent)} %" for s in segments)
    # An SVG, not spans with a style attribute: the site's Content-Security-Policy
    # allows no inline style, and an SVG's geometry is made of attributes.
    bar, start = [], 0.0
    for s in segments:
        if s.count:
            bar.append(
                f'<rect class="status-{escape(s.status.value)}" x="{start:.2f}" y="0"'
                f' width="{s.percent:.2f}" height="1"><title>{labels[s.status]}:'
                f" {number(s.count)}</title></rect>"
            )
            start += s.percent
    return mark_safe(  # noqa: S308 - built from the escaped values above
        f"<td>{number(row.total)}</td>\n<td>{number(row.cleared_percent)} %</td>\n"
        f'{counts}\n<td class="bar-col"><svg class="status-bar" role="img"'
        f' aria-label="{aria}" viewBox="0 0 100 1" preserveAspectRatio="none">'
        f"{''.join(bar)}</svg></td>"
    )
