"""Zip safety: what may come out of an uploaded zip, and extracting it.

Runs in the sandboxed child (inspection.py), under its memory and CPU limits;
the checks here bound the work anyway. Refused, with "name: reason":

- names that leave the folder: absolute paths, drive letters, `..`, backslashes,
  NUL and other control characters, over-long names;
- symbolic links (and anything but plain files and folders), encrypted entries;
- two entries of the same name;
- too many entries, a file or a total larger than the limits, an entry whose
  uncompressed/compressed ratio marks a zip bomb. Sizes are counted while
  decompressing, never taken from the (forgeable) headers.
"""

import shutil
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from .errors import PackageError
from .limits import PackageLimits

CHUNK = 64 * 1024


def _name_problem(name: str, limits: PackageLimits) -> str | None:
    if len(name) > limits.path_chars:
        return f"name longer than {limits.path_chars} characters"
    if any(ord(char) < 32 or char == "\x7f" for char in name):
        return "control character in the name"
    if "\\" in name:
        return "backslash in the name (zip paths use /)"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    parts = PurePosixPath(name).parts
    if ".." in parts:
        return "path leaves the package folder (..)"
    if any(len(part.encode()) > 255 for part in parts):
        return "a path component is longer than 255 bytes"
    return None


def _kind_problem(info: zipfile.ZipInfo) -> str | None:
    kind = stat.S_IFMT(info.external_attr >> 16)  # Unix file type, 0 if unset
    if info.flag_bits & 0x1:
        return "encrypted entry"
    if kind == stat.S_IFLNK:
        return "symbolic link"
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return "not a plain file"
    return None


def check_entries(
    archive: zipfile.ZipFile, limits: PackageLimits
) -> list[zipfile.ZipInfo]:
    """The plain files of `archive`, once every entry passed the name and kind
    checks; PackageError listing every problem otherwise."""
    infos = archive.infolist()
    if len(infos) > limits.files:
        raise PackageError(f"zip: {len(infos)} entries, more than {limits.files}")
    errors, files, seen = [], [], set()
    declared = 0
    for info in infos:
        name = info.filename
        problem = _name_problem(name, limits) or _kind_problem(info)
        if problem:
            errors.append(f"{name[:200]!s}: {problem}")
            continue
        if info.is_dir():
            continue
        key = PurePosixPath(name).as_posix()
        if key in seen:
            errors.append(f"{name}: appears twice in the zip")
            continue
        seen.add(key)
        declared += info.file_size
        if info.file_size > limits.file_bytes:
            errors.append(
                f"{name}: {info.file_size} bytes, more than {limits.file_bytes}"
            )
        files.append(info)
    if declared > limits.total_bytes:
        errors.append(
            f"zip: {declared} bytes uncompressed, more than {limits.total_bytes}"
        )
    if errors:
        raise PackageError(errors)
    return files


def _copy(
    archive, info, target: Path, limits: PackageLimits, budget: list[int]
) -> None:
    """Decompress one entry, counting bytes as they come (headers can lie)."""
    written = 0
    with archive.open(info) as source, open(target, "xb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            budget[0] -= len(chunk)
            if written > limits.file_bytes or written > max(info.file_size, 0) + CHUNK:
                raise PackageError(f"{info.filename}: larger than its declared size")
            if budget[0] < 0:
                raise PackageError(
                    f"zip: more than {limits.total_bytes} bytes uncompressed"
                )
            if written > limits.ratio_floor_bytes and written > limits.ratio * max(
                info.compress_size, 1
            ):
                raise PackageError(
                    f"{info.filename}: compressed more than {limits.ratio} times "
                    "(a zip bomb?)"
                )
            out.write(chunk)


def extract(zip_path: str | Path, dest: str | Path, limits: PackageLimits) -> list[str]:
    """Check and extract `zip_path` into the empty folder `dest`; the file names.

    PackageError on any problem; `dest` is then left for the caller to remove.
    """
    dest = Path(dest)
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise PackageError(f"zip: not a readable zip file ({error})") from None
    names = []
    with archive:
        files = check_entries(archive, limits)
        budget = [limits.total_bytes]
        root = dest.resolve()
        for info in files:
            target = (dest / info.filename).resolve()
            if root not in target.parents:  # belt and braces after _name_problem
                raise PackageError(f"{info.filename}: path leaves the package folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                _copy(archive, info, target, limits, budget)
            except FileExistsError:
                raise PackageError(
                    f"{info.filename}: appears twice in the zip"
                ) from None
            except (
                zipfile.BadZipFile,
                EOFError,
                OSError,
                NotImplementedError,
                zlib.error,
            ) as error:
                raise PackageError(
                    f"{info.filename}: cannot be read ({error})"
                ) from None
            names.append(PurePosixPath(info.filename).as_posix())
    return names


def remove_tree(path: str | Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
