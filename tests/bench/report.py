"""The readable table printed at the end of a run (targets from issue 9)."""


def _get(data, *path):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _fmt(value, unit=""):
    if value is None:
        return "—"
    if isinstance(value, float):
        value = f"{value:,.1f}" if value >= 10 else f"{value:.2f}"
    return f"{value}{unit}"


def _check(value, ok) -> str:
    if value is None:
        return "n/a"
    return "met" if ok(value) else "MISSED"


def rows(results: dict) -> list[tuple[str, str, str, str]]:
    s = results.get("scenarios", {})
    out = []
    ingest = s.get("ingest", {})
    for mode, label, target in (
        ()
        if not ingest
        else (
            ("batch100", "xAPI ingest, batches of 100 (st/s)", 5000),
            ("single", "xAPI ingest, single statements (st/s)", 300),
        )
    ):
        ours = _get(ingest, "atelier", mode, "statements_per_s")
        theirs = _get(ingest, "ralph", mode, "statements_per_s")
        ratio = ingest.get(f"{mode}_ratio_atelier_over_ralph")
        out.append(
            (
                label,
                _fmt(ours),
                f">= {target}",
                _check(ours, lambda v, t=target: v >= t),
            )
        )
        out.append(
            (
                "  Ralph (fs) same load; ours/Ralph",
                f"{_fmt(theirs)}; {_fmt(ratio, '×')}",
                ">= 10×",
                _check(ratio, lambda v: v >= 10),
            )
        )
        last = _get(ingest, "atelier", mode, "last_over_first_window")
        out.append(
            (
                "  last/first 5-s window (ours)",
                _fmt(last),
                ">= 0.8",
                _check(last, lambda v: v >= 0.8),
            )
        )
    for name, item in (s.get("queries") or {}).items():
        if isinstance(item, dict) and "p95_ms" in item:
            out.append(
                (
                    f"xAPI query {name} p50/p95 (ms)",
                    f"{_fmt(item.get('p50_ms'))} / {_fmt(item.get('p95_ms'))}",
                    "p95 < 50",
                    _check(item.get("p95_ms"), lambda v: v < 50),
                )
            )
    for name, item in (s.get("pages") or {}).items():
        if isinstance(item, dict) and "requests_per_s" in item:
            ratio = item.get("ratio_to_bare")
            target = ">= 0.5× bare" if name != "bare_view" else "baseline"
            out.append(
                (
                    f"page {name} (req/s; ×bare)",
                    f"{_fmt(item['requests_per_s'])}; {_fmt(ratio, '×')}",
                    target,
                    "" if name == "bare_view" else _check(ratio, lambda v: v >= 0.5),
                )
            )
    quiz = s.get("quiz") or {}
    if "p95_ms" in quiz:
        out.append(
            (
                "quiz submit p50/p95 (ms)",
                f"{_fmt(quiz['p50_ms'])} / {_fmt(quiz['p95_ms'])}",
                "p95 < 50",
                _check(quiz["p95_ms"], lambda v: v < 50),
            )
        )
    for name, item in (s.get("compliance") or {}).items():
        if isinstance(item, dict) and "p50_ms" in item:
            target = "< 300 ms" if name.endswith("dashboard") else ""
            out.append(
                (
                    f"{name} (ms; queries)",
                    f"{_fmt(item['p50_ms'])}; {item['queries']}",
                    target,
                    _check(item["p50_ms"], lambda v: v < 300) if target else "",
                )
            )
            if "first_request_ms" in item:
                out.append(
                    (
                        "  first request, uncached (ms)",
                        _fmt(item["first_request_ms"]),
                        target,
                        _check(item["first_request_ms"], lambda v: v < 300)
                        if target
                        else "",
                    )
                )
    certs = s.get("certificates") or {}
    if "pdfs_per_s_per_worker" in certs:
        rate = certs["pdfs_per_s_per_worker"]
        out.append(
            (
                "certificate PDFs/s per worker",
                _fmt(rate),
                ">= 10",
                _check(rate, lambda v: v >= 10),
            )
        )
        verify = certs.get("verification") or {}
        out.append(
            (
                "verification page p50/p95 (ms)",
                f"{_fmt(verify.get('p50_ms'))} / {_fmt(verify.get('p95_ms'))}",
                "",
                "",
            )
        )
    hdf5 = s.get("hdf5") or {}
    if "peak_rss_mb" in hdf5:
        out.append(
            (
                f"HDF5 export of {hdf5['statements']:,} statements (s)",
                _fmt(hdf5["seconds"]),
                "",
                "",
            )
        )
        out.append(
            (
                "  peak memory (MB)",
                _fmt(hdf5["peak_rss_mb"]),
                "< 300",
                _check(hdf5["peak_rss_mb"], lambda v: v < 300),
            )
        )
    for name, item in s.items():
        if isinstance(item, dict) and "error" in item:
            out.append((f"{name}: error", item["error"][:60], "", ""))
    return out


def table(results: dict) -> str:
    lines = rows(results)
    widths = [
        max(len(str(row[i])) for row in lines + [("measure", "value", "target", "")])
        for i in range(4)
    ]
    head = ("measure", "value", "target", "")
    text = [
        f"Scale {results.get('scale')}: {results.get('sizes')}, medians of {results.get('runs')} runs"
    ]
    for row in [head, *lines]:
        text.append(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
            )
        )
    return "\n".join(text)
