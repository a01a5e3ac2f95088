"""Crafted and fuzzed files (tests/hdf5/hostile.py) through every entry point.

The checker view, the viewer block and data-exercise authoring each get the
heap bomb, the gzip bombs, the 20 MB title, the soft -> external chain, the
41-deep dataset, the 10**15 and 1 x 10**12 datasets and mutated files: no 500,
the web process alive and its peak memory bounded, a clear message.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from wagtail.blocks.struct_block import StructBlockValidationError

import pytest

from courses.hdf5.answers import AnswerError, compute_answer
from courses.hdf5.checker import Checklist, check_file
from courses.hdf5.inspect import Hdf5FileError, inspect_file
from learning import progress

from . import hostile
from .conftest import write_good_file

MIB = 1024 * 1024
# The web process may grow this much while it has every hostile file read:
# the files themselves are 1 to 21 MB, what they expand to is 1 to 4 GB.
RSS_GROWTH_BYTES = 96 * MIB


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="session")
def hostile_files(hostile_dir):
    """name -> path, built once per session (the gzip bombs take a second each)."""
    d = hostile_dir
    return {
        "vlen_heap_bomb": hostile.vlen_heap_bomb(d / "vlen.h5"),
        "vlen_heap_bomb_48": hostile.vlen_heap_bomb(d / "vlen48.h5", copies=48),
        "gzip_bomb": hostile.gzip_bomb(d / "gzip.h5"),
        "gzip_bomb_lying": hostile.gzip_bomb(d / "gzip-lying.h5", lying=True),
        "big_title": hostile.big_title(d / "title.h5"),
        "soft_to_external": hostile.soft_to_external(d / "soft.h5", d / "other.h5"),
        "deep_dataset": hostile.deep_dataset(d / "deep.h5"),
        "huge_declared": hostile.huge_declared(d / "huge.h5"),
    }


@pytest.fixture(scope="session")
def mutants(hostile_dir):
    good = write_good_file(hostile_dir / "good.h5")
    directory = hostile_dir / "mutants"
    directory.mkdir()
    return hostile.mutations(good, directory, count=40, seed=15)


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def _status(name: str) -> dict:
    with open("/proc/self/status") as stream:
        fields = dict(line.split(":", 1) for line in stream)
    return int(fields[name].split()[0]) * 1024


@pytest.fixture
def peak_memory():
    """The growth of this process's peak RSS during the test (VmHWM reset first)."""
    with open("/proc/self/clear_refs", "w") as stream:
        stream.write("5")  # resets VmHWM to the current RSS
    before = _status("VmRSS")
    return lambda: _status("VmHWM") - before


def test_hostile_files_checked_with_bounded_memory(hostile_files, peak_memory):
    """Every crafted file gets a report or a clear error; the web process's peak
    memory grows by less than RSS_GROWTH_BYTES in all."""
    outcomes = {}
    for name, path in hostile_files.items():
        try:
            outcomes[name] = check_file(path, Checklist())
        except Hdf5FileError as error:
            outcomes[name] = error
    assert peak_memory() < RSS_GROWTH_BYTES
    bomb = outcomes["vlen_heap_bomb"]
    assert bomb.items and bomb.datasets == 1  # a report, the file was walked
    assert (
        str(inspect_file(hostile_files["vlen_heap_bomb"]).root.attribute("notes").shown)
        == "(not shown: 128 values)"
    )
    forty_eight = inspect_file(hostile_files["vlen_heap_bomb_48"]).root
    assert "in memory" in forty_eight.attribute("notes").shown
    title = inspect_file(hostile_files["big_title"]).root.attribute("title")
    assert title.skipped and "in memory" in title.shown
    assert outcomes["big_title"].passed  # the title is there, just too long to show


def test_gzip_bombs_are_not_inflated(hostile_files, peak_memory):
    """A 1 GiB chunk (declared, or hidden behind a 64 KiB declaration) is not
    inflated to show five values: the preview says why."""
    honest = inspect_file(hostile_files["gzip_bomb"]).find("/bomb")
    assert honest.preview is None
    assert "each chunk holds 1.0\xa0GB" in str(honest.preview_note)
    lying = inspect_file(hostile_files["gzip_bomb_lying"]).find("/bomb")
    assert lying.preview is None
    assert "more than 16.0\xa0MB of memory" in str(lying.preview_note)
    assert peak_memory() < RSS_GROWTH_BYTES


def test_deep_dataset_never_passes(hostile_files):
    """Past the depth cap the file is "not checked", never "passes every check"."""
    report = check_file(hostile_files["deep_dataset"], Checklist())
    assert not report.passed
    incomplete = next(item for item in report.items if item.code == "complete_walk")
    assert incomplete.hint.startswith("This file could not be checked completely:")
    assert "Nested more than 32 levels deep" in incomplete.hint
    assert incomplete.paths and incomplete.paths[0].count("/") == 32


@pytest.mark.parametrize(
    ("name", "kind", "path", "message"),
    [
        ("soft_to_external", "mean", "/innocent", "goes through an external link"),
        ("soft_to_external", "size", "/relative", "goes through an external link"),
        ("soft_to_external", "size", "/loop_a", "too many soft links"),
        ("huge_declared", "mean", "/huge", "1000000000000000 values"),
        ("huge_declared", "max", "/wide", "1000000000000 values"),
        ("gzip_bomb", "mean", "/bomb", "chunks of 1.0\xa0GB"),
        ("gzip_bomb_lying", "sum", "/bomb", "needs more memory than allowed"),
        ("big_title", "attribute", "/", "too large to be an answer"),
    ],
)
def test_hostile_answers_refused_at_authoring(hostile_files, name, kind, path, message):
    """Data exercises on crafted files are refused with the reason, at once."""
    with pytest.raises(AnswerError, match=message):
        compute_answer(hostile_files[name], kind, path, name="title")


