"""The routes of the content origin (and only them: origin.py). A player for
another format adds its own routes here (e.g. a SCORM API wrapper page)."""

from django.urls import include, path

from . import content

urlpatterns = [
    path("packages/launch/<str:token>", content.launch, name="launch"),
    path("packages/return/<str:key>", content.returned, name="return"),
    path("packages/s/<str:key>/<path:path>", content.serve_file, name="file"),
    # The SCORM player: its wrapper page, run-time API and endpoints (learning/scorm).
    path("packages/scorm/", include("learning.scorm.content_urls")),
]
