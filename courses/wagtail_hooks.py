"""Admin screens for course content that is not a page: themes and question pools."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import QuestionPool, Theme


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    menu_label = _("Themes")
    menu_order = 210
    add_to_admin_menu = False
    list_display = ["name_fr", "name_en", "code", "position"]
    search_fields = ["name_fr", "name_en", "code"]


class QuestionPoolViewSet(SnippetViewSet):
    """Question banks trainers build and reuse across quizzes."""

    model = QuestionPool
    icon = "help"
    menu_label = _("Question pools")
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["title", "code"]
    search_fields = ["title", "code"]


register_snippet(ThemeViewSet)
register_snippet(QuestionPoolViewSet)
