"""Institutional single sign-on through one generic OpenID Connect provider.

The provider is configured by environment variables, not by a `SocialApp` row,
so a deploy is reproducible from its environment alone. Settings call
`openid_connect_apps()` and put the result in
`SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]`; django-allauth reads that
list at request time.

With provider id `institution` the addresses are
`/accounts/oidc/institution/login/` and the redirect URI to register at the
identity provider, `<SITE_BASE_URL>/accounts/oidc/institution/login/callback/`.

This module is imported by settings: it must not import Django models.
"""

PROVIDER_ID = "institution"

# How the client authenticates at the token endpoint; None lets allauth choose
# from the provider's discovery document.
TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


def openid_connect_apps(
    *,
    name: str,
    issuer_url: str,
    client_id: str,
    client_secret: str,
    provider_id: str = PROVIDER_ID,
    token_auth_method: str = "",
    email_authentication: bool = True,
    trust_email: bool = False,
) -> list[dict]:
    """Return allauth's app list for one OIDC provider, or [] when not configured.

    `email_authentication`: a person who already has a local account with the
    e-mail address the identity provider vouches for (`email_verified`) is
    logged in to that account instead of getting a second one.
    `trust_email`: treat the IdP's e-mail as verified even without an
    `email_verified` claim (some institutional IdPs never send it).
    """
    if not (issuer_url and client_id):
        return []
    if token_auth_method and token_auth_method not in TOKEN_AUTH_METHODS:
        raise ValueError(
            f"OIDC_TOKEN_AUTH_METHOD must be one of {', '.join(TOKEN_AUTH_METHODS)}"
        )
    app_settings: dict = {
        "server_url": issuer_url.rstrip("/"),
        # PKCE costs nothing and protects the code if the redirect leaks.
        "oauth_pkce_enabled": True,
        "email_authentication": email_authentication,
    }
    if token_auth_method:
        app_settings["token_auth_method"] = token_auth_method
    if trust_email:
        app_settings["verified_email"] = True
    return [
        {
            "provider_id": provider_id,
            "name": name or provider_id,
            "client_id": client_id,
            "secret": client_secret,
            "settings": app_settings,
        }
    ]
