"""Building xAPI 1.0.3 statements with tincan, behind a thin wrapper of ours.

Why a wrapper: tincan serialises a naive datetime without its offset and uses the
deprecated `utcfromtimestamp`, so every timestamp here is made timezone-aware UTC
by us; and only this module decides actors, activity ids and language maps.
"""

import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from wagtail.models import Page

from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    Context,
    ContextActivities,
    LanguageMap,
    Result,
    Score,
)
from tincan import Statement as TinCanStatement
from tincan import Verb as TinCanVerb

from cms.caching import memo

from . import vocabulary
from .vocabulary import Verb

ACTIVITY_KINDS = {
    "course": vocabulary.COURSE,
    "lesson": vocabulary.LESSON,
    "quiz": vocabulary.ASSESSMENT,
}


def utc_timestamp(when: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a Z; refuses naive datetimes."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("xAPI timestamps must be timezone-aware")
    return (
        when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def activity_iri(kind: str, page: Page) -> str:
    """Stable absolute IRI: survives renames, moves and translations of the page."""
    return f"{settings.SITE_BASE_URL}/activities/{kind}/{page.translation_key}"


def parse_activity_iri(iri: str) -> tuple[str, uuid.UUID] | None:
    """The (kind, translation key) of one of our activity IRIs, else None."""
    prefix = f"{settings.SITE_BASE_URL}/activities/"
    if not iri.startswith(prefix):
        return None
    kind, _, key = iri[len(prefix) :].partition("/")
    try:
        return kind, uuid.UUID(key)
    except ValueError:
        return None


def actor_for(user) -> Agent:
    """A pseudonymous actor: the site's account with an opaque per-user id."""
    return Agent(
        account=AgentAccount(home_page=settings.SITE_BASE_URL, name=str(user.pseudonym))
    )


_PAGE_FIELDS = {field.attname for field in Page._meta.concrete_fields}


def language_map(page: Page, attribute: str = "title") -> LanguageMap:
    """The page's attribute in every language it is translated into."""
    if attribute in _PAGE_FIELDS:
        # A column of the page table: one query, memoised until content
        # changes (a save or publish of any page starts a new generation).
        values = memo(
            "language-map",
            page.translation_key,
            attribute,
            compute=lambda: _column_values(page, attribute),
        )
        return LanguageMap(dict(values))
    translations = page.get_translations(inclusive=True)
    return LanguageMap(
        {
            translation.locale.language_code: value
            for translation in translations.select_related("locale").specific()
            if (value := getattr(translation, attribute, ""))
        }
    )


def _column_values(page: Page, attribute: str) -> tuple:
    pairs = page.get_translations(inclusive=True).values_list(
        "locale__language_code", attribute
    )
    return tuple((language, value) for language, value in pairs if value)


def activity(kind: str, page: Page, *, with_definition: bool = True) -> Activity:
    if not with_definition:
        return Activity(id=activity_iri(kind, page))
    definition = ActivityDefinition(type=ACTIVITY_KINDS[kind], name=language_map(page))
    return Activity(id=activity_iri(kind, page), definition=definition)


def build_statement(
    *,
    user,
    verb: Verb,
    obj: Activity,
    when: datetime,
    registration: uuid.UUID | None = None,
    parent: Activity | None = None,
    language: str = "fr",
    completion: bool | None = None,
    success: bool | None = None,
    score: tuple[float, float, float] | None = None,
    duration: timedelta | None = None,
) -> dict:
    """A statement as a JSON-ready dict (score = (raw, min, max))."""
    context_activities = None
    if parent is not None:
        context_activities = ContextActivities(parent=[parent], grouping=[parent])
    context = Context(
        registration=registration,
        platform=vocabulary.PLATFORM,
        language=language,
        context_activities=context_activities,
    )
    result = None
    if any(value is not None for value in (completion, success, score, duration)):
        result = Result(completion=completion, success=success, duration=duration)
        if score is not None:
            raw, low, high = score
            scaled = (raw - low) / (high - low) if high > low else 0.0
            result.score = Score(raw=raw, min=low, max=high, scaled=round(scaled, 4))
    statement = TinCanStatement(
        id=uuid.uuid4(),
        actor=actor_for(user),
        verb=TinCanVerb(id=verb.id, display=LanguageMap(verb.display)),
        object=obj,
        context=context,
        result=result,
    )
    data = statement.as_version("1.0.3")
    data["timestamp"] = utc_timestamp(when)
    data.pop("version", None)  # the LRS sets `version` (and `stored`) when storing
    return data
