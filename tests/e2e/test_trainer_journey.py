"""A trainer (`formatrice`) writes a course in the admin, previews it and publishes it.

One test per step that stopped trainers (issue 17, points 1 to 5). The public
pages (previews included) pass axe-core; the Wagtail admin is Wagtail's own.
"""

import pytest
from playwright.sync_api import expect

from cms.roles import ensure_role_groups
from cms.site_structure import ensure_site_structure
from courses.models import CoursePage, LessonPage
from courses.quizzes import QuestionPool, QuizPage, QuizPoolDraw
from learning.models import Enrollment, LessonProgress, QuizAttempt, Statement
from tests.factories import UserFactory, add_draft
from tests.quiz.conftest import ALL_TYPES

from .conftest import format_violations, log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def trainer(e2e_db):
    user = UserFactory(username="formatrice", first_name="Inès")
    user.groups.add(ensure_role_groups()["trainers"])
    return user


@pytest.fixture
def draft_course(trainer):
    """A course written but never published: two lessons and a quiz, all drafts."""
    catalogue = ensure_site_structure().catalogue("fr")
    course = add_draft(
        catalogue,
        CoursePage(
            title="Données de santé", slug="donnees-sante", summary="Un **module**."
        ),
    )
    for number, title in enumerate(["Introduction", "Les bases"], start=1):
        add_draft(
            course,
            LessonPage(
                title=title,
                slug=f"lecon-{number}",
                body=[("markdown", f"Le contenu de la leçon {number}.")],
            ),
        )
    pool = QuestionPool.objects.create(code="p", title="Santé", questions=ALL_TYPES)
    quiz = QuizPage(title="Évaluation", slug="evaluation", live=False)
    course.add_child(instance=quiz)
    QuizPoolDraw.objects.create(quiz=quiz, pool=pool, count=3)
    quiz.save_revision()
    return course


def nothing_recorded():
    assert not Enrollment.objects.exists()
    assert not LessonProgress.objects.exists()
    assert not QuizAttempt.objects.exists()
    assert not Statement.objects.exists()


def test_trainer_previews_a_quiz(
    page, live_server, trainer, draft_course, assert_accessible
):
    """Point 1: the quiz's preview opens (it was a 500) and shows drawn questions."""
    quiz = QuizPage.objects.child_of(draft_course).get()
    log_in(page, live_server, trainer)
    page.goto(f"{live_server.url}/admin/pages/{quiz.pk}/edit/")
    page.locator("[data-side-panel-toggle=preview]").click()
    frame = page.frame_locator("#w-preview-iframe")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Évaluation")
    expect(frame.get_by_text("Prévisualisation", exact=True)).to_be_visible()

    page.goto(f"{live_server.url}/admin/pages/{quiz.pk}/view_draft/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Évaluation")
    assert_accessible(page)
    page.get_by_role("link", name="Voir les questions tirées pour un apprenant").click()
    expect(page.locator(".question")).to_have_count(3)
    expect(page.get_by_role("button", name="Envoyer")).to_be_disabled()
    assert_accessible(page)
    nothing_recorded()


