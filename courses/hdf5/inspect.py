"""Safe, bounded reading of an HDF5 file's structure with h5py.

Used for trainers' files (the viewer block) and learners' uploads (the checker),
so everything here assumes the file may be hostile:

- opened read-only, without file locking, with the default (single file) driver;
- external links are listed but never followed, soft links are never resolved,
  virtual datasets and datasets with external storage are described but never
  read: nothing outside the file itself is ever opened;
- the walk stops after `Limits.max_objects` objects, `Limits.max_depth` levels
  or `Limits.time_budget` seconds, and the result says so (`truncated`);
- previews and attribute values are bounded in elements and bytes.

The result is a tree of plain dataclasses (picklable, so the viewer caches it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext_lazy as _

import h5py
import numpy as np

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class Hdf5FileError(Exception):
    """The file cannot be inspected; `message` is safe to show to a learner."""

    code = "unreadable"
    message = _("This file could not be read as an HDF5 file.")

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


@dataclass(frozen=True)
class Limits:
    """Bounds on one inspection: objects walked, depth, time, preview sizes."""

    max_objects: int = 2000
    max_depth: int = 32
    max_attributes: int = 64
    time_budget: float = 5.0  # seconds
    preview_rows: int = 5
    preview_columns: int = 8
    preview_bytes: int = 4096
    attribute_bytes: int = 2048
    text_chars: int = 200
    previews: bool = True


@dataclass
class Attribute:
    name: str
    dtype: str
    shape: tuple | None
    value: str  # a bounded, printable rendering
    raw: object = None  # the Python value when small and simple, else None
    skipped: bool = False  # too large or unreadable: value not read


@dataclass
class Node:
    """One object (or link) of the file."""

    name: str
    path: str
    kind: str  # group, dataset, datatype, soft_link, external_link, hard_link_seen
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
    preview_note: str = ""
    # links
    target: str = ""
    notes: list[str] = field(default_factory=list)

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
    truncated_reason: str = ""
    skipped: list[Node] = field(default_factory=list)  # links and data not read

    def datasets(self) -> list[Node]:
        return [node for node in self.root.walk() if node.is_dataset]

    def find(self, path: str) -> Node | None:
        path = "/" + path.strip("/")
        return next((n for n in self.root.walk() if n.path == path), None)


def has_hdf5_signature(path: str | Path) -> bool:
    """True if the HDF5 superblock signature is at 0, 512, 1024, 2048... bytes."""
    size = Path(path).stat().st_size
    with open(path, "rb") as stream:
        offset = 0
        while offset + len(HDF5_SIGNATURE) <= size:
            stream.seek(offset)
            if stream.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
                return True
            offset = 512 if offset == 0 else offset * 2
    return False


@contextmanager
def open_hdf5(path: str | Path) -> Iterator[h5py.File]:
    """Open `path` read-only and safely, or raise NotHdf5 / CorruptFile."""
    if not has_hdf5_signature(path):
        raise NotHdf5
    try:
        handle = h5py.File(path, "r", driver=None, locking=False)
    except (OSError, RuntimeError, ValueError) as error:
        raise CorruptFile from error
    try:
        yield handle
    finally:
        handle.close()


def _text(value, limit: int) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    elif isinstance(value, np.ndarray):
        value = np.array2string(value, threshold=20, edgeitems=3, separator=", ")
    elif isinstance(value, np.generic):
        value = value.item()
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(value):
    """A small Python value for answers and checks (bytes decoded, scalars unwrapped)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.size == 1 and value.dtype.kind in "biufSUO":
            return _plain(value.reshape(()).item() if value.ndim else value.item())
        if value.dtype.kind in "biuf" and value.size <= 64:
            return value.tolist()
        if value.dtype.kind in "SUO" and value.size <= 64:
            return [_plain(v) for v in value.ravel().tolist()]
        return None
    return value if isinstance(value, str | int | float | bool) else None


def _dtype_label(dtype: np.dtype) -> str:
    string_info = h5py.check_string_dtype(dtype)
    if string_info is not None:
        if string_info.length is None:
            return f"string (variable length, {string_info.encoding})"
        return f"string ({string_info.length} bytes, {string_info.encoding})"
    if h5py.check_vlen_dtype(dtype) is not None:
        return f"variable-length {h5py.check_vlen_dtype(dtype)}"
    if h5py.check_ref_dtype(dtype) is not None:
        return "reference"
    if h5py.check_enum_dtype(dtype) is not None:
        return f"enum ({dtype})"
    if dtype.names:
        return (
            "compound ("
            + ", ".join(
                f"{name}: {_dtype_label(dtype.fields[name][0])}" for name in dtype.names
            )
            + ")"
        )
    return str(dtype)


