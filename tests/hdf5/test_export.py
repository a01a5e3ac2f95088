"""Learning-records export: HDF5 tables (and CSV) round-trip the records."""

import csv
import hashlib
import io
import math
import uuid

from django.core.management import call_command

import h5py
import pytest

from learning import progress
from learning.analytics.hdf5_export import (
    MISSING_TIME,
    TABLES,
    export_learning_records,
    learner_pseudonym,
    pseudonymous_actor,
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
        assert actors[index] == learner_pseudonym(statement.actor_account_name)
        assert verbs[index] == statement.verb
        assert timestamps[index] == to_microseconds(statement.timestamp)
        expected = statement.data.get("result", {}).get("completion")
        assert completion[index] == (-1 if expected is None else int(expected))
        assert math.isnan(scores[index])
    pseudonyms = {
        learner_pseudonym(p)
        for p in Enrollment.objects.values_list("user__pseudonym", flat=True)
    }
    assert set(actors) == pseudonyms  # no names, no e-mail addresses
    assert not any("@" in actor for actor in actors)
    with h5py.File(path, "r") as f:  # the same learners in every table
        assert set(f["enrollments/actor"].asstr()[:]) == pseudonyms
        assert set(f["lesson_progress/actor"].asstr()[:]) <= pseudonyms


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


def test_export_pseudonymous_actor_one_rule_for_every_identifier():
    """Every identifier kind becomes 32 hex digits of a keyed hash; an mbox and its
    mbox_sha1sum are the same person, accounts of two homePages are two people."""
    mbox = "mailto:camille@example.org"
    actors = {
        "mbox": pseudonymous_actor({"mbox": mbox}),
        "sha1": pseudonymous_actor(
            {"mbox_sha1sum": hashlib.sha1(mbox.encode()).hexdigest().upper()}  # noqa: S324
        ),
        "openid": pseudonymous_actor({"openid": "https://id.example.org/camille"}),
        "email account": pseudonymous_actor(
            {
                "account": {
                    "homePage": "https://lms.example.org",
                    "name": "camille@x.org",
                }
            }
        ),
        "other home": pseudonymous_actor(
            {"account": {"homePage": "https://other.example", "name": "camille@x.org"}}
        ),
        "ours": pseudonymous_actor(
            {"account": {"homePage": "http://testserver", "name": "0b6e-uuid"}}
        ),
    }
    assert all(
        len(a) == 32 and set(a) <= set("0123456789abcdef") for a in actors.values()
    )
    assert actors["mbox"] == actors["sha1"]
    assert actors["email account"] != actors["other home"]
    assert actors["ours"] == learner_pseudonym("0b6e-uuid")
    assert len(set(actors.values())) == 5
    assert pseudonymous_actor({"objectType": "Group", "member": []}) == ""


def _stored(data: dict, minute: int):
    """A statement row as the LRS stores it (no LRS index rows: not exported)."""
    from datetime import UTC, datetime

    from learning.xapi.lrs.ingest import build_row

    stored = datetime(2026, 1, 5, 9, minute, tzinfo=UTC)
    data = {
        "id": str(uuid.uuid4()),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": "http://example.org/activities/q1"},
        "timestamp": "2026-01-05T09:00:00Z",
        **data,
    }
    row = build_row(data, stored=stored)
    row.save()
    return row


def _reference_fields(data: dict) -> tuple:
    """What the export wrote when it parsed every statement's JSON in Python."""
    result = data.get("result") or {}
    score = (result.get("score") or {}).get("scaled")
    parents = (data.get("context") or {}).get("contextActivities", {}).get("parent")

    def tri(value):
        return -1 if value is None else int(bool(value))

    return (
        pseudonymous_actor(data.get("actor") or {}),
        (parents or [{}])[0].get("id", "") if isinstance(parents, list) else "",
        tri(result.get("success")),
        tri(result.get("completion")),
        math.nan if score is None else float(score),
        str(result.get("duration") or ""),
    )


@pytest.fixture
def varied_statements(db):
    """Every kind of actor, result and context parent the statement columns read."""
    parent = {"contextActivities": {"parent": [{"id": "http://example.org/c/1"}]}}
    return [
        _stored(
            {
                "actor": {"mbox": "mailto:camille@example.org"},
                "result": {
                    "success": False,
                    "completion": True,
                    "score": {"scaled": 0.75},
                    "duration": "PT1M30S",
                },
                "context": parent,
            },
            1,
        ),
        _stored(
            {
                "actor": {"mbox_sha1sum": "ab" * 20},
                "context": {"contextActivities": {"parent": {"id": "http://x/p"}}},
            },
            2,
        ),
        _stored(
            {
                "actor": {"openid": "https://openid.example.org/dominique"},
                "result": {"success": True, "score": {"scaled": 1}},
                "context": {"contextActivities": {"parent": []}},
            },
            3,
        ),
        _stored(
            {
                "actor": {
                    "account": {"homePage": "http://h", "name": "p-42"},
                    "mbox": "mailto:hidden@example.org",
                },
                "result": {"completion": False, "score": {"scaled": -0.5}},
                "context": {"registration": str(uuid.uuid4()), **parent},
            },
            4,
        ),
        _stored({"actor": {"objectType": "Group", "member": []}}, 5),
    ]


def test_export_statement_fields_as_parsed_from_the_json(varied_statements, tmp_path):
    """Actor, parent, result fields: the same values as the statements' JSON gives."""
    path = tmp_path / "records.h5"
    export_learning_records(path, chunk_rows=2)
    with h5py.File(path, "r") as f:
        table = f["statements"]
        exported = list(
            zip(
                table["actor"].asstr()[:],
                table["parent_activity_id"].asstr()[:],
                table["success"][:].tolist(),
                table["completion"][:].tolist(),
                table["score_scaled"][:].tolist(),
                table["duration"].asstr()[:],
                strict=True,
            )
        )
        registrations = [value.decode() for value in table["registration"][:]]
    expected = [_reference_fields(s.data) for s in varied_statements]
    assert len(exported) == len(expected)
    for row, reference in zip(exported, expected, strict=True):
        assert row[:4] == reference[:4] and row[5] == reference[5]
        assert row[4] == reference[4] or (
            math.isnan(row[4]) and math.isnan(reference[4])
        )
    assert "camille" not in exported[0][0]
    assert exported[3][0] == pseudonymous_actor(
        {"account": {"homePage": "http://h", "name": "p-42"}}
    )
    assert registrations[3] == varied_statements[3].data["context"]["registration"]
    assert registrations[0] == ""


def test_export_statement_fields_in_csv(varied_statements, tmp_path):
    directory = tmp_path / "csv"
    export_learning_records(directory, format="csv")
    with open(directory / "statements.csv", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    first = _reference_fields(varied_statements[0].data)
    assert [rows[0][c] for c in ("actor", "parent_activity_id", "duration")] == [
        first[0],
        first[1],
        first[5],
    ]
    assert (rows[0]["success"], rows[0]["completion"]) == ("0", "1")


def test_export_queries_do_not_grow_with_rows(
    varied_statements, tmp_path, django_assert_num_queries
):
    """A count and one streamed query per table, whatever the number of rows/chunks."""
    with django_assert_num_queries(6):
        export_learning_records(tmp_path / "records.h5", chunk_rows=1)


def test_export_external_email_account_name_is_pseudonymised(db, tmp_path):
    """An external client's account named by an e-mail address: no '@' anywhere."""
    actor = {"account": {"homePage": "https://lms.example", "name": "dom@example.org"}}
    _stored({"actor": actor}, 1)
    export_learning_records(tmp_path / "records.h5")
    export_learning_records(tmp_path / "csv", format="csv")
    with h5py.File(tmp_path / "records.h5", "r") as f:
        assert f["statements/actor"].asstr()[:].tolist() == [pseudonymous_actor(actor)]
    text = (tmp_path / "csv" / "statements.csv").read_text(encoding="utf-8")
    assert "dom@example.org" not in text and pseudonymous_actor(actor) in text


def test_export_long_text_cut_on_a_character_boundary(db, tmp_path):
    """An IRI of 619 bytes in a 500-byte column: cut before the split 'é', the
    column decodes, and its README says so; the CSV holds the same value."""
    iri = "http://example.org/" + "é" * 300  # 19 + 600 bytes: byte 500 splits an é
    _stored({"actor": {"mbox": "mailto:a@example.org"}, "object": {"id": iri}}, 1)
    export_learning_records(tmp_path / "records.h5")
    export_learning_records(tmp_path / "csv", format="csv")
    with h5py.File(tmp_path / "records.h5", "r") as f:
        dataset = f["statements/activity_id"]
        value = dataset.asstr()[0]  # raises if a character was cut in two
        readme = dataset.attrs["README"]
    assert len(value.encode()) == 499 and iri.startswith(value)
    assert "cut after its last whole character" in readme
    with open(tmp_path / "csv" / "statements.csv", encoding="utf-8") as stream:
        assert next(csv.DictReader(stream))["activity_id"] == value


def test_export_csv_neutralises_spreadsheet_formulas(db, tmp_path):
    """Text cells starting like a formula are written as text; numbers stay numbers."""
    _stored(
        {
            "actor": {"mbox": "mailto:a@example.org"},
            "verb": {"id": '=HYPERLINK("http://evil","x")'},
            "object": {"id": "@SUM(1+1)"},
            "result": {"score": {"scaled": -0.5}, "duration": "-PT1S"},
        },
        1,
    )
    export_learning_records(tmp_path / "csv", format="csv")
    with open(tmp_path / "csv" / "statements.csv", encoding="utf-8") as stream:
        row = next(csv.DictReader(stream))
    assert row["verb"] == '\'=HYPERLINK("http://evil","x")'
    assert row["activity_id"] == "'@SUM(1+1)"
    assert row["duration"] == "'-PT1S"
    assert row["score_scaled"] == "-0.5"
    assert "apostrophe" in (tmp_path / "csv" / "README.txt").read_text()
