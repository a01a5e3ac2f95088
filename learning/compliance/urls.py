from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.<str:fmt>", views.export, name="export"),
    path("register.<str:fmt>", views.register, name="register"),
    path("people/<uuid:pseudonym>/", views.person, name="person"),
    path("people/<uuid:pseudonym>/remind/", views.remind, name="remind"),
    path("people/<uuid:pseudonym>/enrol/", views.enrol, name="enrol"),
    path("people/<uuid:pseudonym>/place/", views.place, name="place"),
    path("requests/<id:pk>/confirm/", views.confirm_request, name="confirm_request"),
    path("requests/<id:pk>/refuse/", views.refuse_request, name="refuse_request"),
]
