"""Jobs that misbehave on purpose, run in the sandbox's child by test_sandbox.py.

Each stands for what a hostile file can make libhdf5 do: abort (a double free),
spin (a CPU pinned while reading one attribute), hang, allocate without end,
answer too much, or open another file.
"""

import os
import time


def abort(request):
    os.abort()


def spin(request):
    while True:
        pass


def hang(request):
    time.sleep(600)


def allocate(request):
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))


def flood(request):
    return "x" * request["size"]


def window(request):
    """When this child ran (CLOCK_MONOTONIC is shared by every process)."""
    started = time.monotonic()
    time.sleep(request["seconds"])
    return [started, time.monotonic()]


def open_after_seal(request):
    """What a sealed child gets when it opens files or a socket (errors only)."""
    import socket

    from courses.hdf5.child import seal

    seal()
    outcomes, kept = [], []
    for _ in range(3):
        try:
            kept.append(open(request["path"], "rb"))
            outcomes.append("opened")
        except OSError as error:
            outcomes.append(error.__class__.__name__)
    try:
        socket.socket()
        outcomes.append("socket")
    except OSError as error:
        outcomes.append(error.__class__.__name__)
    return outcomes
