"""The status rule of `status.evaluate()`, computed by the database for many people.

The dashboard needs counts per unit, requirement and status over tens of
thousands of people, and one page of the person list sorted and filtered by
status: evaluating every person in Python is too slow, so `StatusQuery` writes
the same rule as SQL (common table expressions, hash joins and aggregates), and
Python evaluates only the rows shown. tests/compliance/test_status_sql.py checks
that both agree on a table of cases.

The rule, as in `status.py`: per person and requirement, the best current
certificate of an acceptable course is the one that expires last (expiry: the
completion's local date plus the requirement's validity in months, else the
certificate's `valid_until`, none meaning never); it gives `compliant` or
`expiring` while valid, `expired` after; without one, `overdue` once the due
date (start + due days) has passed, else `in_progress` when enrolled, else
`due`; whatever that gives, `identity_unverified` for a person whose identity
nobody vouched for (accounts/identity.py, the same condition compiled by the
ORM into the query). The start is the earliest joining of a unit the requirement targets (or
a sub-unit), else, through a group, the account's creation date.

Written for SQLite and PostgreSQL: date arithmetic goes through `_Dialect`;
unit ids (from the unit tree in memory) are inlined as integers in VALUES lists,
so there is no limit on bound parameters.
"""

# Table names come from the models, ids are inlined through int(), values are
# bound parameters: nothing user-supplied is formatted into the SQL.
# ruff: noqa: S608

import re
from collections.abc import Iterable
from datetime import date

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from accounts.identity import verified_identity
from cms.search import words
from learning.certificates.models import Certificate
from learning.models import Enrollment, EnrollmentStatus

from . import freshness
from .models import ComplianceStatus, Membership, OrgUnit, Requirement

FAR = date.max  # "never expires" and "no date", for MAX() and sorting

#: LIKE's wildcards and its escape character, escaped in search terms.
LIKE_SPECIAL = re.compile(r"[\\%_]")
#: A search is at most this long, in at most this many words.
SEARCH_MAX_LENGTH, SEARCH_MAX_TERMS = 200, 5


def search_terms(text: str) -> list[str]:
    """The words of a search of the person list (no quotes or control characters)."""
    return words((text or "")[:SEARCH_MAX_LENGTH]).split()[:SEARCH_MAX_TERMS]


#: SQL sort keys of the person list; ties broken by name, then ids.
SORT_KEYS = {
    "name": ["LOWER(u.last_name)", "LOWER(u.first_name)"],
    "unit": ["uk.unit_key", "LOWER(u.last_name)"],
    "requirement": ["r.title", "LOWER(u.last_name)"],
    "status": ["s.status_rank", "LOWER(u.last_name)"],
    "valid_until": ["s.expiry", "LOWER(u.last_name)"],
    "due_date": ["s.due_date", "LOWER(u.last_name)"],
}
TIE_BREAK = [
    "LOWER(u.last_name)",
    "LOWER(u.first_name)",
    "s.user_id",
    "r.title",
    "s.rid",
]
STATUS_RANK = [
    ComplianceStatus.COMPLIANT,
    ComplianceStatus.EXPIRING,
    ComplianceStatus.IN_PROGRESS,
    ComplianceStatus.DUE,
    ComplianceStatus.OVERDUE,
    ComplianceStatus.EXPIRED,
    ComplianceStatus.IDENTITY_UNVERIFIED,
]


