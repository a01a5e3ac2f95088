"""The measured scenarios. Each returns a JSON-able dict of medians over `runs`.

HTTP scenarios go through gunicorn (2 workers) on loopback; quiz submission and
certificate rendering call the domain functions / the RQ worker directly.
"""

import base64
import json
import random
import re
import subprocess
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .environment import PYTHON, ROOT, VAR, rq_worker
from .load import Request, median, percentile, run_load

XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}

# Per scale: bounded request counts and durations (seconds) per run.
LIMITS = {
    "small": {
        "single": (2000, 10.0),
        "batch": (600, 10.0),
        "query": 20,
        "more_depth": 15,
        "pages": (400, 8.0),
        "quiz": 15,
        "dashboard": 3,
        "certificates": 10,
        "verify": 60,
    },
    "full": {
        "single": (6000, 20.0),
        "batch": (1500, 20.0),
        "query": 40,
        "more_depth": 40,
        "pages": (3000, 10.0),
        "quiz": 30,
        "dashboard": 3,
        "certificates": 20,
        "verify": 100,
    },
}


@dataclass
class Context:
    scale: str
    runs: int
    port: int
    env: dict
    dataset: object
    lrs_auth: str
    learner_cookie: str
    log: object

    @property
    def limits(self):
        return LIMITS[self.scale]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _summary(values: list[float]) -> dict:
    return {"median": median(values), "runs": values}


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


# --- 1. xAPI ingest ------------------------------------------------------------


def _statement(ctx: Context, rng: random.Random) -> dict:
    data = ctx.dataset
    course = rng.choice(data.course_iris)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor": {
            "objectType": "Agent",
            "account": {
                "homePage": ctx.env["SITE_BASE_URL"],
                "name": rng.choice(data.actors),
            },
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/answered",
            "display": {"en": "answered", "fr": "a répondu"},
        },
        "object": {
            "objectType": "Activity",
            "id": rng.choice(data.question_iris),
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "name": {"en": "Question", "fr": "Question"},
                "interactionType": "choice",
            },
        },
        "result": {"success": True, "completion": True, "score": {"scaled": 1.0}},
        "context": {
            "registration": rng.choice(data.registrations),
            "contextActivities": {"parent": [{"id": course}]},
            "platform": "external content",
        },
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }


def _ingest_once(ctx, *, port, path, auth, batch, count, duration, seed):
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        items = [_statement(ctx, rng) for _ in range(batch)]
        bodies.append(
            json.dumps(items if batch > 1 else items[0], ensure_ascii=False).encode()
        )
    headers = {
        **XAPI_HEADERS,
        "Content-Type": "application/json",
        "Authorization": auth,
    }
    result = run_load(
        port,
        lambda i: Request("POST", path, bodies[i], headers, units=batch),
        clients=4,
        count=count,
        duration=duration,
    )
    return result


def ingest(ctx: Context, *, target: str, port: int, path: str, auth: str) -> dict:
    out = {}
    for mode, batch in (("single", 1), ("batch100", 100)):
        count, duration = ctx.limits["single" if batch == 1 else "batch"]
        rates, runs = [], []
        for run in range(ctx.runs):
            result = _ingest_once(
                ctx,
                port=port,
                path=path,
                auth=auth,
                batch=batch,
                count=count,
                duration=duration,
                seed=hash((target, mode, run)) & 0xFFFF,
            )
            rates.append(result.rate)
            runs.append(
                {
                    "statements_per_s": round(result.rate, 1),
                    "statements": result.units,
                    "elapsed_s": round(result.elapsed, 2),
                    "errors": result.errors,
                    "first_error": result.first_error,
                    "p50_ms": _ms(percentile(result.latencies, 50)),
                    "p95_ms": _ms(percentile(result.latencies, 95)),
                    "windows_statements_per_s": [round(w, 1) for w in result.windows],
                }
            )
            ctx.log(
                f"    {target} {mode} run {run + 1}: {result.rate:.0f} statements/s"
                f" ({result.units} in {result.elapsed:.1f} s, {result.errors} errors)"
                f" windows {[round(w) for w in result.windows]}"
            )
        windows = runs[-1]["windows_statements_per_s"]
        out[mode] = {
            "statements_per_s": median(rates),
            "runs": runs,
            "last_over_first_window": (
                round(windows[-1] / windows[0], 3)
                if len(windows) >= 2 and windows[0]
                else None
            ),
        }
    return out


# --- 2. xAPI queries -----------------------------------------------------------


