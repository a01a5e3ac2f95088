from django import template
from django.utils.safestring import mark_safe
from wagtail.templatetags.wagtailcore_tags import pageurl

from courses.markdown import render_markdown
from courses.previews import is_preview, preview_url

register = template.Library()


@register.filter
def markdown(text):
    """Render Markdown to sanitised HTML."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.simple_tag(takes_context=True)
def page_link(context, page):
    """The page's address; in a preview, the address of its own preview (drafts)."""
    if is_preview(context.get("request")):
        return preview_url(page)
    return pageurl(context, page)


@register.simple_tag
def lang_attribute(language):
    """` lang="xx"` for text in `language` when the page is in another one
    (an untranslated question on an English page, say); nothing otherwise."""
    from django.utils.html import format_html
    from django.utils.translation import get_language

    current = (get_language() or "").split("-")[0]
    if not language or language == current:
        return ""
    return format_html(' lang="{}"', language)
