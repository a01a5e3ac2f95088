"""Atelier's own account pages, mounted under /accounts/ beside allauth's."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/data.json", views.data_export, name="data_export"),
    path("profile/delete/", views.account_delete, name="delete"),
]
