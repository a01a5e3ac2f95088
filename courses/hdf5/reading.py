"""Reading a hostile HDF5 file with h5py: runs only in the sandboxed child process.

Everything assumes the file may be crafted to hurt:

- opened read-only, without locking, with HDF5's filter plugins switched off;
- every link is resolved by hand, one name at a time: hard links stay in the
  file, soft links are followed only through names checked the same way, and
  external or user-defined links are never followed (h5py's `name in group`
  would open an external link's file to see whether its target exists);
- virtual datasets and datasets with external storage are described, never read;
- sizes are measured before reading (declared sizes, element counts, chunk
  sizes), and every read of values runs under `memory_guard`: the kernel then
  refuses the memory a variable-length heap bomb or a decompression bomb would
  take, and HDF5 fails that one read cleanly;
- the walk stops at the object, depth, time and output budgets and says what
  it left out ("not checked"), and reductions refuse datasets past a value count.

No Django: results are plain JSON-able dicts; messages are codes with
parameters, turned into sentences in the reader's language by the web process.
"""

from __future__ import annotations

import math
import os
import resource
import time
from collections import deque
from contextlib import contextmanager

import h5py
import numpy as np

from .limits import Limits

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
NAME_CHARS = 500  # longer link names are cut in the description
MAX_SOFT_HOPS = 16  # as HDF5's own limit on soft-link traversal


class ReadError(Exception):
    """The question or file cannot be read; `code` and `params` say why."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def as_dict(self) -> dict:
        return {"code": self.code, "params": self.params}


def note(code: str, **params) -> dict:
    return {"code": code, "params": params}


def clean_text(value: str, limit: int | None = None) -> str:
    """Valid UTF-8 (lone surrogates replaced), cut at `limit` characters."""
    text = value.encode("utf-8", "replace").decode("utf-8")
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


# -- opening and memory ----------------------------------------------------


def has_hdf5_signature(path) -> bool:
    """True if the HDF5 superblock signature is at 0, 512, 1024, 2048... bytes."""
    with open(path, "rb") as stream:
        stream.seek(0, 2)
        size = stream.tell()
        offset = 0
        while offset + len(HDF5_SIGNATURE) <= size:
            stream.seek(offset)
            if stream.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
                return True
            offset = 512 if offset == 0 else offset * 2
    return False


def disable_plugins() -> None:
    """No dynamic filter plugin is loaded, whatever filter a file names."""
    while h5py.h5pl.size():
        h5py.h5pl.remove(0)


def open_file(path) -> h5py.File:
    if not has_hdf5_signature(path):
        raise ReadError("not_hdf5")
    try:
        return h5py.File(path, "r", driver=None, locking=False)
    except (OSError, RuntimeError, ValueError, MemoryError) as error:
        raise ReadError("corrupt") from error


_statm: int | None = None  # kept open: the child may not open files once sealed


def open_memory_probe() -> None:
    """Open /proc/self/statm for `memory_guard` (in the process that will read)."""
    global _statm
    _statm = os.open("/proc/self/statm", os.O_RDONLY)


def _address_space() -> int:
    """The bytes of address space this process uses now (Linux)."""
    if _statm is None:
        open_memory_probe()
    return int(os.pread(_statm, 256, 0).split()[0]) * resource.getpagesize()


@contextmanager
def memory_guard(budget: int):
    """Let the block take at most `budget` more bytes of address space.

    The soft RLIMIT_AS is lowered for the duration of one read, so a read that
    would expand a few kilobytes into gigabytes fails with MemoryError (numpy,
    Python) or an HDF5 allocation error (OSError) instead of taking them.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = _address_space() + budget
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def allocation_failed(error: Exception) -> bool:
    """The read failed for lack of memory (the guard), as HDF5 reports it.

    HDF5 says "memory allocation failed" for variable-length data; a filter
    (deflate) that cannot grow its buffer only says "filter returned failure":
    a damaged stream reads the same, so both are reported as "more than the
    memory allowed, or damaged" by the notes that use this.
    """
    message = str(error).lower()
    return "alloc" in message or "filter returned failure" in message


# -- types and values --------------------------------------------------------


def dtype_label(dtype: np.dtype) -> str:
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
        members = ", ".join(
            f"{name}: {dtype_label(dtype.fields[name][0])}" for name in dtype.names[:20]
        )
        return clean_text(f"compound ({members})", 300)
    return str(dtype)


def _is_vlen(dtype: np.dtype) -> bool:
    string_info = h5py.check_string_dtype(dtype)
    if string_info is not None:
        return string_info.length is None
    return h5py.check_vlen_dtype(dtype) is not None