def _readable_dtype(dtype: np.dtype) -> bool:
    """Values of this type can be read and shown (references cannot)."""
    if h5py.check_ref_dtype(dtype) is not None:
        return False
    base = h5py.check_vlen_dtype(dtype)
    if base is not None and h5py.check_string_dtype(dtype) is None:
        return _readable_dtype(np.dtype(base))
    if dtype.names:
        return all(_readable_dtype(dtype.fields[name][0]) for name in dtype.names)
    return dtype.kind != "V"


def _attributes(obj, limits: Limits) -> list[Attribute]:
    result = []
    try:
        names = list(obj.attrs.keys())
    except (OSError, RuntimeError, KeyError):
        return result
    for name in names[: limits.max_attributes]:
        try:
            attr_id = h5py.h5a.open(obj.id, name.encode("utf-8"))
            dtype, shape = attr_id.dtype, attr_id.shape
            storage = attr_id.get_storage_size()
        except (OSError, RuntimeError, KeyError, ValueError):
            result.append(
                Attribute(name, "?", None, str(_("(unreadable)")), None, True)
            )
            continue
        label = _dtype_label(dtype)
        if storage > limits.attribute_bytes or not _readable_dtype(dtype):
            result.append(
                Attribute(name, label, shape, str(_("(not shown)")), None, True)
            )
            continue
        try:
            value = obj.attrs[name]
        except (OSError, RuntimeError, KeyError, ValueError, TypeError):
            result.append(
                Attribute(name, label, shape, str(_("(unreadable)")), None, True)
            )
            continue
        result.append(
            Attribute(
                name, label, shape, _text(value, limits.text_chars), _plain(value)
            )
        )
    return result


