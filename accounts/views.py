"""The profile page and the personal-data views (download my data, delete my account),
and the redirects that make allauth's log-in the only one.

Every view works on `request.user` only: there is no user id in these
addresses, so nobody can reach someone else's data through them.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from allauth.core import ratelimit
from allauth.socialaccount.models import SocialAccount

from accounts.forms import DeleteAccountForm, ProfileForm
from accounts.privacy import delete_account, export_personal_data, has_certificates


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """Edit one's name, unit and language; links to the other account pages."""
    from learning.compliance import placement
    from learning.compliance.models import UnitRequestSource

    user = request.user
    where = placement.placement_of(user)
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        instance=user,
        placement=where,
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        asked = None
        if "unit" in form.changed_data:
            asked = placement.request_unit(
                user,
                form.cleaned_data["unit"],
                source=UnitRequestSource.PROFILE,
            )
        language = user.preferred_language
        # The next pages are in the chosen language: the URL prefix decides it
        # (i18n_patterns), the cookie remembers it for set_language.
        with translation.override(language):
            messages.success(request, _("Your profile has been saved."))
            if asked is not None:
                messages.info(
                    request,
                    _(
                        "Your request to join %(unit)s is sent: the unit's training "
                        "managers will confirm it."
                    )
                    % {"unit": asked.unit.name},
                )
            response = redirect(reverse("accounts:profile"))
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "placement": where,
            "social_accounts": SocialAccount.objects.filter(user=user),
        },
    )


@never_cache
@login_required
@require_GET
def data_export(request):
    """Download everything we hold about the logged-in person, as JSON."""
    data = export_personal_data(request.user)
    filename = f"atelier-{timezone.localdate():%Y-%m-%d}-my-data.json"
    response = HttpResponse(
        # backslashreplace: a lone surrogate, which an LRS client could store
        # before the LRS refused them, comes out as its JSON escape, not a 500.
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode(
            "utf-8", "backslashreplace"
        ),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Confirm (password re-entry), then erase the account and its learning records."""
    user = request.user
    certified = has_certificates(user)
    form = DeleteAccountForm(
        request.POST if request.method == "POST" else None,
        user=user,
        has_certificates=certified,
    )
    if request.method == "POST":
        # Same budget as allauth's re-authentication: a stolen session must not
        # become a password-guessing oracle.
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            form.add_error(None, _("Too many attempts. Try again in a few minutes."))
        elif form.is_valid():
            delete_account(user, withdraw_certificates=form.withdraw_certificates)
            logout(request)
            messages.success(
                request,
                _("Your account and your learning records have been deleted."),
            )
            # The home page of the current language: "/" or "/en/".
            return redirect(reverse("wagtail_serve", args=[""]))
    return render(
        request,
        "accounts/account_delete.html",
        {"form": form, "has_certificates": certified},
    )


@never_cache
def admin_login(request, *, default_next: str):
    """The Wagtail and Django admin log-in pages lead to the one log-in (allauth's).

    Their own forms skipped e-mail verification and throttling: an account whose
    address was never confirmed could log in there. allauth's page applies both,
    and offers SSO; `next` brings the person back to the admin afterwards. A POST
    is redirected too, its credentials ignored.
    """
    target = request.GET.get(REDIRECT_FIELD_NAME) or default_next
    query = urlencode({REDIRECT_FIELD_NAME: target})
    return redirect(f"{reverse('account_login')}?{query}")


@never_cache
def admin_password_reset(request):
    """The Wagtail admin's password reset is allauth's (same throttling, same e-mail)."""
    return redirect("account_reset_password")
