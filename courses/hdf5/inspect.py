"""The structure of an HDF5 file, read in a sandboxed child (web process side).

Used for trainers' files (the viewer block) and learners' uploads (the
checker). `inspect_file` never opens the file itself: a child process does,
within hard limits (sandbox.py, child.py), with the bounded walk of
reading.py, and sends back JSON; this module turns that JSON into a tree of
plain dataclasses (picklable, so the viewer caches it) and the child's
failures into `Hdf5FileError`s whose message is safe to show a learner.

What the walk left out is said twice: `Tree.truncated` (it stopped: objects,
time, output) and `Tree.unchecked` (parts it could not read: too deep, an
unreadable object or attribute list). Either makes a check incomplete.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .limits import Limits
from .messages import Note, render
from .sandbox import SandboxError, SandboxLimits, run

WALK_JOB = "courses.hdf5.jobs:walk"


class Hdf5FileError(Exception):
    """The file cannot be inspected; `message` is safe to show to a learner."""

    code = "unreadable"
    message = _("This file could not be read as an HDF5 file.")
    cacheable = True  # the same file would fail the same way again

    def __init__(self, message=None):
        super().__init__(message or self.message)
        self.message = message or self.message


class NotHdf5(Hdf5FileError):
    code = "not_hdf5"
    message = _(
        "This is not an HDF5 file: its signature is missing. Save your data with "
        "h5py, HDF5 tools or netCDF-4 and try again."
    )


class CorruptFile(Hdf5FileError):
    code = "corrupt"
    message = _(
        "This HDF5 file is damaged or truncated and cannot be opened. Was it "
        "completely written (file closed) and completely uploaded?"
    )


class IncompleteCheck(Hdf5FileError):
    """The child stopped before answering: time, memory, a crash of libhdf5."""

    code = "incomplete"


class ReaderBusy(Hdf5FileError):
    code = "busy"
    cacheable = False
    message = _("Too many files are being read right now: try again in a minute.")


REASONS = {
    "timeout": _("reading it took longer than %(seconds)s seconds"),
    "cpu": _("reading it used more than %(seconds)s seconds of processor time"),
    "memory": _("reading it needed more memory than allowed (%(size)s)"),
    "crash": _("it made the HDF5 library fail (%(signal)s)"),
    "too_large": _("the description of its contents is larger than %(size)s"),
}


def sandbox_error(error: SandboxError) -> Hdf5FileError:
    """The learner-safe error for a child that gave no usable result."""
    if error.code == "busy":
        return ReaderBusy()
    reason = render(
        REASONS, error.code, error.params, _("the reader gave no usable answer")
    )
    return IncompleteCheck(
        _("This file could not be checked completely: %(reason)s.") % {"reason": reason}
    )


def run_job(job: str, request: dict):
    """The child's result for `job`, or the Hdf5FileError its failure means.

    Returns `(True, result)` or `(False, {"code", "params"})` for a refusal the
    job itself explains (an answer that cannot be computed, for instance).
    """
    limits = SandboxLimits.from_settings()
    try:
        reply = run(job, request, limits=limits)
    except SandboxError as error:
        raise sandbox_error(error) from error
    if reply["ok"]:
        return True, reply.get("result")
    error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
    code = error.get("code")
    if code == "not_hdf5":
        raise NotHdf5
    if code == "corrupt":
        raise CorruptFile
    if code == "memory":
        raise sandbox_error(SandboxError("memory", size=limits.memory_bytes))
    params = error.get("params") if isinstance(error.get("params"), dict) else {}
    return False, {"code": str(code), "params": params}


@dataclass
class Attribute:
    name: str
    dtype: str
    shape: tuple | None
    value: str  # a bounded, printable rendering
    raw: object = None  # the value when small and simple, else None
    skipped: bool = False  # too large or unreadable: value not read
    note: Note | None = None  # why it was skipped

    @property
    def shown(self) -> str:
        return str(self.note) if self.skipped and self.note else self.value


@dataclass
class Node:
    """One object (or link) of the file."""

    name: str
    path: str
    kind: str  # group, dataset, datatype, soft_link, external_link, hard_link_seen, unreadable
    attributes: list[Attribute] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    # datasets
    shape: tuple | None = None
    dtype: str = ""
    size: int = 0
    chunks: tuple | None = None
    compression: str = ""
    is_virtual: bool = False
    has_external_storage: bool = False
    is_dimension_scale: bool = False
    dimension_scales: list[int] = field(default_factory=list)  # per dimension
    preview: list[list[str]] | None = None
    preview_note: Note | None = None
    # links
    target: str = ""
    notes: list[Note] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return self.kind == "group"

    @property
    def is_dataset(self) -> bool:
        return self.kind == "dataset"

    @property
    def shape_label(self) -> str:
        if self.shape is None:
            return _("no dataspace (null)")
        if self.shape == ():
            return _("scalar")
        return " × ".join(str(n) for n in self.shape)

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Tree:
    """The inspected file: its root group and what the walk had to leave out."""

    root: Node
    objects: int = 0
    truncated: bool = False
    truncated_reason: str | Note = ""
    skipped: list[Node] = field(default_factory=list)  # links and data not read
    unchecked: list[tuple[str, Note]] = field(default_factory=list)  # (path, why)

    @property
    def complete(self) -> bool:
        """Every object was read: nothing is "not checked"."""
        return not self.truncated and not self.unchecked

    def datasets(self) -> list[Node]:
        return [node for node in self.root.walk() if node.is_dataset]

    def find(self, path: str) -> Node | None:
        path = "/" + path.strip("/")
        return next((n for n in self.root.walk() if n.path == path), None)


# -- from the child's JSON (which may come from a compromised child: checked) --


def _text(value, limit: int = 2000) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _shape(value) -> tuple | None:
    if not isinstance(value, list) or len(value) > 64:
        return None
    return tuple(int(n) for n in value if isinstance(n, int))


def _attribute(data: dict) -> Attribute:
    note = Note.parse(data.get("skipped"))
    raw = data.get("raw")
    return Attribute(
        name=_text(data.get("name")),
        dtype=_text(data.get("dtype")),
        shape=_shape(data.get("shape")),
        value=_text(data.get("value")),
        raw=raw if isinstance(raw, str | int | float | bool | list) else None,
        skipped=note is not None,
        note=note,
    )


def _notes(values) -> list[Note]:
    notes = [Note.parse(value) for value in values or []]
    return [note for note in notes if note is not None]


def _node(data: dict) -> Node:
    shape = data.get("shape")
    preview = data.get("preview")
    node = Node(
        name=_text(data.get("name")),
        path=_text(data.get("path"), 100_000),
        kind=_text(data.get("kind"), 40) or "unreadable",
        attributes=[_attribute(a) for a in data.get("attributes") or []],
        children=[_node(child) for child in data.get("children") or []],
        shape=_shape(shape) if shape is not None else None,
        dtype=_text(data.get("dtype")),
        size=data.get("size") if isinstance(data.get("size"), int) else 0,
        chunks=_shape(data.get("chunks")) if data.get("chunks") else None,
        compression=_text(data.get("compression")),
        is_virtual=data.get("is_virtual") is True,
        has_external_storage=data.get("has_external_storage") is True,
        is_dimension_scale=data.get("is_dimension_scale") is True,
        dimension_scales=[
            n for n in data.get("dimension_scales") or [] if isinstance(n, int)
        ],
        preview=[[_text(cell, 100) for cell in row] for row in preview]
        if isinstance(preview, list)
        else None,
        preview_note=Note.parse(data.get("preview_note")),
        target=_text(data.get("target")),
        notes=_notes(data.get("notes")),
    )
    if node.kind == "dataset" and shape is None:
        node.shape = None
    return node


def tree_from_reply(data: dict) -> Tree:
    try:
        tree = Tree(root=_node(data["root"]), objects=int(data.get("objects") or 0))
        stopped = Note.parse(data.get("stopped"))
        if stopped is not None:
            tree.truncated, tree.truncated_reason = True, stopped
        for item in data.get("unchecked") or []:
            note = Note.parse(item)
            if note is not None:
                tree.unchecked.append((_text(item.get("path")), note))
        skipped = set(data.get("skipped") or [])
        tree.skipped = [node for node in tree.root.walk() if node.path in skipped]
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as error:
        raise sandbox_error(SandboxError("bad_reply")) from error
    return tree


def inspect_file(path: str | Path, limits: Limits | None = None) -> Tree:
    """The bounded tree of the HDF5 file at `path`, read in a sandboxed child.

    Raises NotHdf5, CorruptFile, IncompleteCheck (time, memory, crash) or
    ReaderBusy (every sandbox slot taken for too long).
    """
    limits = limits or Limits.from_settings()
    ok, result = run_job(
        WALK_JOB, {"path": str(Path(path).resolve()), "limits": limits.as_dict()}
    )
    if not ok or not isinstance(result, dict):
        raise sandbox_error(SandboxError("bad_reply"))
    return tree_from_reply(result)
