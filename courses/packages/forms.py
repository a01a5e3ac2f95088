"""The package lesson's admin form: the zip is uploaded on the page itself."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from .errors import PackageError


class PackageLessonForm(WagtailAdminPageForm):
    package_file = forms.FileField(
        label=_("Package (zip)"),
        required=False,
        help_text=_(
            "A cmi5 (cmi5.xml) or SCORM 1.2 / 2004 (imsmanifest.xml) zip exported "
            "by an authoring tool. Uploading a new zip replaces the package."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" in self.fields:  # an introduction, optional here
            self.fields["body"].required = False

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("package_file")
        if not upload and not self.instance.package_id:
            self.add_error("package_file", _("Upload the package zip."))
        elif upload and not self.errors:
            from .importing import import_package

            try:
                user = getattr(self, "for_user", None)
                self.instance.package = import_package(
                    upload, name=upload.name, user=user if user and user.pk else None
                )
            except PackageError as error:
                for line in error.errors:
                    self.add_error("package_file", line)
        return cleaned