def _preview(dataset: h5py.Dataset, node: Node, limits: Limits) -> None:
    """Read the first rows (and columns) of a dataset, within the byte budget."""
    if node.shape is None or node.size == 0 or not _readable_dtype(dataset.dtype):
        return
    itemsize = max(dataset.dtype.itemsize, 1)
    if h5py.check_string_dtype(dataset.dtype) or dataset.dtype.kind == "O":
        itemsize = max(itemsize, 64)  # variable-length: count generously
    if node.shape == ():
        selection = ()
        rows = 1
    else:
        budget = max(1, limits.preview_bytes // itemsize)
        rows = min(node.shape[0], limits.preview_rows, budget)
        columns = 1
        selection = [slice(0, rows)]
        if len(node.shape) >= 2:
            columns = min(node.shape[1], limits.preview_columns, max(1, budget // rows))
            selection.append(slice(0, columns))
        selection += [0] * (len(node.shape) - len(selection))  # first plane
        selection = tuple(selection)
    try:
        values = dataset[selection]
    except (OSError, RuntimeError, ValueError, TypeError):
        node.preview_note = str(_("The values could not be read."))
        return
    if node.shape == ():
        node.preview = [[_text(values, 40)]]
    elif values.ndim == 1:
        node.preview = [[_text(value, 40)] for value in values]
    else:
        node.preview = [[_text(value, 40) for value in row] for row in values]
    shown = len(node.preview) * (len(node.preview[0]) if node.preview else 0)
    if shown < node.size:
        node.preview_note = str(
            _("First values only: %(shown)s of %(total)s.")
            % {"shown": shown, "total": node.size}
        )


def _describe_dataset(dataset: h5py.Dataset, node: Node, tree: Tree, limits: Limits):
    node.shape = dataset.shape
    node.size = int(dataset.size or 0) if dataset.shape is not None else 0
    node.dtype = _dtype_label(dataset.dtype)
    node.chunks = dataset.chunks
    if dataset.compression:
        opts = dataset.compression_opts
        node.compression = dataset.compression + (
            f" ({opts})" if opts is not None else ""
        )
    node.is_virtual = dataset.is_virtual
    node.has_external_storage = bool(dataset.external)
    try:
        node.is_dimension_scale = h5py.h5ds.is_scale(dataset.id)
    except (OSError, RuntimeError, ValueError):
        node.is_dimension_scale = False
    if dataset.shape:
        try:
            node.dimension_scales = [len(dim) for dim in dataset.dims]
        except (OSError, RuntimeError, ValueError, KeyError):
            node.dimension_scales = [0] * len(dataset.shape)
    if node.is_virtual:
        node.notes.append(
            str(_("Virtual dataset: its values live in other files and are not read."))
        )
        tree.skipped.append(node)
    elif node.has_external_storage:
        node.notes.append(
            str(_("External storage: its values live in other files and are not read."))
        )
        tree.skipped.append(node)
    elif limits.previews:
        _preview(dataset, node, limits)


class _Walker:
    def __init__(self, handle: h5py.File, limits: Limits):
        self.handle = handle
        self.limits = limits
        self.deadline = time.monotonic() + limits.time_budget
        self.seen: dict[int, str] = {}
        self.tree = Tree(root=Node(name="/", path="/", kind="group"))

    def stop(self, reason) -> bool:
        self.tree.truncated = True
        self.tree.truncated_reason = str(reason)
        return True

    def over_budget(self) -> bool:
        if self.tree.truncated:
            return True
        if self.tree.objects >= self.limits.max_objects:
            return self.stop(
                _("The file holds more than %(count)s objects: only those are shown.")
                % {"count": self.limits.max_objects}
            )
        if time.monotonic() > self.deadline:
            return self.stop(_("Reading the file took too long: it was stopped."))
        return False

    def run(self) -> Tree:
        root = self.tree.root
        self.seen[hash(self.handle.id)] = "/"
        root.attributes = _attributes(self.handle, self.limits)
        self.tree.objects = 1
        self.walk_group(self.handle, root, depth=1)
        return self.tree

    def walk_group(self, group: h5py.Group, node: Node, depth: int) -> None:
        if depth > self.limits.max_depth:
            node.notes.append(str(_("Nested too deeply: contents not shown.")))
            return
        try:
            names = iter(group)
        except (OSError, RuntimeError, KeyError):
            node.notes.append(str(_("The contents could not be read.")))
            return
        while True:
            if self.over_budget():
                return
            try:
                name = next(names)
            except StopIteration:
                return
            except (OSError, RuntimeError, KeyError, ValueError):
                node.notes.append(str(_("The contents could not be read.")))
                return
            self.tree.objects += 1
            child = self.visit(group, name, node.path.rstrip("/") + "/" + name, depth)
            node.children.append(child)

    def visit(self, group: h5py.Group, name: str, path: str, depth: int) -> Node:
        try:
            link = group.get(name, getlink=True)
        except (OSError, RuntimeError, KeyError, ValueError):
            link = None
        if isinstance(link, h5py.ExternalLink):
            node = Node(name=name, path=path, kind="external_link")
            node.target = f"{link.filename}:{link.path}"
            node.notes.append(str(_("External link to another file: not followed.")))
            self.tree.skipped.append(node)
            return node
        if isinstance(link, h5py.SoftLink):
            node = Node(name=name, path=path, kind="soft_link", target=link.path)
            node.notes.append(str(_("Soft link: shown, not followed.")))
            return node
        if link is None:
            node = Node(name=name, path=path, kind="unreadable")
            node.notes.append(str(_("This object could not be read.")))
            return node
        try:
            obj = group[name]
        except (OSError, RuntimeError, KeyError, ValueError):
            node = Node(name=name, path=path, kind="unreadable")
            node.notes.append(str(_("This object could not be read.")))
            return node
        identity = hash(obj.id)
        if identity in self.seen:
            node = Node(name=name, path=path, kind="hard_link_seen")
            node.target = self.seen[identity]
            node.notes.append(str(_("Another name for an object shown elsewhere.")))
            return node
        self.seen[identity] = path
        if isinstance(obj, h5py.Group):
            node = Node(name=name, path=path, kind="group")
            node.attributes = _attributes(obj, self.limits)
            self.walk_group(obj, node, depth + 1)
        elif isinstance(obj, h5py.Dataset):
            node = Node(name=name, path=path, kind="dataset")
            node.attributes = _attributes(obj, self.limits)
            try:
                _describe_dataset(obj, node, self.tree, self.limits)
            except (OSError, RuntimeError, ValueError, TypeError, KeyError):
                node.notes.append(str(_("This dataset could not be read.")))
        else:
            node = Node(name=name, path=path, kind="datatype")
            node.attributes = _attributes(obj, self.limits)
            node.dtype = _dtype_label(obj.dtype)
        return node


def inspect_file(path: str | Path, limits: Limits | None = None) -> Tree:
    """The bounded tree of the HDF5 file at `path`; NotHdf5/CorruptFile if unreadable."""
    limits = limits or Limits()
    with open_hdf5(path) as handle:
        try:
            return _Walker(handle, limits).run()
        except (OSError, RuntimeError) as error:
            raise CorruptFile from error
