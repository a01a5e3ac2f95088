from django.urls import path

from . import views

app_name = "lti"

urlpatterns = [
    path("jwks.json", views.jwks, name="jwks"),
    path("login/", views.login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("go/<uuid:key>/", views.go, name="go"),
    path("deep-link/", views.deep_link, name="deep-link"),
    path("members/", views.members, name="members"),
    path("register/<str:token>/", views.dynamic_registration, name="register"),
]
