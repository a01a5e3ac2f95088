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

import math
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .inspect import Hdf5FileError, inspect_file, run_job
from .limits import Limits
from .messages import render

ANSWER_JOB = "courses.hdf5.jobs:answer"
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

# What the child says when a question cannot be answered (computing.py).
ERRORS = {
    "no_object": _("No object at %(path)s in this file."),
    "external_link": _("%(path)s goes through an external link: it is not followed."),
    "user_link": _(
        "%(path)s goes through a link of an unknown kind: it is not followed."
    ),
    "link_loop": _("%(path)s goes through too many soft links (a loop?)."),
    "not_dataset": _("%(path)s is not a dataset."),
    "no_attribute": _("%(path)s has no attribute “%(name)s”."),
    "attribute_unreadable": _("The attribute “%(name)s” could not be read."),
    "attribute_too_large": _("The attribute “%(name)s” is too large to be an answer."),
    "not_numbers": _("%(path)s does not hold numbers."),
    "no_values": _("%(path)s holds no values."),
    "not_finite": _(
        "The result for %(path)s is not a finite number (NaN or infinite values)."
    ),
    "too_many_values": _(
        "%(path)s holds %(count)s values: a question may read at most %(maximum)s. "
        "Ask about a smaller dataset."
    ),
    "other_files": _("%(path)s stores its values in other files: they are not read."),
    "chunks_too_large": _(
        "%(path)s is stored in chunks of %(size)s once uncompressed, more than the "
        "%(limit)s allowed: its values are not read."
    ),
    "values_memory": _(
        "Reading %(path)s needs more memory than allowed (%(size)s), or a "
        "compressed chunk of it is damaged."
    ),
    "values_unreadable": _("The values of %(path)s could not be read."),
    "unknown_kind": _("Unknown kind of answer: %(kind)s."),
}


class AnswerError(Hdf5FileError):
    """The question cannot be answered from this file (bad path, kind, type...)."""

    code = "answer"


@dataclass(frozen=True)
class ComputedAnswer:
    """A correct answer: the exact `value` (number, text) and its type.

    `display` is what a learner is shown: a reduction rounded to `decimals`.
    Grading uses `value`, never the rounded text.
    """

    kind: str
    path: str
    value: object
    answer_type: str  # NUMERIC or TEXT
    alternatives: tuple[str, ...] = ()  # other accepted spellings of a text answer
    decimals: int | None = None  # rounding of a reduction, for display

    @property
    def display(self) -> str:
        if self.decimals is not None and isinstance(self.value, float):
            return str(round(self.value, self.decimals))
        return str(self.value)


def compute_answer(
    h5file_path: str | Path, kind: str, path: str, **options
) -> ComputedAnswer:
    """The answer of `kind` about the object at `path`; AnswerError if impossible.

    Options: `name` (attribute name, for "attribute" and "missing_attribute"),
    `decimals` (rounding of reductions for display, default 2), `ignore_nan`
    (reductions skip NaN values, default True). The file is read in the sandbox.
    """
    if kind not in ANSWER_KINDS:
        raise AnswerError(_("Unknown kind of answer: %(kind)s.") % {"kind": kind})
    answer_type = ANSWER_KINDS[kind][1]
    path = "/" + path.strip("/")
    if kind == "missing_attribute":
        value = _missing_attribute(h5file_path, path, _required(options, "name"))
        alternatives = (value.rsplit("/", 1)[-1], value.lstrip("/"))
        return ComputedAnswer(kind, path, value, answer_type, alternatives)
    if kind == "attribute":
        _required(options, "name")
    request = {
        "path": str(Path(h5file_path).resolve()),
        "kind": kind,
        "object_path": path,
        "options": {
            "name": str(options.get("name") or ""),
            "ignore_nan": bool(options.get("ignore_nan", True)),
        },
        "limits": Limits.from_settings().as_dict(),
    }
    ok, result = run_job(ANSWER_JOB, request)
    if not ok:
        raise AnswerError(
            render(ERRORS, result["code"], result["params"], Hdf5FileError.message)
        )
    if isinstance(result, bool) or not isinstance(result, str | int | float):
        raise AnswerError(_("The answer read from the file is not a simple value."))
    if isinstance(result, float) and not math.isfinite(result):
        raise AnswerError(ERRORS["not_finite"] % {"path": path})
    decimals = int(options.get("decimals", 2)) if kind in REDUCTIONS else None
    return ComputedAnswer(kind, path, result, answer_type, decimals=decimals)


def _required(options: dict, name: str) -> str:
    value = options.get(name)
    if not value:
        raise AnswerError(
            _("This kind of answer needs the option “%(name)s”.") % {"name": name}
        )
    return value


def _missing_attribute(h5file_path, path: str, name: str) -> str:
    """The one dataset below `path` that lacks attribute `name` (dimension scales aside)."""
    tree = inspect_file(h5file_path, Limits.from_settings(previews=False))
    start = tree.find(path)
    if start is None:
        raise AnswerError(_("No object at %(path)s in this file.") % {"path": path})
    if not tree.complete:
        raise AnswerError(
            _(
                "The file could not be read completely (%(reason)s): the dataset "
                "lacking the attribute cannot be known for sure."
            )
            % {
                "reason": tree.truncated_reason
                if tree.truncated
                else tree.unchecked[0][1]
            }
        )
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
