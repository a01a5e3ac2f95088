"""The xAPI resources, mounted at /xapi/ (outside the language prefixes).

Paths are accepted with or without a trailing slash: clients differ.
"""

from django.urls import re_path

from . import views

app_name = "xapi"

urlpatterns = [
    re_path(r"^about/?$", views.about, name="about"),
    re_path(r"^statements/?$", views.statements, name="statements"),
    re_path(r"^statements/more/(?P<token>[^/]+)/?$", views.more, name="more"),
    re_path(r"^activities/state/?$", views.state, name="state"),
    re_path(r"^activities/profile/?$", views.activity_profile, name="activity-profile"),
    re_path(r"^activities/?$", views.activities, name="activities"),
    re_path(r"^agents/profile/?$", views.agent_profile, name="agent-profile"),
    re_path(r"^agents/?$", views.agents, name="agents"),
]
