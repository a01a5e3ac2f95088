"""The jobs a sandboxed child runs (see child.py): walk a file, compute an answer.

Imported by the fork server before any file is opened, so that a child starts
with h5py and NumPy loaded (what makes a warm start cheap).
"""

import os

# Before NumPy loads: one OpenBLAS thread in the child, not one per core.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import encodings.ascii
import encodings.latin_1
import encodings.utf_8  # noqa: F401     loaded from disk any more

import h5py
import numpy as np

from . import child
from .computing import compute
from .limits import Limits
from .reading import (
    disable_plugins,
    open_file,
    open_memory_probe,
    walk_handle,
)


def warm_up() -> None:
    """Walk and reduce an in-memory file holding every kind of value once.

    Whatever h5py and NumPy load lazily on first use is then loaded before any
    child is sealed (and, in the fork server, shared by every child).
    """
    with h5py.File("warm-up", "w", driver="core", backing_store=False) as handle:
        handle.attrs["text"] = "é"
        handle.attrs["fixed"] = np.bytes_("ascii")
        handle.attrs["numbers"] = np.arange(3.0)
        handle.attrs.create("enum", 1, dtype=h5py.enum_dtype({"a": 1}, basetype="i1"))
        scale = handle.create_dataset("group/scale", data=np.arange(4))
        scale.make_scale("x")
        values = handle.create_dataset(
            "group/values",
            data=np.ones((4, 3), "f4"),
            chunks=(2, 3),
            compression="gzip",
        )
        values.dims[0].attach_scale(scale)
        handle["group/strings"] = np.array([b"a", b"bc"])
        handle.create_dataset("group/vlen", data=["x", "yz"], dtype=h5py.string_dtype())
        handle.create_dataset(
            "group/records", data=np.zeros(2, dtype=[("a", "i4"), ("b", "f8")])
        )
        handle.create_dataset("group/ragged", (2,), dtype=h5py.vlen_dtype("i2"))
        handle["group/refs"] = np.array([scale.ref], dtype=h5py.ref_dtype)
        handle["soft"] = h5py.SoftLink("/group/values")
        handle["external"] = h5py.ExternalLink("elsewhere.h5", "/x")
        handle["group/values"].attrs["units"] = "1"
        walk_handle(handle, Limits())
        for kind in ("mean", "sum", "shape", "dtype"):
            compute(handle, kind, "/soft", {}, Limits())
        compute(handle, "sum", "/group/scale", {}, Limits())
        compute(handle, "attribute", "/", {"name": "numbers"}, Limits())


warm_up()


def _prepare() -> None:
    disable_plugins()
    open_memory_probe()


def walk(request: dict) -> dict:
    """The bounded tree of `request["path"]`."""
    _prepare()
    with open_file(request["path"]) as handle:
        child.seal()
        return walk_handle(handle, Limits.from_dict(request["limits"]))


def answer(request: dict):
    """The exact answer of `request["kind"]` about `request["object_path"]`."""
    _prepare()
    with open_file(request["path"]) as handle:
        child.seal()
        return compute(
            handle,
            request["kind"],
            request["object_path"],
            request.get("options", {}),
            Limits.from_dict(request["limits"]),
        )
