"""The context a request gives the statements the platform records during it.

A learner launched from an LMS (LTI) learns in that LMS's course: every
statement recorded while serving their requests carries it (extensions and a
grouping activity), and observers (the LTI grade outbox) see the stored rows in
the same transaction. Set by middleware for the request; absent elsewhere, where
statements are stored unchanged.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StatementContext:
    extensions: dict = field(default_factory=dict)
    grouping: list[dict] = field(default_factory=list)
    # Called with the stored Statement rows, inside the storing transaction.
    observers: tuple[Callable, ...] = ()


_current: ContextVar[StatementContext | None] = ContextVar(
    "statement_context", default=None
)


@contextmanager
def statement_context(context: StatementContext | None) -> Iterator[None]:
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> StatementContext | None:
    return _current.get()


def decorate(data: dict) -> dict:
    """`data` with the current context's extensions and grouping added."""
    context = _current.get()
    if context is None:
        return data
    statement_context_ = dict(data.get("context") or {})
    if context.extensions:
        statement_context_["extensions"] = {
            **(statement_context_.get("extensions") or {}),
            **context.extensions,
        }
    if context.grouping:
        activities = dict(statement_context_.get("contextActivities") or {})
        grouping = list(activities.get("grouping") or [])
        known = {item.get("id") for item in grouping}
        grouping += [item for item in context.grouping if item["id"] not in known]
        activities["grouping"] = grouping
        statement_context_["contextActivities"] = activities
    return {**data, "context": statement_context_}


def notify(rows) -> None:
    context = _current.get()
    if context is not None:
        for observer in context.observers:
            observer(rows)
