"""Markdown rendering and sanitising: what an author writes never runs in a browser."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from courses.blocks import MarkdownBlock
from courses.markdown import check_markdown, markdown_text, render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)></svg>",
    '<iframe src="https://evil.example"></iframe>',
    "<div onmouseover=alert(1)>hover</div>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<form action=https://evil.example><input type=password></form>",
    "<object data=x></object><embed src=x>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '![x](x" onerror="alert(1))',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<style>body{display:none}</style>",
    "```\n</code></pre><script>alert(1)</script>\n```",
    '!!! note "<img src=x onerror=alert(1)>"\n    text',
]

FORBIDDEN = ["<script", "onerror", "onload", "onmouseover", "javascript:", "<iframe",
             "<svg", "<form", "<object", "<embed", "<base", "<meta", "<style", "data:text"]  # fmt: skip


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_markdown_strips_xss_payloads(payload):
    """No script, event handler, javascript: URL or embedding tag survives rendering."""
    html = render_markdown(f"Texte avant\n\n{payload}\n\nTexte après").lower()
    for needle in FORBIDDEN:
        assert needle not in html, (payload, html)
    assert "texte avant" in html and "texte après" in html


def test_render_markdown_keeps_teaching_features():
    """Tables, footnotes, admonitions, highlighted code and task lists render."""
    html = render_markdown(
        "| Lettre | Sens |\n|---|---|\n| F | Findable |\n\n"
        "Voir la note[^1].\n\n[^1]: Wilkinson et al., 2016.\n\n"
        '!!! tip "Bon réflexe"\n    Citez vos données.\n\n'
        "```python\nimport h5py\n```\n\n- [x] PGD rédigé\n- [ ] Données déposées\n"
    )
    assert "<table>" in html and "<td>Findable</td>" in html
    assert 'class="footnote"' in html
    assert 'class="admonition tip"' in html and "Bon réflexe" in html
    assert 'class="highlight"' in html and "h5py" in html
    assert '<input type="checkbox" disabled' in html


def test_render_markdown_keeps_safe_links():
    """Ordinary links survive and open without leaking the opener."""
    html = render_markdown("[DORANUM](https://doranum.fr/)")
    assert 'href="https://doranum.fr/"' in html and "noopener" in html


@given(st.text(max_size=300))
def test_render_markdown_never_emits_script(text):
    """Whatever the input, the output has no script tag and no inline handler."""
    html = render_markdown(text).lower()
    assert "<script" not in html
    assert " onerror=" not in html and " onload=" not in html


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("Intro\n\n```python\nx = 1\n", 3, "never closed"),
        ("Intro\n!!! tipp\n    x", 2, "unknown admonition type 'tipp'"),
        ("!!!\n    x", 1, "malformed admonition"),
        ('Ok\n\n!!! warning "Titre" extra\n    x', 3, "malformed admonition"),
    ],
)
def test_check_markdown_reports_line_and_reason(text, line, reason):
    """Extension-syntax mistakes are reported with their line number."""
    problems = check_markdown(text)
    assert len(problems) == 1
    assert problems[0].line == line
    assert reason in problems[0].message


def test_check_markdown_accepts_valid_extension_syntax():
    """Valid fences (including ones containing !!!) and admonitions pass."""
    text = '!!! danger "Attention"\n    x\n\n~~~\n!!! nope\n~~~\n\n````md\n```\n````\n'
    assert check_markdown(text) == []


def test_markdown_block_clean_rejects_invalid_syntax():
    """The admin's Markdown block refuses an unclosed fence with its line."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="line 1: code fence"):
        MarkdownBlock().clean("```\ncode")


def test_markdown_block_renders_sanitised_html():
    """The block renders through the same sanitiser."""
    html = MarkdownBlock().render("**gras** <script>alert(1)</script>")
    assert "<strong>gras</strong>" in html and "<script" not in html


def test_table_alignment_is_a_class_not_an_inline_style():
    """The site's Content-Security-Policy blocks inline styles: column alignment
    comes as a class, and no style attribute survives the sanitiser."""
    html = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert 'class="align-center">b' in html and 'class="align-right">3' in html
    assert "style=" not in html
    assert "style=" not in render_markdown('<td style="text-align: left">x</td>')


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Un DOI est **pérenne**.", "Un DOI est pérenne."),
        (
            "## Titre\n\nLe *texte* et [un lien](https://x.org)",
            "Titre Le texte et un lien",
        ),
        ("`h5py` & <script>alert(1)</script> a < b", "h5py & a < b"),
        ("Voir la note[^1] ici.\n\n[^1]: Wilkinson, 2016.", "Voir la note ici."),
        ("| F | Findable |\n|---|---|\n| A | Accessible |", "F Findable A Accessible"),
        ("", ""),
    ],
)
def test_markdown_text_is_what_a_reader_reads(text, plain):
    """Titles and CSV cells get the text of the Markdown: no marks, no tags,
    entities decoded, footnotes left out, one line."""
    assert markdown_text(text) == plain
