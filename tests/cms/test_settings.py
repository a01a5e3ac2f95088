"""Production settings: required variables, and a clean `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_ENV = {
    "SECRET_KEY": "x" * 20 + "-production-secret-key-that-is-long-and-random-9f8e7d",
    "ALLOWED_HOSTS": "atelier.example.org",
    "DATABASE_URL": "sqlite:////tmp/atelier-deploy-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/15",  # not connected to by `check`
    # base64 of 32 raw bytes: an Ed25519 private key for certificates.
    "CERTIFICATE_SIGNING_KEY": "dGVzdC1vbmx5LWVkMjU1MTktc2VlZC0zMi1ieXRlcyE=",
    "SITE_BASE_URL": "https://atelier.example.org",
}


def run_manage(*args, env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in (
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "REDIS_URL",
            "CERTIFICATE_SIGNING_KEY",
            "SITE_BASE_URL",
            "HOST",
            "PORT",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    env.update(DJANGO_SETTINGS_MODULE="cms.settings.production", **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "CERTIFICATE_SIGNING_KEY",
        "SITE_BASE_URL",
    ],
)
def test_production_settings_refuse_missing_variable(missing):
    """Production stops at start-up, naming the missing variable."""
    env = {key: value for key, value in GOOD_ENV.items() if key != missing}
    result = run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "Missing required environment variable" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize("value", ["atelier.example.org", "ftp://x.org", "https://"])
def test_production_settings_refuse_a_relative_site_base_url(value):
    """SITE_BASE_URL must be an absolute http(s) address: links leave the site."""
    result = run_manage("check", env_overrides={**GOOD_ENV, "SITE_BASE_URL": value})
    assert result.returncode != 0
    assert "SITE_BASE_URL must be the site's absolute address" in result.stderr


def test_production_settings_pass_check_deploy():
    """`manage.py check --deploy` reports nothing with production settings."""
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env_overrides=GOOD_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_queues_without_redis_run_synchronously_in_process():
    """Without REDIS_URL, jobs run synchronously on an in-process fakeredis."""
    from cms.queues import build_rq_queues

    queues = build_rq_queues("")
    assert {queue["ASYNC"] for queue in queues.values()} == {False}
    assert {queue["CONNECTION_CLASS"] for queue in queues.values()} == {
        "fakeredis.FakeStrictRedis"
    }


def test_queues_with_redis_are_asynchronous():
    """With REDIS_URL, jobs are queued in Redis for a worker."""
    from cms.queues import build_rq_queues

    queues = build_rq_queues("redis://127.0.0.1:6379/0")
    assert set(queues) == {"default", "certificates", "xapi"}
    assert all(q["ASYNC"] and q["URL"].startswith("redis://") for q in queues.values())


def test_background_queue_runs_a_job(settings):
    """A job enqueued on the default queue runs (synchronously in tests)."""
    import django_rq

    job = django_rq.get_queue("default").enqueue(sum, [1, 2, 3])
    assert job.return_value() == 6
