"""Who may view a page: Wagtail's view restrictions, for every caller.

Wagtail checks a page's view restrictions (shared password, logged-in users,
groups) when it serves the page. Learners also act on pages by other roads —
the "start" and "mark as done" POST views, the quiz form, the HDF5 checker,
commands — so the learning domain functions ask here too, and the catalogue
lists and searches only what the person may view, as Wagtail's search hides
restricted pages from visitors. The rule is Wagtail's own
(`PageViewRestriction.accept_request`): every restriction on the page and its
ancestors must accept the person; a shared password counts once their session
holds it.

Restrictions come from the content-generation memo (cms/caching.py): a page
without any costs no query.
"""

from collections.abc import Mapping

from django.db.models import F, Q, QuerySet, prefetch_related_objects
from wagtail.models import Page, PageViewRestriction

from cms.caching import memo


class _Viewer:
    """What `accept_request()` reads of a request: the user and the session."""

    def __init__(self, user, session: Mapping | None):
        self.user = user
        self.session = {} if session is None else session


def _with_groups(user, restrictions) -> None:
    """Read the user's groups once for all the group restrictions to check."""
    wants_groups = any(
        restriction.restriction_type == PageViewRestriction.GROUPS
        for restriction in restrictions
    )
    if (
        wants_groups
        and getattr(user, "is_authenticated", False)
        and "groups" not in getattr(user, "_prefetched_objects_cache", {})
    ):
        prefetch_related_objects([user], "groups")


def _refusing(restrictions, user, session) -> list:
    if not restrictions:
        return []
    _with_groups(user, restrictions)
    viewer = _Viewer(user, session)
    return [
        restriction
        for restriction in restrictions
        if not restriction.accept_request(viewer)
    ]


def refused_by(page: Page, user, *, session: Mapping | None = None):
    """The first view restriction of `page` or an ancestor refusing `user`, or None."""
    refusing = _refusing(list(page.get_view_restrictions()), user, session)
    return refusing[0] if refusing else None


def can_view(page: Page, user, *, session: Mapping | None = None) -> bool:
    """Whether Wagtail would serve `page` to `user` (with this session)."""
    return refused_by(page, user, session=session) is None


def _all_restrictions() -> list[PageViewRestriction]:
    return list(
        PageViewRestriction.objects.annotate(page_path=F("page__path"))
        .prefetch_related("groups")
        .order_by("pk")
    )


def hidden_paths(user, *, session: Mapping | None = None) -> list[str]:
    """Tree paths of the restricted pages `user` may not view (whole subtrees)."""
    restrictions = memo("all-view-restrictions", compute=_all_restrictions)
    return [r.page_path for r in _refusing(restrictions, user, session)]


def is_hidden(path: str, hidden: list[str]) -> bool:
    return any(path.startswith(prefix) for prefix in hidden)


def viewable(pages: QuerySet, user, *, session: Mapping | None = None) -> QuerySet:
    """`pages` without those `user` may not view (for anonymous visitors: Wagtail's
    `.public()`)."""
    hidden = hidden_paths(user, session=session)
    if not hidden:
        return pages
    condition = Q()
    for path in hidden:
        condition |= Q(path__startswith=path)
    return pages.exclude(condition)
