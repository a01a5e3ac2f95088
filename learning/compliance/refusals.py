"""Refused gate calls (no or bad token): counted per address, one log row per window.

Every call of the gate API is logged, but a flood of unauthenticated calls must
neither fill the log nor the database. Refused calls are counted per client
address in fixed windows (`COMPLIANCE_GATE_REFUSED_RATE_LIMIT`,
"<count>/<seconds>", default 30 per minute): the first of a window writes a
`GateCall` row, the next ones add to its `calls`. Past the budget the address is
answered 429 (with Retry-After) until the window ends, without looking the token
up or writing anything; its row then says 429 and stops counting.
"""

import time

from django.conf import settings
from django.core.cache import cache

from ninja.errors import Throttled

from learning.certificates.ratelimit import hit, parse_rate, window_key

from .models import GateCall

SCOPE = "gate-refused"


def _budget(request) -> tuple[int, int, str]:
    limit, window = parse_rate(settings.COMPLIANCE_GATE_REFUSED_RATE_LIMIT)
    return limit, window, window_key(request, SCOPE, window)


def _wait(window: int) -> int:
    return max(1, window - int(time.time() % window))


def check_budget(request) -> None:
    """Throttled (429) when the address has used up its refused calls in this window."""
    limit, window, key = _budget(request)
    if limit > 0 and (cache.get(key) or 0) > limit:
        raise Throttled(wait=_wait(window))


def record_refusal(request, **row) -> None:
    """Count a refused call into the window's log row; Throttled once over budget."""
    limit, window, key = _budget(request)
    used = hit(key, window)
    over = 0 < limit < used
    if used == 1:
        call = GateCall.objects.create(http_status=401, calls=1, **row)
        cache.set(f"{key}:row", call.pk, timeout=window + 1)
    else:
        GateCall.objects.filter(pk=cache.get(f"{key}:row")).update(
            calls=used, http_status=429 if over else 401
        )
    if over:
        raise Throttled(wait=_wait(window))
