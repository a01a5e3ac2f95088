"""Ralph (PyPI `ralph-malph`), the peer LRS: installed into its own virtualenv
under var/bench/ralph-venv and run on loopback with its file-system backend,
served by uvicorn with 2 workers (as many as our gunicorn).

Ralph 5.1.0's file-system LRS backend writes every POST to one file with the
"create" operation, which refuses an existing file: every POST after the first
answers 500 "Statements bulk indexation failed". The app module below makes
that backend append instead (its only sensible mode for an LRS); nothing else
of Ralph is changed.
"""

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager

from .environment import VAR, process, wait_http

RALPH_VERSION = "5.1.0"
VENV = VAR / "ralph-venv"
USER, PASSWORD = "bench", "bench-secret"


class RalphUnavailable(Exception):
    pass


def install() -> str:
    """Install Ralph if missing; returns its version (RalphUnavailable on failure)."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    check = subprocess.run(
        [str(python), "-c", "import ralph.api, ralph.cli, uvicorn, bcrypt"],
        capture_output=True,
    )
    if check.returncode != 0:
        result = subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                f"ralph-malph[cli,lrs]=={RALPH_VERSION}",
                # ralph.api.auth.oidc imports requests, which no extra installs.
                "requests",
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RalphUnavailable(
                "pip install ralph-malph failed: " + result.stderr.strip()[-500:]
            )
    return RALPH_VERSION


APP_MODULE = """\
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402
"""


def _env() -> dict:
    data = VAR / "ralph-data"
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO")},
        "RALPH_APP_DIR": str(VAR / "ralph-app"),
        "RALPH_AUTH_FILE": str(VAR / "ralph-app" / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(data),
    }


@contextmanager
def serve(port: int):
    """Ralph on 127.0.0.1:port with an empty store and one Basic-auth user."""
    env = _env()
    for folder in ("ralph-data", "ralph-app"):
        shutil.rmtree(VAR / folder, ignore_errors=True)
        (VAR / folder).mkdir(parents=True)
    auth = subprocess.run(
        [
            str(VENV / "bin" / "ralph"),
            "auth",
            "-u",
            USER,
            "-p",
            PASSWORD,
            "-s",
            "all",
            "-M",
            "mailto:bench@bench.example",
            "-w",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if auth.returncode != 0:
        raise RalphUnavailable("ralph auth failed: " + auth.stderr.strip()[-500:])
    (VAR / "ralph-app" / "ralph_append.py").write_text(APP_MODULE)
    args = [
        str(VENV / "bin" / "uvicorn"),
        "ralph_append:app",
        "--app-dir",
        str(VAR / "ralph-app"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with process(args, env, "ralph.log") as proc:
        try:
            wait_http(f"http://127.0.0.1:{port}/__heartbeat__", timeout=60)
        except RuntimeError as error:
            raise RalphUnavailable(str(error)) from error
        yield proc
