"""django-allauth adapters: where sign-up and SSO fill in Atelier's own user fields."""

from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def supported_language(code: str | None) -> str:
    """`code` if the site speaks it (`fr-FR` counts as `fr`), else the default."""
    code = (code or "").lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Save a new local account with its preferred language, and its request
        to join the unit it chose (the unit's managers confirm it)."""
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.preferred_language = supported_language(
            data.get("preferred_language") or translation.get_language()
        )
        if commit:
            user.save()
            _ask_for_unit(user, data.get("unit"))
        return user

    def get_login_redirect_url(self, request):
        """Without a `next`, land on the home page in the person's language."""
        return _in_preferred_language(request, super().get_login_redirect_url(request))

    def get_signup_redirect_url(self, request):
        """After a sign-up that logs in at once (SSO), the same."""
        return _in_preferred_language(request, super().get_signup_redirect_url(request))


def _in_preferred_language(request, url: str) -> str:
    language = getattr(request.user, "preferred_language", None)
    return translate_url(url, language) if language else url


def _ask_for_unit(user, unit_id: int | None) -> None:
    from learning.compliance.models import UnitRequestSource
    from learning.compliance.placement import request_unit

    if unit_id:
        request_unit(user, unit_id, source=UnitRequestSource.SIGNUP)


def _claims(sociallogin) -> dict:
    """The identity provider's claims about the person (userinfo, else ID token)."""
    claims = sociallogin.account.extra_data or {}
    found = claims.get("userinfo") or claims.get("id_token") or claims
    return found if isinstance(found, dict) else {}


def _place_from_sso(user, sociallogin) -> None:
    from learning.compliance.placement import place_from_sso

    place_from_sso(user, _claims(sociallogin))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        """Fill a new SSO account; its language comes from the `locale` claim."""
        user = super().populate_user(request, sociallogin, data)
        user.preferred_language = supported_language(
            _claims(sociallogin).get("locale") or translation.get_language()
        )
        return user

    def save_user(self, request, sociallogin, form=None):
        """A new SSO account joins the units its identity provider names."""
        user = super().save_user(request, sociallogin, form)
        _place_from_sso(user, sociallogin)
        return user

    def pre_social_login(self, request, sociallogin):
        """An existing SSO account joins the units named now (a move, a new team)."""
        super().pre_social_login(request, sociallogin)
        if sociallogin.is_existing:
            _place_from_sso(sociallogin.user, sociallogin)
