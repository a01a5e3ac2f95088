"""The site's URLs plus one that fails (/boom/, /en/boom/), for the 500 page's tests."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from cms.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [
    *i18n_patterns(path("boom/", boom), prefix_default_language=False),
    *site_urlpatterns,
]
