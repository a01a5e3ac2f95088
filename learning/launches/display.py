"""What the package lesson page shows about its units (read-only)."""

from dataclasses import dataclass

from .models import LaunchSession, UnitProgress


@dataclass(frozen=True)
class UnitRow:
    unit: object
    title: str
    started: bool = False
    satisfied: bool = False


def unit_rows(lesson, journey) -> list[UnitRow]:
    """The lesson's units in order, with the learner's progress (two queries)."""
    units = list(lesson.units()) if lesson.package_id else []
    enrollment = getattr(journey, "enrollment", None)
    if not units or enrollment is None:
        return [UnitRow(unit, unit.title_text) for unit in units]
    satisfied = set(
        UnitProgress.objects.filter(
            enrollment=enrollment, satisfied_at__isnull=False, unit__in=units
        ).values_list("unit_id", flat=True)
    )
    started = set(
        LaunchSession.objects.filter(
            enrollment=enrollment, unit__in=units, launched_at__isnull=False
        ).values_list("unit_id", flat=True)
    )
    return [
        UnitRow(unit, unit.title_text, unit.pk in started, unit.pk in satisfied)
        for unit in units
    ]