class _Dialect:
    """Date arithmetic on SQLite (dates are ISO text) and PostgreSQL."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        if not self.pg and connection.vendor != "sqlite":
            raise ImproperlyConfigured(
                "The compliance dashboard's SQL supports PostgreSQL and SQLite, "
                f"not {connection.vendor}: set DATABASE_URL to one of them."
            )

    def date(self, value: date) -> tuple[str, list]:
        return ("CAST(%s AS date)" if self.pg else "%s"), [value.isoformat()]

    def far(self) -> str:
        return f"DATE '{FAR.isoformat()}'" if self.pg else f"'{FAR.isoformat()}'"

    def add_days(self, day: str, days: str) -> str:
        if self.pg:
            return f"({day} + {days})"
        return f"date({day}, '+' || ({days}) || ' days')"

    def add_months(self, day: str, months: str) -> str:
        """Like relativedelta: 31 January + 1 month is the last day of February."""
        if self.pg:
            return f"CAST({day} + make_interval(months => {months}) AS date)"
        # SQLite overflows into the next month; the month's last day caps it.
        return (
            f"MIN(date({day}, '+' || ({months}) || ' months'), "
            f"date({day}, 'start of month', '+' || (({months}) + 1) || ' months', "
            "'-1 day'))"
        )

    def local_date(self, column: str) -> tuple[str, tuple]:
        return connection.ops.datetime_cast_date_sql(
            column, (), timezone.get_current_timezone_name()
        )


def _values(rows: Iterable[tuple[int | None, ...]], columns: list[str]) -> str:
    """A VALUES list of integers (from the database, inlined: no parameter limit)."""
    rows = list(rows)
    if not rows:  # an empty table of the right shape
        nulls = ", ".join(f"NULL AS {c}" for c in columns)
        return f"SELECT {nulls} WHERE 1 = 0"
    lines = ", ".join(
        "(" + ", ".join("NULL" if v is None else str(int(v)) for v in row) + ")"
        for row in rows
    )
    # PostgreSQL and SQLite both name VALUES columns column1, column2...
    named = ", ".join(f"column{i + 1} AS {c}" for i, c in enumerate(columns))
    return f"SELECT {named} FROM (VALUES {lines}) AS v"


class StatusQuery:
    """The standing of everyone in `units` on `requirements`, as SQL.

    `requirements` come from `status.prefetched()`, `courses` from
    `status._acceptable_course_ids()` and `targets` maps each requirement to
    the units (with descendants) it applies to. `everyone` says that `units`
    are all the units: anyone with a unit is shown, no need to narrow by person.
    """

    def __init__(
        self,
        *,
        units: Iterable[int],
        requirements: list[Requirement],
        courses: dict[int, set[int]],
        targets: dict[int, set[int]],
        today: date,
        everyone: bool = False,
        search: str = "",
    ):
        self.terms = search_terms(search)
        self.units = sorted(units)
        self.units_set = set(self.units)
        self.everyone = everyone
        self.requirements = requirements
        self.courses = courses
        self.targets = targets
        self.today = today
        self.sql = _Dialect()

    def _ctes(self) -> tuple[str, list]:
        """WITH ... standing(user_id, rid, status, status_rank, expiry, due_date)."""
        d = self.sql
        User = get_user_model()
        user = User._meta.db_table
        user_groups = User.groups.through._meta.db_table
        membership = Membership._meta.db_table
        certificate = Certificate._meta.db_table
        enrollment = Enrollment._meta.db_table
        requirement = Requirement._meta.db_table
        req_groups = Requirement.groups.through._meta.db_table
        rids = [r.pk for r in self.requirements]
        today, today_params = d.date(self.today)
        joined_day, joined_params = d.local_date("u.date_joined")
        completed_day, completed_params = d.local_date("c.completed_at")
        # The identity rule as the ORM writes it (accounts/identity.py), not
        # written again here.
        unverified, unverified_params = (
            User.objects.exclude(verified_identity())
            .values("pk")
            .query.sql_with_params()
        )

        def among_people(column: str, keyword: str = "WHERE") -> str:
            # Everyone with a unit is shown: the joins on `pair` suffice.
            if self.everyone:
                return ""
            return f"{keyword} {column} IN (SELECT user_id FROM people)"

        rank = " ".join(
            f"WHEN '{status.value}' THEN {index}"
            for index, status in enumerate(STATUS_RANK)
        )
        sql = f"""
WITH shown AS ({_values(((u,) for u in self.units), ["unit_id"])}),
people AS (
    SELECT DISTINCT m.user_id FROM {membership} m
    JOIN shown ON shown.unit_id = m.unit_id
),
req_unit AS ({
            _values(
                ((rid, u) for rid in rids for u in sorted(self.targets[rid])),
                ["rid", "unit_id"],
            )
        }),
req_course AS ({
            _values(
                ((rid, c) for rid in rids for c in sorted(self.courses[rid])),
                ["rid", "course_id"],
            )
        }),
