"""The committed translation catalogues are complete and compiled from their sources.

`compilemessages` skips a `.mo` that looks newer than its `.po`, and a fresh clone gives
both the same time: a `.mo` committed stale (a merge that kept one side) would ship."""

import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))

pytestmark = pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed"
)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_committed_mo_is_compiled_from_its_po(po, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", compiled, po], check=True)
    assert compiled.read_bytes() == po.with_suffix(".mo").read_bytes(), (
        f"{po.with_suffix('.mo')} is stale: run msgfmt -o django.mo django.po"
    )


def test_french_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
    for option in ("--untranslated", "--only-fuzzy"):
        left = subprocess.run(
            ["msgattrib", option, "--no-obsolete", po],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert left == "", f"msgattrib {option}:\n{left}"
