"""Answers to data-exercise questions, computed from an HDF5 file with h5py.

The quiz engine calls `compute_answer` when a trainer saves a data-exercise
question, and stores the result as the question's correct answer: learners'
answers are then graded like any numeric or short-text question, and the file is
never read while a learner takes the quiz.

    compute_answer(path, "attribute", "/measurements/temperature", name="units")
    compute_answer(path, "size", "/measurements/temperature")
    compute_answer(path, "mean", "/measurements/temperature", decimals=2)
    compute_answer(path, "missing_attribute", "/measurements", name="units")
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _

import h5py
import numpy as np

from .inspect import Hdf5FileError, Limits, _plain, inspect_file, open_hdf5

NUMERIC = "numeric"
TEXT = "text"

# kind -> (label for the authoring form, type of the answer)
ANSWER_KINDS = {
    "attribute": (_("Value of an attribute"), TEXT),
    "shape": (_("Shape of a dataset"), TEXT),
    "size": (_("Number of values in a dataset"), NUMERIC),
    "ndim": (_("Number of dimensions of a dataset"), NUMERIC),
    "dtype": (_("Data type of a dataset"), TEXT),
    "mean": (_("Mean of a dataset"), NUMERIC),
    "min": (_("Minimum of a dataset"), NUMERIC),
    "max": (_("Maximum of a dataset"), NUMERIC),
    "sum": (_("Sum of a dataset"), NUMERIC),
    "missing_attribute": (_("Which dataset lacks an attribute"), TEXT),
}
REDUCTIONS = {"mean", "min", "max", "sum"}
# Reductions read the dataset in slabs of this many bytes, so memory stays flat.
SLAB_BYTES = 8 * 1024 * 1024


class AnswerError(Hdf5FileError):
    """The question cannot be answered from this file (bad path, kind, type...)."""

    code = "answer"


@dataclass(frozen=True)
class ComputedAnswer:
    """A correct answer: `value` (number, text or list of texts) and its type."""

    kind: str
    path: str
    value: object
    answer_type: str  # NUMERIC or TEXT
    alternatives: tuple[str, ...] = ()  # other accepted spellings of a text answer

    @property
    def display(self) -> str:
        return str(self.value)


def compute_answer(
    h5file_path: str | Path, kind: str, path: str, **options
) -> ComputedAnswer:
    """The answer of `kind` about the object at `path`; AnswerError if impossible.

    Options: `name` (attribute name, for "attribute" and "missing_attribute"),
    `decimals` (rounding of reductions, default 2), `ignore_nan` (reductions skip
    NaN values, default True).
    """
    if kind not in ANSWER_KINDS:
        raise AnswerError(_("Unknown kind of answer: %(kind)s.") % {"kind": kind})
    answer_type = ANSWER_KINDS[kind][1]
    path = "/" + path.strip("/")
    if kind == "missing_attribute":
        value = _missing_attribute(h5file_path, path, _required(options, "name"))
        alternatives = (value.rsplit("/", 1)[-1], value.lstrip("/"))
        return ComputedAnswer(kind, path, value, answer_type, alternatives)
    with open_hdf5(h5file_path) as handle:
        obj = _resolve(handle, path)
        if kind == "attribute":
            value = _attribute(obj, path, _required(options, "name"))
        else:
            dataset = _dataset(obj, path)
            if kind == "shape":
                value = " × ".join(str(n) for n in dataset.shape or ())
            elif kind == "size":
                value = int(dataset.size or 0)
            elif kind == "ndim":
                value = dataset.ndim
            elif kind == "dtype":
                value = str(dataset.dtype)
            else:
                value = _reduce(
                    dataset,
                    kind,
                    decimals=int(options.get("decimals", 2)),
                    ignore_nan=bool(options.get("ignore_nan", True)),
                )
    return ComputedAnswer(kind, path, value, answer_type)


def _required(options: dict, name: str) -> str:
    value = options.get(name)
    if not value:
        raise AnswerError(
            _("This kind of answer needs the option “%(name)s”.") % {"name": name}
        )
    return value


def _resolve(handle: h5py.File, path: str):
    """The object at `path`, refusing links that leave the file."""
    parts = [part for part in path.split("/") if part]
    current = handle
    for part in parts:
        if not isinstance(current, h5py.Group) or part not in current:
            raise AnswerError(_("No object at %(path)s in this file.") % {"path": path})
        link = current.get(part, getlink=True)
        if isinstance(link, h5py.ExternalLink):
            raise AnswerError(
                _("%(path)s goes through an external link: it is not followed.")
                % {"path": path}
            )
        current = current[part]
    return current


def _dataset(obj, path: str) -> h5py.Dataset:
    if not isinstance(obj, h5py.Dataset):
        raise AnswerError(_("%(path)s is not a dataset.") % {"path": path})
    if obj.is_virtual or obj.external:
        raise AnswerError(
            _("%(path)s stores its values in other files: they are not read.")
            % {"path": path}
        )
    return obj


def _attribute(obj, path: str, name: str):
    if name not in obj.attrs:
        raise AnswerError(
            _("%(path)s has no attribute “%(name)s”.") % {"path": path, "name": name}
        )
    value = _plain(obj.attrs[name])
    if value is None:
        raise AnswerError(
            _("The attribute “%(name)s” is too large to be an answer.") % {"name": name}
        )
    if isinstance(value, float):
        return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value if isinstance(value, int | bool) else str(value)


def _slabs(dataset: h5py.Dataset):
    """The dataset's values in row slabs of about SLAB_BYTES, flattened."""
    if dataset.shape == ():
        yield np.asarray(dataset[()]).ravel()
        return
    row_bytes = max(1, dataset.dtype.itemsize * int(np.prod(dataset.shape[1:])))
    step = max(1, SLAB_BYTES // row_bytes)
    for start in range(0, dataset.shape[0], step):
        yield np.asarray(dataset[start : start + step]).ravel()


def _reduce(dataset: h5py.Dataset, kind: str, *, decimals: int, ignore_nan: bool):
    if dataset.dtype.kind not in "biuf" or dataset.shape is None:
        raise AnswerError(_("%(path)s does not hold numbers.") % {"path": dataset.name})
    total, count = 0.0, 0
    low, high = np.inf, -np.inf
    for slab in _slabs(dataset):
        values = slab.astype(np.float64, copy=False)
        if ignore_nan:
            values = values[~np.isnan(values)]
        if not values.size:
            continue
        total += float(values.sum())
        count += values.size
        low = min(low, float(values.min()))
        high = max(high, float(values.max()))
    if count == 0 and kind != "sum":
        raise AnswerError(_("%(path)s holds no values.") % {"path": dataset.name})
    value = {
        "sum": total,
        "mean": total / count if count else 0.0,
        "min": low,
        "max": high,
    }[kind]
    value = round(value, decimals)
    if dataset.dtype.kind in "biu" and kind in ("min", "max", "sum"):
        return int(value)
    return value


def _missing_attribute(h5file_path, path: str, name: str) -> str:
    """The one dataset below `path` that lacks attribute `name` (dimension scales aside)."""
    tree = inspect_file(h5file_path, Limits(previews=False))
    start = tree.find(path)
    if start is None:
        raise AnswerError(_("No object at %(path)s in this file.") % {"path": path})
    missing = [
        node.path
        for node in start.walk()
        if node.is_dataset and not node.is_dimension_scale and not node.attribute(name)
    ]
    if not missing:
        raise AnswerError(
            _("Every dataset below %(path)s has the attribute “%(name)s”.")
            % {"path": path, "name": name}
        )
    if len(missing) > 1:
        raise AnswerError(
            _(
                "Several datasets lack the attribute “%(name)s” (%(paths)s): the "
                "question needs exactly one."
            )
            % {"name": name, "paths": ", ".join(missing[:5])}
        )
    return missing[0]
