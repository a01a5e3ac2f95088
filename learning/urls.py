from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("learning/", views.my_learning, name="my_learning"),
    path(
        "learning/courses/<int:course_id>/start/",
        views.start_course,
        name="start_course",
    ),
    path(
        "learning/lessons/<int:lesson_id>/complete/",
        views.complete_lesson,
        name="complete_lesson",
    ),
]
