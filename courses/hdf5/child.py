"""The sandboxed child process: hard limits first, one job, one bounded reply.

`main` is the target of the process `sandbox.run` starts (a fresh interpreter,
or a fork of the warm fork server: never a fork of the web process). In order:

1. RLIMIT_AS (address space), RLIMIT_CPU (then SIGKILL one second later) and no
   core dump are set, before anything reads the file;
2. the job named "module:function" runs: it opens the file, calls `seal()`
   (no file descriptor can be opened after that: no external link, virtual
   dataset source, external storage or filter plugin can be read, whatever
   libhdf5 tries) and returns a JSON-able value;
3. the reply (JSON) is written to the pipe, and the process ends at once
   (`os._exit`: no interpreter shutdown after touching a hostile file).
"""

import importlib
import json
import os
import resource


def apply_limits(memory_bytes: int, cpu_seconds: int) -> None:
    """Hard limits of this process: address space, CPU time, no core dump."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def seal() -> None:
    """Forbid opening any further file descriptor in this process.

    Every free descriptor number below the highest open one is filled with
    /dev/null, then RLIMIT_NOFILE is set just above: open() and socket() then
    fail with EMFILE, whatever code asks.
    """
    null = os.open(os.devnull, os.O_RDONLY)
    top = max(null, *(int(name) for name in os.listdir("/proc/self/fd")))
    for number in range(top + 1):  # listdir's own descriptor is closed again now
        try:
            os.fstat(number)
        except OSError:
            os.dup2(null, number)
    resource.setrlimit(resource.RLIMIT_NOFILE, (top + 1, top + 1))


def _reply(writer, message: dict) -> None:
    try:
        data = json.dumps(message, ensure_ascii=True, allow_nan=False).encode()
    except (TypeError, ValueError):
        data = json.dumps({"ok": False, "error": {"code": "unserialisable"}}).encode()
    descriptor = writer.fileno()
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def main(job: str, request: dict, limits: dict, writer) -> None:
    """Run `job(request)` within `limits` and write its JSON reply to `writer`."""
    apply_limits(limits["memory_bytes"], limits["cpu_seconds"])
    try:
        module, _, name = job.partition(":")
        function = getattr(importlib.import_module(module), name)
        reply = {"ok": True, "result": function(request)}
    except MemoryError:
        reply = {"ok": False, "error": {"code": "memory"}}
    except Exception as error:  # noqa: BLE001 - every failure becomes a reply
        as_dict = getattr(error, "as_dict", None)
        reply = {
            "ok": False,
            "error": as_dict() if as_dict else {"code": "failed", "params": {}},
        }
    try:
        _reply(writer, reply)
    finally:
        os._exit(0)