def queries(ctx: Context) -> dict:
    data = ctx.dataset
    home = ctx.env["SITE_BASE_URL"]
    headers = {**XAPI_HEADERS, "Authorization": ctx.lrs_auth}
    answered = "http://adlnet.gov/expapi/verbs/answered"
    since = (datetime.now(UTC) - timedelta(days=7)).isoformat()

    def q(params):
        return "/xapi/statements?" + urllib.parse.urlencode(params)

    kinds = {
        "agent": lambda i: q(
            {
                "agent": json.dumps(
                    {"account": {"homePage": home, "name": data.actors[i % 200]}}
                )
            }
        ),
        "verb_activity": lambda i: q(
            {
                "verb": answered,
                "activity": data.question_iris[i % len(data.question_iris)],
            }
        ),
        "registration": lambda i: q({"registration": data.registrations[i % 200]}),
        "related_activities": lambda i: q(
            {
                "activity": data.course_iris[i % len(data.course_iris)],
                "related_activities": "true",
            }
        ),
        "since": lambda i: q({"since": since}),
    }
    out = {}
    for name, build in kinds.items():
        p50s, p95s, errors = [], [], 0
        for _run in range(ctx.runs):
            result = run_load(
                ctx.port,
                lambda i, build=build: Request("GET", build(i), None, headers),
                clients=1,
                count=ctx.limits["query"],
                duration=60.0,
            )
            p50s.append(percentile(result.latencies, 50))
            p95s.append(percentile(result.latencies, 95))
            errors += result.errors
            if result.first_error:
                ctx.log(f"    {name}: {result.first_error}")
        out[name] = {
            "p50_ms": _ms(median(p50s)),
            "p95_ms": _ms(median(p95s)),
            "errors": errors,
        }
        ctx.log(
            f"    {name}: p50 {out[name]['p50_ms']} ms, p95 {out[name]['p95_ms']} ms"
        )
    out["more_deep"] = _more_paging(ctx, headers)
    return out


def _more_paging(ctx, headers) -> dict:
    """Follow `more` links deep into a broad result (every 'launched' statement)."""
    import http.client

    depth = ctx.limits["more_depth"]
    p50s, p95s, lasts = [], [], []
    for _run in range(ctx.runs):
        conn = http.client.HTTPConnection("127.0.0.1", ctx.port, timeout=60)
        path = "/xapi/statements?" + urllib.parse.urlencode(
            {"verb": "http://adlnet.gov/expapi/verbs/launched"}
        )
        latencies = []
        try:
            for _page in range(depth + 1):
                t0 = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - t0
                if response.status != 200:
                    ctx.log(f"    more: {response.status} {body[:200]!r}")
                    break
                if _page:  # the first page is not a `more` request
                    latencies.append(elapsed)
                path = json.loads(body).get("more")
                if not path:
                    break
        finally:
            conn.close()
        p50s.append(percentile(latencies, 50))
        p95s.append(percentile(latencies, 95))
        lasts.append(latencies[-1] if latencies else float("nan"))
    out = {
        "pages": depth,
        "p50_ms": _ms(median(p50s)),
        "p95_ms": _ms(median(p95s)),
        "last_page_ms": _ms(median(lasts)),
    }
    ctx.log(f"    more (depth {depth}): p50 {out['p50_ms']} ms, p95 {out['p95_ms']} ms")
    return out


# --- 3. pages -----------------------------------------------------------------


def _path_of(page) -> str:
    url = page.get_url()
    return urllib.parse.urlparse(url).path if url.startswith("http") else url


def page_paths(ctx: Context) -> dict:
    from courses.models import CourseIndexPage, LessonPage
    from learning.models import Enrollment

    catalogue = CourseIndexPage.objects.filter(locale__language_code="fr").first()
    enrollment = Enrollment.objects.filter(user_id=ctx.dataset.learner_id).first()
    lesson = (
        LessonPage.objects.live()
        .child_of(enrollment.course)
        .filter(locale__language_code="fr")
        .first()
    )
    return {
        "bare_view": ("/bench/constant/", False),
        "catalogue": (_path_of(catalogue), False),
        "lesson": (_path_of(lesson), True),
        "my_learning": ("/learning/", True),
    }


