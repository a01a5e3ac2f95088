"""Benchmark settings: production, plus a bench-only URLconf with a bare view.

The environment (SECRET_KEY, DATABASE_URL, REDIS_URL, ...) is set by the harness
(`tests/bench/environment.py`); nothing here changes how the product behaves.
"""

from cms.settings.production import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
