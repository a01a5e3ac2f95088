"""Launch sessions as domain functions: start one, redeem its launch token on
the content origin, find it from its content key.

Tokens: the launch token is single use and lives PACKAGE_LAUNCH_TOKEN_SECONDS
(the player page's frame redeems it at once); the content key serves the
package's files to that session for PACKAGE_SESSION_HOURS.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from courses.packages.models import PackageLessonPage, PackageUnit
from learning.models import Enrollment
from learning.progress import _lesson_of

from .exceptions import LaunchRefused, PackagesUnavailable, UnitNotInLesson
from .models import LaunchMode, LaunchSession, hash_token, new_token
from .origin import content_origin
from .players import player_for


def package_lesson_of(
    enrollment: Enrollment, lesson, session: Mapping | None = None
) -> PackageLessonPage:
    """The canonical package lesson, live in the enrolled course and viewable."""
    from learning.exceptions import LessonNotAvailable

    lesson = _lesson_of(enrollment, lesson, session)
    if not isinstance(lesson, PackageLessonPage) or lesson.package_id is None:
        raise LessonNotAvailable
    return lesson


def start_session(
    enrollment: Enrollment,
    lesson,
    unit: PackageUnit,
    *,
    mode: str = LaunchMode.NORMAL,
    return_url: str = "",
    when: datetime | None = None,
    session: Mapping | None = None,
) -> tuple[LaunchSession, str]:
    """Open a launch session of `unit` for the enrolment; (session, launch token).

    The token is shown once: `launch_url(token)` is what the learner's frame,
    or a harness, opens on the content origin.
    """
    if not content_origin():
        raise PackagesUnavailable
    when = when or timezone.now()
    with transaction.atomic():
        lesson = package_lesson_of(enrollment, lesson, session)
        if unit.package_id != lesson.package_id:
            raise UnitNotInLesson
        token = new_token()
        launch = LaunchSession.objects.create(
            enrollment=enrollment,
            lesson=lesson,
            unit=unit,
            mode=mode,
            created_at=when,
            launch_token_hash=hash_token(token),
            launch_expires_at=when
            + timedelta(seconds=settings.PACKAGE_LAUNCH_TOKEN_SECONDS),
            content_key=new_token(),
            expires_at=when + timedelta(hours=settings.PACKAGE_SESSION_HOURS),
            return_url=return_url[:2000],
        )
        player_for(unit.package.format).start(launch)
    return launch, token


def launch_url(token: str) -> str:
    return f"{content_origin()}/packages/launch/{token}"


def redeem_launch_token(token: str, *, now: datetime | None = None) -> LaunchSession:
    """The session of a launch token not used yet and not expired; marks it used.

    LaunchRefused otherwise: a token opens its session once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        used = LaunchSession.objects.filter(
            launch_token_hash=hash_token(token),
            launched_at__isnull=True,
            launch_expires_at__gt=now,
        ).update(launched_at=now)
        if not used:
            raise LaunchRefused
        return LaunchSession.objects.select_related("unit__package").get(
            launch_token_hash=hash_token(token)
        )


def content_session(key: str, *, now: datetime | None = None) -> LaunchSession | None:
    """The session whose files `key` serves, while it may still be served."""
    return (
        LaunchSession.objects.select_related("unit__package")
        .filter(content_key=key, launched_at__isnull=False)
        .filter(expires_at__gt=now or timezone.now())
        .first()
    )
