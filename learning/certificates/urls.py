from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>.json", views.verify_json, name="verify_json"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("status/<uuid:uuid>.json", views.credential_status, name="status"),
    path("issuer.json", views.issuer, name="issuer"),
    path("manage/", views.manage, name="manage"),
    path(
        "manage/courses/<id:course_id>/zip/",
        views.export_course,
        name="export_course",
    ),
    path("manage/exports/<id:export_id>/", views.export_status, name="export"),
    path(
        "manage/exports/<id:export_id>/download/",
        views.export_download,
        name="export_download",
    ),
    path("<uuid:uuid>/pdf/", views.download_pdf, name="pdf"),
    path("<uuid:uuid>/open-badge.jwt", views.download_badge, name="badge"),
    path("<uuid:uuid>/revoke/", views.revoke, name="revoke"),
]
