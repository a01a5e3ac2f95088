"""Private files: a storage the web server never serves, and names nobody can guess.

Certificate PDFs, certificate ZIPs and learning-records exports name people.
They go to the "private" storage (`STORAGES["private"]`, rooted at
`PRIVATE_ROOT`, default `var/private`, outside `MEDIA_ROOT`): nothing maps a URL
to it, so the only way to a file is a view that checks permissions first (the
certificate and export downloads). Its files have no public URL at all, and
their names are random tokens, so a leaked listing or log line gives nothing
to guess from. Exports are deleted after `EXPORT_RETENTION_DAYS`
(learning/retention.py).
"""

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """A file-system storage without URLs, rooted at `PRIVATE_ROOT` (read when
    first used, and again when a test changes it): files leave only through a view."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError(
            f"{name}: private files have no URL; send them from a view that "
            "checks permissions."
        )


def private_storage():
    """The "private" storage (a callable, so FileFields resolve it from settings)."""
    return storages["private"]


@deconstructible
class UnguessableName:
    """`upload_to`: `<directory>/<random token><the file's extension>`."""

    def __init__(self, directory: str):
        self.directory = directory

    def __call__(self, instance, filename: str) -> str:
        suffix = PurePosixPath(filename).suffix.lower()[:8]
        return f"{self.directory}/{secrets.token_urlsafe(24)}{suffix}"

    def __eq__(self, other):
        return isinstance(other, UnguessableName) and other.directory == self.directory


def move_to_private(queryset, field: str, directory: str, *, missing: dict) -> int:
    """Move the files `field` names from the default storage to the private one,
    under unguessable names (for data migrations); rows whose file is in neither
    get `missing`. The public copy is deleted. Returns how many moved."""
    public, private = storages["default"], storages["private"]
    moved = 0
    for row in queryset.exclude(**{field: ""}).iterator():
        old = getattr(row, field).name
        if private.exists(old):
            continue  # moved already
        if not public.exists(old):
            queryset.filter(pk=row.pk).update(**missing)
            continue
        with public.open(old, "rb") as handle:
            new = private.save(UnguessableName(directory)(row, old), handle)
        queryset.filter(pk=row.pk).update(**{field: new})
        public.delete(old)
        moved += 1
    return moved
