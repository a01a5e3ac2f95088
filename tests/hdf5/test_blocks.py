"""The viewer and checker blocks: rendering, caching, and the lesson page."""

from django.core.cache import cache
from django.utils import translation

import pytest

from courses.blocks import Hdf5CheckerBlock, Hdf5ViewerBlock
from courses.hdf5 import viewer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def render_viewer(document, **options):
    block = Hdf5ViewerBlock()
    value = block.to_python({"document": document.pk, "show_previews": True, **options})
    return block.render(value)


def test_viewer_renders_nested_tree(nested_file, make_document):
    """Nested lists of <details>: groups, datasets with shape, dtype, attributes."""
    html = render_viewer(make_document(nested_file))
    assert html.count("<details") == html.count("</details>") >= 6
    assert '<ul class="hdf5-tree">' in html
    assert '<summary><code class="hdf5-node__name">experiment</code>' in html
    assert "100 × 10 · float32" in html
    assert "gzip (6)" in html
    assert "<code>units</code></dt><dd>mV" in html
    assert "Inès" in html
    assert "/experiment/run1/signal" in html  # the soft link's target
    assert "(non affiché : 7,8\xa0Kio)" in html  # the 8 kB attribute, in French


def test_viewer_previews_are_bounded(nested_file, make_document):
    """The preview table shows the first rows only."""
    with translation.override("en"):
        html = render_viewer(make_document(nested_file))
    table = html[html.index("First values of signal") :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == 5
    assert "<td>0.0</td>" in table and "<td>990.0</td>" not in table


def test_viewer_without_previews(nested_file, make_document):
    html = render_viewer(make_document(nested_file), show_previews=False)
    assert "<table" not in html


def test_viewer_broken_file_shows_message(text_file, make_document):
    """A document that is not HDF5 shows a message instead of a tree (no 500)."""
    html = render_viewer(make_document(text_file))
    assert "message--error" in html
    assert "hdf5-tree" not in html


def test_viewer_tree_cached_per_file_version(nested_file, make_document, monkeypatch):
    """The second rendering reads the cache, not the file."""
    document = make_document(nested_file)
    first = viewer.describe_document(document)

    def fail(*args, **kwargs):
        raise AssertionError("file read again")

    monkeypatch.setattr(viewer, "inspect_file", fail)
    assert viewer.describe_document(document).root.children == first.root.children


def test_checker_block_renders_labelled_form(checker_lesson):
    """The form's file field is labelled and posts to the check view."""
    child = checker_lesson.body[1]
    html = child.block.render(
        child.value, context={"page": checker_lesson, "user": _User()}
    )
    assert f'for="hdf5-file-{child.id}"' in html
    assert f'id="hdf5-file-{child.id}"' in html
    assert f"/hdf5/lessons/{checker_lesson.pk}/check/{child.id}/" in html
    assert "<strong>votre</strong>" in html  # instructions in Markdown
    assert "units, long_name" in html


def test_checker_block_invites_anonymous_to_log_in(checker_lesson, rf):
    child = checker_lesson.body[1]
    request = rf.get(checker_lesson.url)
    html = child.block.render(
        child.value,
        context={"page": checker_lesson, "user": _User(False), "request": request},
    )
    assert "<form" not in html
    assert "/accounts/login/" in html


def test_lesson_page_renders_viewer_and_checker(
    client, learner, checker_lesson, nested_file, make_document
):
    """The lesson page renders both blocks."""
    document = make_document(nested_file)
    checker_lesson.body = [
        ("hdf5_viewer", {"document": document, "show_previews": True}),
        *[(child.block_type, child.value) for child in checker_lesson.body],
    ]
    checker_lesson.save_revision().publish()
    client.force_login(learner)
    html = client.get(checker_lesson.url).content.decode()
    assert "hdf5-tree" in html
    assert 'type="file"' in html


def test_blocks_meta():
    for block in (Hdf5ViewerBlock(), Hdf5CheckerBlock()):
        assert block.meta.template.startswith("blocks/hdf5_")
        assert block.meta.icon and block.meta.description


class _User:
    def __init__(self, authenticated=True):
        self.is_authenticated = authenticated


def test_viewer_unreadable_file_is_a_form_error(text_file, make_document):
    """Saving a lesson whose viewer block holds a file that cannot be read tells
    the trainer why, on the document field."""
    from wagtail.blocks.struct_block import StructBlockValidationError

    block = Hdf5ViewerBlock()
    value = block.to_python({"document": make_document(text_file).pk})
    with pytest.raises(StructBlockValidationError) as caught:
        block.clean(value)
    message = str(caught.value.block_errors["document"])
    assert "Ce n’est pas un fichier HDF5" in message  # the site's default language


def test_viewer_readable_file_is_accepted(good_file, make_document):
    block = Hdf5ViewerBlock()
    value = block.to_python({"document": make_document(good_file).pk})
    assert block.clean(value)["document"].pk == value["document"].pk
