"""pylti1p3's view of the registrations: the Platform rows, with the tool key."""

from pylti1p3.contrib.django.service_connector import DjangoServiceConnector
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract

from . import keys
from .models import Platform


def registration_for(platform: Platform) -> Registration:
    """The pylti1p3 registration of `platform`, signing with the tool key."""
    registration = (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.key_set_url)
        .set_tool_private_key(keys.private_pem())
        .set_tool_public_key(keys.public_pem())
    )
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    registration.platform = platform  # read back by the launch
    return registration


class PlatformToolConf(ToolConfAbstract):
    """Registrations from the database; an issuer may have several client ids."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def _platform(self, iss: str, client_id: str | None) -> Platform | None:
        if not iss or not client_id:
            return None
        return Platform.objects.active().filter(issuer=iss, client_id=client_id).first()

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        return None  # a client id is always needed: see check_iss_has_one_client

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = self._platform(iss, client_id)
        return registration_for(platform) if platform else None

    def find_deployment(self, iss, deployment_id):
        return None

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        platform = self._platform(iss, client_id)
        if platform is None or deployment_id not in platform.deployments:
            return None
        return Deployment().set_deployment_id(deployment_id)


class ServiceConnector(DjangoServiceConnector):
    """Access tokens cached per registration (issuer and client id), not per
    issuer alone as pylti1p3 keys them."""

    def _scope_key(self, scopes) -> str:
        key = super()._scope_key(scopes)
        return f"{self._registration.get_client_id()}-{key}"
