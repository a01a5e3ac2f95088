from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    """LTI 1.3 Advantage: Atelier as a tool launched from Moodle, Canvas, Open edX.

    Protocol work (OIDC login, id_token checks, deep linking and grade messages)
    is pylti1p3's; this app keeps the registrations, who launched what, the
    grade outbox, and the session a launch opens inside the LMS's frame.
    """

    name = "learning.lti"
    label = "lti"
    verbose_name = _("LTI")
    default_auto_field = "django.db.models.BigAutoField"
