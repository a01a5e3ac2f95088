"""Importing a package zip: the one function every entry point calls (admin
form, `import_package`, course folders, the API), all or nothing.

The zip is copied to a working folder, then a sandboxed child process
(courses/hdf5/sandbox.py, the HDF5 checker's) extracts and reads it within
hard limits; the web process only reads back its JSON reply. The package row
and its units are written in one transaction; if anything fails, the extracted
files and the stored zip are removed, and the caller gets `PackageError` with
"file: reason" lines.
"""

import hashlib
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page

from cms.storage import private_storage
from courses.hdf5.sandbox import SandboxError, SandboxLimits, run

from .archive import remove_tree
from .errors import PackageError
from .inspection import JOB
from .limits import PackageLimits
from .models import Package, PackageLessonPage, PackageUnit

_created = threading.local()


@contextmanager
def cleanup_on_failure():
    """Remove the files of every package imported inside the block if it fails.

    Wrap an entry point's whole transaction with it: a package recorded by an
    import whose page (or course folder) is then refused leaves no file behind.
    """
    outer = getattr(_created, "packages", None)
    _created.packages = []
    try:
        yield
    except BaseException:
        for package in _created.packages:
            delete_files(package)
        raise
    finally:
        if outer is not None:
            outer.extend(_created.packages)
        _created.packages = outer


def delete_files(package: Package) -> None:
    """The extracted content and the stored zip of `package`."""
    storage = private_storage()
    remove_tree(storage.path(package.content_name))
    if package.archive.name:
        storage.delete(package.archive.name)


def _copy_source(
    source, target: Path, limits: PackageLimits, name: str
) -> tuple[str, int]:
    """Copy the upload (a path or a file object) to `target`: its SHA-256 and size."""
    digest, size = hashlib.sha256(), 0
    handle = open(source, "rb") if isinstance(source, str | Path) else source
    try:
        if hasattr(handle, "seek"):
            handle.seek(0)
        with open(target, "wb") as out:
            while chunk := handle.read(1024 * 1024):
                size += len(chunk)
                if size > limits.upload_bytes:
                    raise PackageError(
                        f"{name}: larger than {limits.upload_bytes} bytes"
                    )
                digest.update(chunk)
                out.write(chunk)
    finally:
        if isinstance(source, str | Path):
            handle.close()
    if not size:
        raise PackageError(f"{name}: empty file")
    return digest.hexdigest(), size


def sandbox_limits() -> SandboxLimits:
    return SandboxLimits.from_settings(
        cpu_seconds=settings.PACKAGE_SANDBOX_CPU_SECONDS,
        wall_seconds=settings.PACKAGE_SANDBOX_WALL_SECONDS,
    )


def _inspect(zip_path: Path, dest: Path, limits: PackageLimits, name: str) -> dict:
    request = {"zip": str(zip_path), "dest": str(dest), "limits": limits.as_dict()}
    try:
        reply = run(JOB, request, limits=sandbox_limits())
    except SandboxError as error:
        if error.code == "busy":
            raise PackageError(
                f"{name}: the server is busy reading other files, try again in a minute"
            ) from None
        raise PackageError(
            f"{name}: could not be read within the limits ({error.code})"
        ) from None
    if not reply["ok"]:
        error = reply.get("error") or {}
        errors = (error.get("params") or {}).get("errors")
        if error.get("code") == "memory":
            errors = [f"{name}: needs more memory than allowed to be read"]
        raise PackageError(errors or [f"{name}: could not be read"])
    return reply["result"]


def import_package(source, *, name: str = "", user=None) -> Package:
    """Check, extract and record the package zip `source` (a path or a file).

    PackageError("file: reason", ...) if it is refused; nothing is left then.
    """
    name = name or Path(getattr(source, "name", None) or str(source)).name
    limits = PackageLimits.from_settings()
    storage = private_storage()
    package_id = uuid.uuid4()
    work = Path(storage.path(f"packages/tmp/{package_id}"))
    dest = Path(storage.path(f"packages/content/{package_id}"))
    package = Package(id=package_id, original_name=name[:255], imported_by=user)
    try:
        work.mkdir(parents=True)
        dest.mkdir(parents=True)
        zip_path = work / "package.zip"
        package.sha256, package.size = _copy_source(source, zip_path, limits, name)
        result = _inspect(zip_path, dest, limits, name)
        manifest = result["manifest"]
        with transaction.atomic():
            with open(zip_path, "rb") as handle:
                package.archive.save(f"{package_id}.zip", File(handle), save=False)
            _fill(package, manifest, result["files"])
            package.save()
            PackageUnit.objects.bulk_create(
                _unit(package, position, unit)
                for position, unit in enumerate(manifest["units"])
            )
    except BaseException:
        delete_files(package)
        raise
    finally:
        remove_tree(work)
    if getattr(_created, "packages", None) is not None:
        _created.packages.append(package)
    return package


def _fill(package: Package, manifest: dict, file_count: int) -> None:
    package.format = manifest["format"]
    package.version = manifest["version"][:60]
    package.identifier = manifest["identifier"][:1000]
    package.title = manifest["title"]
    package.root = manifest["root"][:255]
    package.file_count = file_count
    package.manifest = {
        key: manifest[key] for key in ("description", "structure") if key in manifest
    }


def _unit(package: Package, position: int, unit: dict) -> PackageUnit:
    return PackageUnit(
        package=package,
        position=position,
        kind=unit["kind"],
        identifier=unit["identifier"][:1000],
        title=unit["title"],
        description=unit["description"],
        url=unit["url"][:2000],
        move_on=unit["move_on"],
        mastery_score=unit["mastery_score"],
        launch_method=unit["launch_method"],
        launch_parameters=unit["launch_parameters"],
        entitlement_key=unit["entitlement_key"],
        activity_type=unit["activity_type"][:1000],
        blocks=unit["blocks"],
        extra=unit.get("extra", {}),
    )


def _free_slug(course: Page, wanted: str) -> str:
    base = slugify(wanted)[:70] or "package"
    taken = set(course.get_children().values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_package_lesson(
    course,
    source,
    *,
    name: str = "",
    title: str = "",
    slug: str = "",
    user=None,
    publish: bool = True,
) -> PackageLessonPage:
    """Import `source` and add it to `course` as a new package lesson (published
    unless `publish` is false). All or nothing: PackageError leaves nothing."""
    with cleanup_on_failure(), transaction.atomic():
        package = import_package(source, name=name, user=user)
        title = title or package.title_text or _("Package")
        lesson = PackageLessonPage(
            title=title[:255],
            slug=slug or _free_slug(course, title),
            package=package,
            summary="",
            body=[],
            owner=user,
        )
        course.add_child(instance=lesson)
        revision = lesson.save_revision(user=user)
        if publish:
            revision.publish(user=user)
        return lesson


def replace_package(
    lesson: PackageLessonPage,
    source,
    *,
    name: str = "",
    user=None,
    publish: bool = True,
) -> PackageLessonPage:
    """Import `source` as the lesson's new package (a new revision). The old
    package stays: launch sessions and statements refer to its units."""
    with cleanup_on_failure(), transaction.atomic():
        lesson.package = import_package(source, name=name, user=user)
        revision = lesson.save_revision(user=user)
        if publish:
            revision.publish(user=user)
        return lesson