req_group AS (
    SELECT requirement_id AS rid, group_id FROM {req_groups}
    WHERE requirement_id IN ({", ".join(str(int(rid)) for rid in rids) or "NULL"})
),
by_unit AS (
    SELECT m.user_id, ru.rid, MIN(m.joined_at) AS start
    FROM {membership} m
    JOIN req_unit ru ON ru.unit_id = m.unit_id
    {among_people("m.user_id")}
    GROUP BY m.user_id, ru.rid
),
by_group AS (
    SELECT DISTINCT ug.user_id, rg.rid FROM {user_groups} ug
    JOIN req_group rg ON rg.group_id = ug.group_id
    WHERE ug.user_id IN (SELECT user_id FROM people)
),
pair AS (
    SELECT user_id, rid, start FROM by_unit
    UNION ALL
    SELECT g.user_id, g.rid, {joined_day} AS start
    FROM by_group g JOIN {user} u ON u.id = g.user_id
    WHERE NOT EXISTS (
        SELECT 1 FROM by_unit b WHERE b.user_id = g.user_id AND b.rid = g.rid
    )
),
best AS (
    SELECT user_id, rid, MAX(
        CASE WHEN months > 0 THEN {d.add_months("day", "months")}
        ELSE COALESCE(valid_until, {d.far()}) END
    ) AS expiry
    FROM (
        SELECT e.user_id, rc.rid, r.validity_months AS months, c.valid_until,
            {completed_day} AS day
        FROM {certificate} c
        JOIN {enrollment} e ON e.id = c.enrollment_id
        JOIN req_course rc ON rc.course_id = c.course_id
        JOIN {requirement} r ON r.id = rc.rid
        WHERE c.revoked_at IS NULL AND c.superseded_by_id IS NULL
            {among_people("e.user_id", "AND")}
    ) current_certificate
    GROUP BY user_id, rid
),
enrolled AS (
    SELECT DISTINCT e.user_id, rc.rid FROM {enrollment} e
    JOIN req_course rc ON rc.course_id = e.course_id
    WHERE e.status = '{EnrollmentStatus.ACTIVE.value}'
        {among_people("e.user_id", "AND")}
),
unverified(user_id) AS ({unverified}),
fact AS (
    SELECT pair.user_id, pair.rid, best.expiry,
        CASE WHEN r.due_days IS NOT NULL
        THEN {d.add_days("pair.start", "r.due_days")} END AS due_date,
        CASE
            WHEN unverified.user_id IS NOT NULL THEN 'identity_unverified'
            WHEN best.expiry >= {today} THEN
                CASE WHEN best.expiry <= {d.add_days(today, "r.reminder_days")}
                THEN 'expiring' ELSE 'compliant' END
            WHEN best.expiry IS NOT NULL THEN 'expired'
            WHEN r.due_days IS NOT NULL
                AND {d.add_days("pair.start", "r.due_days")} < {today}
                THEN 'overdue'
            WHEN enrolled.user_id IS NOT NULL THEN 'in_progress'
            ELSE 'due'
        END AS status
    FROM pair
    JOIN {requirement} r ON r.id = pair.rid
    LEFT JOIN best ON best.user_id = pair.user_id AND best.rid = pair.rid
    LEFT JOIN enrolled
        ON enrolled.user_id = pair.user_id AND enrolled.rid = pair.rid
    LEFT JOIN unverified ON unverified.user_id = pair.user_id
),
standing AS (
    SELECT user_id, rid, status, CASE status {rank} END AS status_rank,
        COALESCE(expiry, {d.far()}) AS expiry,
        COALESCE(due_date, {d.far()}) AS due_date
    FROM fact
)"""
        params = [
            *joined_params,
            *completed_params,
            *unverified_params,
            *today_params,
            *today_params,
            *today_params,
        ]
        return sql, params

    def _counted(self, rows: dict[int, set[int]]) -> str:
        """CTEs counting people per (row, requirement, status): `counted`."""
        row_units = _values(
            ((row, u) for row, units in rows.items() for u in sorted(units)),
            ["row_id", "unit_id"],
        )
        return f""",
row_unit AS ({row_units}),
person_row AS (
    SELECT DISTINCT ru.row_id, m.user_id FROM {Membership._meta.db_table} m
    JOIN row_unit ru ON ru.unit_id = m.unit_id
),
counted AS (
    SELECT pr.row_id, s.rid, s.status, COUNT(*) AS n
    FROM standing s
    JOIN person_row pr ON pr.user_id = s.user_id
    GROUP BY pr.row_id, s.rid, s.status
)"""

    def _matching(self) -> tuple[list[str], list]:
        """WHERE conditions: every search term is in a name, the e-mail or the username."""
        conditions, params = [], []
        columns = ("u.first_name", "u.last_name", "u.email", "u.username")
        for term in self.terms:
            pattern = "%" + LIKE_SPECIAL.sub(r"\\\g<0>", term.lower()) + "%"
            conditions.append(
                "("
                + " OR ".join(f"LOWER({c}) LIKE %s ESCAPE '\\'" for c in columns)
                + ")"
            )
            params += [pattern] * len(columns)
        return conditions, params

    def _listed(self, status: str | None, sort: str) -> tuple[str, list]:
        """A CTE numbering the person list in order: `listed`."""
        key = sort.lstrip("-")
        direction = " DESC" if sort.startswith("-") else ""
        order = ", ".join(
            f"{column}{direction}" for column in [*SORT_KEYS[key], *TIE_BREAK]
        )
        unit_key = ""
        if key == "unit":
            # The person's first unit code here, for the unit column's order.
            unit_key = f"""
    JOIN (
        SELECT m.user_id, MIN(LOWER(o.code)) AS unit_key
        FROM {Membership._meta.db_table} m
        JOIN shown ON shown.unit_id = m.unit_id
        JOIN {OrgUnit._meta.db_table} o ON o.id = m.unit_id
        GROUP BY m.user_id
    ) uk ON uk.user_id = s.user_id"""
        conditions, params = self._matching()
        if status:
            conditions.insert(0, "s.status = %s")
            params.insert(0, status)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        sql = f""",
