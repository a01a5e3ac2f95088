"""The production-like environment the benchmarks run in, on loopback only.

A dedicated PostgreSQL database (dropped and recreated each run), a dedicated
Redis database, gunicorn with 2 workers on a free port, and RQ workers when a
scenario needs one. Every process started here is stopped here, by its pid.
"""

import base64
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench"
PYTHON = sys.executable
DB_NAME = os.environ.get("BENCH_DB_NAME", "atelier_bench")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
GUNICORN_WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(port: int) -> dict:
    """The environment of every bench process: production settings, loopback."""
    VAR.mkdir(parents=True, exist_ok=True)
    key_file = VAR / "signing-key"
    if not key_file.exists():
        key_file.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
        "SECRET_KEY": "bench-" + secrets.token_hex(24),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": REDIS,
        "CERTIFICATE_SIGNING_KEY": key_file.read_text(),
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SITE_BASE_URL": f"http://127.0.0.1:{port}",
        "CONN_MAX_AGE": "60",  # as in .env.example
        "STATIC_ROOT": str(VAR / "static"),
        "MEDIA_ROOT": str(VAR / "media"),
        "PRIVATE_ROOT": str(VAR / "private"),
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
        # Verification is throttled per IP in production; the benchmark is one IP.
        "CERTIFICATE_VERIFY_RATE_LIMIT": "0/60",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DEBUG", None)
    return env


def _psql(sql: str, params=None, db: str = "postgres") -> None:
    import psycopg

    with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
        conn.execute(sql, params)


def _terminate(name: str) -> None:
    _psql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        [name],
    )


def seed_fingerprint() -> str:
    """What the migrated, seeded database depends on: migrations, content, seeding."""
    digest = hashlib.sha256()
    paths = sorted(ROOT.glob("*/migrations/*.py")) + sorted(
        ROOT.glob("*/*/migrations/*.py")
    )
    paths += sorted(p for p in (ROOT / "content").rglob("*") if p.is_file())
    paths += sorted(ROOT.glob("courses/**/*.py")) + sorted(ROOT.glob("cms/*.py"))
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def seeded_template() -> str:
    return f"{DB_NAME}_seed_{seed_fingerprint()}"


def recreate_database() -> bool:
    """A fresh bench database; True when copied from an up-to-date seeded template
    (migrate + seed_demo take minutes, a template copy seconds)."""
    _terminate(DB_NAME)
    _psql(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
    template = seeded_template()
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [f"{DB_NAME}_seed_%"],
            )
        ]
    for name in names:
        if name != template:  # stale: the migrations or content changed
            _terminate(name)
            _psql(f'DROP DATABASE IF EXISTS "{name}"')
    if template in names:
        _terminate(template)
        _psql(f'CREATE DATABASE "{DB_NAME}" TEMPLATE "{template}"')
        return True
    _psql(f'CREATE DATABASE "{DB_NAME}"')
    return False


def save_seeded_template() -> None:
    _terminate(DB_NAME)
    _psql(f'CREATE DATABASE "{seeded_template()}" TEMPLATE "{DB_NAME}"')


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def manage(env: dict, *args: str, quiet: bool = True) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


@contextmanager
def process(args: list[str], env: dict, log_name: str):
    """A background process, stopped (SIGTERM, then SIGKILL) on exit."""
    log = open(VAR / log_name, "ab")
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        log.close()


def wait_http(url: str, *, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                response.read()
                return
        except OSError as error:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer: {error}") from error
            time.sleep(0.3)


@contextmanager
def gunicorn(env: dict, port: int):
    args = [
        str(Path(PYTHON).parent / "gunicorn"),
        "cms.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(GUNICORN_WORKERS),
        "--worker-class",
        "sync",
        "--timeout",
        "120",
        "--keep-alive",
        "30",
        "--access-logfile",
        "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
    ]
    with process(args, env, "gunicorn.log") as proc:
        wait_http(f"http://127.0.0.1:{port}/bench/constant/")
        yield proc


@contextmanager
def rq_worker(env: dict, *queues: str):
    args = [PYTHON, "manage.py", "rqworker", *queues]
    with process(args, env, "rqworker.log") as proc:
        yield proc
