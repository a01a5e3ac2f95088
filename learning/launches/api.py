"""The packages API for publishing pipelines and test harnesses (django-ninja).

`Authorization: Bearer <token>` (a PackageApiToken, scoped to courses):

- `POST /api/v1/packages/courses/{course}/lessons` (multipart `file`, optional
  `title`, `publish`): import a zip as a new package lesson of the course;
- `POST /api/v1/packages/courses/{course}/enrolments` `{"person": …}`: enrol a
  person (e-mail, pseudonym or SSO id) in the course (200 if already enrolled);
- `POST /api/v1/packages/units/{unit}/launches` `{"person": …, "mode": …}`: a
  launch URL of the unit for that person, opened once within
  PACKAGE_LAUNCH_TOKEN_SECONDS, exactly what the learner's own button opens.

Bad or missing token → 401; a course outside the token's scope → 403; unknown
course, unit or person → 404; a refused package → 400 with "file: reason" lines.
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from wagtail.models import Locale

from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from courses.models import CoursePage
from courses.packages.errors import PackageError
from courses.packages.importing import create_package_lesson
from courses.packages.models import PackageLessonPage, PackageUnit
from learning import progress
from learning.compliance.api import find_person
from learning.exceptions import AlreadyEnrolled, LearningError
from learning.models import Enrollment

from .models import LaunchMode, PackageApiToken, hash_token
from .sessions import launch_url, start_session

router = Router(tags=["packages"])


class PackageToken(HttpBearer):
    def authenticate(self, request, token):
        found = PackageApiToken.objects.filter(
            token_hash=hash_token(token), revoked=False
        ).first()
        if found is not None:
            PackageApiToken.objects.filter(pk=found.pk).update(
                last_used_at=timezone.now()
            )
        return found


class Problem(Schema):
    detail: str
    errors: list[str] = []


class UnitOut(Schema):
    id: int
    identifier: str
    title: str
    kind: str
    move_on: str
    launch_method: str


class LessonOut(Schema):
    lesson_id: int
    url: str
    package_id: str
    format: str
    version: str
    units: list[UnitOut]


class PersonIn(Schema):
    person: str


class EnrolmentOut(Schema):
    registration: str
    course: str
    created: bool


class LaunchIn(Schema):
    person: str
    mode: LaunchMode = LaunchMode.NORMAL


class LaunchOut(Schema):
    launch_url: str
    expires_at: datetime
    session_id: str
    registration: str


def _course(request, slug: str) -> tuple[int, CoursePage | Problem]:
    course = CoursePage.objects.filter(
        slug=slug[:255].replace("\x00", ""), locale=Locale.get_default()
    ).first()
    if course is None:
        return 404, Problem(detail="unknown course")
    if not request.auth.courses.filter(pk=course.pk).exists():
        return 403, Problem(detail="this token may not act on this course")
    return 200, course


def _units(lesson: PackageLessonPage) -> list[UnitOut]:
    return [
        UnitOut(
            id=unit.pk,
            identifier=unit.identifier,
            title=unit.title_text,
            kind=unit.kind,
            move_on=unit.move_on,
            launch_method=unit.launch_method,
        )
        for unit in lesson.units()
    ]


@router.post(
    "/courses/{course}/lessons",
    auth=PackageToken(),
    response={201: LessonOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem},
)
def import_lesson(
    request,
    course: str,
    file: File[UploadedFile],
    title: Form[str] = "",
    publish: Form[bool] = True,
):
    """Import a cmi5 or SCORM zip as a new package lesson of the course."""
    status, found = _course(request, course)
    if status != 200:
        return status, found
    try:
        lesson = create_package_lesson(
            found, file, name=file.name or "package.zip", title=title, publish=publish
        )
    except PackageError as error:
        return 400, Problem(detail="the package was refused", errors=error.errors)
    package = lesson.package
    return 201, LessonOut(
        lesson_id=lesson.pk,
        url=f"{settings.SITE_BASE_URL}{lesson.url or ''}",
        package_id=str(package.pk),
        format=package.format,
        version=package.version,
        units=_units(lesson),
    )


@router.post(
    "/courses/{course}/enrolments",
    auth=PackageToken(),
    response={
        200: EnrolmentOut,
        201: EnrolmentOut,
        401: Problem,
        403: Problem,
        404: Problem,
        409: Problem,
    },
)
def enrol_person(request, course: str, body: PersonIn):
    """Enrol a person in the course (their existing enrolment if they have one)."""
    status, found = _course(request, course)
    if status != 200:
        return status, found
    user = find_person(body.person)
    if user is None:
        return 404, Problem(detail="unknown person")
    try:
        enrollment, created = progress.enrol(user, found), True
    except AlreadyEnrolled:
        enrollment = Enrollment.objects.get(user=user, course=found)
        created = False
    except LearningError as error:
        return 409, Problem(detail=str(error.message))
    return (201 if created else 200), EnrolmentOut(
        registration=str(enrollment.pk), course=found.slug, created=created
    )


@router.post(
    "/units/{unit_id}/launches",
    auth=PackageToken(),
    response={201: LaunchOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem},
)
def launch(request, unit_id: int, body: LaunchIn):
    """A single-use launch URL of the unit for an enrolled person."""
    unit = PackageUnit.objects.filter(pk=unit_id).select_related("package").first()
    lesson = (
        PackageLessonPage.objects.live()
        .filter(package_id=unit.package_id, locale=Locale.get_default())
        .first()
        if unit
        else None
    )
    if lesson is None:
        return 404, Problem(detail="unknown unit")
    course = lesson.get_parent().specific
    if not request.auth.courses.filter(pk=course.pk).exists():
        return 403, Problem(detail="this token may not act on this course")
    user = find_person(body.person)
    if user is None:
        return 404, Problem(detail="unknown person")
    enrollment = Enrollment.objects.filter(user=user, course=course).first()
    if enrollment is None:
        return 409, Problem(detail="the person is not enrolled in this course")
    try:
        session, token = start_session(
            enrollment,
            lesson,
            unit,
            mode=body.mode,
            return_url=f"{settings.SITE_BASE_URL}{lesson.url or ''}",
        )
    except LearningError as error:
        return 409, Problem(detail=str(error.message))
    return 201, LaunchOut(
        launch_url=launch_url(token),
        expires_at=session.launch_expires_at,
        session_id=str(session.pk),
        registration=str(enrollment.pk),
    )
