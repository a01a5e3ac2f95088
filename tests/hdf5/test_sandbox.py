"""The sandbox: a child that crashes, spins, hangs, hoards memory or floods its
reply is stopped and reported; the web process carries on; slots bound how many
children run at once, across processes."""

import threading
import time

import pytest

from courses.hdf5.sandbox import SandboxError, SandboxLimits, run, slot

JOBS = "tests.hdf5.sandbox_jobs"


@pytest.fixture(autouse=True)
def slots_dir(settings, tmp_path):
    settings.HDF5_SANDBOX_DIR = tmp_path / "slots"


def limits(**overrides):
    return SandboxLimits(**{"cpu_seconds": 1, "wall_seconds": 5.0, **overrides})


@pytest.mark.parametrize(
    ("job", "code", "overrides"),
    [
        ("abort", "crash", {}),
        ("spin", "cpu", {"wall_seconds": 60.0}),  # 1 s of CPU, however loaded
        ("hang", "timeout", {"wall_seconds": 1.5}),
        ("allocate", "memory", {"memory_bytes": 400 * 1024 * 1024}),
    ],
)
def test_sandbox_failures_are_reported(job, code, overrides):
    """Each failure ends the child and comes back as a SandboxError (or an error
    reply), within the limits, and the parent goes on."""
    began, chosen = time.monotonic(), limits(**overrides)
    try:
        reply = run(f"{JOBS}:{job}", {}, limits=chosen)
    except SandboxError as error:
        assert error.code == code
    else:
        assert reply == {"ok": False, "error": {"code": code}}
    assert time.monotonic() - began < chosen.wall_seconds + 3
    assert run(f"{JOBS}:flood", {"size": 3}, limits=limits()) == {
        "ok": True,
        "result": "xxx",
    }


def test_sandbox_crash_names_the_signal():
    with pytest.raises(SandboxError) as caught:
        run(f"{JOBS}:abort", {}, limits=limits())
    assert caught.value.params == {"signal": "SIGABRT"}


def test_sandbox_reply_is_size_capped():
    """A reply past the cap is refused before it is read whole."""
    with pytest.raises(SandboxError) as caught:
        run(f"{JOBS}:flood", {"size": 2_000_000}, limits=limits(result_bytes=100_000))
    assert caught.value.code == "too_large"


def test_sealed_child_cannot_open_files(tmp_path):
    """After seal(), open() fails whatever the code asks: no other file is read."""
    other = tmp_path / "other.h5"
    other.write_bytes(b"secret")
    reply = run(f"{JOBS}:open_after_seal", {"path": str(other)}, limits=limits())
    assert reply == {"ok": True, "result": ["OSError"] * 4}


def test_slots_bound_children_running_at_once():
    """With two slots, four simultaneous jobs never run more than two at a time."""
    windows, errors = [], []

    def one():
        try:
            reply = run(f"{JOBS}:window", {"seconds": 0.6}, limits=limits(slots=2))
            windows.append(reply["result"])
        except SandboxError as error:  # pragma: no cover - shown if it happens
            errors.append(error.code)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(windows) == 4
    moments = sorted({moment for window in windows for moment in window})
    for moment in moments:
        running = sum(1 for start, end in windows if start <= moment < end)
        assert running <= 2


def test_busy_when_every_slot_is_taken():
    """Past the queue time, a request is refused with "busy" (no child started)."""
    taken = limits(slots=1, queue_seconds=0.3)
    with slot(taken):
        began = time.monotonic()
        with pytest.raises(SandboxError) as caught:
            run(f"{JOBS}:flood", {"size": 1}, limits=taken)
    assert caught.value.code == "busy"
    assert 0.3 <= time.monotonic() - began < 2


def test_spawn_start_method_walks_a_file(good_file):
    """The cold alternative (a fresh interpreter per file) gives the same result."""
    from courses.hdf5.limits import Limits

    request = {"path": str(good_file), "limits": Limits().as_dict()}
    warm = run("courses.hdf5.jobs:walk", request, limits=limits(cpu_seconds=10))
    cold = run(
        "courses.hdf5.jobs:walk",
        request,
        limits=limits(cpu_seconds=10, wall_seconds=30.0, start_method="spawn"),
    )
    assert cold == warm
    assert cold["ok"] and cold["result"]["objects"] == 4


def test_slot_held_by_another_process_counts(settings):
    """The slots are shared by every process of the machine: one held by another
    process (a second web worker) makes this one wait, then answer "busy"."""
    import subprocess
    import sys

    from courses.hdf5.sandbox import slots_dir

    directory = slots_dir()
    directory.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a'); "
            "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(30)",
            str(directory / "slot-0.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(SandboxError) as caught:
            run(f"{JOBS}:flood", {"size": 1}, limits=limits(slots=1, queue_seconds=0.3))
        assert caught.value.code == "busy"
    finally:
        holder.kill()
        holder.wait()
    assert run(f"{JOBS}:flood", {"size": 1}, limits=limits(slots=1))["ok"]
