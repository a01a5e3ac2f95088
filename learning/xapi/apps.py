from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class XapiConfig(AppConfig):
    """The LRS's own tables: clients, documents, statement indexes, forwarding.

    The statement store itself (`Statement`) stays in the `learning` app.
    """

    name = "learning.xapi"
    label = "xapi"
    verbose_name = _("Learning Record Store")
    default_auto_field = "django.db.models.BigAutoField"
