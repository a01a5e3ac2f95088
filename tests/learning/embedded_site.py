"""The embedded default served for real: a SQLite file and `runserver` in child processes.

`EmbeddedSite` migrates a SQLite file once per set of migrations (kept under
var/test-embedded/ as a template, then copied), fills it with
`python -m tests.learning.embedded_site` (the `populate()` below, run with the
embedded default's settings) and serves it with `manage.py runserver`, threaded
as in `make demo`. Tests then send it simultaneous requests.
"""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "var" / "test-embedded"
CSRF = "embeddedsitecsrfsecret0123456789"  # 32 characters: an unmasked CSRF secret


def _migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/**/migrations/*.py")):
        if ".venv" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EmbeddedSite:
    """A migrated, populated SQLite file served by runserver on a free port."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
        } | {
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
            "CACHE_DIR": str(directory / "cache"),
            "MEDIA_ROOT": str(directory / "media"),
            "PRIVATE_ROOT": str(directory / "private"),
            "SITE_BASE_URL": self.url,
            "DEBUG": "false",
            "LOG_LEVEL": "ERROR",
        }
        self.server = None
        self.log = directory / "server.log"  # its stderr: a 500's traceback goes there

    def _run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"{args} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def prepare(self) -> dict:
        """Migrate (or copy the template), populate; the people and pages made."""
        template = TEMPLATES / f"{_migrations_digest()}.sqlite3"
        if not template.exists():
            self._run("manage.py", "migrate", "--noinput")
            TEMPLATES.mkdir(parents=True, exist_ok=True)
            for outdated in TEMPLATES.glob("*.sqlite3"):  # other migrations' copies
                if outdated != template:
                    outdated.unlink(missing_ok=True)
            # One partial copy per process: two xdist workers may build it at once.
            partial = template.with_suffix(f".{os.getpid()}.partial")
            shutil.copyfile(self.directory / "db.sqlite3", partial)
            partial.replace(template)
        else:
            shutil.copyfile(template, self.directory / "db.sqlite3")
        return json.loads(self._run("-m", "tests.learning.embedded_site"))

    def start(self) -> None:
        self._log_file = self.log.open("w")
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-X",
                "faulthandler",
                "manage.py",
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self._log_file,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/certificates/verify/", timeout=5)
                return
            except requests.ConnectionError:
                if self.server.poll() is not None:
                    raise RuntimeError(self.log.read_text()) from None
                time.sleep(0.2)
        raise RuntimeError("runserver did not answer within 60 s")

    def stop(self) -> None:
        self.server.terminate()
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
        self._log_file.close()

    def session(self, session_key: str) -> requests.Session:
        """An HTTP session logged in with this session key, CSRF cookie set."""
        http = requests.Session()
        http.cookies.set("sessionid", session_key)
        http.cookies.set("csrftoken", CSRF)
        return http

    def post(self, http: requests.Session, path: str, data: dict):
        return http.post(
            f"{self.url}{path}",
            data={"csrfmiddlewaretoken": CSRF, **data},
            allow_redirects=False,
            timeout=120,
        )


def _login(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def populate(*, quiz_takers: int = 5, finishers: int = 8) -> dict:
    """A course with a quiz whose takers each have an open attempt, and a course
    whose learners have done every lesson but the last."""
    from cms.site_structure import ensure_site_structure
    from courses.quizzes import QuestionPool, QuizPage, QuizPoolDraw
    from learning import progress
    from learning.quiz import attempts
    from learning.quiz.scoring import model_answers
    from tests.factories import CoursePageFactory, LessonPageFactory, UserFactory
    from tests.quiz.conftest import ALL_TYPES

    catalogue = ensure_site_structure().catalogue("fr")
    quizzed = CoursePageFactory(parent=catalogue, title="Avec quiz", slug="avec-quiz")
    LessonPageFactory(parent=quizzed, slug="introduction")
    pool = QuestionPool.objects.create(code="tout", title="Tout", questions=ALL_TYPES)
    quiz = quizzed.add_child(
        instance=QuizPage(title="Évaluation", slug="evaluation", pass_mark=50)
    )
    QuizPoolDraw.objects.create(quiz=quiz, pool=pool, count=len(ALL_TYPES))
    quiz.save_revision().publish()
    quiz = QuizPage.objects.get(pk=quiz.pk)

    takers = []
    for number in range(quiz_takers):
        user = UserFactory(username=f"quiz{number}")
        attempt = attempts.start_attempt(progress.enrol(user, quizzed), quiz)
        form = {"action": "submit", "attempt": str(attempt.pk)}
        for question in attempt.questions:
            key, answer = question["key"], model_answers([question])[question["key"]]
            if question["type"] == "ordering":
                form |= {f"{key}-{item}": n for n, item in enumerate(answer, 1)}
            elif question["type"] == "matching":
                form |= {f"{key}-{left}": right for left, right in answer.items()}
            else:
                form[key] = answer
        takers.append({"session": _login(user), "form": form})

    course = CoursePageFactory(parent=catalogue, title="Sans quiz", slug="sans-quiz")
    first = LessonPageFactory(parent=course, slug="premiere")
    last = LessonPageFactory(parent=course, slug="derniere")
    finishing = []
    for number in range(finishers):
        user = UserFactory(username=f"fin{number}")
        progress.complete_lesson(progress.enrol(user, course), first)
        finishing.append(_login(user))
    return {
        "quiz_url": quiz.url,
        "takers": takers,
        "last_lesson": last.pk,
        "finishers": finishing,
    }


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(populate()))  # noqa: T201 - read by EmbeddedSite.prepare()
