"""Run a job on a hostile file in a short-lived child process, within hard limits.

The web process never opens an uploaded or attached HDF5 file itself. `run`:

- waits for one of `HDF5_SANDBOX_SLOTS` slots (a pool of lock files under
  `HDF5_SANDBOX_DIR`, locked with flock: shared by every process of the
  machine, released by the kernel if a process dies, no Redis needed), or
  gives up after `HDF5_SANDBOX_QUEUE_SECONDS` (`SandboxError("busy")`);
- starts the child with multiprocessing's "forkserver" method: a fork of a
  server interpreter started fresh (exec) that has imported h5py but never
  opened a file, so neither the web process's database connections nor a
  previous file's state can reach the child; "spawn" (a fresh interpreter per
  file, ~0.5 s slower) is the alternative (`HDF5_SANDBOX_START_METHOD`);
- the child sets RLIMIT_AS / RLIMIT_CPU itself before reading (child.py);
- reads its reply from a pipe with a deadline (`HDF5_SANDBOX_WALL_SECONDS`)
  and a size cap (`HDF5_SANDBOX_RESULT_BYTES`), kills it past either, and
  parses the reply as JSON (never pickle: the child may be compromised).

A child that dies (a libhdf5 abort, a segfault, the CPU limit) gives a
`SandboxError` whose code says why; the web process carries on.
"""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import select
import signal
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

MIB = 1024 * 1024


@dataclass(frozen=True)
class SandboxLimits:
    memory_bytes: int = 512 * MIB
    cpu_seconds: int = 10
    wall_seconds: float = 20.0
    result_bytes: int = 4 * MIB
    slots: int = 2
    queue_seconds: float = 10.0
    start_method: str = "forkserver"

    @classmethod
    def from_settings(cls, **overrides) -> SandboxLimits:
        from django.conf import settings

        names = {
            "memory_bytes": "HDF5_SANDBOX_MEMORY_BYTES",
            "cpu_seconds": "HDF5_SANDBOX_CPU_SECONDS",
            "wall_seconds": "HDF5_SANDBOX_WALL_SECONDS",
            "result_bytes": "HDF5_SANDBOX_RESULT_BYTES",
            "slots": "HDF5_SANDBOX_SLOTS",
            "queue_seconds": "HDF5_SANDBOX_QUEUE_SECONDS",
            "start_method": "HDF5_SANDBOX_START_METHOD",
        }
        configured = {
            field: getattr(settings, setting)
            for field, setting in names.items()
            if hasattr(settings, setting)
        }
        return cls(**{**configured, **overrides})


class SandboxError(Exception):
    """The child gave no usable result: `code` is busy, timeout, cpu, memory,
    crash, too_large or bad_reply; `params` complete it."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def slots_dir() -> Path:
    from django.conf import settings

    default = Path(settings.BASE_DIR) / "var" / "hdf5-sandbox"
    return Path(getattr(settings, "HDF5_SANDBOX_DIR", default))


@contextmanager
def slot(limits: SandboxLimits):
    """Hold one of the machine's `limits.slots` sandbox slots while the block runs."""
    directory = slots_dir()
    directory.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + limits.queue_seconds
    while True:
        for number in range(limits.slots):
            descriptor = os.open(
                directory / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600
            )
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                continue
            try:
                yield number
            finally:
                os.close(descriptor)  # closing releases the lock
            return
        if time.monotonic() >= deadline:
            raise SandboxError("busy")
        time.sleep(0.05)


def _context(method: str):
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["__main__", "courses.hdf5.jobs"])
    return context


class _Timeout(Exception):
    pass


class _TooLarge(Exception):
    pass


def _read_reply(descriptor: int, deadline: float, cap: int) -> bytes:
    """Everything the child writes until it closes the pipe, within deadline and cap."""
    chunks, total = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Timeout
        ready, _, _ = select.select([descriptor], [], [], remaining)
        if not ready:
            raise _Timeout
        chunk = os.read(descriptor, 65536)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > cap:
            raise _TooLarge
        chunks.append(chunk)


def _failure(exitcode: int | None, limits: SandboxLimits) -> SandboxError:
    """Why a child that sent no reply ended."""
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
        return SandboxError("cpu", seconds=limits.cpu_seconds)
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(-exitcode)
        return SandboxError("crash", signal=name)
    return SandboxError("crash", signal=f"exit {exitcode}")


def _stop(process) -> None:
    if process.is_alive():
        process.kill()
    process.join(5)


def run(job: str, request: dict, *, limits: SandboxLimits | None = None):
    """The result of `job` ("module:function") run on `request` in a child process."""
    limits = limits or SandboxLimits.from_settings()
    with slot(limits):
        context = _context(limits.start_method)
        reader, writer = context.Pipe(duplex=False)
        from .child import main

        process = context.Process(
            target=main, args=(job, request, asdict(limits), writer), daemon=True
        )
        started = time.monotonic()
        try:
            process.start()
        finally:
            writer.close()
        try:
            data = _read_reply(
                reader.fileno(), started + limits.wall_seconds, limits.result_bytes
            )
        except _Timeout:
            _stop(process)
            raise SandboxError("timeout", seconds=limits.wall_seconds) from None
        except _TooLarge:
            _stop(process)
            raise SandboxError("too_large", size=limits.result_bytes) from None
        finally:
            reader.close()
        process.join(max(1.0, started + limits.wall_seconds - time.monotonic()))
        _stop(process)
    if not data:
        raise _failure(process.exitcode, limits)
    try:
        reply = json.loads(data)
    except (ValueError, RecursionError):
        raise SandboxError("bad_reply") from None
    if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
        raise SandboxError("bad_reply")
    return reply
