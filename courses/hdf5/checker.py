"""The "bring your own file" metadata checklist.

A trainer configures the rules on the checker block (`Checklist`); a learner's
file is inspected once (`inspect.inspect_file`, bounded and read-only) and each
rule becomes a pass/fail item with a hint. Pure functions over the inspected
tree, so every rule is tested without a web request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .inspect import Limits, Tree, inspect_file

DEFAULT_ROOT_ATTRIBUTES = ("title", "creator", "license", "description")
DEFAULT_DATASET_ATTRIBUTES = ("units", "long_name")
MAX_LISTED = 10  # failing paths listed per item


def split_names(text: str) -> tuple[str, ...]:
    """Attribute names from a trainer's comma- or line-separated list."""
    names = (name.strip() for name in (text or "").replace("\n", ",").split(","))
    return tuple(dict.fromkeys(name for name in names if name))


@dataclass(frozen=True)
class Checklist:
    """The rules a file must satisfy."""

    root_attributes: tuple[str, ...] = DEFAULT_ROOT_ATTRIBUTES
    dataset_attributes: tuple[str, ...] = DEFAULT_DATASET_ATTRIBUTES
    dimension_scales: bool = False
    no_empty_datasets: bool = True

    @classmethod
    def from_block(cls, value) -> Checklist:
        """The checklist configured in an `Hdf5CheckerBlock` value."""
        return cls(
            root_attributes=split_names(value.get("root_attributes", "")),
            dataset_attributes=split_names(value.get("dataset_attributes", "")),
            dimension_scales=bool(value.get("require_dimension_scales")),
            no_empty_datasets=bool(value.get("forbid_empty_datasets")),
        )


@dataclass
class CheckItem:
    code: str
    label: str
    passed: bool
    hint: str = ""
    paths: list[str] = field(default_factory=list)  # the objects that fail
    more: int = 0  # failing objects not listed


@dataclass
class CheckReport:
    items: list[CheckItem]
    notes: list[str] = field(default_factory=list)  # what the walk left out
    datasets: int = 0

    @property
    def passed(self) -> bool:
        return all(item.passed for item in self.items)

    @property
    def failures(self) -> list[CheckItem]:
        return [item for item in self.items if not item.passed]


def _present(attribute) -> bool:
    if attribute is None:
        return False
    if attribute.skipped:
        return True  # exists, just too large to show
    return str(attribute.value).strip() not in ("", "[]", "b''")


def _item(code, label, failing: list[str], hint) -> CheckItem:
    return CheckItem(
        code=code,
        label=str(label),
        passed=not failing,
        hint="" if not failing else str(hint),
        paths=failing[:MAX_LISTED],
        more=max(0, len(failing) - MAX_LISTED),
    )


def check_tree(tree: Tree, checklist: Checklist) -> CheckReport:
    """Apply `checklist` to an inspected file."""
    items: list[CheckItem] = []
    datasets = tree.datasets()
    data = [node for node in datasets if not node.is_dimension_scale]

    items.append(
        _item(
            "has_datasets",
            _("The file contains at least one dataset"),
            [] if datasets else ["/"],
            _("Write your data into datasets (h5py: f.create_dataset(...))."),
        )
    )
    for name in checklist.root_attributes:
        missing = [] if _present(tree.root.attribute(name)) else ["/"]
        items.append(
            _item(
                f"root_attribute:{name}",
                _("The file has a “%(name)s” attribute") % {"name": name},
                missing,
                _('Add it to the root group, for example: f.attrs["%(name)s"] = "..."')
                % {"name": name},
            )
        )
    for name in checklist.dataset_attributes:
        missing = [node.path for node in data if not _present(node.attribute(name))]
        items.append(
            _item(
                f"dataset_attribute:{name}",
                _("Every dataset has a “%(name)s” attribute") % {"name": name},
                missing,
                _(
                    "Add it to each dataset listed, for example: "
                    'dset.attrs["%(name)s"] = "..."'
                )
                % {"name": name},
            )
        )
    if checklist.dimension_scales:
        missing = [
            node.path
            for node in data
            if node.shape and any(count == 0 for count in node.dimension_scales)
        ]
        items.append(
            _item(
                "dimension_scales",
                _("Every dimension of every dataset has a dimension scale"),
                missing,
                _(
                    "Store the coordinates (time, depth...) in their own dataset, "
                    "make it a scale and attach it: "
                    'time.make_scale("time"); dset.dims[0].attach_scale(time)'
                ),
            )
        )
    if checklist.no_empty_datasets:
        empty = [node.path for node in datasets if node.shape is None or node.size == 0]
        items.append(
            _item(
                "no_empty_datasets",
                _("No dataset is empty"),
                empty,
                _("Remove the empty datasets, or fill them with their values."),
            )
        )
    notes = [
        f"{node.path}: {' '.join(str(n) for n in node.notes)}"
        for node in tree.skipped
        if node.notes
    ]
    if not tree.complete:
        reasons = [str(tree.truncated_reason)] if tree.truncated else []
        reasons += dict.fromkeys(str(note) for _path, note in tree.unchecked)
        if tree.truncated:
            notes.insert(0, str(tree.truncated_reason))
        items.append(
            CheckItem(
                code="complete_walk",
                label=str(_("The whole file could be checked")),
                passed=False,
                hint=str(
                    _("This file could not be checked completely: %(reason)s")
                    % {"reason": " ".join(reasons[:MAX_LISTED])}
                ),
                paths=[path for path, _note in tree.unchecked[:MAX_LISTED]],
                more=max(0, len(tree.unchecked) - MAX_LISTED),
            )
        )
    return CheckReport(items=items, notes=notes, datasets=len(datasets))


def check_file(path: str | Path, checklist: Checklist) -> CheckReport:
    """Inspect the file at `path` (no previews, in the sandbox), apply `checklist`."""
    return check_tree(
        inspect_file(path, Limits.from_settings(previews=False)), checklist
    )
