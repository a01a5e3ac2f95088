"""Accepting a validated LTI launch: the account, the link, the target, the record.

pylti1p3 has checked the message (state, nonce, issuer and audience against a
registration, signature against the platform's JWKS, expiry, deployment,
message shape: views.py). `accept_launch` then, in one transaction:

- finds the Atelier account of the LTI user by issuer + sub, or creates it
  (an e-mail address in the launch is copied only when no other account has
  it, and never merges accounts; the account has no password: it is reached
  through its platform, which asserts who the person is, as an SSO provider
  does, accounts/identity.py);
- records the resource link (its context, target page, grade and member
  service endpoints) and who launched it with which roles;
- enrols a learner in the target's course and records the "launched"
  statement of the target, both with the LMS context (learning/xapi/context.py).
"""

import hashlib
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page

from courses.models import CoursePage, LessonPage
from courses.quizzes import QuizPage
from learning import progress
from learning.exceptions import AlreadyEnrolled, CourseNotAvailable, PageRestricted
from learning.projection import canonical_page
from learning.xapi import vocabulary
from learning.xapi.context import StatementContext, statement_context
from learning.xapi.statements import activity, activity_iri, build_statement
from learning.xapi.store import store_statement

from .models import Identity, Launch, Platform, ResourceLink

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
# Roles that make an LMS user a trainer here: pick content, see members' progress.
TRAINER_ROLES = (
    "membership#Instructor",
    "membership#ContentDeveloper",
    "membership#Administrator",
    "membership/Instructor#TeachingAssistant",
    "institution/person#Administrator",
    "institution/person#Instructor",
    "system/person#Administrator",
)
KINDS = {CoursePage: "course", LessonPage: "lesson", QuizPage: "quiz"}


