"""The metadata checklist: each rule passes and fails, with hints."""

import h5py
import numpy as np

from courses.hdf5.checker import Checklist, check_file, split_names
from courses.hdf5.inspect import Limits, inspect_file

ALL_RULES = Checklist(dimension_scales=True, no_empty_datasets=True)


def items(report):
    return {item.code: item for item in report.items}


def test_check_good_file_passes_every_rule(good_file):
    """A complete file passes every rule, hints are empty."""
    report = check_file(good_file, ALL_RULES)
    assert report.passed
    assert set(items(report)) == {
        "has_datasets",
        "root_attribute:title",
        "root_attribute:creator",
        "root_attribute:license",
        "root_attribute:description",
        "dataset_attribute:units",
        "dataset_attribute:long_name",
        "dimension_scales",
        "no_empty_datasets",
    }
    assert all(not item.hint for item in report.items)


def test_check_root_attribute_missing_or_empty(good_file):
    with h5py.File(good_file, "a") as f:
        del f.attrs["creator"]
        f.attrs["license"] = ""
    result = items(check_file(good_file, ALL_RULES))
    assert not result["root_attribute:creator"].passed
    assert 'f.attrs["creator"]' in result["root_attribute:creator"].hint
    assert not result["root_attribute:license"].passed
    assert result["root_attribute:title"].passed


def test_check_dataset_attribute_lists_paths(good_file):
    """The failing datasets are listed; dimension scales are exempt."""
    with h5py.File(good_file, "a") as f:
        del f["measurements/temperature"].attrs["units"]
        del f["measurements/time"].attrs["units"]  # a scale: not required
    item = items(check_file(good_file, ALL_RULES))["dataset_attribute:units"]
    assert not item.passed
    assert item.paths == ["/measurements/temperature"]


def test_check_dataset_attribute_list_is_bounded(tmp_path):
    path = tmp_path / "many.h5"
    with h5py.File(path, "w") as f:
        for number in range(15):
            f[f"d{number:02d}"] = np.arange(3)
    item = items(check_file(path, Checklist()))["dataset_attribute:units"]
    assert len(item.paths) == 10
    assert item.more == 5


def test_check_dimension_scales(good_file):
    with h5py.File(good_file, "a") as f:
        extra = f.create_dataset("measurements/humidity", data=np.ones((48, 2)))
        extra.attrs.update(units="%", long_name="humidity")
        extra.dims[0].attach_scale(f["measurements/time"])
    item = items(check_file(good_file, ALL_RULES))["dimension_scales"]
    assert not item.passed
    assert item.paths == ["/measurements/humidity"]  # its second dimension
    assert "attach_scale" in item.hint


def test_check_no_empty_datasets(good_file):
    with h5py.File(good_file, "a") as f:
        empty = f.create_dataset("measurements/wind", shape=(0,), dtype="f4")
        empty.attrs.update(units="m/s", long_name="wind")
        null = f.create_dataset("measurements/nothing", data=h5py.Empty("f4"))
        null.attrs.update(units="1", long_name="nothing")
    item = items(check_file(good_file, Checklist()))["no_empty_datasets"]
    assert not item.passed
    assert set(item.paths) == {"/measurements/wind", "/measurements/nothing"}


def test_check_file_without_datasets(tmp_path):
    path = tmp_path / "nothing.h5"
    with h5py.File(path, "w") as f:
        f.attrs["title"] = "empty"
    report = check_file(path, Checklist())
    assert not items(report)["has_datasets"].passed
    assert not report.passed


def test_check_rules_can_be_switched_off(good_file):
    report = check_file(
        good_file,
        Checklist(root_attributes=(), dataset_attributes=(), no_empty_datasets=False),
    )
    assert [item.code for item in report.items] == ["has_datasets"]


def test_check_skipped_objects_are_noted(external_link_file):
    """An external link is not followed: the report says what was not checked."""
    report = check_file(external_link_file, Checklist())
    assert report.passed
    assert any("/measurements/elsewhere" in note for note in report.notes)


def test_check_truncated_walk_fails(many_objects_file):
    from courses.hdf5.checker import check_tree

    tree = inspect_file(many_objects_file, Limits(max_objects=5, previews=False))
    report = check_tree(tree, Checklist(root_attributes=()))
    assert not items(report)["complete_walk"].passed
    assert not report.passed


def test_checklist_from_block_value():
    checklist = Checklist.from_block(
        {
            "root_attributes": "title,\ncreator, title",
            "dataset_attributes": "",
            "require_dimension_scales": True,
            "forbid_empty_datasets": False,
        }
    )
    assert checklist == Checklist(
        root_attributes=("title", "creator"),
        dataset_attributes=(),
        dimension_scales=True,
        no_empty_datasets=False,
    )
    assert split_names(" a , b,,") == ("a", "b")
