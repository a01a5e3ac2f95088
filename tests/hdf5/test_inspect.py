"""Safe inspection: the tree of nested files, bounds, and hostile files."""

import os

from django.utils import translation

import h5py
import numpy as np
import pytest

from courses.hdf5.inspect import (
    CorruptFile,
    Limits,
    NotHdf5,
    inspect_file,
)


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the messages in English (the site's default is French)."""
    with translation.override("en"):
        yield


def test_inspect_nested_file_tree(nested_file):
    """Groups, datasets, shapes, dtypes, chunking, compression and attributes are read."""
    tree = inspect_file(nested_file)
    assert not tree.truncated
    signal = tree.find("/experiment/run1/signal")
    assert signal.kind == "dataset"
    assert signal.shape == (100, 10)
    assert signal.dtype == "float32"
    assert signal.chunks == (10, 10)
    assert signal.compression == "gzip (6)"
    assert signal.attribute("units").value == "mV"
    assert tree.find("/experiment/run1").attribute("operator").raw == "Inès"
    assert tree.find("/experiment/run1/calibration/raw/offset").shape == ()
    assert tree.find("/experiment/run1/labels").dtype.startswith("string (variable")
    assert tree.find("/experiment/run1/events").dtype.startswith("compound")
    assert [c.name for c in tree.root.children] == ["alias", "experiment"]


def test_inspect_links_are_not_followed(nested_file):
    """A soft link shows its target; a second hard link is not walked twice."""
    tree = inspect_file(nested_file)
    alias = tree.find("/alias")
    assert alias.kind == "soft_link"
    assert alias.target == "/experiment/run1/signal"
    same = tree.find("/experiment/same_signal")
    assert same.kind == "hard_link_seen"
    assert same.target == "/experiment/run1/signal"


def test_inspect_previews_are_bounded(nested_file):
    """Previews show the first rows and columns only, and say so."""
    tree = inspect_file(nested_file, Limits(preview_rows=3, preview_columns=4))
    signal = tree.find("/experiment/run1/signal")
    assert signal.preview == [
        ["0.0", "1.0", "2.0", "3.0"],
        ["10.0", "11.0", "12.0", "13.0"],
        ["20.0", "21.0", "22.0", "23.0"],
    ]
    assert "12 of 1000" in str(signal.preview_note)
    tiny = inspect_file(nested_file, Limits(preview_bytes=8))  # two float32
    assert tiny.find("/experiment/run1/signal").preview == [["0.0"], ["10.0"]]


def test_inspect_large_attribute_not_read(nested_file):
    """An attribute over the byte budget is listed, its value not read."""
    big = inspect_file(nested_file).root.attribute("big")
    assert big.skipped
    assert big.raw is None
    assert big.shape == (1000,)


def test_inspect_without_previews(nested_file):
    tree = inspect_file(nested_file, Limits(previews=False))
    assert tree.find("/experiment/run1/signal").preview is None


def test_inspect_external_link_skipped(external_link_file, outside_file, settings):
    """An external link is listed and never followed (the other file is not opened).

    The other file is a named pipe: opening it would block the child until the
    sandbox's wall-clock limit, so the walk only returns if nothing opened it.
    """
    outside_file.unlink()
    os.mkfifo(outside_file)
    settings.HDF5_SANDBOX_WALL_SECONDS = 10
    tree = inspect_file(external_link_file)
    node = tree.find("/measurements/elsewhere")
    assert node.kind == "external_link"
    assert node.target.endswith("secret.h5:/secret")
    assert node in tree.skipped


def test_inspect_virtual_dataset_not_read(virtual_dataset_file, outside_file):
    """A virtual dataset is described, its values (in another file) never read."""
    outside_file.unlink()  # reading it would now fail or give fill values
    tree = inspect_file(virtual_dataset_file)
    node = tree.find("/measurements/virtual")
    assert node.is_virtual
    assert node.preview is None
    assert node in tree.skipped
    assert "Virtual dataset" in str(node.notes[0])


def test_inspect_external_storage_not_read(external_storage_file):
    """A dataset stored in a raw file outside the upload is described, not read."""
    tree = inspect_file(external_storage_file)
    node = tree.find("/measurements/raw")
    assert node.has_external_storage
    assert node.preview is None
    assert node in tree.skipped


def test_inspect_too_many_objects_truncated(many_objects_file):
    """The walk stops at the object budget and says so."""
    tree = inspect_file(many_objects_file, Limits(max_objects=10))
    assert tree.truncated
    assert "10" in str(tree.truncated_reason)
    assert len(tree.root.children) == 9  # the root counts as one object


def test_inspect_depth_bounded(tmp_path):
    path = tmp_path / "deep.h5"
    with h5py.File(path, "w") as f:
        f.create_group("/".join(f"l{n}" for n in range(10)))
    tree = inspect_file(path, Limits(max_depth=3))
    deepest = max(tree.root.walk(), key=lambda node: node.path.count("/"))
    assert deepest.path.count("/") == 3
    assert deepest.notes


def test_inspect_time_budget(many_objects_file):
    """Past the time budget, the walk stops and says so."""
    tree = inspect_file(many_objects_file, Limits(time_budget=-1))
    assert tree.truncated
    assert "it was stopped" in str(tree.truncated_reason)


def test_inspect_hard_link_cycle(tmp_path):
    """A group containing a hard link to its parent does not loop."""
    path = tmp_path / "cycle.h5"
    with h5py.File(path, "w") as f:
        group = f.create_group("a/b")
        group["up"] = f["a"]
    tree = inspect_file(path)
    assert tree.find("/a/b/up").kind == "hard_link_seen"


@pytest.mark.parametrize(
    ("fixture", "error"),
    [
        ("text_file", NotHdf5),
        ("truncated_file", CorruptFile),
        ("corrupt_file", CorruptFile),
    ],
)
def test_inspect_unreadable_files(request, fixture, error):
    """Non-HDF5, truncated and corrupt files raise a clear, learner-safe error."""
    with pytest.raises(error) as caught:
        inspect_file(request.getfixturevalue(fixture))
    assert str(caught.value.message)


def test_inspect_empty_file(tmp_path):
    path = tmp_path / "empty.h5"
    path.write_bytes(b"")
    with pytest.raises(NotHdf5):
        inspect_file(path)


def test_inspect_userblock_signature(tmp_path):
    """A file with a user block (signature at 512) is still recognised."""
    path = tmp_path / "userblock.h5"
    with h5py.File(path, "w", userblock_size=512) as f:
        f["x"] = np.arange(3)
    assert inspect_file(path).find("/x").shape == (3,)


def test_inspect_tree_is_picklable(good_file):
    """Dimension-scale references are not kept: the tree can be cached."""
    import pickle

    tree = inspect_file(good_file)
    dims = tree.find("/measurements/temperature").attribute("DIMENSION_LIST")
    assert dims.skipped
    assert pickle.loads(pickle.dumps(tree)).find("/measurements/temperature")  # noqa: S301
