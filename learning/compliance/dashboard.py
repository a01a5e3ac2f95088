"""What a manager sees: counts per unit and status, the person list, a history.

Everything is computed from `status.standings()` over the people of the units
in the viewer's scope, in a fixed number of queries whatever the number of
people: the unit tree, the people, their memberships, then the standings.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone

from learning.certificates.models import Certificate
from learning.models import Enrollment

from .models import ComplianceStatus, Membership, Reminder, Requirement
from .status import Standing, standings
from .units import UnitTree, managed_unit_ids

#: Display order: good news first, then what needs action.
STATUS_ORDER = [
    ComplianceStatus.COMPLIANT,
    ComplianceStatus.EXPIRING,
    ComplianceStatus.IN_PROGRESS,
    ComplianceStatus.DUE,
    ComplianceStatus.OVERDUE,
    ComplianceStatus.EXPIRED,
]
SORTS = {
    "name": lambda row: (row.last_name.lower(), row.first_name.lower()),
    "unit": lambda row: (row.unit_label.lower(), row.last_name.lower()),
    "requirement": lambda row: (row.requirement.title, row.last_name.lower()),
    "status": lambda row: (STATUS_ORDER.index(row.standing.status), row.last_name),
    "valid_until": lambda row: (row.standing.valid_until or date.max, row.last_name),
    "due_date": lambda row: (row.standing.due_date or date.max, row.last_name),
}


class NotAManager(Exception):
    """The viewer manages no unit."""


class OutOfScope(Exception):
    """The unit or person asked for is outside the viewer's units."""


@dataclass
class Segment:
    status: ComplianceStatus
    count: int
    percent: float

    @property
    def label(self) -> str:
        return self.status.label


