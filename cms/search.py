"""The site's search backend: Wagtail's database backend, given only words.

Wagtail's SQLite (FTS5) backend writes each search term between double quotes
without doubling the quotes inside it (wagtail/wagtail#13227), so `FAIR"` is an
"unterminated string" error; neither SQLite's FTS5 nor PostgreSQL accepts a NUL
character. Both tokenisers split indexed text on quotes and control characters,
so turning them into spaces before the query is compiled finds the same pages and
never reaches the database as a syntax error. Used by the catalogue and by every
search of the Wagtail admin.

Configured as `WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search"}}`.
"""

import copy
import re
from functools import cache

from wagtail.search.backends import database
from wagtail.search.query import And, Boost, Fuzzy, Not, Or, Phrase, PlainText

# Double quotes (FTS5's string delimiter) and C0/C1 control characters, NUL included.
SEPARATORS = re.compile(r'["\x00-\x1f\x7f-\x9f]+')


def words(text: str) -> str:
    """`text` with quotes and control characters turned into single spaces."""
    return " ".join(SEPARATORS.sub(" ", text).split())


def clean_query(query):
    """The query with every text part reduced to words; "" if no word is left."""
    if isinstance(query, str):
        return words(query)
    query = copy.copy(query)  # the caller's query object stays as it was
    if isinstance(query, PlainText | Phrase | Fuzzy):
        text = words(query.query_string)
        if not text:
            return ""
        query.query_string = text
        return query
    if isinstance(query, And | Or):
        parts = [part for part in map(clean_query, query.subqueries) if part != ""]
        if not parts:
            return ""
        query.subqueries = [
            PlainText(part) if isinstance(part, str) else part for part in parts
        ]
        return query
    if isinstance(query, Not | Boost):
        inner = clean_query(query.subquery)
        if inner == "":
            return ""
        query.subquery = PlainText(inner) if isinstance(inner, str) else inner
        return query
    return query  # MatchAll and other queries without text


class _WordsOnly:
    """Mixed into the backend class Wagtail picks for the database in use."""

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        return super()._search(
            query_compiler_class, clean_query(query), model_or_queryset, **kwargs
        )


@cache
def _words_only(backend_class: type) -> type:
    return type(backend_class.__name__, (_WordsOnly, backend_class), {})


def SearchBackend(params):
    """Wagtail's database backend for this database vendor, fed only words."""
    backend = database.SearchBackend(params)
    return _words_only(type(backend))(params)
