"""Refusals of the SCORM run-time endpoint; `message` is safe to show."""

from django.utils.translation import gettext_lazy as _

from learning.exceptions import LearningError


class SessionClosed(LearningError):
    message = _("This SCORM session is closed: the SCO was already left (Terminate).")


class StaleCommit(LearningError):
    message = _("This commit is older than one already recorded.")


class AttemptEnded(LearningError):
    message = _("This attempt has ended in another window: launch the activity again.")
