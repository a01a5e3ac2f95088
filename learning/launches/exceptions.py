"""Errors of launching packages; `message` is safe to show."""

from django.utils.translation import gettext_lazy as _

from learning.exceptions import LearningError


class LaunchRefused(LearningError):
    message = _("This launch link has expired or was already used.")


class PackagesUnavailable(LearningError):
    message = _(
        "Packages cannot be played on this server: no content origin is "
        "configured (PACKAGE_CONTENT_ORIGIN)."
    )


class UnitNotInLesson(LearningError):
    message = _("This unit is not part of this lesson's package.")
