"""LTI endpoints (platform-facing, no language prefix, addresses kept stable):

- `/lti/jwks.json`: the tool's public key;
- `/lti/login/`: OIDC third-party login initiation (GET or POST);
- `/lti/launch/`: the id_token comes back here (resource link or deep linking);
- `/lti/go/<key>/`: the stable address of a course, lesson or quiz (target links);
- `/lti/deep-link/`: the trainer's content picker, answering the platform;
- `/lti/register/<token>/`: Dynamic Registration.

A refused launch gets a page saying why, with a 4xx status, framable by the
registered platforms (it shows inside the LMS).
"""

import logging

from django.conf import settings
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from . import http, keys
from .config import PlatformToolConf, ServiceConnector
from .deep_linking import DeepLinkingRefused, content_tree, deep_link_response
from .frames import all_platform_origins, allow_framing
from .launch import DEEP_LINKING, LTI, LaunchRefused, accept_launch, page_for_key
from .members import members_progress
from .models import Platform, RegistrationInvite, ResourceLink
from .registration import RegistrationFailed, register, tool_url
from .session import SESSION_INFO, lti_info, open_session, set_cookie
from .storage import LOGIN_LIFETIME, LaunchStorage, SingleUseNonces

logger = logging.getLogger(__name__)


def error_page(request, message, status: int = 400):
    response = render(request, "lti/error.html", {"message": message}, status=status)
    allow_framing(response, all_platform_origins())
    return response


def _refusal(error: Exception) -> LaunchRefused:
    """A clear reason for a launch pylti1p3 refused."""
    text = str(error)
    if "nonce" in text.lower():
        return LaunchRefused(
            _(
                "This launch was already used or has expired. Open the activity again from your course."
            )
        )
    if "State" in text or "state" in text:
        return LaunchRefused(
            _(
                "This launch did not start in this browser, or took too long. Open the activity again from your course."
            )
        )
    if "expired" in text:
        return LaunchRefused(
            _("This launch has expired. Open the activity again from your course.")
        )
    if "egistration" in text or "Client id" in text or "issuer" in text:
        return LaunchRefused(
            _(
                "This launch comes from a platform, or is addressed to a client ID, that is not registered with Atelier."
            ),
            403,
        )
    if "deployment" in text.lower():
        return LaunchRefused(
            _(
                "This launch comes from a deployment that is not registered with Atelier."
            ),
            403,
        )
    if "decode" in text or "public key" in text or "Signature" in text:
        return LaunchRefused(
            _("This launch's signature does not match the platform's keys."), 403
        )
    return LaunchRefused(_("This launch is not a valid LTI 1.3 message."))


@require_GET
def jwks(request):
    try:
        return JsonResponse(keys.jwks())
    except keys.LtiNotConfigured:
        return JsonResponse({"keys": []}, status=503)


@csrf_exempt  # the platform's page posts here: the checks are iss, client and hint
@require_http_methods(["GET", "POST"])
def login(request):
    params = request.POST if request.method == "POST" else request.GET
    target = params.get("target_link_uri", "")
    if not target.startswith(settings.SITE_BASE_URL + "/lti/"):
        return error_page(
            request, _("This launch asks for an address outside Atelier.")
        )
    try:
        keys.tool_key()
        oidc = DjangoOIDCLogin(request, PlatformToolConf())
        oidc.set_launch_data_storage(LaunchStorage())
        oidc.set_launch_data_lifetime(LOGIN_LIFETIME)
        return oidc.redirect(tool_url("launch"))
    except keys.LtiNotConfigured:
        return error_page(request, _("LTI is not configured on this site."), 503)
    except (LtiException, OIDCException) as error:
        logger.info("LTI login refused: %s", error)
        return error_page(request, _refusal(error).message, 403)


def _validated(request) -> tuple[Platform, dict]:
    """The platform and the body of a launch whose checks all passed."""
    storage = LaunchStorage()
    message = DjangoMessageLaunch(
        request,
        PlatformToolConf(),
        session_service=SingleUseNonces(request),
        launch_data_storage=storage,
        requests_session=http.session(),
        service_connector_cls=ServiceConnector,
    )
    message.set_public_key_caching(storage, cache_lifetime=300)
    try:
        body = dict(message.get_launch_data())
    except LtiException as error:
        logger.info("LTI launch refused: %s", error)
        raise _refusal(error) from error
    platform = Platform.objects.active().get(
        issuer=body["iss"], client_id=message.get_client_id()
    )
    audience = body.get("aud")
    # Several audiences: the authorised party must be us (OIDC core 3.1.3.7).
    if isinstance(audience, list) and len(audience) > 1:
        if body.get("azp") != platform.client_id:
            raise LaunchRefused(
                _("This launch is addressed to another client as well."), 403
            )
    if not isinstance(body.get("exp"), int) or not isinstance(body.get("iat"), int):
        raise LaunchRefused(_("This launch is not a valid LTI 1.3 message."))
    return platform, body