def pages(ctx: Context) -> dict:
    from django.conf import settings

    count, duration = ctx.limits["pages"]
    cookie = f"{settings.SESSION_COOKIE_NAME}={ctx.learner_cookie}"
    out = {}
    for name, (path, logged_in) in page_paths(ctx).items():
        headers = {"Cookie": cookie} if logged_in else {}
        rates, p50s = [], []
        errors = 0
        for _run in range(ctx.runs):
            result = run_load(
                ctx.port,
                lambda i, path=path, headers=headers: Request(
                    "GET", path, None, headers
                ),
                clients=4,
                count=count,
                duration=duration,
            )
            rates.append(result.requests_per_s)
            p50s.append(percentile(result.latencies, 50))
            errors += result.errors
            if result.first_error:
                ctx.log(f"    {name}: {result.first_error}")
        out[name] = {
            "path": path,
            "requests_per_s": round(median(rates), 1),
            "p50_ms": _ms(median(p50s)),
            "errors": errors,
        }
    bare = out["bare_view"]["requests_per_s"]
    for name, item in out.items():
        item["ratio_to_bare"] = (
            round(item["requests_per_s"] / bare, 3) if bare else None
        )
        ctx.log(
            f"    {name}: {item['requests_per_s']} req/s "
            f"({item['ratio_to_bare']}× bare), p50 {item['p50_ms']} ms"
        )
    return out


# --- 4. quiz submission ---------------------------------------------------------


