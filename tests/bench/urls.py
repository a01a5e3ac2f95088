"""The product's URLs plus `/bench/constant/`: a bare Django view returning a
constant, served by the same gunicorn workers and middleware, as the baseline
that page throughput is compared with."""

from django.http import HttpResponse
from django.urls import path

from cms.urls import urlpatterns as product_urlpatterns


def constant(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/constant/", constant), *product_urlpatterns]
