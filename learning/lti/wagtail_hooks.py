"""Admin screens for LTI: registered platforms, dynamic-registration URLs, and
the scores on their way to the platforms (`manage.py send_lti_scores --retry`
sends those set aside again)."""

from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import PendingScore, Platform, RegistrationInvite


class PlatformViewSet(ModelViewSet):
    model = Platform
    url_prefix = "lti/platforms"
    icon = "link"
    menu_label = gettext_lazy("Platforms")
    list_display = ["name", "issuer", "client_id", "is_active", "source"]
    form_fields = [
        "name",
        "issuer",
        "client_id",
        "deployment_ids",
        "auth_login_url",
        "auth_token_url",
        "auth_audience",
        "key_set_url",
        "frame_origins",
        "is_active",
    ]


class InviteUrlColumn(Column):
    def get_value(self, instance):
        if instance.usable:
            return format_html("<code>{}</code>", instance.url)
        if instance.used_at:
            return _("Used by %(platform)s") % {"platform": instance.platform or "—"}
        return _("Expired")


class RegistrationInviteViewSet(ModelViewSet):
    model = RegistrationInvite
    url_prefix = "lti/registration-urls"
    icon = "plus-inverse"
    menu_label = gettext_lazy("Registration URLs")
    form_fields = ["label"]
    list_display = [
        "label",
        InviteUrlColumn("url", label=gettext_lazy("URL to paste in the LMS")),
        "expires_at",
    ]


class ScoreStatusColumn(Column):
    def get_value(self, instance):
        if instance.delivered_at:
            return _("Sent")
        if instance.rejected_at:
            return _("Refused: %(reason)s") % {"reason": instance.last_error}
        if instance.last_error:
            return _("Waiting (%(error)s)") % {"error": instance.last_error[:80]}
        return _("Waiting")


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Scores are written by learning and sent by the job: admins only look."""

    def user_has_permission(self, user, action):
        return action not in {"add", "change", "delete"} and user.is_superuser


class PendingScoreViewSet(ModelViewSet):
    model = PendingScore
    url_prefix = "lti/scores"
    icon = "tick-inverse"
    menu_label = gettext_lazy("Scores to LMSs")
    list_display = [
        "link",
        "user",
        "score_given",
        ScoreStatusColumn("status", label=gettext_lazy("status")),
        "created_at",
    ]
    list_filter = ["link__platform"]
    form_fields = ["score_given"]
    inspect_view_enabled = True


class LtiViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("LTI")
    menu_icon = "link-external"
    items = (PlatformViewSet, RegistrationInviteViewSet, PendingScoreViewSet)


@hooks.register("register_admin_viewset")
def register_lti_viewsets():
    return LtiViewSetGroup()


register_permission_policy(PendingScore, ReadOnlyPolicy(PendingScore))