def _has_vlen(dtype: np.dtype) -> bool:
    if _is_vlen(dtype):
        return True
    if dtype.names:
        return any(_has_vlen(dtype.fields[name][0]) for name in dtype.names)
    if dtype.subdtype is not None:
        return _has_vlen(dtype.subdtype[0])
    return False


def readable_dtype(dtype: np.dtype) -> bool:
    """Values of this type can be read with a bounded size.

    References and opaque data are not shown; variable-length data is read only
    at the top level (a sequence of sequences could point at one heap object
    from every element of every element).
    """
    if h5py.check_ref_dtype(dtype) is not None or dtype.kind == "V" and not dtype.names:
        return False
    if h5py.check_string_dtype(dtype) is not None:
        return True
    base = h5py.check_vlen_dtype(dtype)
    if base is not None:
        base = np.dtype(base)
        return not _has_vlen(base) and readable_dtype(base)
    if dtype.names:
        return all(
            not _has_vlen(dtype.fields[name][0])
            and readable_dtype(dtype.fields[name][0])
            for name in dtype.names
        )
    if dtype.subdtype is not None:
        return not _has_vlen(dtype.subdtype[0]) and readable_dtype(dtype.subdtype[0])
    return True


def _count(shape) -> int:
    return math.prod(shape) if shape is not None else 0


def to_text(value, limit: int) -> str:
    if isinstance(value, bytes):
        value = value[: limit * 4].decode("utf-8", errors="replace")
    elif isinstance(value, np.ndarray):
        value = np.array2string(value, threshold=20, edgeitems=3, separator=", ")
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return clean_text(value[: limit * 2], limit)
    return clean_text(str(value), limit)


def to_plain(value, limit: int = 1000):
    """A small JSON value for answers and checks (bytes decoded, scalars unwrapped)."""
    if isinstance(value, bytes):
        return (
            None
            if len(value) > limit * 4
            else to_plain(value.decode("utf-8", "replace"))
        )
    if isinstance(value, str):
        return clean_text(value) if len(value) <= limit else None
    if isinstance(value, np.generic):
        return to_plain(value.item(), limit)
    if isinstance(value, np.ndarray):
        if value.size == 1 and value.dtype.kind in "biufSUO":
            return to_plain(value.reshape(-1)[0], limit)
        if value.dtype.kind in "biuf" and value.size <= 64:
            return [to_plain(v) for v in value.ravel().tolist()]
        if value.dtype.kind in "SUO" and value.size <= 64:
            items = [to_plain(v, limit) for v in value.ravel().tolist()]
            return None if any(item is None for item in items) else items
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if isinstance(value, int | float | bool) else None


# -- attributes --------------------------------------------------------------


def _attribute_names(obj, limit: int) -> tuple[list, int]:
    """The first `limit` attribute ids of `obj`, and how many there are."""
    total = h5py.h5a.get_num_attrs(obj.id)
    ids = []
    for index in range(min(total, limit)):
        try:
            ids.append(h5py.h5a.open(obj.id, index=index))
        except (OSError, RuntimeError, KeyError, ValueError):
            ids.append(None)
    return ids, total


def read_attribute(attr_id: h5py.h5a.AttrID, limits: Limits):
    """(shown text, plain value, None) or (None, None, skip note) for one attribute."""
    dtype, shape = attr_id.dtype, attr_id.shape
    count = _count(shape)
    if shape is None:
        return "", None, None  # an empty (null) attribute: present, no value
    if not readable_dtype(dtype):
        return None, None, note("attr_type")
    if _has_vlen(dtype):
        if count > limits.vlen_values:
            return None, None, note("attr_values", count=count)
    else:
        try:
            stored = attr_id.get_storage_size()
        except RuntimeError:  # h5py raises for a size of 0 (an empty attribute)
            stored = 0
        declared = max(stored, count * dtype.itemsize)
        if declared > limits.attribute_bytes:
            return None, None, note("attr_size", size=declared)
    try:
        with memory_guard(limits.read_bytes):
            memory_type = h5py.h5t.py_create(dtype)
            if dtype.subdtype is not None:  # numpy has no top-level array type
                dtype, shape = dtype.subdtype[0], shape + dtype.subdtype[1]
            value = np.zeros(shape, dtype=dtype)
            attr_id.read(value, mtype=memory_type)
            if value.ndim == 0:
                value = value[()]
            text = to_text(value, limits.text_chars)
            plain = to_plain(value)
    except MemoryError:
        return None, None, note("attr_memory", size=limits.read_bytes)
    except (OSError, RuntimeError, ValueError, TypeError, KeyError) as error:
        if allocation_failed(error):
            return None, None, note("attr_memory", size=limits.read_bytes)
        return None, None, note("attr_unreadable")
    return text, plain, None