class LaunchRefused(Exception):
    """A launch Atelier does not accept: a message for the person, an HTTP status."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


@dataclass
class Accepted:
    user: object
    trainer: bool
    link: ResourceLink | None
    page: Page | None
    info: dict  # kept in the LTI session (session.py)


def extension_iri() -> str:
    return f"{settings.SITE_BASE_URL}/xapi/extensions/lti"


def is_trainer(roles: list[str]) -> bool:
    return any(
        role.endswith(suffix) or role == suffix.split("#")[-1]
        for role in roles
        for suffix in TRAINER_ROLES
    )


def _language(body: dict) -> str:
    locale = (body.get(LTI + "launch_presentation") or {}).get("locale") or ""
    language = locale.replace("_", "-").split("-")[0].lower()
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- the account -------------------------------------------------------------


def _username(issuer: str, subject: str) -> str:
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()
    return f"lti-{digest[:20]}"


def _free_email(email: str, user=None) -> str:
    """`email` if it is one and no other account has it; else ''."""
    email = (email or "").strip()
    if "@" not in email or len(email) > 254:
        return ""
    others = get_user_model().objects.filter(email__iexact=email)
    if user is not None:
        others = others.exclude(pk=user.pk)
    return "" if others.exists() else email


def user_for(issuer: str, body: dict):
    """The account of the LTI user (issuer + sub), created on their first launch."""
    subject = str(body.get("sub") or "")
    if not subject or len(subject) > 255:
        raise LaunchRefused(_("This launch does not say who the user is (sub)."))
    names = {
        "first_name": str(body.get("given_name") or "")[:150],
        "last_name": str(body.get("family_name") or "")[:150],
    }
    identity = (
        Identity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        user = identity.user
        changed = {k: v for k, v in names.items() if v and getattr(user, k) != v}
        if not user.email:
            email = _free_email(body.get("email"), user)
            if email:
                changed["email"] = email
        if changed:
            for name, value in changed.items():
                setattr(user, name, value)
            user.save(update_fields=list(changed))
        return user
    User = get_user_model()
    user = User(
        username=_username(issuer, subject),
        email=_free_email(body.get("email")),
        preferred_language=_language(body),
        **names,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            Identity.objects.create(issuer=issuer, subject=subject, user=user)
    except IntegrityError:  # the same person's concurrent first launch
        return Identity.objects.get(issuer=issuer, subject=subject).user
    return user


# --- the target ---------------------------------------------------------------


def target_key(body: dict) -> uuid.UUID | None:
    """The translation key of the page a launch asks for: the custom parameter
    `atelier_page`, or a `/lti/go/<key>/` target link."""
    custom = body.get(LTI + "custom") or {}
    candidates = [custom.get("atelier_page")]
    path = urlsplit(str(body.get(LTI + "target_link_uri") or "")).path
    parts = [part for part in path.split("/") if part]
    if len(parts) == 3 and parts[:2] == ["lti", "go"]:
        candidates.append(parts[2])
    for candidate in candidates:
        try:
            return uuid.UUID(str(candidate))
        except (TypeError, ValueError):
            continue
    return None


def page_for_key(key: uuid.UUID, language: str | None = None) -> Page | None:
    """The live course, lesson or quiz of `key`, in `language` when translated."""
    pages = Page.objects.live().filter(translation_key=key).select_related("locale")
    by_language = {page.locale.language_code: page for page in pages}
    if not by_language:
        return None
    page = by_language.get(language) or by_language.get(
        Locale.get_default().language_code
    )
    page = (page or next(iter(by_language.values()))).specific
    return page if type(page) in KINDS else None


def kind_of(page: Page) -> str:
    return KINDS[type(page.specific)]


def course_of(page: Page) -> CoursePage:
    page = page.specific
    return page if isinstance(page, CoursePage) else page.get_parent().specific


# --- the record ----------------------------------------------------------------


def lti_context(platform: Platform, body: dict) -> tuple[dict, list[dict]]:
    """(extensions, grouping) that statements of this launch carry."""
    context = body.get(LTI + "context") or {}
    link = body.get(LTI + "resource_link") or {}
    extension = {
        "issuer": platform.issuer,
        "clientId": platform.client_id,
        "deploymentId": body.get(LTI + "deployment_id"),
        "messageType": body.get(LTI + "message_type"),
    }
    if link.get("id"):
        extension["resourceLink"] = {
            key: link[key] for key in ("id", "title") if link.get(key)
        }
    grouping = []
    if context.get("id"):
        extension["context"] = {
            key: context[key] for key in ("id", "title", "label") if context.get(key)
        }
        digest = hashlib.sha256(
            f"{platform.issuer}\n{context['id']}".encode()
        ).hexdigest()[:32]
        title = context.get("title") or context.get("label") or context["id"]
        grouping.append(
            {
                "objectType": "Activity",
                "id": f"{settings.SITE_BASE_URL}/activities/lti-context/{digest}",
                "definition": {
                    "type": vocabulary.COURSE,
                    "name": {"und": str(title)[:200]},
                },
            }
        )
    return {extension_iri(): extension}, grouping


def _link(platform: Platform, body: dict, page: Page | None) -> ResourceLink | None:
    claim = body.get(LTI + "resource_link") or {}
    if not claim.get("id"):
        return None
    context = body.get(LTI + "context") or {}
    ags = body.get(AGS_CLAIM) or {}
    nrps = body.get(NRPS_CLAIM) or {}
    defaults = {
        "title": str(claim.get("title") or "")[:255],
        "context_id": str(context.get("id") or "")[:255],
        "context_title": str(context.get("title") or "")[:255],
        "ags_endpoint": ags if isinstance(ags, dict) else {},
        "nrps_url": str(nrps.get("context_memberships_url") or "")[:500],
    }
    if ags.get("lineitem"):
        defaults["lineitem_url"] = str(ags["lineitem"])[:500]
    if page is not None:
        canonical = canonical_page(page)
        defaults.update(
            page=canonical,
            kind=kind_of(canonical),
            activity_id=activity_iri(kind_of(canonical), canonical),
        )
    link, _created = ResourceLink.objects.update_or_create(
        platform=platform,
        deployment_id=str(body.get(LTI + "deployment_id"))[:255],
        resource_link_id=str(claim["id"])[:255],
        defaults=defaults,
    )
    return link


def _enrol(user, page: Page):
    course = canonical_page(course_of(page))
    try:
        return progress.enrol(user, course)
    except AlreadyEnrolled:
        return progress.Enrollment.objects.get(user=user, course=course)
    except CourseNotAvailable as error:
        raise LaunchRefused(_("This course is not published."), 404) from error
    except PageRestricted as error:
        raise LaunchRefused(
            _("This course is not open to your account."), 403
        ) from error


def _record_launch(user, page: Page, enrollment) -> None:
    canonical = canonical_page(page)
    kind = kind_of(canonical)
    parent = None
    if kind != "course":
        parent = activity("course", course_of(canonical), with_definition=False)
    store_statement(
        build_statement(
            user=user,
            verb=vocabulary.LAUNCHED,
            obj=activity(kind, canonical),
            when=timezone.now(),
            registration=enrollment.pk if enrollment else None,
            parent=parent,
            language=_language({}),
        )
    )


def accept_launch(platform: Platform, body: dict) -> Accepted:
    """Account, link, enrolment and "launched" statement of a validated launch."""
    message_type = body.get(LTI + "message_type")
    roles = [str(role) for role in body.get(LTI + "roles") or []]
    trainer = is_trainer(roles)
    language = _language(body)
    page = None
    if message_type == RESOURCE_LINK:
        key = target_key(body)
        if key is not None:
            page = page_for_key(key, language)
            if page is None:
                raise LaunchRefused(
                    _("The content this link points to is no longer available."), 404
                )
    extensions, grouping = lti_context(platform, body)
    with (
        transaction.atomic(),
        statement_context(StatementContext(extensions=extensions, grouping=grouping)),
    ):
        user = user_for(platform.issuer, body)
        link = _link(platform, body, page)
        if link is not None:
            Launch.objects.update_or_create(
                link=link,
                user=user,
                defaults={"subject": str(body["sub"]), "roles": roles[:50]},
            )
        if page is not None:
            enrollment = None if trainer else _enrol(user, page)
            _record_launch(user, page, enrollment)
    info = {
        "platform": platform.pk,
        "link": link.pk if link else None,
        "trainer": trainer,
        "extensions": extensions,
        "grouping": grouping,
        "frame_origins": platform.allowed_frame_origins,
        "return_url": (body.get(LTI + "launch_presentation") or {}).get("return_url"),
    }
    return Accepted(user=user, trainer=trainer, link=link, page=page, info=info)
