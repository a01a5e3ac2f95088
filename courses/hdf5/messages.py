"""The sentences behind the codes the sandboxed child reports (web process side).

The child knows no language: it says `{"code": "too_deep", "params": {...}}`
and `Note` renders it in the language of the page that shows it, so a tree
cached once is shown in French and in English.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

NOTES = {
    # objects
    "external_link": _("External link to another file: not followed."),
    "soft_link": _("Soft link: shown, not followed."),
    "user_link": _("A link of an unknown kind: not followed."),
    "hard_link_seen": _("Another name for an object shown elsewhere."),
    "unreadable_object": _("This object could not be read: not checked."),
    "unreadable_contents": _("The contents could not be read: not checked."),
    "unreadable_dataset": _("This dataset could not be read: not checked."),
    "too_deep": _("Nested more than %(depth)s levels deep: contents not checked."),
    "attributes_unreadable": _("Some attributes could not be read: not checked."),
    "too_many_attributes": _(
        "%(count)s attributes: only the first %(shown)s were read, the others "
        "are not checked."
    ),
    "attributes_incomplete": _("Its attributes could not all be read."),
    "scales_unreadable": _("Its dimension scales could not be read."),
    "virtual": _("Virtual dataset: its values live in other files and are not read."),
    "external_storage": _(
        "External storage: its values live in other files and are not read."
    ),
    # values
    "unsupported_type": _("Values of this type are not shown."),
    "chunks_too_large": _(
        "Values not read: each chunk holds %(size)s once uncompressed, more than "
        "the %(limit)s allowed."
    ),
    "preview_unreadable": _("The values could not be read."),
    "preview_memory": _(
        "The first values were not shown: reading them needs more than %(size)s "
        "of memory (or a compressed chunk is damaged)."
    ),
    "preview_partial": _("First values only: %(shown)s of %(total)s."),
    # attribute values
    "attr_type": _("(not shown)"),
    "attr_size": _("(not shown: %(size)s)"),
    "attr_values": _("(not shown: %(count)s values)"),
    "attr_memory": _("(not shown: more than %(size)s in memory)"),
    "attr_unreadable": _("(unreadable)"),
    # the walk
    "objects_limit": _(
        "The file holds more than %(count)s objects: only those are shown."
    ),
    "time_limit": _("Reading the file took more than %(seconds)s s: it was stopped."),
    "output_limit": _(
        "The description of this file passed %(size)s: the rest is not shown."
    ),
}
SIZES = {"size", "limit"}  # parameters shown as file sizes


@dataclass(frozen=True)
class Note:
    """A message from the child, rendered when shown (in the page's language)."""

    code: str
    params: dict = field(default_factory=dict, hash=False, compare=False)

    @classmethod
    def parse(cls, data) -> Note | None:
        if not isinstance(data, dict) or not isinstance(data.get("code"), str):
            return None
        params = data.get("params")
        return cls(data["code"][:40], params if isinstance(params, dict) else {})

    def __str__(self) -> str:
        return render(NOTES, self.code, self.params, _("This part was not checked."))


def render(table: dict, code: str, params: dict, default) -> str:
    """`table[code] % params`, sizes made readable; `default` if that fails."""
    template = table.get(code)
    if template is None:
        return str(default)
    shown = {
        key: filesizeformat(value) if key in SIZES and isinstance(value, int) else value
        for key, value in params.items()
    }
    try:
        return str(template) % shown
    except (KeyError, TypeError, ValueError):
        return str(default)
