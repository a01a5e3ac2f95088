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


def test_trainer_translates_a_question_pool(client, trainer, site_structure):
    """A trainer translates a bank from the admin ("Translate"): the English bank
    has the same code and translation key, and its questions the same ids."""
    from django.urls import reverse
    from wagtail.models import Locale

    from courses.quizzes import QuestionPool
    from tests.quiz.conftest import ALL_TYPES

    pool = QuestionPool.objects.create(code="snds", title="SNDS", questions=ALL_TYPES)
    english = Locale.objects.get(language_code="en")
    client.force_login(trainer)
    url = reverse(
        "simple_translation:submit_snippet_translation",
        args=["courses", "questionpool", pool.pk],
    )
    assert client.get(url).status_code == 200
    response = client.post(url, {"locales": [english.pk]})
    assert response.status_code == 302
    translated = pool.get_translation(english)
    assert (translated.code, translated.translation_key) == (
        pool.code,
        pool.translation_key,
    )
    assert [q["id"] for q in translated.question_snapshots()] == [
        q["id"] for q in pool.question_snapshots()
    ]
    listing = client.get("/admin/snippets/courses/questionpool/?locale=en")
    assert listing.status_code == 200
