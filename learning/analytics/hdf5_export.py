"""Export the learning records (statements, enrolments, lesson progress) as tables.

HDF5 layout (one file): a group per table, one 1-D dataset per column, all of
the same length; chunked, gzip-compressed and resizable, written chunk by chunk
from a database iterator so memory stays flat whatever the number of rows.
Every dataset carries a `README` attribute describing the column; every group
and the file carry a `README` too. CSV: one file per table in a directory, same
columns, plus README.txt.

Only pseudonymous actors are written, by one rule for every identifier
(`actor_pseudonym`): a keyed hash of the actor's inverse functional identifier,
so a research file never holds an e-mail address, an external system's account
name or the platform's own pseudonymous id (which the compliance register lists
beside names). Text longer than its column is cut at a character boundary.
Times are int64 microseconds since 1970-01-01T00:00:00Z; MISSING_TIME marks "never".
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.db.models.fields.json import KT, KeyTransform
from django.utils import timezone
from django.utils.crypto import salted_hmac

import h5py
import numpy as np

from learning.models import Enrollment, LessonProgress
from learning.spreadsheets import csv_text
from learning.xapi.models import Statement
from learning.xapi.statements import activity_iri

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MISSING_TIME = np.iinfo(np.int64).min
DEFAULT_CHUNK_ROWS = 10_000
FORMATS = ("hdf5", "csv")
TIME_NOTE = (
    f" Microseconds since 1970-01-01T00:00:00Z (UTC), int64; {MISSING_TIME} means none."
)

TEXT_NOTE = (
    " UTF-8, at most {width} bytes: a longer value is cut after its last whole"
    " character within them."
)
ACTOR_NOTE = (
    "Pseudonymous actor: 32 hex digits, a keyed hash (HMAC-SHA256, key derived from"
    " the site's SECRET_KEY) of the actor's identifier, whatever it is (account of"
    " any homePage, mbox, mbox_sha1sum, openid; an mbox counts as its"
    " mbox_sha1sum). The same person has the same actor in every table and every"
    " export of this site; it cannot be computed from an e-mail address, a name or"
    " the platform's pseudonymous id without the key. Never an e-mail address."
    " Empty for an actor without identifier (an anonymous group)."
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # id (36 ASCII bytes), text (fixed-width UTF-8), time, int8, float
    readme: str
    width: int = 64  # bytes, for text: fixed width keeps memory flat and compresses

    @property
    def dtype(self):
        return {
            "id": np.dtype("S36"),
            "text": h5py.string_dtype("utf-8", self.width),
            "time": np.dtype("int64"),
            "int8": np.dtype("int8"),
            "float": np.dtype("float64"),
        }[self.kind]

    @property
    def description(self) -> str:
        if self.kind == "time":
            return self.readme + TIME_NOTE
        if self.kind == "text":
            return self.readme + TEXT_NOTE.format(width=self.width)
        return self.readme


TRI_STATE = " 1 = true, 0 = false, -1 = not stated."
TABLES: dict[str, tuple[str, list[Column]]] = {
    "statements": (
        "Every xAPI statement of the platform's LRS, in the order stored.",
        [
            Column("id", "id", "Statement id (UUID)."),
            Column("actor", "text", ACTOR_NOTE),
            Column("verb", "text", "Verb IRI (ADL vocabulary).", 200),
            Column("activity_id", "text", "IRI of the statement's object.", 500),
            Column(
                "parent_activity_id",
                "text",
                "IRI of the first context parent (the course of a lesson); empty if none.",
                500,
            ),
            Column(
                "registration",
                "id",
                "Registration UUID (the enrolment); empty if none.",
            ),
            Column("timestamp", "time", "When the event happened."),
            Column("stored", "time", "When the LRS stored the statement."),
            Column("success", "int8", "result.success:" + TRI_STATE),
            Column("completion", "int8", "result.completion:" + TRI_STATE),
            Column(
                "score_scaled",
                "float",
                "result.score.scaled in [-1, 1]; NaN if no score.",
            ),
            Column(
                "duration",
                "text",
                "result.duration as an ISO 8601 duration (PT1H2M3S); empty if none.",
            ),
        ],
    ),
    "enrollments": (
        "Enrolments (a projection of the statements): one row per learner and course.",
        [
            Column("id", "id", "Enrolment id = xAPI registration (UUID)."),
            Column("actor", "text", "Pseudonymous learner (as in statements)."),
            Column("course_activity_id", "text", "IRI of the course activity.", 500),
            Column("status", "text", "'active' or 'completed'."),
            Column("enrolled_at", "time", "Enrolment time."),
            Column("completed_at", "time", "Course completion time."),
            Column("last_activity_at", "time", "Time of the last statement."),
        ],
    ),
    "lesson_progress": (
        "Lesson progress (a projection of the statements): one row per enrolment and lesson opened.",
        [
            Column("enrollment_id", "id", "Enrolment id = xAPI registration (UUID)."),
            Column("actor", "text", "Pseudonymous learner (as in statements)."),
            Column("lesson_activity_id", "text", "IRI of the lesson activity.", 500),
            Column("opened_at", "time", "First opening of the lesson."),
            Column("completed_at", "time", "Lesson completion time."),
        ],
    ),
}


def to_microseconds(when: datetime | None) -> int:
    if when is None:
        return int(MISSING_TIME)
    if timezone.is_naive(when):
        when = when.replace(tzinfo=UTC)
    return (when - EPOCH) // timedelta(microseconds=1)


def pseudonymous_actor(actor: dict) -> str:
    """The export's pseudonym of a statement's actor (its JSON)."""
    account = actor.get("account") or {}
    return _actor(
        account.get("homePage"),
        account.get("name"),
        actor.get("mbox_sha1sum"),
        actor.get("mbox"),
        actor.get("openid"),
    )


def learner_pseudonym(user_pseudonym) -> str:
    """The export's pseudonym of one of the platform's learners (as their statements')."""
    return _actor(settings.SITE_BASE_URL, str(user_pseudonym), None, None, None)


def _tri(value) -> int:
    return -1 if value is None else int(bool(value))


def _iri(kind: str, key) -> str:
    return activity_iri(kind, SimpleNamespace(translation_key=key)) if key else ""


# The few fields of a statement's JSON the table needs, extracted by the database:
# fetching and parsing whole statements (about 1 kB each) cost most of the
# export's memory and time. Text values (KT) for strings, JSON values otherwise.
STATEMENT_FIELDS = {
    "account_home_page": KT("data__actor__account__homePage"),
    "account_name": KT("data__actor__account__name"),
    "mbox_sha1sum": KT("data__actor__mbox_sha1sum"),
    "mbox": KT("data__actor__mbox"),
    "openid": KT("data__actor__openid"),
    "parent": KT("data__context__contextActivities__parent__0__id"),
    "success": KeyTransform("success", KeyTransform("result", "data")),
    "completion": KeyTransform("completion", KeyTransform("result", "data")),
    "score": KeyTransform(
        "scaled", KeyTransform("score", KeyTransform("result", "data"))
    ),
    "duration": KT("data__result__duration"),
}


def _actor(home_page, account_name, mbox_sha1sum, mbox, openid) -> str:
    """The pseudonym of an actor given by its identifying fields (as the database
    extracts them for the export; pseudonymous_actor() for a statement's JSON)."""
    if account_name:
        identifier = f"account {home_page or ''} {account_name}"
    elif mbox_sha1sum or mbox:
        sha1 = mbox_sha1sum or hashlib.sha1(str(mbox).encode()).hexdigest()  # noqa: S324 - xAPI's mbox_sha1sum
        identifier = f"mbox_sha1sum {str(sha1).lower()}"
    elif openid:
        identifier = f"openid {openid}"
    else:
        return ""
    return actor_pseudonym(identifier)


@lru_cache(maxsize=65_536)  # a learner has many statements
def actor_pseudonym(identifier: str) -> str:
    """The one rule: a keyed hash of the identifier, 32 hex digits."""
    digest = salted_hmac(
        "atelier.learning-records-export.actor", identifier, algorithm="sha256"
    )
    return digest.hexdigest()[:32]


def statement_rows(chunk_rows: int) -> Iterator[tuple]:
    rows = (
        Statement.objects.order_by("stored", "id")
        .annotate(**STATEMENT_FIELDS)
        .values_list(
            "id",
            "verb",
            "activity_id",
            "registration",
            "timestamp",
            "stored",
            *STATEMENT_FIELDS,
        )
        .iterator(chunk_size=chunk_rows)
    )
    for (
        id_,
        verb,
        activity_id,
        registration,
        timestamp,
        stored,
        account_home_page,
        account_name,
        mbox_sha1sum,
        mbox,
        openid,
        parent,
        success,
        completion,
        score,
        duration,
    ) in rows:
        yield (
            str(id_),
            _actor(account_home_page, account_name, mbox_sha1sum, mbox, openid),
            verb,
            activity_id,
            parent or "",
            str(registration) if registration else "",
            to_microseconds(timestamp),
            to_microseconds(stored),
            _tri(success),
            _tri(completion),
            math.nan if score is None else float(score),
            duration or "",
        )


def enrollment_rows(chunk_rows: int) -> Iterator[tuple]:
    rows = (
        Enrollment.objects.order_by("enrolled_at", "id")
        .values_list(
            "id",
            "user__pseudonym",
            "course__translation_key",
            "status",
            "enrolled_at",
            "completed_at",
            "last_activity_at",
        )
        .iterator(chunk_size=chunk_rows)
    )
    for id_, pseudonym, key, status, enrolled, completed, last in rows:
        yield (
            str(id_),
            learner_pseudonym(pseudonym),
            _iri("course", key),
            status,
            to_microseconds(enrolled),
            to_microseconds(completed),
            to_microseconds(last),
        )


def lesson_progress_rows(chunk_rows: int) -> Iterator[tuple]:
    rows = (
        LessonProgress.objects.order_by("opened_at", "id")
        .values_list(
            "enrollment_id",
            "enrollment__user__pseudonym",
            "lesson__translation_key",
            "opened_at",
            "completed_at",
        )
        .iterator(chunk_size=chunk_rows)
    )
    for enrollment_id, pseudonym, key, opened, completed in rows:
        yield (
            str(enrollment_id),
            learner_pseudonym(pseudonym),
            _iri("lesson", key),
            to_microseconds(opened),
            to_microseconds(completed),
        )


ROWS = {
    "statements": (statement_rows, Statement.objects.count),
    "enrollments": (enrollment_rows, Enrollment.objects.count),
    "lesson_progress": (lesson_progress_rows, LessonProgress.objects.count),
}


def _chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Hdf5Table:
    def __init__(self, handle: h5py.File, name: str, readme: str, columns, chunk_rows):
        self.group = handle.create_group(name)
        self.group.attrs["README"] = readme
        self.columns = columns
        self.rows = 0
        self.datasets = []
        for column in columns:
            dataset = self.group.create_dataset(
                column.name,
                shape=(0,),
                maxshape=(None,),
                dtype=column.dtype,
                chunks=(chunk_rows,),
                compression="gzip",
                compression_opts=4,
                shuffle=column.kind not in ("text", "id"),
            )
            dataset.attrs["README"] = column.description
            if column.kind == "time":
                dataset.attrs["units"] = "microseconds since 1970-01-01T00:00:00Z"
                dataset.attrs["missing_value"] = MISSING_TIME
            self.datasets.append(dataset)

    def append(self, chunk: list[tuple]) -> None:
        start, self.rows = self.rows, self.rows + len(chunk)
        for index, (column, dataset) in enumerate(
            zip(self.columns, self.datasets, strict=True)
        ):
            values = [row[index] for row in chunk]
            if column.kind == "id":
                array = np.array([v.encode("ascii") for v in values], dtype="S36")
            elif column.kind == "text":
                array = np.array(
                    [fit(v, column.width) for v in values], dtype=column.dtype
                )
            else:
                array = np.array(values, dtype=column.dtype)
            dataset.resize((self.rows,))
            dataset[start : self.rows] = array

    def close(self) -> None:
        self.group.attrs["rows"] = self.rows


def fit(value: str, width: int) -> bytes:
    """`value` as UTF-8 in at most `width` bytes, cut on a character boundary
    (a lone surrogate, which UTF-8 cannot hold, becomes '?')."""
    encoded = value.encode("utf-8", "replace")
    if len(encoded) <= width:
        return encoded
    return encoded[:width].decode("utf-8", "ignore").encode("utf-8")


class CsvTable:
    """The same values as the HDF5 tables; text that would start a spreadsheet
    formula is preceded by an apostrophe."""

    def __init__(self, directory: Path, name: str, columns):
        self.stream = open(directory / f"{name}.csv", "w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.stream)
        self.writer.writerow([column.name for column in columns])
        self.widths = [
            column.width if column.kind == "text" else None for column in columns
        ]
        self.rows = 0

    def append(self, chunk: list[tuple]) -> None:
        self.writer.writerows(
            [
                csv_text(fit(value, width).decode()) if width else value
                for value, width in zip(row, self.widths, strict=True)
            ]
            for row in chunk
        )
        self.rows += len(chunk)

    def close(self) -> None:
        self.stream.close()


def _readme_text() -> str:
    lines = [
        "Atelier learning records export.",
        "Pseudonymous: actors are keyed hashes, never names or e-mail addresses.",
        "Text columns are UTF-8 of a fixed maximum size in bytes; a longer value is",
        "cut after its last whole character. In the CSV files, a text value that",
        "starts with =, +, -, @, a tab or a carriage return is preceded by an",
        "apostrophe (') so that spreadsheets show it as text.",
        "",
    ]
    for name, (readme, columns) in TABLES.items():
        lines.append(f"{name}: {readme}")
        lines += [f"  {column.name}: {column.description}" for column in columns]
        lines.append("")
    return "\n".join(lines)


def export_learning_records(
    path: str | Path,
    *,
    format: str = "hdf5",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write every table to `path` (a file for hdf5, a directory for csv); rows per table."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}")
    path = Path(path)
    counts: dict[str, int] = {}
    if format == "csv":
        path.mkdir(parents=True, exist_ok=True)
        (path / "README.txt").write_text(_readme_text(), encoding="utf-8")
        for name, (_readme, columns) in TABLES.items():
            table = CsvTable(path, name, columns)
            try:
                counts[name] = _fill(table, name, chunk_rows, progress)
            finally:
                table.close()
        return counts
    # No chunk cache: each chunk is written once, whole, so a cache would only
    # hold dirty chunks back (8 MiB per dataset by default, ~100 MB in all).
    with h5py.File(path, "w", libver="v110", rdcc_nbytes=0) as handle:
        handle.attrs["title"] = "Atelier learning records"
        handle.attrs["README"] = _readme_text()
        handle.attrs["site"] = settings.SITE_BASE_URL
        handle.attrs["created"] = to_microseconds(timezone.now())
        handle.attrs["xapi_version"] = "1.0.3"
        for name, (readme, columns) in TABLES.items():
            table = Hdf5Table(handle, name, readme, columns, chunk_rows)
            try:
                counts[name] = _fill(table, name, chunk_rows, progress)
            finally:
                table.close()
    return counts


def _fill(table, name: str, chunk_rows: int, progress: Progress | None) -> int:
    rows, count = ROWS[name]
    total = count()
    if progress:
        progress(name, 0, total)
    for chunk in _chunks(rows(chunk_rows), chunk_rows):
        table.append(chunk)
        if progress:
            progress(name, table.rows, total)
    return table.rows
