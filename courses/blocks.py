"""StreamField blocks for lesson bodies.

One block per concept, each with its template in `templates/blocks/`. Lesson and
(later) quiz pages share `LessonBodyBlock`.
"""

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from .markdown import check_markdown, render_markdown


class MarkdownBlock(blocks.TextBlock):
    """Markdown written by a trainer, rendered and sanitised on display."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", _("Markdown: tables, footnotes, admonitions, code.")
        )
        super().__init__(**kwargs)

    @cached_property
    def field(self):
        field = super().field
        field.widget.attrs.setdefault("rows", 12)
        return field

    def clean(self, value):
        value = super().clean(value)
        problems = check_markdown(value or "")
        if problems:
            raise ValidationError("; ".join(str(problem) for problem in problems))
        return value

    def render_basic(self, value, context=None):
        return mark_safe(render_markdown(value))  # noqa: S308 - sanitised by nh3

    class Meta:
        icon = "code"
        label = _("Markdown")
        template = "blocks/markdown_block.html"
        preview_value = (
            "## Les principes FAIR\n\n- **F**acile à trouver\n- **A**ccessible"
        )
        description = _("Text written in Markdown, sanitised before display.")


class CaptionedImageBlock(blocks.StructBlock):
    """An image with the alternative text learners who cannot see it will hear."""

    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        max_length=250,
        help_text=_("Describe the image for screen-reader users."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "blocks/captioned_image_block.html"
        description = _("An image with alternative text and an optional caption.")


class VideoBlock(blocks.StructBlock):
    """A video embedded from a platform (Canal-U, PeerTube...) with its transcript."""

    video = EmbedBlock(label=_("video URL"), max_width=960)
    title = blocks.CharBlock(label=_("title"), max_length=200)
    transcript = MarkdownBlock(
        label=_("transcript"), required=False, help_text=_("Shown under the video.")
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "blocks/video_block.html"
        description = _("An embedded video with its title and transcript.")


class CalloutBlock(blocks.StructBlock):
    """A highlighted box: information, tip or warning."""

    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[
            ("info", _("Information")),
            ("tip", _("Tip")),
            ("warning", _("Warning")),
        ],
        default="info",
    )
    title = blocks.CharBlock(label=_("title"), required=False, max_length=120)
    text = MarkdownBlock(label=_("text"))

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "blocks/callout_block.html"
        preview_value = {
            "kind": "tip",
            "title": "Bon réflexe",
            "text": "Citez vos données.",
        }
        description = _("A highlighted information, tip or warning.")


class DocumentBlock(blocks.StructBlock):
    """A file to download (fact sheet, template, data set)."""

    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(label=_("link text"), required=False, max_length=200)
    description = blocks.CharBlock(
        label=_("description"), required=False, max_length=250
    )

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "blocks/document_block.html"
        description = _("A downloadable file.")


class QuoteBlock(blocks.StructBlock):
    """A quotation with its source."""

    text = blocks.TextBlock(label=_("quotation"))
    attribution = blocks.CharBlock(label=_("source"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "blocks/quote_block.html"
        preview_value = {
            "text": "Aussi ouvert que possible, aussi fermé que nécessaire.",
            "attribution": "Plan données de la recherche du CNRS",
        }
        description = _("A quotation with its source.")


class LessonBodyBlock(blocks.StreamBlock):
    """The content blocks a lesson (and later a quiz introduction) is made of."""

    markdown = MarkdownBlock()
    rich_text = blocks.RichTextBlock(
        label=_("Rich text"),
        icon="pilcrow",
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "code", "hr"],
        template="blocks/rich_text_block.html",
    )
    image = CaptionedImageBlock()
    video = VideoBlock()
    callout = CalloutBlock()
    document = DocumentBlock()
    quote = QuoteBlock()
