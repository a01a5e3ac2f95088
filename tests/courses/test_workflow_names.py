"""The moderation workflow reads in French in the editor (issue 17, point 5):
no "Soumettre à Moderators approval"."""

from wagtail.models import Task, Workflow
from wagtail.users.models import UserProfile

import pytest

pytestmark = pytest.mark.django_db


def test_workflow_names_are_french_after_migrating():
    """Wagtail's default workflow and task carry French names (data: an
    administrator may rename them in Settings > Workflows)."""
    assert list(Workflow.objects.values_list("name", flat=True)) == ["Relecture"]
    assert list(Task.objects.values_list("name", flat=True)) == [
        "Validation par un modérateur"
    ]


@pytest.mark.parametrize(
    ("language", "label"),
    [("fr", "Soumettre à la modération"), ("en", "Submit for moderation")],
)
def test_workflow_submit_button_in_the_editors_language(
    client, editor, course, language, label
):
    """The editor's button says what it does in the editor's own language,
    without the workflow's name in the middle of the sentence."""
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = language  # the admin's language
    profile.save()
    client.force_login(editor)
    response = client.get(f"/admin/pages/{course.pk}/edit/")
    html = response.content.decode()
    assert response.status_code == 200
    assert label in html
    assert "Moderators approval" not in html
    assert "Soumettre à Relecture" not in html and "Submit to" not in html
