"""The catalogue query: facets (theme, level, language, duration) and full-text
search, its results ranked by relevance.

`search_catalogue` is what the catalogue page renders; it never raises on odd
query strings: unknown facet values are ignored, over-long searches truncated,
quotes and control characters in a search are word separators (`cms.search`).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, When
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page

from cms.search import words

from .access import viewable
from .models import ContentLanguage, CoursePage, LessonPage, Level, Theme

MAX_QUERY_LENGTH = 200

DURATIONS = {
    # bucket: (label, minimum minutes inclusive, maximum minutes inclusive)
    "short": (_("Up to 30 min"), 0, 30),
    "medium": (_("30 min to 1 h 30"), 31, 90),
    "long": (_("More than 1 h 30"), 91, None),
}


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]


@dataclass
class CatalogueResults:
    courses: list[CoursePage]
    query: str
    facets: list[Facet]
    filters: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_filtered(self) -> bool:
        return bool(self.query or any(self.filters.values()))


def offered(courses: QuerySet) -> QuerySet:
    """The courses with at least one published lesson: a course published before
    its lessons is not offered (catalogue, search, home page)."""
    lessons = LessonPage.objects.live().filter(
        path__startswith=OuterRef("path"), depth=OuterRef("depth") + 1
    )
    return courses.filter(Exists(lessons))


def with_language(courses: QuerySet) -> QuerySet:
    """`courses` annotated with `catalogue_language`, the language of their text
    (see CoursePage.content_language): a translation's is its locale's, so the
    English versions of French courses are found as English."""
    return courses.annotate(
        catalogue_language=Case(
            When(locale__language_code=settings.LANGUAGE_CODE, then=F("language")),
            default=F("locale__language_code"),
        )
    )


def every_version() -> QuerySet:
    """Every offered course, in every language (a translation is one of them)."""
    return with_language(offered(CoursePage.objects.live()))


def catalogue_courses(index_page: Page, languages: list[str] | None = None) -> QuerySet:
    """Offered courses of this catalogue, plus default-language ones not yet translated.

    With `languages` (the language facet), the versions in those languages: one
    per course, this catalogue's own when it is in one of them, else the
    default-language one, else any. So the French catalogue's "English" lists
    the English versions of its courses, and the English catalogue's "French"
    the French ones.
    """
    default_locale = Locale.get_default()
    if languages:
        return _versions_in(index_page, languages, default_locale)
    local = offered(CoursePage.objects.live().descendant_of(index_page))
    if index_page.locale_id == default_locale.pk:
        return with_language(local)
    untranslated = (
        offered(CoursePage.objects.live())
        .filter(locale=default_locale)
        .exclude(translation_key__in=local.values("translation_key"))
    )
    return with_language(
        CoursePage.objects.filter(
            Q(pk__in=local.values("pk")) | Q(pk__in=untranslated.values("pk"))
        )
    )


def _versions_in(index_page: Page, languages: list[str], default_locale) -> QuerySet:
    candidates = every_version().filter(catalogue_language__in=languages)
    local = candidates.descendant_of(index_page)
    chosen = Q(pk__in=local.values("pk"))
    taken = local.values("translation_key")
    default = candidates.filter(locale=default_locale).exclude(
        translation_key__in=taken
    )
    chosen |= Q(pk__in=default.values("pk"))
    others = candidates.exclude(locale__in=[index_page.locale_id, default_locale.pk])
    others = others.exclude(translation_key__in=taken).exclude(
        translation_key__in=candidates.filter(locale=default_locale).values(
            "translation_key"
        )
    )
    kept: dict = {}
    for pk, key in others.order_by("pk").values_list("pk", "translation_key"):
        kept.setdefault(key, pk)  # one version per course, however many locales
    chosen |= Q(pk__in=list(kept.values()))
    return with_language(CoursePage.objects.filter(chosen))


# Reciprocal rank fusion (Cormack et al., 2009): each search lists its hits in
# the backend's relevance order (BM25 on SQLite, ts_rank on PostgreSQL; their
# scores are on different scales), a hit at rank r is worth 1 / (K + r).
RANK_K = 60
# A course counts its best-matching lesson, which says less about it than the
# course's own title, summary and objectives.
LESSON_WEIGHT = 0.5


def _relevance(courses: QuerySet, query: str) -> dict[int, float]:
    """Course id -> relevance, for the courses of `courses` that match the query
    by their own text or by one of their lessons.

    The searches run on live pages, then `courses` keeps what it offers: the search
    backend cannot translate every filter of `courses` (subqueries) into its own.
    """
    scores: dict[int, float] = {}
    found = CoursePage.objects.live().search(query, operator="and")
    for rank, course_id in enumerate(course.pk for course in found):
        scores[course_id] = 1 / (RANK_K + rank)
    by_parent: dict[str, float] = {}
    lessons = LessonPage.objects.live().search(query, operator="and")
    for rank, path in enumerate(lesson.path for lesson in lessons):
        parent = path[: -Page.steplen]
        by_parent.setdefault(parent, LESSON_WEIGHT / (RANK_K + rank))  # its best
    offered_hits = courses.filter(Q(pk__in=list(scores)) | Q(path__in=list(by_parent)))
    return {
        pk: scores.get(pk, 0) + by_parent.get(path, 0)
        for pk, path in offered_hits.values_list("pk", "path")
    }


def _duration_q(bucket: str) -> Q:
    _label, low, high = DURATIONS[bucket]
    condition = Q(duration_minutes__gte=low)
    if high is not None:
        condition &= Q(duration_minutes__lte=high)
    return condition


def _filter(
    courses: QuerySet, filters: dict[str, list[str]], *, skip: str = ""
) -> QuerySet:
    if filters["theme"] and skip != "theme":
        courses = courses.filter(themes__code__in=filters["theme"]).distinct()
    if filters["level"] and skip != "level":
        courses = courses.filter(level__in=filters["level"])
    if filters["language"] and skip != "language":
        courses = courses.filter(catalogue_language__in=filters["language"])
    if filters["duration"] and skip != "duration":
        condition = Q()
        for bucket in filters["duration"]:
            condition |= _duration_q(bucket)
        courses = courses.filter(condition)
    return courses


def _clean_filters(params: QueryDict, themes: list[Theme]) -> dict[str, list[str]]:
    allowed = {
        "theme": {theme.code for theme in themes},
        "level": set(Level.values),
        "language": set(ContentLanguage.values),
        "duration": set(DURATIONS),
    }
    return {
        name: [value for value in params.getlist(name) if value in values]
        for name, values in allowed.items()
    }


def search_catalogue(
    index_page: Page, params: QueryDict, *, user=None, session=None
) -> CatalogueResults:
    """Filter and search the catalogue as the query string asks; with a search,
    the most relevant courses come first.

    Courses `user` may not view (Wagtail view restrictions, courses/access.py)
    are neither listed, found nor counted; without a user, only public ones.
    """
    themes = list(Theme.objects.all())
    filters = _clean_filters(params, themes)
    query = words(params.get("q", ""))[:MAX_QUERY_LENGTH]

    user = user or AnonymousUser()
    base = viewable(
        catalogue_courses(index_page, filters["language"]), user, session=session
    )
    # The language facet counts the courses that have a version in each language.
    versions = viewable(every_version(), user, session=session)
    relevance = _relevance(versions, query) if query else {}
    if query:
        base = base.filter(pk__in=list(relevance))
        versions = versions.filter(pk__in=list(relevance))

    def counts(name: str, column: str) -> dict[str, int]:
        rows = (
            _filter(base, filters, skip=name)
            .order_by()
            .values(column)
            .annotate(n=Count("pk", distinct=True))
        )
        return {row[column]: row["n"] for row in rows}

    theme_counts = counts("theme", "themes__code")
    level_counts = counts("level", "level")
    language_counts = {
        row["catalogue_language"]: row["n"]
        for row in _filter(versions, filters, skip="language")
        .order_by()
        .values("catalogue_language")
        .annotate(n=Count("translation_key", distinct=True))
    }
    unfiltered_by_duration = _filter(base, filters, skip="duration")
    duration_counts = {
        bucket: unfiltered_by_duration.filter(_duration_q(bucket)).count()
        for bucket in DURATIONS
    }

    def options(name, choices, tally):
        return [
            FacetOption(value, str(label), tally.get(value, 0), value in filters[name])
            for value, label in choices
        ]

    facets = [
        Facet(
            "theme",
            str(_("Theme")),
            options("theme", [(t.code, t.name) for t in themes], theme_counts),
        ),
        Facet("level", str(_("Level")), options("level", Level.choices, level_counts)),
        Facet(
            "language",
            str(_("Language")),
            options("language", ContentLanguage.choices, language_counts),
        ),
        Facet(
            "duration",
            str(_("Duration")),
            options(
                "duration",
                [(key, value[0]) for key, value in DURATIONS.items()],
                duration_counts,
            ),
        ),
    ]
    courses = list(
        _filter(base, filters)
        .prefetch_related("themes")
        .select_related("locale")
        .order_by("-mandatory", "title")
    )
    if query:  # most relevant first; equals keep mandatory first, then by title
        courses.sort(key=lambda course: -relevance[course.pk])
    return CatalogueResults(
        courses=courses, query=query, facets=facets, filters=filters
    )
