from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScormConfig(AppConfig):
    """The SCORM player: registers itself for both SCORM formats of package lessons."""

    name = "learning.scorm"
    label = "scorm"
    verbose_name = _("SCORM player")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from learning.launches.players import register

        from .player import ScormPlayer

        player = ScormPlayer()
        register("scorm12", player)
        register("scorm2004", player)
