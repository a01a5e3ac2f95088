"""Trainers manage themes and question pools in the Wagtail admin; learners cannot."""

import pytest

pytestmark = pytest.mark.django_db


def test_trainer_lists_question_pools(client, trainer):
    """A trainer reaches the question pools in the admin."""
    client.force_login(trainer)
    response = client.get("/admin/snippets/courses/questionpool/")
    assert response.status_code == 200


def test_learner_cannot_open_the_admin(client, learner):
    """A learner without admin access is sent away from the pools."""
    client.force_login(learner)
    response = client.get("/admin/snippets/courses/questionpool/")
    assert response.status_code in (302, 403)