def attributes(obj, limits: Limits, notes: list) -> list[dict]:
    result = []
    try:
        ids, total = _attribute_names(obj, limits.max_attributes)
    except (OSError, RuntimeError, KeyError, ValueError):
        notes.append(note("attributes_unreadable"))
        return result
    if total > limits.max_attributes:
        notes.append(
            note("too_many_attributes", count=total, shown=limits.max_attributes)
        )
    for attr_id in ids:
        if attr_id is None:
            notes.append(note("attributes_unreadable"))
            continue
        try:
            name = clean_text(attr_id.name.decode("utf-8", "replace"), NAME_CHARS)
            label = dtype_label(attr_id.dtype)
            shape = attr_id.shape
        except (OSError, RuntimeError, ValueError, TypeError, KeyError):
            notes.append(note("attributes_unreadable"))
            continue
        entry = {"name": name, "dtype": label, "shape": shape}
        try:
            text, plain, skip = read_attribute(attr_id, limits)
        except (OSError, RuntimeError, ValueError, TypeError, KeyError):
            text, plain, skip = None, None, note("attr_unreadable")
        if skip is not None:
            entry["skipped"] = skip
        else:
            entry["value"], entry["raw"] = text, plain
        result.append(entry)
    return result


# -- datasets ----------------------------------------------------------------


def chunk_bytes(dataset: h5py.Dataset) -> int:
    """The size of one chunk once uncompressed (0 for contiguous data)."""
    if not dataset.chunks:
        return 0
    itemsize = 16 if _has_vlen(dataset.dtype) else dataset.dtype.itemsize
    return math.prod(dataset.chunks) * max(itemsize, 1)


def values_note(dataset: h5py.Dataset, limits: Limits) -> dict | None:
    """Why the values of `dataset` must not be read, or None."""
    if dataset.is_virtual:
        return note("virtual")
    if dataset.external:
        return note("external_storage")
    if not readable_dtype(dataset.dtype):
        return note("unsupported_type")
    size = chunk_bytes(dataset)
    if size > limits.chunk_bytes:
        return note("chunks_too_large", size=size, limit=limits.chunk_bytes)
    return None


