"""Admin screens for the LRS: client credentials and forwarding destinations.

Destinations are listed with their health (backlog, oldest pending statement,
statements set aside, consecutive failures, last error) so an admin sees at a
glance why an external LRS is behind; unticking "paused" resumes a destination,
and its page lists the statements it refused, to send again once fixed.
"""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Locale

from courses.models import CoursePage

from .forwarding import retry_set_aside
from .lrs.models import Destination, LRSClient, OutboxEntry, Scope

# Set-aside statements listed on a destination's page (the rest are counted).
SHOW_SET_ASIDE = 20


class LinesField(forms.CharField):
    """A list of strings edited one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class LRSClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    new_secret = forms.BooleanField(
        label=gettext_lazy("Generate a new secret"),
        required=False,
        help_text=gettext_lazy("The new secret is shown once, after saving."),
    )

    trusted_courses = forms.ModelMultipleChoiceField(
        label=gettext_lazy("trusted for these courses"),
        queryset=CoursePage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=LRSClient._meta.get_field("trusted_courses").help_text,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Progress lives on the default-language pages (learning/projection.py).
        self.fields["trusted_courses"].queryset = CoursePage.objects.filter(
            locale=Locale.get_default()
        ).order_by("title")

    class Meta:
        model = LRSClient
        fields = ["name", "scopes", "is_active", "trusted_courses"]


class ClientCreateView(generic.CreateView):
    def save_instance(self):
        client = self.form.save(commit=False)
        client.key = LRSClient.generate_key()
        self.secret = LRSClient.generate_secret()
        client.set_secret(self.secret)
        client.save()
        self.form.save_m2m()
        return client

    def get_success_message(self, instance):
        return _("LRS client “%(name)s” created. Key: %(key)s — secret: %(secret)s") % {
            "name": instance.name,
            "key": instance.key,
            "secret": self.secret,
        }


class ClientEditView(generic.EditView):
    secret = None

    def save_instance(self):
        client = self.form.save(commit=False)
        if self.form.cleaned_data.get("new_secret"):
            self.secret = LRSClient.generate_secret()
            client.set_secret(self.secret)
        client.save()
        self.form.save_m2m()
        return client

    def get_success_message(self):
        if self.secret:
            return _("New secret for “%(name)s”: %(secret)s") % {
                "name": self.object.name,
                "secret": self.secret,
            }
        return super().get_success_message()


class LRSClientViewSet(ModelViewSet):
    model = LRSClient
    icon = "key"
    menu_label = gettext_lazy("LRS clients")
    add_view_class = ClientCreateView
    edit_view_class = ClientEditView
    copy_view_enabled = False
    list_display = ["name", "key", "scopes", "is_active", "created_at"]
    search_fields = ["name", "key"]

    def get_form_class(self, for_update=False):
        return LRSClientForm


class DestinationForm(forms.ModelForm):
    verbs = LinesField(
        label=gettext_lazy("only these verbs"),
        required=False,
        help_text=gettext_lazy("One verb IRI per line; empty forwards every verb."),
    )
    activity_prefixes = LinesField(
        label=gettext_lazy("only these courses or activities"),
        required=False,
        help_text=gettext_lazy(
            "One activity IRI (or its beginning) per line, matched against the "
            "object and its parent activities; empty forwards everything."
        ),
    )
    # Write-only: the saved password never goes back to the browser (the page's
    # source, a cache, a shoulder); left blank it is kept.
    password = forms.CharField(
        label=gettext_lazy("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password"}
        ),
        help_text=gettext_lazy("Leave empty to keep the saved password."),
    )
    clear_password = forms.BooleanField(
        label=gettext_lazy("Remove the saved password"), required=False
    )
    retry_set_aside = forms.BooleanField(
        label=gettext_lazy("Send the set-aside statements again"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Statements the destination refused for good: listed here, with why.
        aside = (
            OutboxEntry.objects.filter(
                destination=self.instance.pk, rejected_at__isnull=False
            ).order_by("rejected_at", "id")
            if self.instance.pk
            else OutboxEntry.objects.none()
        )
        shown = list(aside.values_list("statement_id", "rejection")[:SHOW_SET_ASIDE])
        if not shown:
            del self.fields["retry_set_aside"]
            return
        lines = [f"{statement_id}: {reason[:200]}" for statement_id, reason in shown]
        total = aside.count()
        if total > len(shown):
            lines.append(_("… and %(count)s more") % {"count": total - len(shown)})
        self.fields["retry_set_aside"].help_text = format_html(
            "{}<ul>{}</ul>",
            ngettext(
                "%(count)s statement refused by this destination is set aside:",
                "%(count)s statements refused by this destination are set aside:",
                total,
            )
            % {"count": total},
            format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
        )

    def save(self, commit=True):
        destination = super().save(commit=commit)
        if commit and self.cleaned_data.get("retry_set_aside"):
            retry_set_aside(destination)
        return destination

    def clean_password(self):
        password = self.cleaned_data.get("password", "")
        if not password and self.instance.pk:
            return self.instance.password
        return password

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("clear_password"):
            cleaned["password"] = ""
        return cleaned

    class Meta:
        model = Destination
        fields = [
            "name",
            "endpoint",
            "username",
            "password",
            "verbs",
            "activity_prefixes",
            "batch_size",
            "is_active",
            "paused",
        ]


class DestinationIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().with_health()


class DestinationViewSet(ModelViewSet):
    model = Destination
    icon = "upload"
    menu_label = gettext_lazy("Forwarding")
    index_view_class = DestinationIndexView
    copy_view_enabled = False
    list_display = [
        "name",
        "endpoint",
        "is_active",
        "paused",
        Column("backlog", label=gettext_lazy("backlog")),
        Column("oldest_pending", label=gettext_lazy("oldest pending")),
        Column("set_aside", label=gettext_lazy("set aside")),
        "failure_count",
        "last_success_at",
        "last_error",
    ]

    def get_form_class(self, for_update=False):
        return DestinationForm


class LRSViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Learning Record Store")
    menu_icon = "list-ul"
    items = (LRSClientViewSet, DestinationViewSet)


@hooks.register("register_admin_viewset")
def register_lrs_viewsets():
    return LRSViewSetGroup()
