"""Forms for sign-up, the profile page and account deletion."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from allauth.account.forms import SignupForm as AllauthSignupForm

User = get_user_model()


def _language_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Preferred language"),
        choices=User._meta.get_field("preferred_language").choices,
        help_text=_("The language of the site and of the e-mails we send you."),
    )


def _unit_field() -> forms.TypedChoiceField:
    """The unit, chosen from the organisation's units by their path; optional."""
    return forms.TypedChoiceField(
        label=_("Your unit (optional)"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "Your team or laboratory. Its training managers confirm it; "
            "until then you do not appear in their follow-up."
        ),
    )


def _offer_units(form: forms.Form) -> None:
    """Fill the unit list, or drop the field when the site has no units."""
    from learning.compliance.placement import unit_paths

    paths = unit_paths()
    if not paths:
        del form.fields["unit"]
        return
    form.fields["unit"].choices = [("", _("— Not listed, or I do not know —"))] + paths


class SignupForm(AllauthSignupForm):
    """allauth's sign-up plus the names certificates need, the unit and language."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=User._meta.get_field("first_name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=User._meta.get_field("last_name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    unit = _unit_field()
    preferred_language = _language_field()

    field_order = [
        "email",
        "username",
        "first_name",
        "last_name",
        "unit",
        "preferred_language",
        "password1",
        "password2",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # allauth sets placeholders that repeat the labels; keep labels only.
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        self.fields["preferred_language"].initial = translation.get_language()
        _offer_units(self)


class ProfileForm(forms.ModelForm):
    """The parts of the profile a person edits themselves; `unit` is the unit
    they ask to join (their current request, or a unit they belong to)."""

    unit = _unit_field()
    preferred_language = _language_field()

    class Meta:
        model = User
        fields = ["first_name", "last_name", "preferred_language"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }

    field_order = ["first_name", "last_name", "unit", "preferred_language"]

    def __init__(self, *args, placement=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Certificates print the name: it cannot be emptied.
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        _offer_units(self)
        if "unit" in self.fields and placement is not None:
            self.fields["unit"].label = _("Unit you ask to join (optional)")
            current = placement.pending or (
                placement.memberships[0] if placement.memberships else None
            )
            self.fields["unit"].initial = current.unit_id if current else None


KEEP, WITHDRAW = "keep", "withdraw"


class DeleteAccountForm(forms.Form):
    """Confirms a deletion: the password for password users, a tick box otherwise."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and my learning records will be deleted"),
    )

    field_order = ["certificates", "password", "confirm"]
    certificates = forms.ChoiceField(
        label=_("Your certificates"),
        choices=[
            (KEEP, _("Keep them verifiable: the verification page goes on saying whether each one is valid, expired or revoked")),
            (WITHDRAW, _("Withdraw them: the verification page will say “withdrawn at the holder’s request”, without your name")),
        ],
        initial=KEEP,
        widget=forms.RadioSelect,
    )  # fmt: skip

    def __init__(self, *args, user, has_certificates: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not has_certificates:
            del self.fields["certificates"]
        if user.has_usable_password():
            del self.fields["confirm"]
        else:
            # SSO accounts have no password to re-enter.
            del self.fields["password"]

    @property
    def withdraw_certificates(self) -> bool:
        return self.cleaned_data.get("certificates") == WITHDRAW

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("This is not your password. Your account has not been deleted."),
                code="password_incorrect",
            )
        return password
