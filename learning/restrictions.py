"""Page view restrictions as the learning domain enforces them.

Every domain function that acts on a page for a learner (enrol, open or complete
a lesson, start, save or submit a quiz attempt) calls `require_view`, whatever
view, job or command called it: a group, log-in or shared-password restriction
on the course (or the catalogue above it) refuses the action as it refuses the
page (courses/access.py). Without the learner's session, a shared password
counts as not given.
"""

from collections.abc import Mapping

from wagtail.models import Page, PageViewRestriction

from courses.access import refused_by

from .exceptions import PageRestricted


def require_view(user, *pages: Page, session: Mapping | None = None) -> None:
    """PageRestricted unless `user` may view each of `pages`."""
    checked = set()
    for page in pages:
        if page.pk in checked:
            continue
        checked.add(page.pk)
        restriction = refused_by(page, user, session=session)
        if restriction is not None:
            raise PageRestricted(
                password=restriction.restriction_type == PageViewRestriction.PASSWORD
            )
