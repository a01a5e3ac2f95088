"""Outgoing HTTP for LTI (platform keys, tokens, grades, members, registration):
a requests session whose calls all have a timeout (pylti1p3 sets none)."""

from django.conf import settings

import requests


class TimeoutSession(requests.Session):
    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", settings.LTI_HTTP_TIMEOUT)
        return super().request(method, url, **kwargs)


def session() -> requests.Session:
    http = TimeoutSession()
    http.headers["User-Agent"] = "Atelier-LTI"
    return http
