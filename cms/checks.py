"""System check: private files must not sit where the web server serves files."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


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
