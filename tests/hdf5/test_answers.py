"""Answers of data-exercise questions, computed from the file at authoring time."""

from django.utils import translation

import h5py
import numpy as np
import pytest

from courses.hdf5.answers import NUMERIC, TEXT, AnswerError, compute_answer


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the messages in English (the site's default is French)."""
    with translation.override("en"):
        yield


@pytest.fixture
def exercise_file(tmp_path):
    path = tmp_path / "exercise.h5"
    with h5py.File(path, "w") as f:
        f.attrs["title"] = "Run"
        temp = f.create_dataset("measurements/temp", data=[10.0, 12.5, np.nan, 14.25])
        temp.attrs["units"] = "degC"
        temp.attrs["scale_factor"] = 0.5
        counts = f.create_dataset("run1/signal", data=np.arange(1, 13).reshape(3, 4))
        counts.attrs["units"] = "1"
        f.create_dataset("run1/pressure", data=[1013.2, 1012.8])  # no units
        f["run1/labels"] = np.array([b"a", b"b"])
        f["run1/labels"].attrs["units"] = "none"
    return path


def test_answer_attribute(exercise_file):
    """An attribute's value is the answer, as text (or a number when numeric)."""
    answer = compute_answer(
        exercise_file, "attribute", "/measurements/temp", name="units"
    )
    assert (answer.value, answer.answer_type) == ("degC", TEXT)
    scale = compute_answer(
        exercise_file, "attribute", "measurements/temp", name="scale_factor"
    )
    assert scale.value == 0.5
    assert compute_answer(exercise_file, "attribute", "/", name="title").value == "Run"


def test_answer_shape_size_ndim_dtype(exercise_file):
    assert compute_answer(exercise_file, "shape", "/run1/signal").value == "3 × 4"
    size = compute_answer(exercise_file, "size", "/run1/signal")
    assert (size.value, size.answer_type) == (12, NUMERIC)
    assert compute_answer(exercise_file, "ndim", "/run1/signal").value == 2
    assert compute_answer(exercise_file, "dtype", "/run1/signal").value == "int64"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("mean", 12.25), ("min", 10.0), ("max", 14.25), ("sum", 36.75)],
)
def test_answer_reductions_skip_nan(exercise_file, kind, expected):
    """Reductions skip NaN values by default and are rounded."""
    answer = compute_answer(exercise_file, kind, "/measurements/temp", decimals=2)
    assert answer.value == expected
    assert answer.answer_type == NUMERIC


def test_answer_reductions_rounding_and_integers(exercise_file):
    assert (
        compute_answer(exercise_file, "mean", "/run1/signal", decimals=1).value == 6.5
    )
    assert compute_answer(exercise_file, "sum", "/run1/signal").value == 78
    assert isinstance(compute_answer(exercise_file, "max", "/run1/signal").value, int)
    mean = compute_answer(exercise_file, "mean", "/run1/pressure", decimals=0)
    assert mean.value == 1013.0


def test_answer_reduction_with_nan_kept_is_refused(exercise_file):
    """A mean over NaN values is not a number a learner could give: refused."""
    with pytest.raises(AnswerError, match="not a finite number"):
        compute_answer(exercise_file, "mean", "/measurements/temp", ignore_nan=False)


def test_answer_reduction_in_slabs(exercise_file, monkeypatch):
    """Large datasets are reduced slab by slab: same result as in one read.

    (In this process: the slab size is patched, and this file is ours.)
    """
    from courses.hdf5 import computing
    from courses.hdf5.limits import Limits

    monkeypatch.setattr(computing, "SLAB_BYTES", 8)
    with h5py.File(exercise_file, "r") as handle:
        signal = handle["run1/signal"]
        assert len(list(computing._blocks(signal))) == 12
        assert computing.compute(handle, "mean", "/run1/signal", {}, Limits()) == 6.5
        assert computing.compute(handle, "min", "/run1/signal", {}, Limits()) == 1
        assert computing.compute(handle, "sum", "/run1/signal", {}, Limits()) == 78


def test_answer_exact_integer_sums():
    """Sums of 64-bit integers are exact (no float rounding, no overflow)."""
    from courses.hdf5.computing import _exact_int_sum

    big = np.array([2**62, 2**62, 2**62, -5], dtype="i8")
    assert _exact_int_sum(big) == 3 * 2**62 - 5
    unsigned = np.array([2**64 - 1, 2**64 - 1], dtype="u8")
    assert _exact_int_sum(unsigned) == 2 * (2**64 - 1)


def test_answer_missing_attribute(exercise_file):
    """The one dataset lacking `units` is the answer; its name is accepted too."""
    answer = compute_answer(exercise_file, "missing_attribute", "/", name="units")
    assert answer.value == "/run1/pressure"
    assert "pressure" in answer.alternatives


def test_answer_missing_attribute_ambiguous_or_none(exercise_file):
    with pytest.raises(AnswerError, match="Several datasets"):
        compute_answer(exercise_file, "missing_attribute", "/", name="long_name")
    with pytest.raises(AnswerError, match="Every dataset"):
        compute_answer(
            exercise_file, "missing_attribute", "/measurements", name="units"
        )


@pytest.mark.parametrize(
    ("kind", "path", "options", "message"),
    [
        ("median", "/run1/signal", {}, "Unknown kind"),
        ("size", "/nowhere", {}, "No object"),
        ("mean", "/run1", {}, "not a dataset"),
        ("mean", "/run1/labels", {}, "does not hold numbers"),
        ("attribute", "/run1/signal", {}, "needs the option"),
        ("attribute", "/run1/signal", {"name": "colour"}, "no attribute"),
    ],
)
def test_answer_errors(exercise_file, kind, path, options, message):
    """Impossible questions are refused at authoring time with a clear reason."""
    with pytest.raises(AnswerError, match=message):
        compute_answer(exercise_file, kind, path, **options)


def test_answer_refuses_external_link_and_virtual(
    external_link_file, virtual_dataset_file
):
    with pytest.raises(AnswerError, match="external link"):
        compute_answer(external_link_file, "size", "/measurements/elsewhere")
    with pytest.raises(AnswerError, match="other files"):
        compute_answer(virtual_dataset_file, "mean", "/measurements/virtual")
