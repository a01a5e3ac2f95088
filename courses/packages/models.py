"""Imported packages, their units, and the lesson page that plays them.

A `PackageLessonPage` is a `LessonPage` (multi-table inheritance): it sits among
a course's lessons, counts in the outline and in the completion rule like any
lesson (learning/completion.py), and its progress rows are lesson progress.
What marks it done is the package itself (cmi5 moveOn, SCORM status), never a
"mark as done" button.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from cms.storage import UnguessableName, private_storage
from courses.models import LessonPage


class PackageFormat(models.TextChoices):
    CMI5 = "cmi5", "cmi5"
    SCORM12 = "scorm12", "SCORM 1.2"
    SCORM2004 = "scorm2004", "SCORM 2004"


def pick_language(strings: dict, default: str = "") -> str:
    """A language map's text in the active language, else the first one."""
    if not strings:
        return default
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    for lang, value in strings.items():
        if lang.split("-")[0].lower() == language:
            return value
    return next(iter(strings.values()))


class Package(models.Model):
    """An imported zip: its manifest as read at import, its files extracted to
    the private storage under `packages/content/<id>/` (served only to a launch
    session, on the content origin: learning/launches)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    format = models.CharField(_("format"), max_length=20, choices=PackageFormat.choices)
    version = models.CharField(_("version"), max_length=60, blank=True)
    identifier = models.CharField(_("identifier"), max_length=1000, blank=True)
    title = models.JSONField(_("title"), default=dict, blank=True)
    manifest = models.JSONField(_("manifest"), default=dict)
    archive = models.FileField(
        _("zip"),
        storage=private_storage,
        upload_to=UnguessableName("packages/archives"),
        max_length=200,
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, editable=False)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    file_count = models.PositiveIntegerField(_("files"), default=0)
    root = models.CharField(max_length=255, blank=True, editable=False)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.title_text} ({self.get_format_display()})"

    @property
    def title_text(self) -> str:
        return pick_language(self.title, self.original_name or str(self.id))

    @property
    def content_name(self) -> str:
        """The folder of the extracted files in the private storage."""
        return f"packages/content/{self.id}"

    def content_path(self) -> Path:
        """Where the package's manifest and files are (on disk)."""
        return Path(private_storage().path(self.content_name)) / self.root


class PackageUnit(models.Model):
    """One launchable unit of a package: a cmi5 AU, a SCORM SCO or asset."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="units")
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10)  # au, sco, asset
    identifier = models.CharField(_("identifier"), max_length=1000)
    title = models.JSONField(_("title"), default=dict, blank=True)
    description = models.JSONField(_("description"), default=dict, blank=True)
    url = models.CharField(_("launch URL"), max_length=2000)
    move_on = models.CharField(_("moveOn"), max_length=30, blank=True)
    mastery_score = models.FloatField(_("mastery score"), null=True, blank=True)
    launch_method = models.CharField(
        _("launch method"), max_length=20, default="AnyWindow"
    )
    launch_parameters = models.TextField(_("launch parameters"), blank=True)
    entitlement_key = models.TextField(_("entitlement key"), blank=True)
    activity_type = models.CharField(max_length=1000, blank=True)
    # Ids of the enclosing cmi5 blocks (SCORM: parent items), outermost first.
    blocks = models.JSONField(default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)  # format-specific data

    class Meta:
        verbose_name = _("package unit")
        verbose_name_plural = _("package units")
        ordering = ["package", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "position"], name="one_unit_per_position"
            )
        ]

    def __str__(self):
        return self.title_text

    @property
    def title_text(self) -> str:
        return pick_language(self.title, self.identifier)

    @property
    def is_external(self) -> bool:
        """Launched at an absolute URL outside the package (cmi5 allows it)."""
        return "://" in self.url.split("?", 1)[0]


class PackageLessonPage(LessonPage):
    """A lesson played from a package (cmi5 or SCORM) exported by an authoring tool.

    A lesson like the others (outline, completion, progress); the body, optional,
    introduces the package. Upload the zip in the admin (or `import_package`,
    a course folder, the API): its files are served only from the content
    origin, to the learner's launch session (learning/launches).
    """

    package = models.ForeignKey(
        Package,
        verbose_name=_("package"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lessons",
    )

    content_panels = [
        *LessonPage.content_panels,
        FieldPanel("package", read_only=True),
        FieldPanel("package_file"),
    ]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []
    template = "packages/package_lesson_page.html"
    completed_by_package = True  # never by "mark as done" (learning/progress.py)

    class Meta:
        verbose_name = _("package lesson (cmi5, SCORM)")
        verbose_name_plural = _("package lessons")

    def get_context(self, request, *args, **kwargs):
        """The lesson's context plus its units with the learner's progress."""
        from learning.launches.display import unit_rows

        context = super().get_context(request, *args, **kwargs)
        context["unit_rows"] = unit_rows(self, context.get("journey"))
        return context

    def units(self):
        if self.package_id is None:
            return PackageUnit.objects.none()
        return self.package.units.all()


from .forms import PackageLessonForm  # noqa: E402

PackageLessonPage.base_form_class = PackageLessonForm
