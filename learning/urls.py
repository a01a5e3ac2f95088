from django.urls import path

from . import views
from .analytics import views as analytics_views
from .launches import views as launch_views

app_name = "learning"

urlpatterns = [
    path("learning/", views.my_learning, name="my_learning"),
    path(
        "learning/courses/<id:course_id>/start/",
        views.start_course,
        name="start_course",
    ),
    path(
        "learning/lessons/<id:lesson_id>/complete/",
        views.complete_lesson,
        name="complete_lesson",
    ),
    path(
        "learning/packages/<id:lesson_id>/units/<id:unit_id>/launch/",
        launch_views.launch_unit,
        name="launch_unit",
    ),
    path(
        "learning/records/exports/",
        analytics_views.records_exports,
        name="records_exports",
    ),
    path(
        "learning/records/exports/<uuid:export_id>/",
        analytics_views.records_export,
        name="records_export",
    ),
    path(
        "learning/records/exports/<uuid:export_id>/download/",
        analytics_views.records_export_download,
        name="records_export_download",
    ),
]
