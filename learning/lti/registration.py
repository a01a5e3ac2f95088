"""LTI Dynamic Registration: a platform's administrator pastes one URL.

The URL holds an invitation created in the Wagtail admin (single use, expires):
registering a platform decides whose launches create accounts here, so it is
not open to anyone. pylti1p3's `DynamicRegistration` fetches the platform's
OpenID configuration and posts Atelier's tool configuration to its
registration endpoint; the answer becomes a `Platform`.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.templatetags.static import static
from django.utils import timezone

from pylti1p3.dynamic_registration import DynamicRegistration

from . import http
from .models import Platform, RegistrationInvite

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


class RegistrationFailed(Exception):
    pass


def tool_url(name: str) -> str:
    paths = {
        "login": "/lti/login/",
        "launch": "/lti/launch/",
        "jwks": "/lti/jwks.json",
    }
    return settings.SITE_BASE_URL + paths[name]


class AtelierRegistration(DynamicRegistration):
    client_name = "Atelier"
    description = "Atelier: open-science courses, quizzes and certificates."

    def __init__(self, openid_configuration: str, registration_token: str | None):
        self.openid_configuration_url = openid_configuration
        self.registration_token = registration_token or None

    def get_request_session(self):
        return http.session()

    def get_initiate_login_uri(self) -> str:
        return tool_url("login")

    def get_jwks_uri(self) -> str:
        return tool_url("jwks")

    def get_redirect_uris(self) -> list[str]:
        return [tool_url("launch")]

    def get_target_link_uri(self) -> str:
        return tool_url("launch")

    def get_domain(self) -> str:
        return urlsplit(settings.SITE_BASE_URL).netloc

    def get_scopes(self) -> list[str]:
        return SCOPES

    def get_claims(self) -> list[str]:
        return ["iss", "sub", "name", "given_name", "family_name", "email"]

    def get_messages(self) -> list[dict]:
        return [
            {
                "type": "LtiDeepLinkingRequest",
                "target_link_uri": tool_url("launch"),
                "label": "Atelier",
            }
        ]

    def get_logo_uri(self) -> str:
        return settings.SITE_BASE_URL + static("img/logo.svg")

    def get_openid_configuration_endpoint(self) -> str:
        return self.openid_configuration_url

    def get_registration_token(self) -> str | None:
        return self.registration_token

    def get_openid_configuration(self) -> dict:
        configuration = super().get_openid_configuration()
        issuer = str(configuration.get("issuer") or "")
        # The spec: the issuer must prefix the configuration's own address.
        if not issuer or not self.openid_configuration_url.startswith(issuer):
            raise RegistrationFailed("the issuer does not match the configuration URL")
        for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not str(configuration.get(field) or "").startswith(
                ("https://", "http://")
            ):
                raise RegistrationFailed(f"the configuration has no {field}")
        if PLATFORM_CONFIGURATION not in configuration:
            raise RegistrationFailed("not an LTI platform configuration")
        return configuration

    def complete_registration(self, openid_configuration, openid_registration):
        platform_configuration = openid_configuration[PLATFORM_CONFIGURATION]
        tool = openid_registration.get(TOOL_CONFIGURATION) or {}
        client_id = str(openid_registration.get("client_id") or "")
        if not client_id:
            raise RegistrationFailed("the platform gave no client_id")
        issuer = openid_configuration["issuer"]
        platform = Platform.objects.filter(issuer=issuer, client_id=client_id).first()
        platform = platform or Platform(issuer=issuer, client_id=client_id)
        platform.name = (
            platform.name
            or str(platform_configuration.get("product_family_code") or "")[:200]
            or urlsplit(issuer).netloc
        )
        platform.auth_login_url = openid_configuration["authorization_endpoint"]
        platform.auth_token_url = openid_configuration["token_endpoint"]
        platform.auth_audience = str(
            openid_configuration.get("authorization_server") or ""
        )
        platform.key_set_url = openid_configuration["jwks_uri"]
        platform.add_deployment(str(tool.get("deployment_id") or ""))
        platform.source = Platform.Source.DYNAMIC
        platform.is_active = True
        platform.save()
        return platform


def register(invite: RegistrationInvite, openid_configuration: str, token: str | None):
    """Run the registration for `invite` (single use); returns the Platform."""
    with transaction.atomic():
        invite = RegistrationInvite.objects.select_for_update().get(pk=invite.pk)
        if not invite.usable:
            raise RegistrationFailed("this registration URL was used or has expired")
        try:
            platform = AtelierRegistration(openid_configuration, token).register()
        except RegistrationFailed:
            raise
        except Exception as error:
            raise RegistrationFailed(str(error)[:300]) from error
        invite.used_at = timezone.now()
        invite.platform = platform
        invite.save(update_fields=["used_at", "platform"])
        return platform