def _preview(dataset: h5py.Dataset, node: dict, limits: Limits) -> None:
    """Read the first rows (and columns) of a dataset, within the byte budget."""
    shape = node["shape"]
    if shape is None or node["size"] == 0:
        return
    itemsize = max(dataset.dtype.itemsize, 1)
    if _has_vlen(dataset.dtype):
        itemsize = max(itemsize, 64)  # variable-length: count generously
    if shape == ():
        selection = ()
    else:
        budget = max(1, limits.preview_bytes // itemsize)
        rows = min(shape[0], limits.preview_rows, budget)
        selection = [slice(0, rows)]
        if len(shape) >= 2:
            columns = min(shape[1], limits.preview_columns, max(1, budget // rows))
            selection.append(slice(0, columns))
        selection += [0] * (len(shape) - len(selection))  # first plane
        selection = tuple(selection)
    try:
        with memory_guard(limits.read_bytes):
            values = dataset[selection]
            if shape == ():
                preview = [[to_text(values, 40)]]
            elif values.ndim == 1:
                preview = [[to_text(value, 40)] for value in values]
            else:
                preview = [[to_text(value, 40) for value in row] for row in values]
    except MemoryError:
        node["preview_note"] = note("preview_memory", size=limits.read_bytes)
        return
    except (OSError, RuntimeError, ValueError, TypeError) as error:
        if allocation_failed(error):
            node["preview_note"] = note("preview_memory", size=limits.read_bytes)
        else:
            node["preview_note"] = note("preview_unreadable")
        return
    node["preview"] = preview
    shown = len(preview) * (len(preview[0]) if preview else 0)
    if shown < node["size"]:
        node["preview_note"] = note("preview_partial", shown=shown, total=node["size"])


def _dimension_scales(dataset: h5py.Dataset, node: dict, limits: Limits) -> None:
    try:
        with memory_guard(limits.read_bytes):
            node["is_dimension_scale"] = bool(h5py.h5ds.is_scale(dataset.id))
            if node["shape"]:
                node["dimension_scales"] = [
                    h5py.h5ds.get_num_scales(dataset.id, axis)
                    for axis in range(len(node["shape"]))
                ]
    except (OSError, RuntimeError, ValueError, KeyError, MemoryError):
        node["notes"].append(note("scales_unreadable"))
        node.setdefault("dimension_scales", [0] * len(node["shape"] or ()))


def describe_dataset(dataset: h5py.Dataset, node: dict, limits: Limits, skipped: list):
    shape = dataset.shape
    node["shape"] = shape
    node["size"] = _count(shape)
    node["dtype"] = dtype_label(dataset.dtype)
    node["chunks"] = dataset.chunks
    if dataset.compression:
        options = dataset.compression_opts
        node["compression"] = clean_text(
            str(dataset.compression) + (f" ({options})" if options is not None else ""),
            100,
        )
    node["is_virtual"] = dataset.is_virtual
    node["has_external_storage"] = bool(dataset.external)
    _dimension_scales(dataset, node, limits)
    reason = values_note(dataset, limits)
    if reason is not None and reason["code"] in ("virtual", "external_storage"):
        node["notes"].append(reason)
        skipped.append(node["path"])
    elif reason is not None:
        if limits.previews:
            node["preview_note"] = reason
    elif limits.previews:
        _preview(dataset, node, limits)


# -- links -------------------------------------------------------------------


def link_of(group: h5py.Group, name: bytes):
    """("hard"|"soft"|"external"|"other", target) for one name, without following it."""
    links = group.id.links
    if not links.exists(name):
        return None, None
    kind = links.get_info(name).type
    if kind == h5py.h5l.TYPE_HARD:
        return "hard", None
    if kind == h5py.h5l.TYPE_SOFT:
        return "soft", links.get_val(name)
    if kind == h5py.h5l.TYPE_EXTERNAL:
        filename, path = links.get_val(name)
        return "external", filename + b":" + path
    return "other", None


def open_member(group: h5py.Group, name: bytes):
    """The object a hard link `name` of `group` points at (one name, no path)."""
    oid = h5py.h5o.open(group.id, name)
    kind = h5py.h5i.get_type(oid)
    if kind == h5py.h5i.GROUP:
        return h5py.Group(oid)
    if kind == h5py.h5i.DATASET:
        return h5py.Dataset(oid, readonly=True)
    if kind == h5py.h5i.DATATYPE:
        return h5py.Datatype(oid)
    raise TypeError("unknown object type")


def _parts(path: bytes) -> list[bytes]:
    return [part for part in path.split(b"/") if part and part != b"."]


def resolve(handle: h5py.File, path: str):
    """The object at `path`, every link on the way checked to stay in the file."""
    parts = deque(_parts(path.encode("utf-8", "surrogateescape")))
    current, hops = handle, 0
    while parts:
        name = parts.popleft()
        if not isinstance(current, h5py.Group):
            raise ReadError("no_object", path=path)
        try:
            kind, target = link_of(current, name)
        except (OSError, RuntimeError, KeyError, ValueError) as error:
            raise ReadError("no_object", path=path) from error
        if kind is None:
            raise ReadError("no_object", path=path)
        if kind == "external":
            raise ReadError("external_link", path=path)
        if kind == "other":
            raise ReadError("user_link", path=path)
        if kind == "soft":
            hops += 1
            if hops > MAX_SOFT_HOPS:
                raise ReadError("link_loop", path=path)
            if target.startswith(b"/"):
                current = handle
            parts.extendleft(reversed(_parts(target)))
            continue
        try:
            current = open_member(current, name)
        except (OSError, RuntimeError, KeyError, ValueError) as error:
            raise ReadError("no_object", path=path) from error
    return current


# -- the walk ----------------------------------------------------------------


def _identity(obj) -> int | None:
    """The object's address in the file (h5py raises TypeError if unreadable)."""
    try:
        return hash(obj.id)
    except (TypeError, OSError, RuntimeError):
        return None


class Walker:
    """A bounded walk of the file: a JSON-able tree and what it left out."""

    def __init__(self, handle: h5py.File, limits: Limits):
        self.handle = handle
        self.limits = limits
        self.deadline = time.monotonic() + limits.time_budget
        self.seen: dict[int, str] = {}
        self.objects = 0
        self.output = 0
        self.stopped: dict | None = None
        self.unchecked: list[dict] = []
        self.skipped: list[str] = []

    def run(self) -> dict:
        root = self.node("/", "/", "group")
        identity = _identity(self.handle)
        if identity is not None:
            self.seen[identity] = "/"
        root["attributes"] = attributes(self.handle, self.limits, root["notes"])
        self.objects = 1
        self.walk_group(self.handle, root, depth=1)
        return {
            "root": root,
            "objects": self.objects,
            "stopped": self.stopped,
            "unchecked": self.unchecked,
            "skipped": self.skipped,
        }

    @staticmethod
    def node(name: str, path: str, kind: str) -> dict:
        return {"name": name, "path": path, "kind": kind, "notes": [], "children": []}

    def stop(self, reason: dict) -> bool:
        self.stopped = reason
        return True

    def over_budget(self) -> bool:
        if self.stopped is not None:
            return True
        if self.objects >= self.limits.max_objects:
            return self.stop(note("objects_limit", count=self.limits.max_objects))
        if time.monotonic() > self.deadline:
            return self.stop(note("time_limit", seconds=self.limits.time_budget))
        if self.output > self.limits.output_bytes:
            return self.stop(note("output_limit", size=self.limits.output_bytes))
        return False

    def not_checked(self, node: dict, reason: dict) -> None:
        node["notes"].append(reason)
        self.unchecked.append({"path": node["path"], **reason})

    def walk_group(self, group: h5py.Group, node: dict, depth: int) -> None:
        if depth > self.limits.max_depth:
            self.not_checked(node, note("too_deep", depth=self.limits.max_depth))
            return
        try:
            names = iter(group.id)
        except (OSError, RuntimeError, KeyError, ValueError):
            self.not_checked(node, note("unreadable_contents"))
            return
        while not self.over_budget():
            try:
                name = next(names)
            except StopIteration:
                return
            except (OSError, RuntimeError, KeyError, ValueError, MemoryError):
                self.not_checked(node, note("unreadable_contents"))
                return
            self.objects += 1
            shown = clean_text(name.decode("utf-8", "replace"), NAME_CHARS)
            path = node["path"].rstrip("/") + "/" + shown
            child = self.visit(group, name, shown, path, depth)
            self.output += len(repr({**child, "children": None}))
            node["children"].append(child)

    def visit(self, group, name: bytes, shown: str, path: str, depth: int) -> dict:
        try:
            kind, target = link_of(group, name)
        except (OSError, RuntimeError, KeyError, ValueError, MemoryError):
            kind, target = None, None
        if kind == "external":
            node = self.node(shown, path, "external_link")
            node["target"] = clean_text(target.decode("utf-8", "replace"), NAME_CHARS)
            node["notes"].append(note("external_link"))
            self.skipped.append(path)
            return node
        if kind == "soft":
            node = self.node(shown, path, "soft_link")
            node["target"] = clean_text(target.decode("utf-8", "replace"), NAME_CHARS)
            node["notes"].append(note("soft_link"))
            return node
        if kind == "other":
            node = self.node(shown, path, "unreadable")
            node["notes"].append(note("user_link"))
            self.skipped.append(path)
            return node
        try:
            obj = open_member(group, name)
        except (OSError, RuntimeError, KeyError, ValueError, TypeError, MemoryError):
            node = self.node(shown, path, "unreadable")
            self.not_checked(node, note("unreadable_object"))
            return node
        identity = _identity(obj)
        if identity is None:
            node = self.node(shown, path, "unreadable")
            self.not_checked(node, note("unreadable_object"))
            return node
        if identity in self.seen:
            node = self.node(shown, path, "hard_link_seen")
            node["target"] = self.seen[identity]
            node["notes"].append(note("hard_link_seen"))
            return node
        self.seen[identity] = path
        if isinstance(obj, h5py.Group):
            node = self.node(shown, path, "group")
            node["attributes"] = attributes(obj, self.limits, node["notes"])
            self.walk_group(obj, node, depth + 1)
        elif isinstance(obj, h5py.Dataset):
            node = self.node(shown, path, "dataset")
            node["attributes"] = attributes(obj, self.limits, node["notes"])
            try:
                describe_dataset(obj, node, self.limits, self.skipped)
            except (
                OSError,
                RuntimeError,
                ValueError,
                TypeError,
                KeyError,
                MemoryError,
            ):
                self.not_checked(node, note("unreadable_dataset"))
        else:
            node = self.node(shown, path, "datatype")
            node["attributes"] = attributes(obj, self.limits, node["notes"])
            try:
                node["dtype"] = dtype_label(obj.dtype)
            except (OSError, RuntimeError, ValueError, TypeError):
                node["dtype"] = "?"
        if any(
            n["code"] in ("attributes_unreadable", "too_many_attributes")
            for n in node["notes"]
        ):
            self.unchecked.append(
                {"path": path, "code": "attributes_incomplete", "params": {}}
            )
        return node


def walk_handle(handle: h5py.File, limits: Limits) -> dict:
    """The bounded tree of an open HDF5 file."""
    try:
        return Walker(handle, limits).run()
    except (OSError, RuntimeError) as error:
        raise ReadError("corrupt") from error
