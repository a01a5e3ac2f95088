"""Value types of course files: how a YAML value is read and what a mistake says.

Shared by the Markdown front matter (`reading.py`) and the quiz files
(`quiz_files.py`). Each converter returns the clean value or raises InvalidValue
with a reason written for the trainer.
"""

import re
from collections.abc import Callable
from typing import Any

SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_RE = re.compile(rf"^{SLUG_PATTERN}$")


class InvalidValue(Exception):
    """A front-matter value of the wrong type or out of range."""

    def __init__(self, message: str, item: int | None = None):
        super().__init__(message)
        self.item = item


# --- front-matter value types ------------------------------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str):
        hint = (
            f' (put it in quotes: "{value}")'
            if isinstance(value, int | float) and not isinstance(value, bool)
            else ""
        )
        raise InvalidValue(f"must be text, not {_type_name(value)}{hint}")
    return value.strip()


def _optional_text(value: Any) -> str:
    return "" if value is None else _text(value)


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"must be a whole number, not {_type_name(value)}")
    return value


def _optional_integer(value: Any) -> int | None:
    return None if value is None else _integer(value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(f"must be true or false, not {_type_name(value)}")
    return value


def _text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidValue(
            f"must be a list (one '- item' per line), not {_type_name(value)}"
        )
    items = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InvalidValue(
                f"item {index + 1} must be non-empty text, not {_type_name(item)}",
                index,
            )
        if "\n" in item.strip():
            raise InvalidValue(f"item {index + 1} must fit on one line", index)
        items.append(item.strip())
    return items


def _objectives(value: Any) -> str:
    return "\n".join(_text_list(value))


def _choice(*choices: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        value = _text(value)
        if value not in choices:
            raise InvalidValue(f"must be one of {', '.join(choices)} (got {value!r})")
        return value

    return convert


def _type_name(value: Any) -> str:
    if value is None:
        return "empty"
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)
