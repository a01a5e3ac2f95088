"""Learners' uploaded HDF5 files: size limit, temporary copy, check, clean-up.

Settings (read at call time, so tests can override them):

- `HDF5_UPLOAD_MAX_BYTES` (env `HDF5_UPLOAD_MAX_MB`, default 50): larger files are refused before
  they are opened;
- `HDF5_KEPT_UPLOADS_DIR` (default `<PRIVATE_ROOT>/hdf5-uploads`, with the
  other private files outside the media root, so it is never served): where a file the learner chose to keep is
  stored, one per learner and lesson, named by their pseudonym.

The temporary copy is deleted once checked, whatever the outcome, unless kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .checker import Checklist, CheckReport, check_file
from .inspect import Hdf5FileError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


class FileTooLarge(Hdf5FileError):
    code = "too_large"


def max_upload_bytes() -> int:
    return int(getattr(settings, "HDF5_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def kept_uploads_dir() -> Path:
    default = Path(settings.PRIVATE_ROOT) / "hdf5-uploads"
    return Path(getattr(settings, "HDF5_KEPT_UPLOADS_DIR", default))


def too_large_error(limit: int | None = None) -> FileTooLarge:
    limit = limit or max_upload_bytes()
    return FileTooLarge(
        _("This file is too large: the limit is %(limit)s.")
        % {"limit": filesizeformat(limit)}
    )


def save_temporary(upload, *, limit: int | None = None) -> Path:
    """Copy an uploaded file to a private temporary file, refusing it past `limit`."""
    limit = limit or max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise too_large_error(limit)
    descriptor, name = tempfile.mkstemp(prefix="atelier-hdf5-", suffix=".h5")
    written = 0
    try:
        with os.fdopen(descriptor, "wb") as target:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > limit:  # the announced size lied
                    raise too_large_error(limit)
                target.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


@dataclass
class UploadResult:
    report: CheckReport | None
    error: Hdf5FileError | None = None
    kept_as: Path | None = None

    @property
    def passed(self) -> bool:
        return self.report is not None and self.report.passed


def check_upload(
    upload, checklist: Checklist, *, keep_as: Path | None = None
) -> UploadResult:
    """Check an uploaded file; it is deleted afterwards unless `keep_as` is given."""
    try:
        temporary = save_temporary(upload)
    except Hdf5FileError as error:
        return UploadResult(report=None, error=error)
    kept = None
    try:
        try:
            report = check_file(temporary, checklist)
        except Hdf5FileError as error:
            return UploadResult(report=None, error=error)
        if keep_as is not None:
            keep_as.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(temporary, keep_as)
            kept = keep_as
        return UploadResult(report=report, kept_as=kept)
    finally:
        if kept is None:
            temporary.unlink(missing_ok=True)


def kept_path(user, lesson) -> Path:
    """Where `user`'s kept file for `lesson` goes (pseudonymous, one per lesson)."""
    return kept_uploads_dir() / str(user.pseudonym) / f"lesson-{lesson.pk}.h5"
