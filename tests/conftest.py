import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM
# calls from such a thread unless told it is safe (it is: one thread per test).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def site_structure(db):
    """The French and English home pages and catalogues."""
    from cms.site_structure import ensure_site_structure

    return ensure_site_structure()


@pytest.fixture
def catalogue(site_structure):
    return site_structure.catalogue("fr")
