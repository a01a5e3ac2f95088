"""The viewer block's data: the tree of a trainer's HDF5 document, cached.

The tree is computed once per file version (the document's id and content
hash), in the sandbox, and kept in the cache, so a lesson page never re-reads
the file; a file the sandbox could not read is remembered too (a file that
crashes libhdf5 is not retried on every page view), unless the sandbox was
only busy.
"""

from __future__ import annotations

import logging
import pickle
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.cache import cache

from .answers import ComputedAnswer, compute_answer
from .inspect import Hdf5FileError, Tree, inspect_file
from .limits import Limits

logger = logging.getLogger(__name__)

CACHE_SECONDS = 7 * 24 * 3600
CACHE_VERSION = 2  # 2: notes are codes rendered in the page's language


@contextmanager
def document_path(document) -> Iterator[Path]:
    """A local path to a Wagtail document's file (a temporary copy if remote)."""
    try:
        yield Path(document.file.path)
        return
    except NotImplementedError:  # storage without local paths (S3...)
        pass
    with tempfile.NamedTemporaryFile(suffix=".h5") as copy:
        with document.file.open("rb") as source:
            shutil.copyfileobj(source, copy)
        copy.flush()
        yield Path(copy.name)


def cache_key(document, limits: Limits) -> str:
    version = document.get_file_hash() or document.file.name
    return f"hdf5-tree:{CACHE_VERSION}:{document.pk}:{version}:{hash(limits)}"


def describe_document(document, limits: Limits | None = None) -> Tree:
    """The tree of an HDF5 document, from the cache when this version was seen."""
    limits = limits or Limits.from_settings()
    key = cache_key(document, limits)
    cached = cache.get(key)
    if isinstance(cached, Tree):
        return cached
    if isinstance(cached, Hdf5FileError):
        raise cached
    try:
        with document_path(document) as path:
            tree = inspect_file(path, limits)
    except FileNotFoundError as error:
        raise Hdf5FileError from error
    except Hdf5FileError as error:
        if error.cacheable:
            cache.set(key, Hdf5FileError(str(error.message)), CACHE_SECONDS)
        raise
    try:
        cache.set(key, tree, CACHE_SECONDS)
    except (TypeError, pickle.PicklingError):  # a value we failed to simplify
        logger.exception("HDF5 tree of document %s not cached", document.pk)
    return tree


def compute_document_answer(
    document, kind: str, path: str, **options
) -> ComputedAnswer:
    """`compute_answer` for a Wagtail document (what the quiz editor calls)."""
    with document_path(document) as local:
        return compute_answer(local, kind, path, **options)
