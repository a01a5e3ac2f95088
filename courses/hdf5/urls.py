from django.urls import path

from . import views

app_name = "hdf5"

urlpatterns = [
    path(
        "lessons/<id:lesson_id>/check/<str:block_id>/",
        views.check_file_view,
        name="check",
    ),
]
