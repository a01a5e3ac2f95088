"""Learning-records export: HDF5 tables (and CSV) round-trip the records."""

import csv
import io
import math

from django.core.management import call_command

import h5py
import pytest

from learning import progress
from learning.analytics.hdf5_export import (
    MISSING_TIME,
    TABLES,
    export_learning_records,
    to_microseconds,
)
from learning.models import Enrollment, LessonProgress
from learning.xapi.models import Statement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(course):
    """Two learners: one completes the course, one opens a lesson."""
    lessons = list(course.lessons())
    first = progress.enrol(UserFactory(), course)
    for lesson in lessons:
        progress.open_lesson(first, lesson)
        progress.complete_lesson(first, lesson)
    second = progress.enrol(UserFactory(), course)
    progress.open_lesson(second, lessons[0])
    return Statement.objects.order_by("stored", "id")


def test_export_hdf5_row_counts(records, tmp_path):
    """Each table has as many rows as the records it exports."""
    path = tmp_path / "records.h5"
    counts = export_learning_records(path, chunk_rows=3)
    assert counts == {
        "statements": records.count(),
        "enrollments": Enrollment.objects.count(),
        "lesson_progress": LessonProgress.objects.count(),
    }
    with h5py.File(path, "r") as f:
        for name, (_readme, columns) in TABLES.items():
            assert f[name].attrs["rows"] == counts[name]
            for column in columns:
                assert f[name][column.name].shape == (counts[name],)


def test_export_hdf5_values_round_trip(records, tmp_path):
    """Ids, pseudonymous actors, verbs, timestamps and results read back equal."""
    path = tmp_path / "records.h5"
    export_learning_records(path, chunk_rows=4)
    with h5py.File(path, "r") as f:
        table = f["statements"]
        ids = [value.decode() for value in table["id"][:]]
        actors = table["actor"].asstr()[:]
        verbs = table["verb"].asstr()[:]
        timestamps = table["timestamp"][:]
        completion = table["completion"][:]
        scores = table["score_scaled"][:]
    for index, statement in enumerate(records):
        assert ids[index] == str(statement.id)
        assert actors[index] == statement.actor_account_name
        assert verbs[index] == statement.verb
        assert timestamps[index] == to_microseconds(statement.timestamp)
        expected = statement.data.get("result", {}).get("completion")
        assert completion[index] == (-1 if expected is None else int(expected))
        assert math.isnan(scores[index])
    pseudonyms = {
        str(p) for p in Enrollment.objects.values_list("user__pseudonym", flat=True)
    }
    assert set(actors) == pseudonyms  # no names, no e-mail addresses
    assert not any("@" in actor for actor in actors)


def test_export_hdf5_progress_tables(records, tmp_path):
    path = tmp_path / "records.h5"
    export_learning_records(path)
    with h5py.File(path, "r") as f:
        status = sorted(f["enrollments/status"].asstr()[:])
        completed = f["lesson_progress/completed_at"][:]
    assert status == ["active", "completed"]
    assert (completed == MISSING_TIME).sum() == 1  # the lesson only opened


def test_export_hdf5_layout(records, tmp_path):
    """Columns are chunked, compressed, and each has a README attribute."""
    path = tmp_path / "records.h5"
    export_learning_records(path, chunk_rows=5)
    with h5py.File(path, "r") as f:
        assert "Pseudonymous" in f.attrs["README"]
        for name, (readme, columns) in TABLES.items():
            assert f[name].attrs["README"] == readme
            for column in columns:
                dataset = f[name][column.name]
                assert dataset.attrs["README"] == column.description
                assert dataset.chunks == (5,)
                assert dataset.compression == "gzip"
        assert f["statements/timestamp"].dtype == "int64"
        assert "microseconds" in f["statements/timestamp"].attrs["units"]


def test_export_empty_store(db, tmp_path):
    path = tmp_path / "empty.h5"
    assert export_learning_records(path)["statements"] == 0
    with h5py.File(path, "r") as f:
        assert f["statements/id"].shape == (0,)


def test_export_csv_same_columns(records, tmp_path):
    directory = tmp_path / "csv"
    counts = export_learning_records(directory, format="csv", chunk_rows=2)
    for name, (_readme, columns) in TABLES.items():
        with open(directory / f"{name}.csv", encoding="utf-8") as stream:
            rows = list(csv.reader(stream))
        assert rows[0] == [column.name for column in columns]
        assert len(rows) - 1 == counts[name]
    assert "score_scaled" in (directory / "README.txt").read_text()
    first = next(csv.DictReader(open(directory / "statements.csv", encoding="utf-8")))
    assert first["id"] == str(records.first().id)


def test_export_command_reports_progress(records, tmp_path):
    """The command writes the file, progress on stderr and a summary on stdout."""
    out, err = io.StringIO(), io.StringIO()
    path = tmp_path / "cmd.h5"
    call_command(
        "export_learning_records",
        str(path),
        "--chunk-rows",
        "2",
        stdout=out,
        stderr=err,
    )
    assert path.exists()
    assert (
        f"statements: {records.count()}/{records.count()} rows (100 %)"
        in err.getvalue()
    )
    assert f"statements {records.count()}" in out.getvalue()


def test_export_pseudonymous_actor_for_foreign_identifiers():
    from learning.analytics.hdf5_export import pseudonymous_actor

    assert pseudonymous_actor({"account": {"name": "abc"}}) == "abc"
    hashed = pseudonymous_actor({"mbox": "mailto:camille@example.org"})
    assert hashed.startswith("sha1:") and "camille" not in hashed
    assert pseudonymous_actor({"mbox_sha1sum": "ff"}) == "sha1:ff"
