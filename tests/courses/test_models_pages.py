"""Page hierarchy rules and rendering of the content pages."""

from django.core.exceptions import ValidationError
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

import pytest

from cms.models import AccessibilityStatementPage, HomePage, InformationPage
from courses.models import CourseIndexPage, CoursePage, LessonPage, QuizPage
from courses.packages.models import PackageLessonPage
from tests.factories import CoursePageFactory, LessonPageFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("parent", "child", "allowed"),
    [
        (Page, HomePage, True),
        (HomePage, CourseIndexPage, True),
        (CourseIndexPage, CoursePage, True),
        (CoursePage, LessonPage, True),
        (CoursePage, QuizPage, True),
        (CourseIndexPage, QuizPage, False),
        (LessonPage, QuizPage, False),
        (HomePage, CoursePage, False),
        (HomePage, LessonPage, False),
        (CourseIndexPage, LessonPage, False),
        (CoursePage, CoursePage, False),
        (LessonPage, LessonPage, False),
        (LessonPage, CoursePage, False),
    ],
)
def test_page_hierarchy_rules(parent, child, allowed):
    """Home > catalogue > course > lesson, and nothing else."""
    permitted = (
        child in parent.allowed_subpage_models()
        and parent in child.allowed_parent_page_models()
    )
    assert permitted is allowed


class TestPageRules(WagtailPageTestCase):
    def test_allowed_subpage_types(self):
        """Each page type lists exactly the children the design allows."""
        self.assertAllowedSubpageTypes(
            HomePage, {CourseIndexPage, InformationPage, AccessibilityStatementPage}
        )
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedSubpageTypes(
            CoursePage, {LessonPage, QuizPage, PackageLessonPage}
        )
        self.assertAllowedSubpageTypes(QuizPage, set())
        self.assertAllowedSubpageTypes(LessonPage, set())
        self.assertAllowedSubpageTypes(PackageLessonPage, set())


def test_course_page_renders_syllabus(catalogue, client):
    """A course page shows its summary, objectives and lessons in order."""
    course = CoursePageFactory(
        parent=catalogue,
        title="Les principes FAIR",
        objectives="Définir FAIR\nAppliquer FAIR",
    )
    LessonPageFactory(parent=course, title="Pourquoi partager")
    LessonPageFactory(parent=course, title="Findable")
    response = client.get(course.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Les principes FAIR" in html and "Définir FAIR" in html
    assert html.index("Pourquoi partager") < html.index("Findable")


def test_lesson_page_renders_body_and_pager(catalogue, client):
    """A lesson shows its sanitised body and links to the next lesson."""
    course = CoursePageFactory(parent=catalogue)
    first = LessonPageFactory(
        parent=course, markdown="## Titre\n\n<script>x()</script>Contenu"
    )
    second = LessonPageFactory(parent=course, title="Suite")
    html = client.get(first.url).content.decode()
    assert "<h2>Titre</h2>" in html and "Contenu" in html
    assert "<script>x()" not in html
    assert f'href="{second.url}" rel="next"' in html


def test_unpublished_lesson_is_not_served(catalogue, client):
    """A draft lesson is a 404 and is absent from its course's syllabus."""
    course = CoursePageFactory(parent=catalogue)
    draft = LessonPageFactory(parent=course, title="Brouillon secret")
    draft.unpublish()
    assert client.get(draft.url or f"{course.url}{draft.slug}/").status_code == 404
    assert "Brouillon secret" not in client.get(course.url).content.decode()


def test_course_doi_is_validated(catalogue):
    """A DOI must look like 10.xxxx/suffix."""
    course = CoursePageFactory(parent=catalogue)
    course.doi = "https://doi.org/10.1234/abc"
    with pytest.raises(ValidationError):
        course.full_clean()
    course.doi = "10.1234/abc"
    course.full_clean()


def test_course_duration_label():
    """Durations read naturally."""
    assert CoursePage(duration_minutes=45).duration_label == "45 min"
    assert CoursePage(duration_minutes=90).duration_label == "1 h 30"
    assert CoursePage(duration_minutes=120).duration_label == "2 h"
