"""The SCORM player's routes on the content origin (under /packages/scorm/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("runtime/<str:name>", views.runtime_file, name="scorm_runtime"),
    path("<str:key>/player", views.player, name="scorm_player"),
    path("<str:key>/data", views.data, name="scorm_data"),
    path("<str:key>/initialize", views.initialize, name="scorm_initialize"),
    path("<str:key>/commit", views.commit, name="scorm_commit"),
]
