"""The Markdown fields' preview in the admin (issue 17, point 5): the site's own
rendering and sanitising, for those who write content only, and a 4xx (never a
500) for whatever is posted."""

import hashlib

from django.core.cache import cache
from django.test import Client
from django.urls import reverse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cms.roles import ensure_role_groups
from courses.markdown import RENDERING_VERSION, render_markdown
from courses.markdown_preview import MAX_PREVIEW_CHARS, PREVIEW_URL_NAME
from tests.courses.test_markdown import FORBIDDEN, XSS_PAYLOADS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/markdown/preview/"


@pytest.fixture
def trainer_client(trainer, client):
    client.force_login(trainer)
    return client


def preview(client, text, **extra):
    return client.post(URL, {"text": text}, **extra)


def test_markdown_preview_url():
    assert reverse(PREVIEW_URL_NAME) == URL


def test_markdown_preview_renders_as_the_site_does(trainer_client):
    """The trainer gets the HTML learners will get, and no mistakes to fix."""
    text = "## Titre\n\nUn **DOI** est pérenne.\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |"
    response = preview(trainer_client, text)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body == {"html": render_markdown(text), "problems": []}
    assert "<strong>DOI</strong>" in body["html"]
    assert 'class="align-center"' in body["html"]


def test_markdown_preview_lists_the_mistakes_a_save_would_refuse(trainer_client):
    """An unclosed fence or an unknown admonition is said with its line number."""
    text = 'Texte\n\n!!! bizarre "Titre"\n    corps\n\n```python\nx = 1\n'
    problems = preview(trainer_client, text).json()["problems"]
    assert len(problems) == 2
    assert problems[0].startswith("line 3: unknown admonition type 'bizarre'")
    assert problems[1].startswith("line 6: code fence ``` is never closed")


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markdown_preview_strips_active_content(trainer_client, payload):
    """Scripts, handlers, javascript: links and embedding tags never come back."""
    html = preview(trainer_client, f"Avant\n\n{payload}\n\nAprès").json()["html"]
    for needle in FORBIDDEN:
        assert needle not in html.lower(), (payload, html)


def test_markdown_preview_leaves_the_shared_cache_alone(trainer_client):
    """Previewed drafts, keystroke after keystroke, are not cached."""
    text = "Un brouillon **unique** 8f3a"
    digest = hashlib.sha256(text.encode()).hexdigest()
    preview(trainer_client, text)
    assert cache.get(f"atelier:markdown:{RENDERING_VERSION}:{digest}") is None
    render_markdown(text)  # the site's own rendering is cached under that key
    assert cache.get(f"atelier:markdown:{RENDERING_VERSION}:{digest}") is not None


@pytest.mark.parametrize(
    ("method", "data", "status"),
    [
        ("get", None, 405),
        ("put", None, 405),
        ("post", {}, 400),
        ("post", {"text": "x" * (MAX_PREVIEW_CHARS + 1)}, 413),
    ],
)
def test_markdown_preview_bad_requests(trainer_client, method, data, status):
    """Wrong method, no text, too long: a 4xx the script shows, never a 500."""
    response = getattr(trainer_client, method)(URL, data or {})
    assert response.status_code == status


def test_markdown_preview_bad_bytes(trainer_client):
    """Bytes that are not UTF-8, a NUL, a form with many fields: still answered."""
    for body in (b"text=%FF%FE%00", b"text=\x00\x01", b"text=a&text=b&x=" + b"y" * 9):
        response = trainer_client.post(
            URL, body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200, body
        assert "html" in response.json()


@settings(max_examples=40)
@given(text=st.text(max_size=300))
def test_markdown_preview_never_fails_on_any_text(text):
    """Whatever a trainer types, the answer is 200 (or 400 for nothing to say)."""
    client = Client()
    user = UserFactory(username="formatrice-hypothesis")
    user.groups.add(ensure_role_groups()["trainers"])
    client.force_login(user)
    response = preview(client, text)
    assert response.status_code == 200
    for needle in ("<script", "onerror", "javascript:"):
        assert needle not in response.json()["html"].lower()


def test_markdown_preview_only_for_those_who_write(client, learner):
    """A learner or a manager gets a 403, a visitor the log-in page."""
    response = preview(client, "x")
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(learner)
    assert preview(client, "x").status_code in (302, 403)  # no admin access at all
    manager = UserFactory(username="responsable")
    manager.groups.add(ensure_role_groups()["managers"])
    client.force_login(manager)
    response = preview(client, "x")
    assert response.status_code == 403
    assert "html" not in response.json()


def test_markdown_preview_question_bank_editors(client):
    """Someone who edits question banks only may preview their questions."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="banques")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_questionpool"),
    )
    client.force_login(user)
    assert preview(client, "**x**").status_code == 200


def test_markdown_preview_needs_the_csrf_token(trainer):
    """A cross-site form cannot make a trainer's browser render text."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainer)
    assert preview(client, "x").status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/admin/pages/{lesson}/edit/",
        "/admin/pages/{course}/edit/",
        "/admin/pages/{quiz}/edit/",
    ],
)
def test_markdown_preview_on_the_editors(trainer_client, draft_course, url):
    """The lesson, course and quiz editors load the script, and their Markdown
    fields carry the preview's address and labels."""
    pages = {
        "course": draft_course.pk,
        "lesson": draft_course.get_children().get(slug="lecon-1").pk,
        "quiz": draft_course.get_children().get(slug="evaluation").pk,
    }
    html = trainer_client.get(url.format(**pages)).content.decode()
    assert "js/markdown-preview.js" in html
    assert "css/markdown-preview.css" in html
    # StreamField blocks are drawn by Wagtail's script from escaped JSON.
    plain = html.replace("\\&quot;", '"').replace("\\u2019", "’")
    plain = plain.replace("\\u00e7", "ç")
    assert f'data-markdown-preview="{URL}"' in plain
    assert 'data-markdown-preview-show="Afficher l’aperçu"' in plain


def test_markdown_preview_on_every_markdown_block():
    """Every block rendered as Markdown has the preview: lesson blocks and question
    prompts, feedback, and each answer's feedback (a short one)."""
    from courses.blocks import LessonBodyBlock
    from courses.markdown_preview import MarkdownTextarea
    from courses.questions import SingleChoiceQuestionBlock

    question = SingleChoiceQuestionBlock()
    choice_feedback = question.child_blocks["choices"].child_block.child_blocks[
        "feedback"
    ]
    for block, rows in (
        (LessonBodyBlock().child_blocks["markdown"], 12),
        (question.child_blocks["prompt"], 12),
        (question.child_blocks["feedback"], 12),
        (choice_feedback, 2),
    ):
        widget = block.field.widget
        assert isinstance(widget, MarkdownTextarea), block
        assert widget.attrs["rows"] == rows
