"""Markdown for course content: rendered with Python-Markdown + pymdown-extensions,
then sanitised with nh3 so nothing an author writes can run in a learner's browser.

`check_markdown` finds the extension syntax mistakes that Markdown would silently
render as text (an unclosed fence, an unknown admonition type), so the course import
can refuse them with a line number.
"""

import hashlib
import html as html_lib
import re
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache

import markdown
import nh3

ADMONITION_TYPES = ("note", "info", "tip", "warning", "danger")

EXTENSIONS = [
    "admonition",
    "tables",
    "footnotes",
    "sane_lists",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.tasklist",
    "pymdownx.tilde",
]
EXTENSION_CONFIGS = {
    "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight"},
    "pymdownx.tasklist": {"custom_checkbox": False},
    "footnotes": {"BACKLINK_TITLE": ""},
}

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "input", "kbd", "li", "ol", "p", "pre",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class"},
    # ids only where footnotes and heading anchors need them
    **{tag: {"id"} for tag in ("sup", "li", "h2", "h3", "h4", "h5", "h6")},
    "a": {"href", "title"},
    "abbr": {"title"},
    "input": {"type", "checked", "disabled"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _keep_safe_attribute(element, attribute, value):
    # Task-list checkboxes are display-only; no other form control gets through.
    if element == "input" and attribute == "type" and value != "checkbox":
        return None
    return value


# Table column alignment: Markdown writes it as an inline style, which the
# site's Content-Security-Policy blocks (cms/csp.py); a class does the same.
_ALIGN_STYLE = re.compile(r'\sstyle="text-align:\s*(left|right|center);?"')


# Bump when the rendering (extensions, sanitising) changes: cached HTML is keyed on it.
RENDERING_VERSION = 2


def render_markdown(text: str) -> str:
    """Render author Markdown to sanitised HTML, safe to mark as safe in templates.

    Rendering costs milliseconds per block, so the HTML is cached by content
    hash: in this process, then in the shared cache (a new text, a new key).
    """
    if not text:
        return ""
    return _cached_render(text)


def preview_markdown(text: str) -> str:
    """The same rendering, not cached: a trainer's preview, keystroke after
    keystroke, leaves no entry in the shared cache."""
    return _render(text) if text else ""


@lru_cache(maxsize=512)
def _cached_render(text: str) -> str:
    digest = hashlib.sha256(text.encode()).hexdigest()
    key = f"atelier:markdown:{RENDERING_VERSION}:{digest}"
    html = cache.get(key)
    if html is None:
        html = _render(text)
        cache.set(key, html, timeout=7 * 24 * 3600)
    return html


def _render(text: str) -> str:
    html = markdown.markdown(
        text or "",
        extensions=EXTENSIONS,
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )
    # The page title is the only h1: an author's top-level heading becomes an h2.
    html = re.sub(r"<(/?)h1\b", r"<\1h2", html)
    html = _ALIGN_STYLE.sub(r' class="align-\1"', html)
    return sanitise_html(html)


def sanitise_html(html: str) -> str:
    """Strip scripts, event handlers, javascript: links and unknown tags."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_safe_attribute,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_SPACES = re.compile(r"\s+")
# Footnotes (their references and the list at the end) are no part of a title.
_FOOTNOTES = re.compile(
    r'<sup id="fnref[^"]*">.*?</sup>|<div class="footnote">.*?</div>', re.DOTALL
)


def markdown_text(text: str) -> str:
    """The plain text of author Markdown on one line, for titles, table cells and
    CSV exports: what a learner reads, without `**`, `#` or link syntax."""
    if not text:
        return ""
    html = _FOOTNOTES.sub("", render_markdown(text))
    plain = nh3.clean(html, tags=set(), strip_comments=True)
    return _SPACES.sub(" ", html_lib.unescape(plain)).strip()


@dataclass(frozen=True)
class MarkdownProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")
_ADMONITION = re.compile(r"^\s*!!!(?P<rest>.*)$")
_ADMONITION_HEADER = re.compile(r'^\s+(?P<kind>[a-z]+)(\s+"[^"]*")?\s*$')


def check_markdown(text: str) -> list[MarkdownProblem]:
    """Return the extension-syntax mistakes in `text` (1-based line numbers)."""
    problems: list[MarkdownProblem] = []
    open_fence: tuple[int, str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        fence = _FENCE.match(line)
        if open_fence:
            if fence and fence["fence"].startswith(open_fence[1]):
                if line.strip() == fence["fence"]:
                    open_fence = None
            continue
        if fence:
            open_fence = (number, fence["fence"])
            continue
        admonition = _ADMONITION.match(line)
        if admonition:
            header = _ADMONITION_HEADER.match(admonition["rest"])
            if not header:
                problems.append(
                    MarkdownProblem(
                        number,
                        'malformed admonition: expected !!! type "Optional title"',
                    )
                )
            elif header["kind"] not in ADMONITION_TYPES:
                problems.append(
                    MarkdownProblem(
                        number,
                        f"unknown admonition type {header['kind']!r} "
                        f"(allowed: {', '.join(ADMONITION_TYPES)})",
                    )
                )
    if open_fence:
        problems.append(
            MarkdownProblem(
                open_fence[0], f"code fence {open_fence[1]} is never closed"
            )
        )
    return problems
