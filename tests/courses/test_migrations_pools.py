"""The migration that makes question banks translatable keeps existing banks."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import pytest

BEFORE = [("courses", "0006_quiz_own_questions")]


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_existing_pools_become_french_with_their_own_translation_keys():
    """Banks made before the migration are French, each with its own key."""
    executor = _executor()
    executor.migrate(BEFORE)
    state = executor.loader.project_state(BEFORE).apps
    # The site's default locale, as every installed site has it; a test that
    # emptied the database before this one (live server) may have removed it.
    state.get_model("wagtailcore", "Locale").objects.get_or_create(language_code="fr")
    old = state.get_model("courses", "QuestionPool")
    old.objects.create(code="snds", title="SNDS", questions=[])
    old.objects.create(code="fair", title="FAIR", questions=[])

    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from courses.quizzes import QuestionPool

    pools = list(QuestionPool.objects.select_related("locale").order_by("code"))
    assert [(p.code, p.locale.language_code) for p in pools] == [
        ("fair", "fr"),
        ("snds", "fr"),
    ]
    assert len({p.translation_key for p in pools}) == 2
