"""The sandboxed child's job: extract a package zip and read its manifest.

Run through `courses.hdf5.sandbox.run` (a short-lived child process with hard
memory, CPU and wall-clock limits): a hostile zip or manifest can exhaust that
child, never the web process. The reply is JSON: the manifest and the files.
"""

from pathlib import Path

from .archive import extract
from .errors import PackageError
from .limits import PackageLimits
from .manifests import CMI5, SCORM, parse_cmi5
from .scorm import parse_scorm

JOB = "courses.packages.inspection:inspect"


def _root(names: list[str]) -> str:
    """Where the manifest is: the zip's root, or its single top folder (a zipped
    folder rather than its contents, a frequent mistake)."""
    if CMI5 in names or SCORM in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/{CMI5}" in names or f"{top}/{SCORM}" in names:
            return f"{top}/"
    raise PackageError(
        f"zip: neither {CMI5} (cmi5) nor {SCORM} (SCORM) at the root of the package"
    )


def read_manifest(dest: Path, names: list[str], limits: PackageLimits) -> dict:
    root = _root(names)
    files = {name[len(root) :] for name in names if name.startswith(root)}
    manifest_name = CMI5 if CMI5 in files else SCORM
    path = dest / root / manifest_name
    if path.stat().st_size > limits.manifest_bytes:
        raise PackageError(
            f"{manifest_name}: larger than {limits.manifest_bytes} bytes"
        )
    data = path.read_bytes()
    parse = parse_cmi5 if manifest_name == CMI5 else parse_scorm
    manifest = parse(data, files)
    if len(manifest["units"]) > limits.units:
        raise PackageError(
            f"{manifest_name}: {len(manifest['units'])} units, more than {limits.units}"
        )
    manifest["root"] = root
    return manifest


def inspect(request: dict) -> dict:
    """Extract `request["zip"]` into `request["dest"]`, read the manifest."""
    limits = PackageLimits(**request["limits"])
    dest = Path(request["dest"])
    names = extract(request["zip"], dest, limits)
    manifest = read_manifest(dest, names, limits)
    return {"manifest": manifest, "files": len(names)}
