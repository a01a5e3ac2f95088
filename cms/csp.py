"""Content-Security-Policy for the site's HTML (django-csp).

The site's own pages get the strict policy of settings.CONTENT_SECURITY_POLICY:
scripts, styles and fonts from the site only, no inline code, no plugins. The
Wagtail admin (and Django's, and the API's Swagger page) ship inline scripts and
styles, so their paths get a policy they work with: inline allowed, scripts
still from the site only. The LRS sets its own sandboxing policy on every answer
(learning/xapi/lrs/http.py); this middleware never overwrites a policy a view set.
"""

from django.conf import settings

from csp.middleware import CSPMiddleware, PolicyParts

# Paths served by third-party templates with inline scripts and styles.
ADMIN_PREFIXES = ("/admin/", "/django-admin/", "/django-rq/", "/api/v1/docs")


def admin_directives() -> dict:
    """The site's policy with the inline code and images the admins need."""
    directives = dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    directives.update(
        {
            "script-src": ["'self'", "'unsafe-inline'"],
            "style-src": ["'self'", "'unsafe-inline'"],
            # Image previews (images may be hosted elsewhere).
            "img-src": ["'self'", "data:", "blob:", "https:"],
            "frame-src": ["'self'", "https:"],
            # Wagtail's new-release notice on the dashboard.
            "connect-src": ["'self'", "https://releases.wagtail.org"],
        }
    )
    return directives


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's policy on the admin's paths."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(ADMIN_PREFIXES)
        ):
            parts.config = admin_directives()
        return parts
