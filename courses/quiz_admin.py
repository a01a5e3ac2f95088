"""The quiz editor: questions written in the quiz, draws from question banks, and
the bank chooser (search, question counts, a "create" tab).

A quiz asks its own questions (a StreamField of the question blocks) at every
attempt, together with the questions it draws from banks (QuestionPool snippets,
kept for reuse across quizzes).
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import InlinePanel
from wagtail.admin.ui.tables import Column
from wagtail.models import Locale
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
)


class QuizPageForm(WagtailAdminPageForm):
    """A quiz needs at least one question: its own, or drawn from a bank."""

    def clean(self):
        cleaned_data = super().clean()
        own = len(cleaned_data.get("questions") or [])
        if not own and not self._drawn():
            self.add_error(
                None,
                _(
                    "This quiz has no question: write questions in it, or draw "
                    "questions from a question bank."
                ),
            )
        return cleaned_data

    def _drawn(self) -> int:
        draws = self.formsets.get("draws")
        if draws is None or not draws.is_valid():
            return 1  # the draws' own errors are shown on them
        return sum(
            form.cleaned_data.get("count") or 0
            for form in draws.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("pool")
        )


class DrawsPanel(InlinePanel):
    """An InlinePanel whose add button says what it adds in a whole sentence
    (Wagtail's "Add {label}" reads "Ajouter un(e) {label}" in French)."""

    def __init__(self, *args, add_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.add_label = add_label

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "add_label": self.add_label}

    class BoundPanel(InlinePanel.BoundPanel):
        template_name = "courses/admin/draws_panel.html"


class PoolSearchForm(BaseFilterForm):
    """Search the banks by title or code (no search index needed)."""

    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
        required=False,
    )

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(
                Q(title__icontains=query) | Q(code__icontains=query)
            )
            self.is_searching, self.search_query = True, query
        return objects


class _PoolListing:
    filter_form_class = PoolSearchForm

    def get_object_list(self):
        """The banks in the default language: a quiz draws from the original bank,
        and each learner gets its translation in their language by itself."""
        return super().get_object_list().filter(locale=Locale.get_default())

    @property
    def columns(self):
        return [
            *super().columns,
            Column("code", label=_("code")),
            Column("question_count", label=_("Questions")),
        ]


class PoolChooseView(_PoolListing, ChooseView):
    pass


class PoolChooseResultsView(_PoolListing, ChooseResultsView):
    pass


class QuestionPoolChooserViewSet(SnippetChooserViewSet):
    """The bank chooser of a quiz's draws: search, counts, and a new bank."""

    choose_view_class = PoolChooseView
    choose_results_view_class = PoolChooseResultsView
    choose_one_text = _("Choose a question bank")
    choose_another_text = _("Choose another bank")
    form_fields = ["title", "code", "questions"]
    creation_tab_label = _("New question bank")
    create_action_label = _("Create this bank and choose it")
