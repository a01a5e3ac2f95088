import pytest

from courses.packages.building import cmi5_zip

AU_HTML = "<!doctype html><title>AU</title><p>Hello</p>"


def two_au_zip(**au_options) -> bytes:
    """A cmi5 course with a block of two AUs."""
    aus = [
        {
            "id": f"https://example.org/au/{number}",
            "title": {"fr": f"Activité {number}", "en": f"Activity {number}"},
            "url": f"au{number}/index.html",
            "moveOn": "CompletedOrPassed",
            **au_options,
        }
        for number in (1, 2)
    ]
    return cmi5_zip(
        "https://example.org/course/data",
        {"fr": "Données de recherche", "en": "Research data"},
        [
            {
                "id": "https://example.org/block/1",
                "title": {"en": "Block"},
                "children": aus,
            }
        ],
        {"au1/index.html": AU_HTML, "au2/index.html": AU_HTML, "au1/style.css": "p{}"},
    )


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"
    return settings.PRIVATE_ROOT


@pytest.fixture
def package_zip(tmp_path):
    path = tmp_path / "course.zip"
    path.write_bytes(two_au_zip())
    return path
