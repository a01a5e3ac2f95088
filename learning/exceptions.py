"""Errors of the learning domain; views translate them into messages and 4xx."""

from django.utils.translation import gettext_lazy as _


class LearningError(Exception):
    """Base class: `message` is safe to show to the learner."""

    message = _("This action is not possible.")

    def __init__(self, message=None):
        super().__init__(message or self.message)
        self.message = message or self.message


class AlreadyEnrolled(LearningError):
    message = _("You are already enrolled in this course.")


class NotEnrolled(LearningError):
    message = _("You are not enrolled in this course.")


class LessonNotAvailable(LearningError):
    message = _("This lesson is not published in this course.")


class CourseNotAvailable(LearningError):
    message = _("This course is not published.")


class AlreadyCompleted(LearningError):
    message = _("You have already completed this lesson.")


class CompletedByPackage(LearningError):
    message = _("This lesson is completed by its package, not by hand.")


class CourseAlreadyCompleted(LearningError):
    message = _("You have already completed this course.")


class CourseNotFinished(LearningError):
    message = _("Some lessons of this course are not completed yet.")


class QuizNotAvailable(LearningError):
    message = _("This quiz is not published in this course.")


class NoAttemptsLeft(LearningError):
    message = _("You have used all your attempts at this quiz.")


class AttemptClosed(LearningError):
    message = _("This attempt has already been submitted.")


class QuizMisconfigured(LearningError):
    message = _("This quiz cannot be taken yet: a pool has too few questions.")


class NotAManager(LearningError):
    message = _("You do not manage any unit.")


class OutOfScope(LearningError):
    message = _("This is outside the units you manage.")


class PageRestricted(LearningError):
    """A view restriction of the page (groups, log-in, shared password) refuses
    the learner; `password`: a shared password would open it."""

    message = _("This content is restricted: you do not have access to it.")

    def __init__(self, message=None, *, password: bool = False):
        super().__init__(message)
        self.password = password


class ReminderNotNeeded(LearningError):
    message = _(
        "No reminder is needed: this person is cleared, or the training does not "
        "apply to them."
    )


class AlreadyRemindedToday(LearningError):
    """`sent`: the reminder already sent today (by hand or by the daily run);
    `may_insist`: only the daily run's, so a manager may send one anyway."""

    message = _("A reminder about this training was already sent to this person today.")

    def __init__(self, message=None, *, sent=None, may_insist: bool = False):
        super().__init__(message)
        self.sent = sent
        self.may_insist = may_insist


class EnrolmentNotNeeded(LearningError):
    message = _(
        "No enrolment is needed: this person is cleared, or the training does not "
        "apply to them."
    )


class NoEmailAddress(LearningError):
    message = _("This person has no e-mail address.")
