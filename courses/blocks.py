"""StreamField blocks for lesson bodies.

One block per concept, each with its template in `templates/blocks/`. Lesson and
(later) quiz pages share `LessonBodyBlock`.
"""

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from .markdown import check_markdown, render_markdown


class MarkdownBlock(blocks.TextBlock):
    """Markdown written by a trainer, rendered and sanitised on display."""

    def __init__(self, *, rows: int = 12, **kwargs):
        kwargs.setdefault(
            "help_text", _("Markdown: tables, footnotes, admonitions, code.")
        )
        super().__init__(**kwargs)
        self.markdown_rows = rows

    @cached_property
    def field(self):
        from .markdown_preview import MarkdownTextarea  # a "Preview" button

        field = super().field
        field.widget = MarkdownTextarea(
            attrs={**field.widget.attrs, "rows": self.markdown_rows}
        )
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


class Hdf5ViewerBlock(blocks.StructBlock):
    """The structure of an HDF5 file: groups, datasets, attributes and first values.

    Read on the server with h5py (bounded, read-only, links not followed) and
    cached per file version; rendered as nested lists learners can unfold.
    """

    document = DocumentChooserBlock(
        label=_("HDF5 file"), help_text=_("An .h5 or .hdf5 document.")
    )
    title = blocks.CharBlock(label=_("title"), required=False, max_length=200)
    show_previews = blocks.BooleanBlock(
        label=_("show the first values of each dataset"), required=False, default=True
    )
    show_download = blocks.BooleanBlock(
        label=_("offer the file for download"), required=False, default=True
    )

    def get_context(self, value, parent_context=None):
        from .hdf5.inspect import Hdf5FileError

        context = super().get_context(value, parent_context=parent_context)
        context["tree"] = context["error"] = None
        if value.get("document") is not None:
            try:
                context["tree"] = self.describe(value)
            except Hdf5FileError as error:
                context["error"] = error.message
        return context

    @staticmethod
    def describe(value):
        """The document's tree (cached; read in the sandbox the first time)."""
        from .hdf5.limits import Limits
        from .hdf5.viewer import describe_document

        limits = Limits.from_settings(previews=bool(value.get("show_previews")))
        return describe_document(value["document"], limits)

    def clean(self, value):
        """A file the viewer cannot read is a form error for the trainer."""
        from .hdf5.inspect import Hdf5FileError

        value = super().clean(value)
        if value.get("document") is not None:
            try:
                self.describe(value)
            except Hdf5FileError as error:
                raise StructBlockValidationError(
                    {"document": ValidationError(error.message)}
                ) from error
        return value

    class Meta:
        icon = "folder-open-inverse"
        label = _("HDF5 file viewer")
        template = "blocks/hdf5_viewer_block.html"
        description = _(
            "The tree of an HDF5 file (groups, datasets, attributes, first values)."
        )


class Hdf5CheckerBlock(blocks.StructBlock):
    """ "Bring your own file": a learner uploads an HDF5 file and gets a checklist report.

    Each rule passes or fails with a hint; a file that passes every rule can
    complete the lesson (an xAPI "completed" statement, as with the button).
    """

    instructions = MarkdownBlock(label=_("instructions"), required=False)
    root_attributes = blocks.CharBlock(
        label=_("required file attributes"),
        required=False,
        default="title, creator, license, description",
        help_text=_("Attributes of the root group, separated by commas."),
    )
    dataset_attributes = blocks.CharBlock(
        label=_("required attributes of every dataset"),
        required=False,
        default="units, long_name",
        help_text=_("Separated by commas. Dimension scales are exempt."),
    )
    require_dimension_scales = blocks.BooleanBlock(
        label=_("every dimension has a dimension scale"), required=False
    )
    forbid_empty_datasets = blocks.BooleanBlock(
        label=_("no empty dataset"), required=False, default=True
    )
    complete_lesson = blocks.BooleanBlock(
        label=_("passing completes the lesson"), required=False, default=True
    )

    def get_context(self, value, parent_context=None):
        from .hdf5.uploads import max_upload_bytes

        context = super().get_context(value, parent_context=parent_context)
        page = (parent_context or {}).get("page")
        context["max_bytes"] = max_upload_bytes()
        context["block_id"] = ""
        body = getattr(page, "body", None)
        if body is not None:
            # The block does not know its own id; find it in the page body.
            checkers = [child for child in body if child.block_type == "hdf5_checker"]
            match = next((c for c in checkers if c.value is value), None)
            match = match or (checkers[0] if checkers else None)
            context["block_id"] = match.id if match else ""
        return context

    class Meta:
        icon = "tasks"
        label = _("HDF5 metadata checker")
        template = "blocks/hdf5_checker_block.html"
        preview_value = {
            "root_attributes": "title, creator, license, description",
            "dataset_attributes": "units, long_name",
        }
        description = _(
            "Learners upload their own HDF5 file and get a metadata checklist report."
        )


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
    hdf5_viewer = Hdf5ViewerBlock()
    hdf5_checker = Hdf5CheckerBlock()
