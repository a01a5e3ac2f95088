"""Who may show Atelier in a frame: the registered platforms, on LTI pages only.

The site's pages keep `frame-ancestors 'self'` (cms/settings, django-csp) and
X-Frame-Options; a page served to an LTI-launched session, and the LTI
endpoints themselves (their error pages show inside the LMS), name the
platform origins instead and drop X-Frame-Options, which cannot list origins.
"""

from .models import Platform


def all_platform_origins() -> list[str]:
    origins = set()
    for platform in Platform.objects.active():
        origins.update(platform.allowed_frame_origins)
    return sorted(origins)


def allow_framing(response, origins) -> None:
    """Let `origins` (and the site itself) frame this response, nobody else."""
    response._csp_replace = {
        **(getattr(response, "_csp_replace", None) or {}),
        "frame-ancestors": ["'self'", *origins],
    }
    response.xframe_options_exempt = True
    if "X-Frame-Options" in response:
        del response["X-Frame-Options"]