def test_trainer_previews_a_draft_course_as_a_whole(
    page, live_server, trainer, draft_course, assert_accessible
):
    """Point 2: the draft course's preview lists its draft lessons and quiz, and
    leads from lesson to lesson ("Leçon 1 sur 2"), recording nothing."""
    lesson = LessonPage.objects.child_of(draft_course).get(slug="lecon-2")
    lesson.title = "Les bases, revues"  # a draft of a draft: the latest revision
    lesson.save_revision()
    log_in(page, live_server, trainer)

    page.goto(f"{live_server.url}/admin/pages/{draft_course.pk}/view_draft/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Données de santé")
    syllabus = page.locator(".syllabus__item")
    expect(syllabus).to_have_count(3)
    expect(syllabus.nth(1)).to_contain_text("Les bases, revues")
    expect(page.get_by_text("aucune leçon publiée")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Commencer : Introduction").click()
    expect(page.locator(".eyebrow")).to_contain_text("Leçon 1 sur 2")
    outline = page.get_by_role("navigation", name="Plan de la formation")
    expect(outline.get_by_role("listitem")).to_have_count(3)  # the quiz too
    assert_accessible(page)
    page.get_by_role("link", name="Leçon suivante : Les bases, revues").click()
    expect(page.locator(".eyebrow")).to_contain_text("Leçon 2 sur 2")
    page.get_by_role("link", name="Données de santé").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Données de santé")
    nothing_recorded()


def publish_from_editor(page, live_server, course, action: str) -> None:
    """Open the course's editor and choose `action` in its actions menu."""
    page.goto(f"{live_server.url}/admin/pages/{course.pk}/edit/")
    page.locator(".w-dropdown-button").get_by_role(
        "button", name="Plus d'actions"
    ).click()
    page.get_by_role("button", name=action, exact=True).click()
    page.wait_for_load_state()


def test_trainer_publishes_the_course_with_its_lessons(
    page, live_server, trainer, draft_course, assert_accessible
):
    """Point 3: the course published alone stays out of the catalogue (no lesson
    published); "publish with its lessons and quizzes" publishes it all at once."""
    catalogue = draft_course.get_parent()
    log_in(page, live_server, trainer)
    publish_from_editor(page, live_server, draft_course, "Publier")
    draft_course.refresh_from_db()
    assert draft_course.live
    page.goto(f"{live_server.url}{catalogue.url}")
    expect(page.get_by_role("link", name="Données de santé")).to_have_count(0)
    assert_accessible(page)
    page.goto(f"{live_server.url}{catalogue.url}?q=module")
    expect(page.get_by_role("link", name="Données de santé")).to_have_count(0)

    publish_from_editor(
        page, live_server, draft_course, "Publier avec ses leçons et quiz"
    )
    expect(page.get_by_text("est publiée avec 3 leçons et quiz")).to_be_visible()
    page.goto(f"{live_server.url}{catalogue.url}")
    page.get_by_role("link", name="Données de santé").click()
    expect(page.locator(".syllabus__item")).to_have_count(3)
    assert_accessible(page)
    assert not draft_course.get_children().not_live().exists()


def test_trainer_writes_questions_in_the_quiz(
    page, live_server, trainer, draft_course, assert_accessible
):
    """Point 4: a question written in the quiz's editor, a bank found by search
    (with its question count) and a new bank created from the chooser, without
    leaving the quiz; the preview draws from all of them."""
    QuestionPool.objects.create(
        code="fair-bases", title="Les bases FAIR", questions=ALL_TYPES[:2]
    )
    quiz = QuizPage.objects.child_of(draft_course).get()
    log_in(page, live_server, trainer)
    page.goto(f"{live_server.url}/admin/pages/{quiz.pk}/edit/")

    own = page.locator("[id$='-questions-section']")
    own.locator(".c-sf-add-button").first.click()
    page.get_by_role("option", name="Vrai ou faux").click()
    own.get_by_role("textbox", name="question").fill("Un DOI est **pérenne**.")
    own.get_by_role("checkbox", name="l’affirmation est vraie").check()

    page.get_by_role("button", name="Tirer des questions d’une banque").click()
    page.locator("#id_draws-1-pool-chooser [data-chooser-action-choose]").click()
    modal = page.locator(".modal-content")
    modal.get_by_role("textbox", name="Terme de recherche").fill("bases")
    expect(modal.get_by_role("row").filter(has_text="Les bases FAIR")).to_contain_text(
        "2"
    )
    modal.get_by_role("tab", name="Nouvelle banque de questions").click()
    modal.locator("input[name=title]").fill("Identifiants")
    modal.locator("input[name=code]").fill("identifiants")
    modal.locator(".c-sf-add-button").first.click()
    page.get_by_role("option", name="Vrai ou faux").click()
    modal.locator("textarea[name$='-value-prompt']").fill(
        "Un ORCID identifie une personne."
    )
    modal.get_by_role("button", name="Créer cette banque et la choisir").click()
    expect(page.locator("#id_draws-1-pool-title")).to_have_text("Identifiants")
    page.locator("#id_draws-1-count").fill("1")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("a été mise à jour")).to_be_visible()

    quiz = QuizPage.objects.get(pk=quiz.pk).get_latest_revision_as_object()
    assert [block.block_type for block in quiz.questions] == ["true_false"]
    assert sorted((d.pool.code, d.count) for d in quiz.draws.all()) == [
        ("identifiants", 1),
        ("p", 3),
    ]
    page.goto(f"{live_server.url}/admin/pages/{quiz.pk}/view_draft/?mode=questions")
    expect(page.locator(".question")).to_have_count(5)
    expect(page.get_by_text("Un DOI est pérenne.")).to_be_visible()
    assert_accessible(page)