@csrf_exempt  # the platform posts the id_token: signature, state and nonce are the checks
@require_POST
def launch(request):
    try:
        keys.tool_key()
        platform, body = _validated(request)
        accepted = accept_launch(platform, body)
    except keys.LtiNotConfigured:
        return error_page(request, _("LTI is not configured on this site."), 503)
    except LaunchRefused as refusal:
        return error_page(request, refusal.message, refusal.status)
    info = accepted.info
    if body.get(LTI + "message_type") == DEEP_LINKING:
        if not accepted.trainer:
            return error_page(
                request, _("Only the course's teachers can choose content."), 403
            )
        info["deep_linking"] = {
            "deployment_id": body.get(LTI + "deployment_id"),
            "settings": body.get(
                "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
            )
            or {},
        }
        url = reverse("lti:deep-link")
    elif (
        accepted.page is not None
        and accepted.trainer
        and accepted.link
        and (accepted.link.nrps_url)
    ):
        url = reverse("lti:members")  # the learners' progress, then the content
    elif accepted.page is not None:
        url = accepted.page.get_url(request)
    else:
        url = (
            "/"
            if accepted.user.preferred_language == settings.LANGUAGE_CODE
            else (f"/{accepted.user.preferred_language}/")
        )
    session = open_session(request, accepted.user, info)
    response = HttpResponseRedirect(url, status=303)
    set_cookie(request, response, session.session_key)
    allow_framing(response, info["frame_origins"])
    return response


@require_GET
def go(request, key):
    """The stable address of a course, lesson or quiz: redirect to its page."""
    page = page_for_key(key, request.LANGUAGE_CODE)
    if page is None:
        raise Http404
    return HttpResponseRedirect(page.get_url(request))


@require_http_methods(["GET", "POST"])
def deep_link(request):
    """The trainer picks content; the answer goes back to the platform."""
    info = lti_info(request) or {}
    deep_linking = info.get("deep_linking")
    if not deep_linking or not info.get("trainer"):
        return error_page(
            request, _("Open the content picker from your course in the LMS."), 403
        )
    platform = Platform.objects.active().filter(pk=info["platform"]).first()
    if platform is None:
        return error_page(request, _("This platform's registration is inactive."), 403)
    settings_claim = deep_linking["settings"]
    if request.method == "POST":
        try:
            form = deep_link_response(
                platform,
                deep_linking["deployment_id"],
                settings_claim,
                request.POST.getlist("item"),
            )
        except DeepLinkingRefused as refusal:
            response = render(
                request,
                "lti/deep_link.html",
                {
                    "tree": content_tree(request.LANGUAGE_CODE),
                    "multiple": settings_claim.get("accept_multiple", True),
                    "error": refusal.message,
                },
                status=400,
            )
        else:
            del request.session[SESSION_INFO]["deep_linking"]
            request.session.modified = True
            response = render(request, "lti/deep_link_return.html", form)
    else:
        response = render(
            request,
            "lti/deep_link.html",
            {
                "tree": content_tree(request.LANGUAGE_CODE),
                "multiple": settings_claim.get("accept_multiple", True),
                "title": settings_claim.get("title"),
            },
        )
    return response


@require_GET
def members(request):
    """For a trainer launched from a link: the LMS course's learners' progress."""
    info = lti_info(request) or {}
    link = ResourceLink.objects.filter(pk=info.get("link")).first()
    if not info.get("trainer") or link is None or link.page is None:
        return error_page(
            request, _("Open this page from your course in the LMS."), 403
        )
    page = page_for_key(link.page.translation_key, request.LANGUAGE_CODE)
    try:
        rows = members_progress(link) if link.nrps_url else None
    except (LtiException, OSError, ValueError) as error:
        logger.warning("LTI members of link %s not read: %s", link.pk, error)
        rows = None
    return render(
        request, "lti/members.html", {"rows": rows, "page": page, "link": link}
    )


@require_GET
def dynamic_registration(request, token):
    invite = get_object_or_404(RegistrationInvite, token=token)
    openid_configuration = request.GET.get("openid_configuration", "")
    if not invite.usable:
        return error_page(
            request, _("This registration URL was already used or has expired."), 410
        )
    if not openid_configuration.startswith(("https://", "http://")):
        return error_page(
            request,
            _(
                "Paste this URL into your LMS's tool registration: it adds the parameters Atelier needs."
            ),
        )
    try:
        keys.tool_key()
        platform = register(
            invite, openid_configuration, request.GET.get("registration_token")
        )
    except keys.LtiNotConfigured:
        return error_page(request, _("LTI is not configured on this site."), 503)
    except RegistrationFailed as error:
        logger.warning("LTI dynamic registration failed: %s", error)
        return error_page(
            request, _("The registration failed: %(reason)s") % {"reason": error}
        )
    response = render(request, "lti/registered.html", {"platform": platform})
    allow_framing(response, platform.allowed_frame_origins)
    return response
