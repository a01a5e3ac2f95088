"""Data-exercise answers computed from a hostile HDF5 file (sandboxed child only).

The object is reached through `reading.resolve` (no link leaves the file), a
reduction refuses a dataset past `Limits.reduce_values` values or with chunks
past `Limits.chunk_bytes`, and reads slabs of about SLAB_BYTES under a memory
guard. Values are exact: a sum of integers is an integer, a mean is the float
the data gives; the web process rounds for display only.
"""

from __future__ import annotations

import itertools
import math

import h5py
import numpy as np

from .limits import Limits
from .reading import (
    ReadError,
    allocation_failed,
    memory_guard,
    read_attribute,
    resolve,
    values_note,
)

REDUCTIONS = {"mean", "min", "max", "sum"}
DESCRIPTIONS = {"shape", "size", "ndim", "dtype"}
SLAB_BYTES = 8 * 1024 * 1024


def compute(handle: h5py.File, kind: str, path: str, options: dict, limits: Limits):
    """The exact answer of `kind` about the object at `path` (JSON-able)."""
    obj = resolve(handle, path)
    if kind == "attribute":
        return attribute_value(obj, path, options.get("name") or "", limits)
    dataset = _dataset(obj, path)
    if kind == "shape":
        return " × ".join(str(n) for n in dataset.shape or ())
    if kind == "size":
        return math.prod(dataset.shape) if dataset.shape is not None else 0
    if kind == "ndim":
        return len(dataset.shape or ())
    if kind == "dtype":
        return str(dataset.dtype)
    if kind in REDUCTIONS:
        return reduce(
            dataset, kind, path, limits, ignore_nan=options.get("ignore_nan", True)
        )
    raise ReadError("unknown_kind", kind=kind)


def _dataset(obj, path: str) -> h5py.Dataset:
    if not isinstance(obj, h5py.Dataset):
        raise ReadError("not_dataset", path=path)
    return obj


def attribute_value(obj, path: str, name: str, limits: Limits):
    encoded = name.encode("utf-8", "surrogateescape")
    try:
        exists = h5py.h5a.exists(obj.id, encoded)
    except (OSError, RuntimeError, ValueError):
        exists = False
    if not exists:
        raise ReadError("no_attribute", path=path, name=name)
    try:
        attr_id = h5py.h5a.open(obj.id, encoded)
    except (OSError, RuntimeError, ValueError, KeyError) as error:
        raise ReadError("attribute_unreadable", name=name) from error
    _text, value, skip = read_attribute(attr_id, limits)
    if skip is not None or value is None:
        raise ReadError("attribute_too_large", name=name)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value


def _blocks(dataset: h5py.Dataset):
    """Selections covering the dataset, each about SLAB_BYTES, aligned on chunks."""
    shape = dataset.shape
    if shape == ():
        yield ()
        return
    unit = list(dataset.chunks or [1] * len(shape))  # one chunk, or one value
    per_block = max(1, SLAB_BYTES // max(dataset.dtype.itemsize, 1))
    block = list(unit)
    # Grow along the last axes first (C order: contiguous reads).
    for axis in reversed(range(len(shape))):
        others = math.prod(block) // block[axis]
        fit = max(1, per_block // max(others, 1))
        block[axis] = min(shape[axis], max(unit[axis], fit // unit[axis] * unit[axis]))
        if block[axis] < shape[axis]:
            break
    starts = [range(0, size, step) for size, step in zip(shape, block, strict=True)]
    for corner in itertools.product(*starts):
        yield tuple(
            slice(start, min(start + step, size))
            for start, step, size in zip(corner, block, shape, strict=True)
        )


def _exact_int_sum(values: np.ndarray) -> int:
    """The exact sum of 64-bit integers (split in halves: no overflow)."""
    if values.dtype.itemsize < 8:
        return int(values.sum(dtype=np.int64))
    as_int = values.astype(values.dtype, copy=False)
    low = (as_int & 0xFFFFFFFF).astype(np.uint64).sum(dtype=np.uint64)
    high = (as_int >> 32).sum(dtype=np.int64 if values.dtype.kind == "i" else np.uint64)
    return int(high) * (1 << 32) + int(low)


def reduce(
    dataset: h5py.Dataset, kind: str, path: str, limits: Limits, *, ignore_nan=True
):
    kind_of_values = dataset.dtype.kind
    if kind_of_values not in "biuf" or dataset.shape is None:
        raise ReadError("not_numbers", path=path)
    reason = values_note(dataset, limits)
    if reason is not None and reason["code"] in ("virtual", "external_storage"):
        raise ReadError("other_files", path=path)
    if reason is not None and reason["code"] == "chunks_too_large":
        raise ReadError("chunks_too_large", path=path, **reason["params"])
    if reason is not None:
        raise ReadError("not_numbers", path=path)
    count = math.prod(dataset.shape)
    if count > limits.reduce_values:
        raise ReadError(
            "too_many_values", path=path, count=count, maximum=limits.reduce_values
        )
    integers = kind_of_values in "biu"
    sums, read = [], 0
    low, high = None, None
    for selection in _blocks(dataset):
        try:
            with memory_guard(limits.read_bytes + 4 * SLAB_BYTES):
                values = np.asarray(dataset[selection]).ravel()
        except MemoryError as error:
            raise ReadError(
                "values_memory", path=path, size=limits.read_bytes
            ) from error
        except (OSError, RuntimeError, ValueError, TypeError) as error:
            if allocation_failed(error):
                raise ReadError(
                    "values_memory", path=path, size=limits.read_bytes
                ) from error
            raise ReadError("values_unreadable", path=path) from error
        if kind_of_values == "b":
            values = values.astype(np.int64)
        if not integers:
            values = values.astype(np.float64, copy=False)
            if ignore_nan:
                values = values[~np.isnan(values)]
        if not values.size:
            continue
        read += values.size
        sums.append(_exact_int_sum(values) if integers else float(values.sum()))
        block_low, block_high = values.min(), values.max()
        low = block_low if low is None else min(low, block_low)
        high = block_high if high is None else max(high, block_high)
    if read == 0 and kind != "sum":
        raise ReadError("no_values", path=path)
    total = sum(sums) if integers else math.fsum(sums)
    value = {
        "sum": total,
        "mean": (total / read) if read else 0.0,
        "min": low,
        "max": high,
    }[kind]
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, float) and not math.isfinite(value):
        raise ReadError("not_finite", path=path)
    return value