def test_trainer_previews_markdown_as_learners_will_read_it(
    page, live_server, trainer, draft_course, axe
):
    """Point 5: a lesson's Markdown block has a preview rendered by the site's own
    pipeline, updated as the trainer types; what the trainer writes runs nothing
    (an event handler is dropped) and a mistake the save would refuse is said."""
    lesson = LessonPage.objects.child_of(draft_course).get(slug="lecon-1")
    log_in(page, live_server, trainer)
    page.goto(f"{live_server.url}/admin/pages/{lesson.pk}/edit/")
    field = page.locator("[id$='-body-section'] textarea[data-markdown-preview]")
    field.fill(
        "## Les principes\n\nUn **DOI** est pérenne.\n\n"
        '<img src="x" onerror="window.pwned = 1">\n\n| F | A |\n|---|---|\n| 1 | 2 |'
    )
    toggle = page.get_by_role("button", name="Afficher l’aperçu")
    toggle.click()
    preview = page.get_by_role("region", name="Aperçu du Markdown")
    expect(preview.get_by_role("heading", name="Les principes")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("DOI")
    expect(preview.get_by_role("table")).to_be_visible()
    expect(page.get_by_role("button", name="Masquer l’aperçu")).to_have_attribute(
        "aria-expanded", "true"
    )
    assert preview.locator("img, script, [onerror]").count() == 0
    assert page.evaluate("window.pwned") is None

    field.press("End")
    field.type("\n\n```python\nx = 1")
    expect(preview.get_by_role("listitem").first).to_contain_text(
        "code fence ``` is never closed"
    )
    expect(preview).to_contain_text("x = 1")
    results = axe.run(page, context=".markdown-preview").response["violations"]
    blocking = [v for v in results if v["impact"] in {"serious", "critical"}]
    assert not blocking, format_violations(blocking)

    page.get_by_role("button", name="Masquer l’aperçu").click()
    expect(preview).to_be_hidden()


def test_trainer_reads_the_admin_in_french(page, live_server, trainer, draft_course):
    """Point 5: the moderation button in French (not "Soumettre à Moderators
    approval"), and a title with accents gives a transliterated slug."""
    from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowPage

    workflow = Workflow.objects.create(name="Relecture")
    task = GroupApprovalTask.objects.create(name="Validation par un modérateur")
    workflow.workflow_tasks.create(task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=Page.get_first_root_node())

    log_in(page, live_server, trainer)
    page.goto(f"{live_server.url}/admin/pages/{draft_course.pk}/edit/")
    page.locator(".w-dropdown-button").get_by_role(
        "button", name="Plus d'actions"
    ).click()
    expect(
        page.get_by_role("button", name="Soumettre à la modération", exact=True)
    ).to_be_visible()
    expect(page.get_by_text("Moderators approval")).to_have_count(0)
    expect(page.get_by_text("Soumettre à Relecture")).to_have_count(0)

    page.goto(
        f"{live_server.url}/admin/pages/add/courses/lessonpage/{draft_course.pk}/"
    )
    page.locator("#id_title").fill("Données de santé")
    page.get_by_role("tab", name="Promotion").click()
    expect(page.locator("#id_slug")).to_have_value("donnees-de-sante")


def test_trainer_reads_question_prompts_as_text_in_analytics(
    page, live_server, trainer, draft_course, axe
):
    """Point 5: the analytics name each question by its text, not its Markdown."""
    from django.utils import timezone

    from courses.publishing import publish_course
    from tests.analytics.conftest import PROMPTS, add_attempt, enrol

    publish_course(draft_course, trainer)
    quiz = QuizPage.objects.child_of(draft_course).get()
    PROMPTS["qm"] = "Un DOI est **pérenne** : voir [DataCite](https://datacite.org)."
    try:
        when = timezone.now()
        for number in range(6):
            enrollment = enrol(
                UserFactory(username=f"learner-{number}"), draft_course, when=when
            )
            fractions = {"qm": number % 2, "qa": number % 3 // 2}
            add_attempt(enrollment, quiz, 1, fractions, ["qm", "qa"], when=when)
    finally:
        del PROMPTS["qm"]

    log_in(page, live_server, trainer)
    page.goto(f"{live_server.url}/admin/analytics/courses/{draft_course.pk}/")
    questions = page.locator(".analytics-table").last
    expect(
        questions.get_by_role("rowheader", name="Un DOI est pérenne : voir DataCite.")
    ).to_be_visible()
    expect(questions).not_to_contain_text("**")
    results = axe.run(page, context=".analytics-section").response["violations"]
    blocking = [v for v in results if v["impact"] in {"serious", "critical"}]
    assert not blocking, format_violations(blocking)