listed AS (
    SELECT s.user_id, s.rid, s.status,
        ROW_NUMBER() OVER (ORDER BY {order}) AS position
    FROM standing s
    JOIN {get_user_model()._meta.db_table} u ON u.id = s.user_id
    JOIN {Requirement._meta.db_table} r ON r.id = s.rid{unit_key}
    {where}
)"""
        return sql, params

    def counts(self, rows: dict[int, set[int]]) -> dict[tuple[int, int, str], int]:
        """People per (row, requirement, status); a row is a set of units.

        A person counts once in a row, whatever their number of units in it.
        """
        ctes, params = self._ctes()
        sql = f"{ctes}{self._counted(rows)}\nSELECT row_id, rid, status, n FROM counted"
        return {(row, rid, status): n for row, rid, status, n in _run(sql, params)}

    def ordered(
        self,
        *,
        status: str | None = None,
        sort: str = "name",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[tuple[int, int, str]]:
        """(user id, requirement id, status) of the person list, sorted, paged."""
        ctes, params = self._ctes()
        listed, listed_params = self._listed(status, sort)
        sql = f"{ctes}{listed}\nSELECT user_id, rid, status FROM listed"
        params += listed_params
        if limit is not None:
            sql += " WHERE position > %s AND position <= %s"
            params += [offset, offset + limit]
        return _run(sql + " ORDER BY position", params)

    def counts_and_page(
        self,
        rows: dict[int, set[int]],
        *,
        status: str | None,
        sort: str,
        limit: int,
        offset: int,
    ) -> tuple[dict[tuple[int, int, str], int], list[tuple[int, int, str]], int]:
        """`counts()`, one page of `ordered()` and the length of the whole list,
        in one query.

        The standings are computed once for all (PostgreSQL materialises a
        CTE read twice; SQLite is the small demo). The result is cached until
        the facts change (see `freshness`).
        """
        ctes, params = self._ctes()
        listed, listed_params = self._listed(status, sort)
        sql = f"""{ctes}{self._counted(rows)}{listed}
SELECT 0, row_id, rid, status, n FROM counted
UNION ALL
SELECT 1, user_id, rid, status, position FROM listed
WHERE position > %s AND position <= %s
UNION ALL
SELECT 2, COUNT(*), 0, '', 0 FROM listed"""
        params += [*listed_params, offset, offset + limit]
        key = freshness.key_for(sql, params)
        found = cache.get(key)
        if found is None:
            found = _run(sql, params)
            cache.set(key, found, freshness.CACHE_SECONDS)
        counts, page, total = {}, [], 0
        for kind, first, rid, state, number in found:
            if kind == 0:
                counts[(first, rid, state)] = number
            elif kind == 1:
                page.append((number, (first, rid, state)))
            else:
                total = first
        return counts, [pair for _number, pair in sorted(page)], total


def _run(sql: str, params: list) -> list[tuple]:
    """Run one of these queries; on PostgreSQL, with hash joins, no JIT, room to hash.

    The planner cannot estimate the rows of these CTEs and, on tables not yet
    analysed (a fresh import), picked nested loops over every person times
    every certificate: 70 s instead of 2 s for 35 000 people. Every join here
    is set against set, so nested loops are turned off for the query. JIT
    compilation costs more than it saves on it, and its hashes spill to disk
    within the default work_mem.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT set_config('enable_nestloop', 'off', true), "
                "set_config('jit', 'off', true), "
                "set_config('work_mem', '32MB', true)"
            )
        cursor.execute(sql, params)
        return list(cursor)