@dataclass
class UnitRow:
    unit_id: int
    label: str
    is_total: bool = False
    counts: dict = field(default_factory=lambda: dict.fromkeys(STATUS_ORDER, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def segments(self) -> list[Segment]:
        total = self.total or 1
        return [
            Segment(
                status, self.counts[status], round(100 * self.counts[status] / total, 1)
            )
            for status in STATUS_ORDER
        ]

    @property
    def cleared_percent(self) -> float:
        cleared = (
            self.counts[ComplianceStatus.COMPLIANT]
            + self.counts[ComplianceStatus.EXPIRING]
        )
        return round(100 * cleared / self.total, 1) if self.total else 0.0


@dataclass
class PersonRow:
    user_id: int
    first_name: str
    last_name: str
    email: str
    pseudonym: str
    unit_label: str
    requirement: Requirement
    standing: Standing

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


@dataclass
class Overview:
    requirements: list[Requirement]
    unit_choices: list[tuple[int, str, int]]  # id, label, depth
    unit_id: int | None
    requirement: Requirement | None
    status: str | None
    sort: str
    tables: list[tuple[Requirement, list[UnitRow]]]
    people: list[PersonRow]
    today: date
    parent: tuple[int, str] | None = None  # the unit above, if the viewer sees it


def scope_for(viewer, tree: UnitTree) -> set[int]:
    scope = managed_unit_ids(viewer, tree)
    if not scope:
        raise NotAManager
    return scope


def build_overview(
    viewer,
    *,
    unit_id: int | None = None,
    requirement_slug: str | None = None,
    status: str | None = None,
    sort: str = "name",
    today: date | None = None,
) -> Overview:
    """The dashboard for `viewer`, filtered; OutOfScope for a unit they do not manage."""
    today = today or timezone.localdate()
    tree = UnitTree.load()
    scope = scope_for(viewer, tree)
    if unit_id is not None and unit_id not in scope:
        raise OutOfScope
    tops = tree.top(scope)
    if unit_id is None and len(tops) == 1:
        unit_id = tops[0]
    shown = tree.descendants([unit_id]) if unit_id else scope
    row_units = ([unit_id] + tree.children.get(unit_id, [])) if unit_id else tops

    requirements = list(Requirement.objects.filter(active=True).order_by("title"))
    selected = next((r for r in requirements if r.slug == requirement_slug), None)
    wanted = [selected] if selected else requirements
    if status not in ComplianceStatus.values:
        status = None

    User = get_user_model()
    people_qs = User.objects.filter(unit_memberships__unit_id__in=shown).distinct()
    found = standings(people_qs, wanted, today=today, tree=tree)
    # The people as a subquery, not a list of ids: SQLite caps query parameters.
    people = {
        row[0]: row
        for row in User.objects.filter(pk__in=people_qs.values("pk")).values_list(
            "pk", "first_name", "last_name", "email", "pseudonym"
        )
    }
    units_of: dict[int, list[int]] = defaultdict(list)
    for user_id, member_unit in Membership.objects.filter(
        unit_id__in=shown
    ).values_list("user_id", "unit_id"):
        if member_unit not in units_of[user_id]:
            units_of[user_id].append(member_unit)

    # Which display rows each person counts in: their units and ancestors.
    row_set = set(row_units)
    rows_of: dict[int, set[int]] = {}
    for user_id, member_units in units_of.items():
        rows_of[user_id] = {
            a for u in member_units for a in tree.ancestors(u) if a in row_set
        }

    by_requirement = {r.pk: r for r in wanted}
    items_of: dict[int, list[tuple[int, Standing]]] = defaultdict(list)
    for (user_id, rid), item in found.items():
        items_of[rid].append((user_id, item))
    tables = []
    for requirement in wanted:
        rows = {pk: UnitRow(pk, tree.label(pk)) for pk in row_units}
        for user_id, item in items_of[requirement.pk]:
            for pk in rows_of.get(user_id, ()):
                rows[pk].counts[item.status] += 1
        table = [rows[pk] for pk in row_units]
        if unit_id:
            table[0].is_total = True
        # A requirement that applies to nobody here is noise, unless asked for.
        if selected or any(row.total for row in table):
            tables.append((requirement, table))

    # Per person once: name, e-mail, pseudonym and unit codes.
    identity = {
        pk: (
            first,
            last,
            email,
            str(pseudonym),
            ", ".join(sorted(tree.code[u] for u in units_of.get(pk, ()))),
        )
        for pk, first, last, email, pseudonym in people.values()
    }
    person_rows = []
    for rid, items in items_of.items():
        requirement = by_requirement[rid]
        for user_id, item in items:
            if status and item.status != status:
                continue
            first, last, email, pseudonym, labels = identity[user_id]
            person_rows.append(
                PersonRow(
                    user_id=user_id,
                    first_name=first,
                    last_name=last,
                    email=email,
                    pseudonym=pseudonym,
                    unit_label=labels,
                    requirement=requirement,
                    standing=item,
                )
            )
    sort = sort if sort.lstrip("-") in SORTS else "name"
    person_rows.sort(key=SORTS[sort.lstrip("-")], reverse=sort.startswith("-"))

    unit_choices = []
    for top in tops:
        for pk in _depth_first(tree, top):
            unit_choices.append((pk, tree.label(pk), tree.depth(pk) - tree.depth(top)))
    parent_id = tree.parent.get(unit_id) if unit_id else None
    return Overview(
        parent=(parent_id, tree.label(parent_id)) if parent_id in scope else None,
        requirements=requirements,
        unit_choices=unit_choices,
        unit_id=unit_id,
        requirement=selected,
        status=status,
        sort=sort,
        tables=tables,
        people=person_rows,
        today=today,
    )


def _depth_first(tree: UnitTree, top: int):
    stack = [top]
    while stack:
        pk = stack.pop()
        yield pk
        stack.extend(reversed(tree.children.get(pk, [])))


@dataclass
class PersonHistory:
    person: object
    memberships: list
    standings: list[tuple[Requirement, Standing]]
    certificates: list
    enrollments: list
    reminders: list


def person_history(viewer, pseudonym) -> PersonHistory:
    """A person's memberships, standings, certificates, enrolments and reminders."""
    tree = UnitTree.load()
    scope = scope_for(viewer, tree)
    User = get_user_model()
    person = User.objects.filter(
        pseudonym=pseudonym, unit_memberships__unit_id__in=scope
    ).first()
    if person is None:
        raise OutOfScope
    requirements = list(Requirement.objects.filter(active=True).order_by("title"))
    found = standings(
        User.objects.filter(pk=person.pk),
        requirements,
        tree=tree,
        only_applicable=False,
    )
    return PersonHistory(
        person=person,
        memberships=list(person.unit_memberships.select_related("unit")),
        standings=[
            (r, found[(person.pk, r.pk)])
            for r in requirements
            if (person.pk, r.pk) in found
        ],
        certificates=list(
            Certificate.objects.filter(enrollment__user=person).order_by("-issued_at")
        ),
        enrollments=list(
            Enrollment.objects.filter(user=person).select_related("course")
        ),
        reminders=list(
            Reminder.objects.filter(user=person).select_related("requirement")[:50]
        ),
    )
