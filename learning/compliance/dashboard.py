"""What a manager sees: counts per unit and status, the person list, a history.

The counts and the order of the person list come from the database
(`status_sql.StatusQuery`, the status rule written in SQL, in one query); the
rows shown are evaluated by `status.standings()`. The number of queries does not
depend on the number of people.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from learning.certificates.models import Certificate
from learning.exceptions import NotAManager, OutOfScope
from learning.models import Enrollment

from .models import ComplianceStatus, Membership, Reminder, Requirement
from .placement import pending_request, unit_paths
from .scope import ManagerScope, manager_scope
from .status import Rules, Standing, standings
from .status_sql import SORT_KEYS, StatusQuery
from .units import UnitTree

#: Display order: good news first, then what needs action.
STATUS_ORDER = [
    ComplianceStatus.COMPLIANT,
    ComplianceStatus.EXPIRING,
    ComplianceStatus.IN_PROGRESS,
    ComplianceStatus.DUE,
    ComplianceStatus.OVERDUE,
    ComplianceStatus.EXPIRED,
    ComplianceStatus.IDENTITY_UNVERIFIED,
]


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
    search: str
    tables: list[tuple[Requirement, list[UnitRow]]]
    people: "PersonList"
    today: date
    parent: tuple[int, str] | None = None  # the unit above, if the viewer sees it
    scope: ManagerScope | None = None


def scope_for(viewer, tree: UnitTree) -> ManagerScope:
    """What `viewer` watches (`scope.manager_scope`); NotAManager if nothing."""
    scope = manager_scope(viewer, tree=tree)
    if not scope:
        raise NotAManager
    return scope


class PersonList:
    """The person list, sorted and filtered by the database, evaluated lazily.

    A sequence for `Paginator`: `count()` comes from the counts already made,
    a slice asks the database for that page's (person, requirement) pairs and
    evaluates only them with `standings()`; iterating goes through every row
    in chunks (the exports).
    """

    CHUNK = 10000  # rows evaluated at a time by the exports (about 10 queries each)

    def __init__(
        self,
        query: StatusQuery,
        *,
        rules: Rules,
        tree: UnitTree,
        status: str | None,
        sort: str,
        total: int,
        today: date,
        window: tuple[int, list] | None = None,
    ):
        self.query = query
        self.window = window  # (offset, pairs) of a page already fetched
        self.rules = rules
        self.tree = tree
        self.status = status
        self.sort = sort
        self.total = total
        self.today = today

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(self.total)
        if stop <= start:
            return []
        if self.window and self.window[0] == start:
            pairs = self.window[1][: stop - start]
            if len(pairs) == stop - start or stop == self.total:
                return self._rows(pairs)
        pairs = self.query.ordered(
            status=self.status, sort=self.sort, limit=stop - start, offset=start
        )
        return self._rows(pairs)

    def __iter__(self):
        pairs = self.query.ordered(status=self.status, sort=self.sort)
        for first in range(0, len(pairs), self.CHUNK):
            yield from self._rows(pairs[first : first + self.CHUNK])

    def _rows(self, pairs: list[tuple[int, int, str]]) -> list[PersonRow]:
        """The rows of these (person, requirement) pairs, in their order."""
        ids = {user_id for user_id, _rid, _status in pairs}
        User = get_user_model()
        found = standings(
            User.objects.filter(pk__in=ids),
            (),
            today=self.today,
            rules=self.rules,
        )
        people = {
            row[0]: row
            for row in User.objects.filter(pk__in=ids).values_list(
                "pk", "first_name", "last_name", "email", "pseudonym"
            )
        }
        shown = self.query.units_set
        codes: dict[int, set[str]] = defaultdict(set)
        for user_id, unit in Membership.objects.filter(user_id__in=ids).values_list(
            "user_id", "unit_id"
        ):
            if unit in shown:
                codes[user_id].add(self.tree.code[unit])
        by_requirement = {r.pk: r for r in self.rules.requirements}
        rows = []
        for user_id, rid, _status in pairs:
            item = found.get((user_id, rid))
            if item is None:  # left since the page was counted
                continue
            _pk, first, last, email, pseudonym = people[user_id]
            rows.append(
                PersonRow(
                    user_id=user_id,
                    first_name=first,
                    last_name=last,
                    email=email,
                    pseudonym=str(pseudonym),
                    unit_label=", ".join(sorted(codes[user_id])),
                    requirement=by_requirement[rid],
                    standing=item,
                )
            )
        return rows


#: The row id of "everyone shown", when no unit row stands for it.
EVERYONE = 0


def build_overview(
    viewer,
    *,
    unit_id: int | None = None,
    requirement_slug: str | None = None,
    status: str | None = None,
    sort: str = "name",
    today: date | None = None,
    page: int | None = None,
    counted: bool = True,
    search: str = "",
) -> Overview:
    """The dashboard for `viewer`, filtered; OutOfScope for a unit they do not manage.

    With `page` (numbered from 1), that page of the person list is fetched
    with the counts, in the same query. Without `counted` (the exports), no
    counts: no tables, and the person list's length is unknown until read.

    The counts come from one aggregate query; the person list is paged by the
    database (see `PersonList`): the number of queries does not depend on the
    number of people.
    """
    today = today or timezone.localdate()
    tree = UnitTree.load()
    manager = scope_for(viewer, tree)
    scope = set(manager.unit_ids)
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
    sort = sort if sort.lstrip("-") in SORT_KEYS else "name"

    rules = Rules.load(wanted, tree)
    query = StatusQuery(
        units=shown,
        requirements=rules.requirements,
        courses=rules.courses,
        targets=rules.targets,
        today=today,
        everyone=len(shown) == len(tree.code),
        search=search,
    )
    everyone = unit_id or EVERYONE
    rows_units = {pk: tree.descendants([pk]) for pk in row_units}
    rows_units.setdefault(everyone, shown)
    counts, window, listed = {}, None, None
    if rules.requirements and counted and page:
        offset = (page - 1) * settings.COMPLIANCE_PAGE_SIZE
        counts, pairs, listed = query.counts_and_page(
            rows_units,
            status=status,
            sort=sort,
            limit=settings.COMPLIANCE_PAGE_SIZE,
            offset=offset,
        )
        window = (offset, pairs)
    elif rules.requirements and counted:
        counts = query.counts(rows_units)

    tables = []
    for requirement in rules.requirements:
        rows = {pk: UnitRow(pk, tree.label(pk)) for pk in row_units}
        for pk, row in rows.items():
            for state in STATUS_ORDER:
                row.counts[state] = counts.get((pk, requirement.pk, state.value), 0)
        table = [rows[pk] for pk in row_units]
        if unit_id:
            table[0].is_total = True
        # A requirement that applies to nobody here is noise, unless asked for.
        if selected or any(row.total for row in table):
            tables.append((requirement, table))

    total = (
        listed
        if listed is not None
        else sum(
            n
            for (row, _rid, state), n in counts.items()
            if row == everyone and (status is None or state == status)
        )
    )
    people = PersonList(
        query,
        rules=rules,
        tree=tree,
        status=status,
        sort=sort,
        total=total,
        today=today,
        window=window,
    )

    unit_choices = []
    for top in tops:
        for pk in _depth_first(tree, top):
            unit_choices.append((pk, tree.label(pk), tree.depth(pk) - tree.depth(top)))
    parent_id = tree.parent.get(unit_id) if unit_id else None
    return Overview(
        scope=manager,
        parent=(parent_id, tree.label(parent_id)) if parent_id in scope else None,
        requirements=requirements,
        unit_choices=unit_choices,
        unit_id=unit_id,
        requirement=selected,
        status=status,
        sort=sort,
        search=" ".join(query.terms),
        tables=tables,
        people=people,
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
    #: their pending request to join a unit, if any
    unit_request: object = None
    #: the viewer may decide on it (the unit is in their scope)
    may_decide: bool = False
    #: administrators place people in units: (id, path) of every unit
    unit_choices: list | None = None


def person_history(viewer, pseudonym) -> PersonHistory:
    """A person's memberships, standings, certificates, enrolments and reminders."""
    tree = UnitTree.load()
    scope = manager_scope(viewer, tree=tree)
    if not scope:
        raise NotAManager
    User = get_user_model()
    person = scope.people(User.objects.filter(pseudonym=pseudonym)).first()
    if person is None:
        raise OutOfScope
    request = pending_request(person)
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
            Reminder.objects.filter(user=person).select_related(
                "requirement", "sent_by"
            )[:50]
        ),
        unit_request=request,
        may_decide=bool(
            request and scope.includes_unit(request.unit_id) and viewer.pk != person.pk
        ),
        unit_choices=unit_paths(tree) if scope.everything else None,
    )
