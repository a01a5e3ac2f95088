"""The access-gate API: "is this person cleared for this requirement today?"

`GET /api/v1/compliance/gates/<requirement>/<person>` with
`Authorization: Bearer <token>`. The person is an e-mail address, the
pseudonymous identifier, or the identity provider's external id (SSO `uid`).
Order of the checks: bad or missing token → 401; unknown requirement → 404;
token not scoped to the requirement → 403; unknown person → 404; too many
refused calls from one address → 429 (refusals.py). A person
whose identity is unverified (e-mail address never confirmed, no SSO account:
accounts/identity.py) is never cleared: status `identity_unverified`, whatever
their certificates. Every call is written to `GateCall` (visible to admins);
refused calls without a valid token, one row per address and window.

The answer carries a compact JWS (EdDSA, the certificate signing key, verifiable
with `/.well-known/jwks.json`) of the same facts, so a gate can keep it as
evidence of what Atelier said and when.
"""

import ipaddress
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from learning.certificates import signing
from learning.certificates.ratelimit import client_ip

from .models import ApiToken, GateCall, GateStatus, Requirement, hash_token
from .refusals import check_budget, record_refusal
from .status import standing

router = Router(tags=["compliance"])


def _clean(value) -> str:
    """A path value as text the database accepts (PostgreSQL refuses NUL)."""
    return str(value).replace("\x00", "")


def _client_ip(request) -> str | None:
    """The client's address (behind TRUSTED_PROXY_COUNT proxies), if it is one."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _call(request) -> dict:
    """What every log row says about the call: what was asked, from where."""
    kwargs = getattr(request, "resolver_match", None)
    kwargs = kwargs.kwargs if kwargs else {}
    return {
        "requirement_slug": _clean(kwargs.get("requirement", ""))[:80],
        "person": _clean(kwargs.get("person", ""))[:254],
        "client_ip": _client_ip(request),
    }


def _log(request, *, http_status: int, token=None, user=None, answer=None) -> None:
    GateCall.objects.create(
        **_call(request),
        token=token,
        user=user,
        http_status=http_status,
        cleared=None if answer is None else answer.cleared,
        status="" if answer is None else answer.status,
    )


class GateToken(HttpBearer):
    """A system's bearer token (stored hashed). Refused calls are counted per
    address, one log row per window, and throttled (refusals.py)."""

    def __call__(self, request):
        check_budget(request)
        result = super().__call__(request)
        if result is None:
            record_refusal(request, **_call(request))
        return result

    def authenticate(self, request, token):
        found = (
            ApiToken.objects.filter(token_hash=hash_token(token), revoked=False)
            .prefetch_related("requirements")
            .first()
        )
        if found is not None:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found


class GateAnswer(Schema):
    cleared: bool
    status: GateStatus = Field(
        description="The person's compliance status; `identity_unverified` when "
        "their e-mail address is unconfirmed and no SSO provider vouches for them "
        "(then never cleared, and no certificate is named)."
    )
    requirement: str
    valid_until: date | None
    certificate_code: str | None
    verification_url: str | None
    evaluated_at: datetime
    jws: str


class Problem(Schema):
    detail: str


def find_person(identifier: str):
    """A user by e-mail, pseudonym or SSO external id; None if none or ambiguous."""
    User = get_user_model()
    if "\x00" in identifier:
        return None
    people = User.objects.filter(is_active=True)
    if "@" in identifier:
        found = list(people.filter(email__iexact=identifier)[:2])
        return found[0] if len(found) == 1 else None
    query = Q(socialaccount__uid=identifier)
    try:
        query |= Q(pseudonym=uuid.UUID(identifier))
    except ValueError:
        pass
    found = list(people.filter(query).distinct()[:2])
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class Verdict:
    """What the gate says about one person: the facts of the answer and its JWS."""

    status: str
    cleared: bool = False
    valid_until: date | None = None
    certificate_code: str | None = None
    verification_url: str | None = None


def verdict(user, requirement: Requirement, *, today: date) -> Verdict:
    """The person's standing (`status.standing()`, the rule the dashboard uses);
    no certificate is named when nobody vouched for their identity."""
    result = standing(user, requirement, today=today)
    if result.status == GateStatus.IDENTITY_UNVERIFIED:
        return Verdict(status=result.status)
    return Verdict(
        status=result.status,
        cleared=result.cleared,
        valid_until=result.valid_until,
        certificate_code=result.certificate_code,
        verification_url=result.verification_url,
    )


def _claims(requirement, user, result, evaluated_at: datetime) -> dict:
    return {
        "iss": settings.SITE_BASE_URL,
        "sub": f"urn:uuid:{user.pseudonym}",
        "iat": int(evaluated_at.timestamp()),
        "jti": str(uuid.uuid4()),
        "requirement": requirement.slug,
        "cleared": result.cleared,
        "status": str(result.status),
        "valid_until": result.valid_until.isoformat() if result.valid_until else None,
        "certificate_code": result.certificate_code,
        "verification_url": result.verification_url,
        "evaluated_at": evaluated_at.isoformat(),
    }


@router.get(
    "/gates/{requirement}/{person}",
    auth=GateToken(),
    response={200: GateAnswer, 401: Problem, 403: Problem, 404: Problem, 429: Problem},
    summary="Is this person cleared for this mandatory training today?",
    operation_id="compliance_gate",
)
def gate(request, requirement: str, person: str):
    token: ApiToken = request.auth
    found = (
        None
        if "\x00" in requirement
        else Requirement.objects.filter(slug=requirement, active=True).first()
    )
    if found is None:
        _log(request, http_status=404, token=token)
        return 404, {"detail": "Unknown requirement."}
    if found not in token.requirements.all():
        _log(request, http_status=403, token=token)
        return 403, {"detail": "This token may not ask about this requirement."}
    user = find_person(person)
    if user is None:
        _log(request, http_status=404, token=token)
        return 404, {"detail": "Unknown person."}
    evaluated_at = timezone.now().replace(microsecond=0)
    result = verdict(user, found, today=timezone.localdate(evaluated_at))
    _log(request, http_status=200, token=token, user=user, answer=result)
    return 200, {
        "cleared": result.cleared,
        "status": result.status,
        "requirement": found.slug,
        "valid_until": result.valid_until,
        "certificate_code": result.certificate_code,
        "verification_url": result.verification_url,
        "evaluated_at": evaluated_at,
        "jws": signing.sign_jwt(_claims(found, user, result, evaluated_at)),
    }


def create_api_token(name: str, requirements) -> tuple[ApiToken, str]:
    """A new token for a system, scoped to `requirements`; returns (row, plain token)."""
    from .models import new_token

    plain = new_token()
    token = ApiToken(name=name)
    token.set_token(plain)
    token.save()
    token.requirements.set(requirements)
    return token, plain
