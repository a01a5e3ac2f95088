"""python -m tests.bench [--scale small|full] [--runs 3] [--only ingest,queries,...]

Recreates the `atelier_bench` database, generates the data, serves the production
settings with gunicorn (2 workers), runs the scenarios (bounded counts and
durations, medians of repeated runs) and writes bench-results.json.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime

from . import environment as envmod
from . import ralph as ralphmod
from .data import SCALES
from .report import table

SCENARIOS = [
    "ingest",
    "queries",
    "pages",
    "quiz",
    "compliance",
    "certificates",
    "hdf5",
]


def log(message: str) -> None:
    print(message, flush=True)  # noqa: T201


def machine() -> dict:
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // 1024 // 1024
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in f if "model name" in line),
                "",
            )
    except OSError:
        pass
    pg = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": mem,
        "python": platform.python_version(),
        "postgresql_client": pg,
        "platform": platform.platform(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--only", default=",".join(SCENARIOS), help="comma-separated scenarios"
    )
    parser.add_argument("--output", default=str(envmod.ROOT / "bench-results.json"))
    parser.add_argument("--no-ralph", action="store_true", help="skip the peer LRS")
    options = parser.parse_args(argv)
    only = [name.strip() for name in options.only.split(",") if name.strip()]
    started = time.monotonic()

    port = envmod.free_port()
    env = envmod.bench_env(port)
    os.environ.update(env)
    results: dict = {
        "scale": options.scale,
        "sizes": SCALES[options.scale],
        "runs": options.runs,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "setup": {
            "server": f"gunicorn, {envmod.GUNICORN_WORKERS} sync workers, "
            "cms.settings.production (bench URLconf adds /bench/constant/)",
            "database": "PostgreSQL on 127.0.0.1, CONN_MAX_AGE=60",
            "load": "Python threads with keep-alive HTTP/1.1 on the same machine",
        },
        "scenarios": {},
    }

    log(f"== Atelier benchmarks, scale {options.scale}, {options.runs} runs each")
    t = time.monotonic()
    reused = envmod.recreate_database()
    envmod.flush_redis()
    envmod.manage(env, "collectstatic", "--noinput", "-v", "0")
    envmod.manage(env, "compilemessages", "--ignore", ".venv", "-v", "0")
    if not reused:
        envmod.manage(env, "migrate", "--noinput")
        envmod.manage(env, "seed_demo")
        envmod.save_seeded_template()
    setup_s = time.monotonic() - t
    log(
        "  database copied from the seeded template"
        if reused
        else "  database migrated, demo courses seeded (template saved)"
    )
    log(f"  in {setup_s:.1f} s")

    import django

    django.setup()
    from .data import generate

    t = time.monotonic()
    dataset = generate(options.scale, log)
    results["generation"] = {
        "migrate_and_seed_s": round(setup_s, 1),
        "total_s": round(time.monotonic() - t, 1),
        **{k: round(v, 1) for k, v in dataset.generation_s.items()},
    }

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from learning.xapi.lrs.models import LRSClient, Scope

    secret = LRSClient.generate_secret()
    client = LRSClient(name="bench", key="bench", scopes=[Scope.ALL])
    client.set_secret(secret)
    client.save()
    session = Client()
    session.force_login(get_user_model().objects.get(pk=dataset.learner_id))
    learner_cookie = session.cookies[settings.SESSION_COOKIE_NAME].value

    from . import scenarios as sc

    ctx = sc.Context(
        scale=options.scale,
        runs=options.runs,
        port=port,
        env=env,
        dataset=dataset,
        lrs_auth=sc.basic("bench", secret),
        learner_cookie=learner_cookie,
        log=log,
    )
    from django.db import connection

    connection.close()  # the forked/other processes get their own

    with envmod.gunicorn(env, port):
        if "ingest" in only:
            log("-- 1. xAPI ingest (4 concurrent clients)")
            item = {
                "atelier": sc.ingest(
                    ctx,
                    target="atelier",
                    port=port,
                    path="/xapi/statements",
                    auth=ctx.lrs_auth,
                )
            }
            if options.no_ralph:
                item["ralph"] = {"error": "skipped (--no-ralph)"}
            else:
                try:
                    version = ralphmod.install()
                    ralph_port = envmod.free_port()
                    with ralphmod.serve(ralph_port):
                        item["ralph"] = {
                            "version": version,
                            "backend": "fs",
                            **sc.ingest(
                                ctx,
                                target="ralph",
                                port=ralph_port,
                                path="/xAPI/statements",
                                auth=sc.basic(ralphmod.USER, ralphmod.PASSWORD),
                            ),
                        }
                except ralphmod.RalphUnavailable as error:
                    log(f"    Ralph unavailable: {error}")
                    item["ralph"] = {"error": str(error)}
            for mode in ("single", "batch100"):
                ours = item["atelier"][mode]["statements_per_s"]
                theirs = item.get("ralph", {}).get(mode, {}).get("statements_per_s")
                item[f"{mode}_ratio_atelier_over_ralph"] = (
                    round(ours / theirs, 2) if theirs else None
                )
            results["scenarios"]["ingest"] = item
        steps = [
            ("queries", "2. xAPI query latency", sc.queries),
            ("pages", "3. page throughput (4 clients)", sc.pages),
            ("quiz", "4. quiz submission (domain function)", sc.quiz),
            ("compliance", "5. compliance dashboard and register", sc.compliance),
            (
                "certificates",
                "6. certificates (RQ worker, verification)",
                sc.certificates,
            ),
            ("hdf5", "7. HDF5 export", sc.hdf5_export),
        ]
        for name, title, function in steps:
            if name not in only:
                continue
            log(f"-- {title}")
            t = time.monotonic()
            try:
                results["scenarios"][name] = function(ctx)
            except Exception as error:  # noqa: BLE001 - report and go on
                log(f"    {name} failed: {error!r}")
                results["scenarios"][name] = {"error": repr(error)}
            results["scenarios"].setdefault(name, {})["wall_s"] = round(
                time.monotonic() - t, 1
            )

    results["total_s"] = round(time.monotonic() - started, 1)
    with open(options.output, "w") as f:
        json.dump(results, f, indent=2, default=str)
    log("")
    log(table(results))
    log(f"\nWrote {options.output} in {results['total_s']:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
