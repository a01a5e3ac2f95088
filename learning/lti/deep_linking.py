"""Deep Linking: a trainer in the LMS picks courses, lessons or quizzes.

Each picked page becomes an `ltiResourceLink` content item whose URL is the
page's stable address (`/lti/go/<translation key>/`, also given as the custom
parameter `atelier_page`), with a line item (out of 100) for quizzes and
courses, so the platform creates the gradebook column as it adds the link.
The answer is a JWT signed with the tool key (pylti1p3's `DeepLink`).
"""

import uuid

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from courses.models import CoursePage

from .config import registration_for
from .grades import SCORE_MAXIMUM
from .launch import kind_of, page_for_key


class DeepLinkingRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def go_url(page) -> str:
    return f"{settings.SITE_BASE_URL}/lti/go/{page.translation_key}/"


def content_tree(language: str) -> list[dict]:
    """Published courses with their lessons and quizzes, in `language` if
    translated (the default language otherwise)."""
    locale = Locale.objects.filter(language_code=language).first()
    courses = CoursePage.objects.live().order_by("title")
    if locale is not None and courses.filter(locale=locale).exists():
        courses = courses.filter(locale=locale)
    else:
        courses = courses.filter(locale=Locale.get_default())
    tree = []
    for course in courses:
        children = [
            {"key": child.translation_key, "title": child.title, "kind": kind_of(child)}
            for child in course.get_children().live().specific()
            if kind_of_or_none(child)
        ]
        tree.append(
            {
                "key": course.translation_key,
                "title": course.title,
                "kind": "course",
                "children": children,
            }
        )
    return tree


def kind_of_or_none(page) -> str | None:
    try:
        return kind_of(page)
    except KeyError:
        return None


def _resource(page) -> DeepLinkResource:
    kind = kind_of(page)
    resource = (
        DeepLinkResource()
        .set_url(go_url(page))
        .set_title(page.title)
        .set_custom_params({"atelier_page": str(page.translation_key)})
    )
    if kind in ("quiz", "course"):
        resource.set_lineitem(
            LineItem()
            .set_label(page.title)
            .set_score_maximum(SCORE_MAXIMUM)
            .set_resource_id(str(page.translation_key))
            .set_tag(f"atelier-{kind}")
        )
    return resource


def deep_link_response(platform, deployment_id, settings_claim: dict, picked) -> dict:
    """The signed answer for the pages picked (translation keys): return URL and JWT."""
    if not settings_claim.get("deep_link_return_url"):
        raise DeepLinkingRefused(_("The platform gave no address to answer to."))
    if "ltiResourceLink" not in (settings_claim.get("accept_types") or []):
        raise DeepLinkingRefused(_("The platform does not accept LTI links here."))
    pages = []
    for value in picked[:50]:
        try:
            page = page_for_key(uuid.UUID(value))
        except ValueError:
            page = None
        if page is None:
            raise DeepLinkingRefused(_("This content is no longer available."))
        pages.append(page)
    if not pages:
        raise DeepLinkingRefused(_("Choose at least one course, lesson or quiz."))
    multiple = settings_claim.get("accept_multiple", True) not in (False, "false")
    if len(pages) > 1 and not multiple:
        raise DeepLinkingRefused(_("The platform accepts one item only here."))
    deep_link = DeepLink(registration_for(platform), deployment_id, settings_claim)
    resources = [_resource(page) for page in pages]
    return {
        "return_url": settings_claim["deep_link_return_url"],
        "jwt": deep_link.get_response_jwt(resources),
    }