def _answer(question: dict, rng: random.Random):
    kind = question["type"]
    choices = [c["id"] for c in question.get("choices", [])]
    if kind == "single_choice" and choices:
        return rng.choice(choices)
    if kind == "multiple_choice" and choices:
        return rng.sample(choices, max(1, len(choices) // 2))
    if kind == "true_false":
        return rng.choice(["true", "false"])
    if kind == "numeric":
        return str(rng.randint(0, 100))
    if kind == "short_text":
        return "answer"
    if kind == "ordering":
        return list(question["display_order"])
    return None


def quiz(ctx: Context) -> dict:
    from django.contrib.auth import get_user_model

    from courses.quizzes import QuizPage
    from learning import progress
    from learning.quiz.attempts import start_attempt, submit_attempt

    quizzes = list(QuizPage.objects.live().filter(locale__language_code="fr"))
    # The SNDS final assessment (pools, random draw) when it is there.
    quiz_page = next(
        (
            q
            for q in quizzes
            if q.get_parent().slug == "acces-snds-formation-obligatoire"
        ),
        quizzes[0],
    )
    course = quiz_page.get_parent().specific
    User = get_user_model()
    n = ctx.limits["quiz"]
    rng = random.Random(7)
    p50s, p95s, questions = [], [], 0
    for run in range(ctx.runs):
        users = User.objects.bulk_create(
            [
                User(username=f"quiz{run}-{i}", email=f"quiz{run}-{i}@bench.example")
                for i in range(n)
            ]
        )
        latencies = []
        for user in users:
            enrollment = progress.enrol(user, course)
            attempt = start_attempt(enrollment, quiz_page, rng=rng)
            answers = {}
            for question in attempt.questions:
                value = _answer(question, rng)
                if value is not None:
                    answers[question["key"]] = value
            questions = len(attempt.questions)
            t0 = time.perf_counter()
            submit_attempt(attempt, answers)
            latencies.append(time.perf_counter() - t0)
        p50s.append(percentile(latencies, 50))
        p95s.append(percentile(latencies, 95))
    out = {
        "quiz": quiz_page.title,
        "questions_per_attempt": questions,
        "p50_ms": _ms(median(p50s)),
        "p95_ms": _ms(median(p95s)),
        "submissions_per_run": n,
    }
    ctx.log(f"    quiz submit: p50 {out['p50_ms']} ms, p95 {out['p95_ms']} ms")
    return out


# --- 5. compliance ------------------------------------------------------------


def compliance(ctx: Context) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from learning.compliance import freshness

    User = get_user_model()
    out = {}
    viewers = {
        "institute_manager": ctx.dataset.manager_id,
        "team_manager": ctx.dataset.team_manager_id,
    }
    for viewer, user_id in viewers.items():
        client = Client()
        client.force_login(User.objects.get(pk=user_id))
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        for name, path in (
            ("dashboard", "/compliance/"),
            ("register_csv", "/compliance/register.csv"),
        ):
            # The first request computes what the dashboard caches (counts for
            # 120 s, learning/compliance/freshness.py): timed on its own, after
            # a warm-up request and with that cache emptied.
            client.get(path)
            freshness.facts_changed()
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            first = time.perf_counter() - t0
            status = response.status_code
            p50s = []
            for _run in range(ctx.runs):
                result = run_load(
                    ctx.port,
                    lambda i, path=path, cookie=cookie: Request(
                        "GET", path, None, {"Cookie": cookie}
                    ),
                    clients=1,
                    count=ctx.limits["dashboard"],
                    duration=120.0,
                )
                if result.first_error:
                    ctx.log(f"    {viewer} {name}: {result.first_error}")
                p50s.append(percentile(result.latencies, 50))
            out[f"{viewer}.{name}"] = {
                "path": path,
                "status": status,
                "p50_ms": _ms(median(p50s)),
                "first_request_ms": _ms(first),
                "queries": len(queries),
                "bytes": len(response.content),
            }
            ctx.log(
                f"    {viewer} {name}: p50 {_ms(median(p50s))} ms "
                f"(first, uncached: {_ms(first)} ms), "
                f"{len(queries)} queries, {len(response.content)} bytes"
            )
    return out


# --- 6. certificates ------------------------------------------------------------


def certificates(ctx: Context) -> dict:
    import django_rq
    from rq.job import Job

    from learning.certificates.jobs import QUEUE, issue_certificate_job
    from learning.certificates.models import Certificate
    from learning.models import Enrollment, EnrollmentStatus

    n = ctx.limits["certificates"]
    todo = list(
        Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED)
        .exclude(pk__in=Certificate.objects.values("enrollment_id"))
        .values_list("pk", flat=True)[: n * ctx.runs]
    )
    queue = django_rq.get_queue(QUEUE)
    rates, wall_rates = [], []
    codes = []
    for run in range(ctx.runs):
        batch = todo[run * n : (run + 1) * n]
        jobs = [queue.enqueue(issue_certificate_job, str(pk)) for pk in batch]
        t0 = time.monotonic()
        extra = (
            ["--worker-class", ctx.env["BENCH_RQ_WORKER_CLASS"]]
            if ctx.env.get("BENCH_RQ_WORKER_CLASS")
            else []
        )
        with rq_worker(ctx.env, QUEUE, "--burst", *extra) as proc:
            try:
                proc.wait(timeout=300)
            except subprocess.TimeoutExpired:
                ctx.log("    certificates: worker still busy after 300 s, stopped")
        wall = time.monotonic() - t0
        fetched = [Job.fetch(job.id, connection=queue.connection) for job in jobs]
        done = [j for j in fetched if j.get_status() == "finished"]
        if not done:
            ctx.log("    certificates: no job finished (see var/bench/rqworker.log)")
            continue
        span = max(j.ended_at for j in done) - min(j.started_at for j in done)
        rates.append(len(done) / span.total_seconds())
        wall_rates.append(len(done) / wall)
        codes += [j.return_value() for j in done]
    verify = _verify(ctx, codes)
    out = {
        "pdfs_per_s_per_worker": round(median(rates), 2),
        "jobs_per_s_including_worker_start": round(median(wall_rates), 2),
        "jobs_per_run": n,
        "verification": verify,
    }
    ctx.log(
        f"    certificates: {out['pdfs_per_s_per_worker']} PDFs/s per worker; verify "
        f"p50 {verify['p50_ms']} ms, p95 {verify['p95_ms']} ms"
    )
    return out


def _verify(ctx, codes) -> dict:
    if not codes:
        return {"p50_ms": None, "p95_ms": None}
    p50s, p95s = [], []
    for _run in range(ctx.runs):
        result = run_load(
            ctx.port,
            lambda i: Request("GET", f"/certificates/verify/{codes[i % len(codes)]}/"),
            clients=1,
            count=ctx.limits["verify"],
            duration=60.0,
        )
        if result.first_error:
            ctx.log(f"    verify: {result.first_error}")
        p50s.append(percentile(result.latencies, 50))
        p95s.append(percentile(result.latencies, 95))
    return {"p50_ms": _ms(median(p50s)), "p95_ms": _ms(median(p95s))}


# --- 7. HDF5 export ---------------------------------------------------------------


def hdf5_export(ctx: Context) -> dict:
    from learning.models import Statement

    statements = Statement.objects.count()
    target = VAR / "export.h5"
    times, peaks = [], []
    runs = 1 if ctx.scale == "full" else ctx.runs
    for _run in range(runs):
        target.unlink(missing_ok=True)
        t0 = time.monotonic()
        result = subprocess.run(
            [
                "/usr/bin/time",
                "-v",
                PYTHON,
                "manage.py",
                "export_learning_records",
                str(target),
                "--quiet",
            ],
            cwd=ROOT,
            env=ctx.env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        elapsed = time.monotonic() - t0
        if result.returncode != 0:
            ctx.log(f"    hdf5 export failed: {result.stderr[-500:]}")
            return {"error": result.stderr[-500:]}
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
        times.append(elapsed)
        peaks.append(int(match.group(1)) / 1024 if match else float("nan"))
    out = {
        "statements": statements,
        "seconds": round(median(times), 2),
        "statements_per_s": round(statements / median(times)),
        "peak_rss_mb": round(median(peaks), 1),
        "file_mb": round(target.stat().st_size / 2**20, 1),
        "runs": runs,
    }
    ctx.log(
        f"    hdf5: {statements} statements in {out['seconds']} s, "
        f"peak {out['peak_rss_mb']} MB"
    )
    return out
