import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as account_views
from cms import routing
from cms.api import api
from learning.certificates import views as certificate_views
from learning.launches import views as launch_views

# One log-in for everyone: the admin log-in pages redirect to allauth's, which
# checks e-mail verification, throttles failures and offers SSO.
admin_logins = [
    path(
        "django-admin/login/",
        account_views.admin_login,
        {"default_next": "/django-admin/"},
    ),
    path("admin/login/", account_views.admin_login, {"default_next": "/admin/"}),
    path("admin/password_reset/", account_views.admin_password_reset),
]

# A database locked past the busy timeout outside a view: 503, not 500.
handler500 = "cms.outages.server_error"

urlpatterns = [
    *admin_logins,
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("django-rq/", include("django_rq.urls")),
    # cmi5 fetch URLs (learning/launches/cmi5.py), beside the LRS they open.
    path("xapi/cmi5/fetch/<str:token>", launch_views.fetch, name="cmi5_fetch"),
    path("xapi/", include("learning.xapi.lrs.urls")),  # the LRS: no language prefix
    path(".well-known/jwks.json", certificate_views.jwks, name="jwks"),
    path("lti/", include("learning.lti.urls")),  # LTI 1.3: no language prefix
    path("api/v1/", api.urls),  # REST API (django-ninja), docs at /api/v1/docs
]

if settings.DEBUG or settings.SERVE_MEDIA:
    # The embedded default (a laptop, the demo) serves uploads itself, even
    # with DEBUG off; production leaves /media/ to the web server.
    from django.views.static import serve as serve_file

    urlpatterns.append(
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve_file,
            {"document_root": settings.MEDIA_ROOT},
        )
    )

# Wagtail's front-end URLs, pages served through a memoised route (cms/routing.py).
wagtail_front_urls = [
    pattern
    for pattern in wagtail_urls.urlpatterns
    if getattr(pattern, "name", None) != "wagtail_serve"
] + [re_path(wagtail_urls.serve_pattern, routing.serve, name="wagtail_serve")]

# French (the default language) at /, English under /en/; Wagtail serves the
# page tree of the active locale.
urlpatterns += i18n_patterns(
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("learning.urls")),
    path("hdf5/", include("courses.hdf5.urls")),
    path("certificates/", include("learning.certificates.urls")),
    path("compliance/", include("learning.compliance.urls")),
    path("", include(wagtail_front_urls)),
    prefix_default_language=False,
)
