"""Background-job queue settings, chosen by whether REDIS_URL is set.

With Redis, jobs are queued and `make worker` runs them. Without it (the
embedded default) they run synchronously inside the request, on an in-process
fakeredis connection: django-rq's ASYNC=False still opens a Redis connection.
"""

QUEUE_NAMES = ("default", "certificates", "xapi")


def build_rq_queues(redis_url: str, *, synchronous: bool = False) -> dict:
    if redis_url:
        return {
            name: {"URL": redis_url, "DEFAULT_TIMEOUT": 600, "ASYNC": not synchronous}
            for name in QUEUE_NAMES
        }
    return {
        name: {
            "ASYNC": False,
            "CONNECTION_CLASS": "fakeredis.FakeStrictRedis",
            "URL": "redis://localhost:6379/0",
        }
        for name in QUEUE_NAMES
    }
