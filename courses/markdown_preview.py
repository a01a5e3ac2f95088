"""The "Preview" of the Markdown fields in the Wagtail admin (issue 17, point 5).

Every Markdown field of the editors (lesson and quiz blocks, question prompts and
feedback, a course's summary, a quiz's introduction) uses `MarkdownTextarea`: a
textarea that `js/markdown-preview.js` gives a "Preview" button. The script posts
the text to `preview_markdown_view`, which renders it through the site's own
pipeline (Python-Markdown, pymdown-extensions, nh3), so the trainer sees what
learners will get, sanitised the same way, and the extension-syntax mistakes the
save would refuse. Loaded as a file, as everything under the site's CSP.
"""

from django import forms
from django.http import JsonResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.permission_policies.pages import PagePermissionPolicy

from .markdown import check_markdown, preview_markdown

# A lesson body is rarely past 20,000 characters; past this, no preview.
MAX_PREVIEW_CHARS = 100_000
PREVIEW_URL_NAME = "courses_markdown_preview"


class MarkdownTextarea(forms.Textarea):
    """A textarea for Markdown with a preview rendered by the server."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "data-markdown-preview": reverse_lazy(PREVIEW_URL_NAME),
                "data-markdown-preview-show": _("Show the preview"),
                "data-markdown-preview-hide": _("Hide the preview"),
                "data-markdown-preview-label": _("Preview of the Markdown"),
                "data-markdown-preview-failed": _(
                    "The preview could not be rendered. Your text is unchanged."
                ),
                **(attrs or {}),
            }
        )

    class Media:
        js = ["js/markdown-preview.js"]
        css = {"all": ["css/markdown-preview.css"]}


def can_preview_markdown(user) -> bool:
    """Those who write content: page editors (trainers) and question-bank editors."""
    if not (user.is_active and user.is_authenticated):
        return False
    return PagePermissionPolicy().user_has_any_permission(
        user, {"add", "change", "publish"}
    ) or any(
        user.has_perm(f"courses.{action}_questionpool") for action in ("add", "change")
    )


@require_POST
def preview_markdown_view(request):
    """The sanitised HTML of the posted `text`, and the mistakes a save would refuse."""
    if not can_preview_markdown(request.user):
        return JsonResponse(
            {"error": str(_("You may not preview content."))}, status=403
        )
    text = request.POST.get("text")
    if text is None:
        return JsonResponse({"error": str(_("No text to preview."))}, status=400)
    if len(text) > MAX_PREVIEW_CHARS:
        return JsonResponse(
            {
                "error": str(
                    _("This text is too long to preview (over %(max)s characters).")
                    % {"max": MAX_PREVIEW_CHARS}
                )
            },
            status=413,
        )
    text = text.replace("\r\n", "\n")
    # Wagtail's admin URLs are never cached (never_cache on every one).
    return JsonResponse(
        {
            "html": preview_markdown(text),
            "problems": [str(problem) for problem in check_markdown(text)],
        }
    )
