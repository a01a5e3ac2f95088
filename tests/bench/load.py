"""A small bounded HTTP load generator: keep-alive connections, one per client thread.

Every loop stops by itself: after `count` requests in total or `duration`
seconds, whichever comes first. Results: latencies, completed units per
5-second window, errors.
"""

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW = 5.0


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict = field(default_factory=dict)
    units: int = 1  # statements carried, for throughput in statements/s


@dataclass
class LoadResult:
    latencies: list[float]
    units: int
    elapsed: float
    errors: int
    windows: list[float]  # units/s per 5-second window (full windows only)
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.units / self.elapsed if self.elapsed else 0.0

    @property
    def requests_per_s(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values):
    values = [v for v in values if v == v]  # drop NaN
    return statistics.median(values) if values else float("nan")


def run_load(
    port: int,
    make_request: Callable[[int], Request],
    *,
    clients: int,
    count: int,
    duration: float,
    ok: tuple[int, ...] = (200,),
    response_hook: Callable[[int, bytes], None] | None = None,
) -> LoadResult:
    """Send `make_request(i)` for i in 0..count-1 from `clients` threads."""
    lock = threading.Lock()
    state = {"next": 0, "units": 0, "errors": 0, "first_error": ""}
    latencies: list[float] = []
    done_at: list[tuple[float, int]] = []
    start = time.monotonic()
    deadline = start + duration

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while True:
                with lock:
                    index = state["next"]
                    if index >= count or time.monotonic() >= deadline:
                        return
                    state["next"] += 1
                req = make_request(index)
                t0 = time.perf_counter()
                try:
                    conn.request(
                        req.method, req.path, body=req.body, headers=req.headers
                    )
                    response = conn.getresponse()
                    body = response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    status, body = 0, str(error).encode()
                t1 = time.perf_counter()
                with lock:
                    if status in ok:
                        latencies.append(t1 - t0)
                        state["units"] += req.units
                        done_at.append((time.monotonic() - start, req.units))
                    else:
                        state["errors"] += 1
                        if not state["first_error"]:
                            state["first_error"] = f"{status}: {body[:300]!r}"
                if response_hook and status in ok:
                    response_hook(index, body)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 120)
    elapsed = time.monotonic() - start
    full = int(elapsed // WINDOW)
    buckets = [0] * full
    for at, units in done_at:
        slot = int(at // WINDOW)
        if slot < full:
            buckets[slot] += units
    return LoadResult(
        latencies=latencies,
        units=state["units"],
        elapsed=elapsed,
        errors=state["errors"],
        windows=[b / WINDOW for b in buckets],
        first_error=state["first_error"],
    )
