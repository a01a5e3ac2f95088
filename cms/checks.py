"""System checks: private files must not sit where the web server serves files;
the browser libraries that `make install` copies must be there."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Info, register


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@register()
def check_private_root(app_configs, **kwargs):
    """PRIVATE_ROOT inside MEDIA_ROOT or STATIC_ROOT would publish certificates."""
    private = Path(settings.PRIVATE_ROOT).resolve()
    errors = []
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        served = Path(getattr(settings, name)).resolve()
        if _inside(private, served) or _inside(served, private):
            errors.append(
                Error(
                    f"PRIVATE_ROOT ({private}) overlaps {name} ({served}), which "
                    "the web server serves: certificates and exports would be public.",
                    hint="Set PRIVATE_ROOT to a folder outside MEDIA_ROOT and STATIC_ROOT.",
                    id="cms.E001",
                )
            )
    return errors


# Copied from node_modules by `make install` (Makefile, package-lock.json).
VENDOR_FILES = (
    "vendor/scorm-again/scorm12.min.js",
    "vendor/scorm-again/scorm12.min.js.map",
    "vendor/scorm-again/scorm2004.min.js",
    "vendor/scorm-again/scorm2004.min.js.map",
    "vendor/scorm-again/LICENSE",
)


@register()
def check_vendor_files(app_configs, **kwargs):
    """Without scorm-again, SCORM packages cannot be played. Info, not a warning:
    work trees that never ran `make install` still pass `check --deploy`."""
    from django.contrib.staticfiles import finders

    missing = [name for name in VENDOR_FILES if not finders.find(name)]
    if not missing:
        return []
    return [
        Info(
            f"Browser libraries missing from the static files: {', '.join(missing)}; "
            "SCORM packages cannot be played.",
            hint="Run `make install` (or `make vendor`): it runs `npm ci` and "
            "copies them to cms/static/vendor/.",
            id="cms.I002",
        )
    ]
