"""Crafted and fuzzed HDF5 files that try to hurt the service (issue 15).

Each function writes one file and returns its path. None of them needs the
memory it makes a reader spend: the bombs are built from small pieces (a
precompressed stream, patched heap references), so the test process stays small.
"""

from __future__ import annotations

import functools
import random
import struct
import zlib
from pathlib import Path

import h5py
import numpy as np

MIB = 1024 * 1024


def vlen_heap_bomb(path: Path, *, copies: int = 128, size: int = 8 * MIB) -> Path:
    """A root attribute of `copies` variable-length strings that all point at one
    `size`-byte heap object: 16 bytes each on disk, `copies` × `size` once read."""
    with h5py.File(path, "w") as f:
        f.attrs.update(title="Heap bomb", creator="x", license="x", description="x")
        values = ["A" * size] + ["x"] * (copies - 1)
        f.attrs.create("notes", values, dtype=h5py.string_dtype())
        f.create_dataset("data", data=np.arange(3.0)).attrs.update(
            units="1", long_name="data"
        )
    data = bytearray(path.read_bytes())
    first, short = struct.pack("<I", size), struct.pack("<I", 1)
    start = data.find(first)
    while start != -1 and data[start + 16 : start + 20] != short:
        start = data.find(first, start + 1)
    if start == -1:
        raise RuntimeError("heap references not found")
    record = bytes(data[start : start + 16])  # length, collection address, index
    for number in range(1, copies):
        data[start + 16 * number : start + 16 * (number + 1)] = record
    path.write_bytes(bytes(data))
    return path


@functools.cache
def _zeros_deflated(size: int) -> bytes:
    """zlib stream of `size` zero bytes, built 16 MiB at a time."""
    compressor = zlib.compressobj(9)
    block = bytes(16 * MIB)
    parts = []
    for _ in range(size // len(block)):
        parts.append(compressor.compress(block))
    parts.append(compressor.compress(bytes(size % len(block))))
    parts.append(compressor.flush())
    return b"".join(parts)


def gzip_bomb(path: Path, *, size: int = 1024 * MIB, lying: bool = False) -> Path:
    """One chunk that inflates to `size` bytes in a ~1 MB file.

    `lying`: the chunk is declared 64 KiB, yet its stream still inflates to
    `size` (what a declared-size check alone would miss)."""
    stream = _zeros_deflated(size)
    values = 64 * 1024 // 8 if lying else size // 8
    with h5py.File(path, "w") as f:
        f.attrs.update(title="Gzip bomb", creator="x", license="x", description="x")
        dataset = f.create_dataset(
            "bomb", shape=(values,), dtype="f8", chunks=(values,), compression="gzip"
        )
        dataset.attrs.update(units="1", long_name="zeros")
        dataset.id.write_direct_chunk((0,), stream)
    return path


def big_title(path: Path, *, size: int = 20 * MIB) -> Path:
    with h5py.File(path, "w") as f:
        f.attrs["title"] = "T" * size
        f.attrs.update(creator="x", license="x", description="x")
        f.create_dataset("data", data=np.arange(3.0)).attrs.update(
            units="1", long_name="data"
        )
    return path


def soft_to_external(path: Path, outside: Path) -> Path:
    """/innocent -> (soft) /ext/secret, where /ext is an external link to `outside`."""
    with h5py.File(outside, "w") as f:
        f["secret"] = np.array([42.0, 43.0])
    with h5py.File(path, "w") as f:
        f["ext"] = h5py.ExternalLink(str(outside), "/")
        f["innocent"] = h5py.SoftLink("/ext/secret")
        f["relative"] = h5py.SoftLink("ext/secret")
        f["loop_a"] = h5py.SoftLink("/loop_b")
        f["loop_b"] = h5py.SoftLink("/loop_a")
    return path


def deep_dataset(path: Path, *, depth: int = 41) -> Path:
    """A documented file whose only undocumented dataset is `depth` levels down."""
    with h5py.File(path, "w") as f:
        f.attrs.update(title="Deep", creator="x", license="x", description="x")
        f.create_dataset("top", data=[1.0]).attrs.update(units="1", long_name="top")
        groups = "/".join(f"g{level}" for level in range(depth - 1))
        f.create_dataset(f"{groups}/hidden", data=[2.0])  # no units, no long_name
    return path


def huge_declared(path: Path) -> Path:
    """Datasets declaring 10**15 and 1 × 10**12 values (nothing written: tiny file)."""
    with h5py.File(path, "w") as f:
        f.create_dataset("huge", shape=(10**15,), dtype="f8", chunks=(2**16,))
        f.create_dataset("wide", shape=(1, 10**12), dtype="f8", chunks=(1, 2**16))
    return path


def mutations(source: Path, directory: Path, *, count: int, seed: int) -> list[Path]:
    """`count` copies of `source` with random bytes changed (a fixed seed)."""
    rng = random.Random(seed)
    data = source.read_bytes()
    paths = []
    for number in range(count):
        mutated = bytearray(data)
        for _ in range(rng.choice((1, 4, 16, 64))):
            offset = rng.randrange(8, len(mutated))  # keep the signature
            mutated[offset] = rng.choice((0, 0xFF, rng.randrange(256)))
        path = directory / f"mutant-{seed}-{number:03d}.h5"
        path.write_bytes(bytes(mutated))
        paths.append(path)
    return paths