def test_soft_link_inside_the_file_is_followed(hostile_dir):
    """A soft link that stays in the file still answers (resolved name by name)."""
    path = write_good_file(hostile_dir / "soft-inside.h5")
    import h5py

    with h5py.File(path, "a") as f:
        f["alias"] = h5py.SoftLink("/measurements")
        f["measurements/again"] = h5py.SoftLink("temperature")
    answer = compute_answer(path, "size", "/alias/again")
    assert answer.value == 48


def test_mutated_files_never_hurt(mutants, peak_memory):
    """40 mutations of a valid file (seed 15): each gives a report or a clear error."""
    kinds = set()
    for path in mutants:
        try:
            report = check_file(path, Checklist())
            kinds.add("report")
            assert all(isinstance(item.hint, str) for item in report.items)
        except Hdf5FileError as error:
            kinds.add(error.code)
            assert str(error.message)
    assert "report" in kinds and len(kinds) >= 2
    assert peak_memory() < RSS_GROWTH_BYTES


# Mutations (seed, number) of the good file that make libhdf5 2.0 (h5py 3.16)
# abort with "free(): double free" (as in issue 15) or segfault while the file
# is walked: found by sweeping 1000 mutants, about 1 in 100 does.
LIBHDF5_CRASHERS = [(0, 26), (6, 15), (8, 12), (12, 0), (13, 35)]


@pytest.fixture(scope="session")
def crashers(hostile_dir):
    good = write_good_file(hostile_dir / "good-for-crashers.h5")
    directory = hostile_dir / "crashers"
    directory.mkdir()
    return [
        hostile.mutations(good, directory, count=number + 1, seed=seed)[number]
        for seed, number in LIBHDF5_CRASHERS
    ]


def test_files_that_crash_libhdf5(crashers, peak_memory):
    """A file that aborts libhdf5 kills its child only: a clear message, and the
    next file is read as usual."""
    messages = []
    for path in crashers:
        try:
            check_file(path, Checklist())
        except Hdf5FileError as error:
            messages.append(str(error.message))
    for signal in ("SIGABRT", "SIGSEGV"):
        assert (
            "This file could not be checked completely: it made the HDF5 library "
            f"fail ({signal})."
        ) in messages
    assert peak_memory() < RSS_GROWTH_BYTES


@pytest.mark.django_db
def test_checker_view_on_a_file_that_crashes_libhdf5(
    client, learner, course, checker_url, crashers
):
    progress.enrol(learner, course)
    client.force_login(learner)
    statuses = set()
    for path in crashers:
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        response = client.post(checker_url, {"file": upload})
        statuses.add(response.status_code)
    assert statuses <= {200, 422} and 422 in statuses


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["vlen_heap_bomb", "gzip_bomb_lying", "big_title", "deep_dataset"]
)
def test_checker_view_on_hostile_uploads(
    client, learner, course, checker_url, hostile_files, name
):
    """Through the upload view: 200 or 422 with a message, never a 500."""
    progress.enrol(learner, course)
    client.force_login(learner)
    path = hostile_files[name]
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = client.post(checker_url, {"file": upload})
    assert response.status_code in (200, 422)
    html = response.content.decode()
    assert "hdf5-report" in html or 'role="alert"' in html
    if name == "deep_dataset":
        assert "This file could not be checked completely" in html
        assert "Your file passes every check" not in html


@pytest.mark.django_db
def test_viewer_and_authoring_on_hostile_documents(hostile_files, make_document):
    """The viewer shows the tree with its notes; a question on a hostile dataset is
    a form error for the trainer, not a 500."""
    from courses.questions import QuestionsBlock

    from .test_blocks import render_viewer

    document = make_document(hostile_files["gzip_bomb_lying"])
    html = render_viewer(document)
    assert "hdf5-tree" in html and "message--error" not in html
    block = QuestionsBlock().child_blocks["hdf5"]
    raw = {
        "prompt": "Moyenne ?", "feedback": "", "document": document.pk,
        "kind": "mean", "path": "/bomb", "attribute": "", "decimals": 2,
        "tolerance": "0", "unit": "", "answer": "",
    }  # fmt: skip
    with pytest.raises(StructBlockValidationError) as caught:
        block.clean(block.to_python(raw))
    assert "cannot be answered from the file" in str(caught.value.non_block_errors)


def test_crash_in_libhdf5_is_reported(monkeypatch, good_file):
    """If reading kills the child (as a libhdf5 abort does), the learner is told
    the file could not be checked completely, and the web process goes on."""
    from courses.hdf5 import inspect

    monkeypatch.setattr(inspect, "WALK_JOB", "tests.hdf5.sandbox_jobs:abort")
    with pytest.raises(Hdf5FileError) as caught:
        check_file(good_file, Checklist())
    assert caught.value.code == "incomplete"
    assert str(caught.value.message) == (
        "This file could not be checked completely: it made the HDF5 library fail "
        "(SIGABRT)."
    )
    monkeypatch.setattr(inspect, "WALK_JOB", "courses.hdf5.jobs:walk")
    assert check_file(good_file, Checklist()).passed
