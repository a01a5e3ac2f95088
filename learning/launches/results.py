"""What units reached, and the lesson's completion that follows.

The extension point for every format: a player records that a unit is
satisfied (cmi5: its moveOn is met; SCORM: its status says so) with
`satisfy_unit`, inside the transaction that stored the statement that caused
it. Once every counted unit of the lesson's package is satisfied, the lesson is
completed through `progress.complete_lesson` (its "completed" statement, then
the course and its certificate if it was the last step).
"""

from datetime import datetime

from django.utils import timezone

from courses.packages.models import PackageUnit
from learning import progress
from learning.models import Enrollment, LessonProgress

from .models import UnitProgress

COUNTED_KINDS = ("au", "sco")  # SCORM assets report nothing: they never block


def unit_progress(enrollment: Enrollment, unit: PackageUnit) -> UnitProgress:
    """The enrolment's progress row of `unit`, created if needed."""
    row, _created = UnitProgress.objects.get_or_create(enrollment=enrollment, unit=unit)
    return row


def counted_units(package_id):
    return PackageUnit.objects.filter(package_id=package_id, kind__in=COUNTED_KINDS)


def lesson_satisfied(enrollment: Enrollment, package_id) -> bool:
    """Whether every counted unit of the package is satisfied in the enrolment
    (a cmi5 AU whose moveOn is NotApplicable always is)."""
    units = dict(counted_units(package_id).values_list("pk", "move_on"))
    done = set(
        UnitProgress.objects.filter(
            enrollment=enrollment, unit_id__in=units, satisfied_at__isnull=False
        ).values_list("unit_id", flat=True)
    )
    done |= {pk for pk, move_on in units.items() if move_on == "NotApplicable"}
    return bool(units) and set(units) <= done


def satisfy_unit(
    enrollment: Enrollment, lesson, unit: PackageUnit, *, when: datetime | None = None
) -> bool:
    """Mark `unit` satisfied (once); complete the lesson when it was the last one.

    Call inside the transaction of the statement that satisfied it. True if the
    unit was satisfied now (False: it already was).
    """
    when = when or timezone.now()
    row = unit_progress(enrollment, unit)
    if row.satisfied_at is not None:
        return False
    row.satisfied_at = when
    row.save(update_fields=["satisfied_at"])
    complete_lesson_if_satisfied(enrollment, lesson, when=when)
    return True


def complete_lesson_if_satisfied(enrollment: Enrollment, lesson, *, when) -> None:
    if not lesson_satisfied(enrollment, lesson.package_id):
        return
    done = LessonProgress.objects.filter(
        enrollment=enrollment, lesson_id=lesson.pk, completed_at__isnull=False
    ).exists()
    if not done:
        progress.complete_lesson(enrollment, lesson, when=when, by_package=True)
