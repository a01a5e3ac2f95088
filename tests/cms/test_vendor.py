"""The browser libraries `make install` copies from node_modules (scorm-again)."""

from pathlib import Path

from cms.checks import VENDOR_FILES, check_vendor_files

ROOT = Path(__file__).resolve().parents[2]


def test_vendor_check_names_missing_libraries(monkeypatch):
    """Without the copied bundles, `check` says which files are missing and how to get them."""
    monkeypatch.setattr("django.contrib.staticfiles.finders.find", lambda name: None)
    messages = check_vendor_files(None)
    assert [message.id for message in messages] == ["cms.I002"]
    assert "vendor/scorm-again/scorm2004.min.js" in messages[0].msg
    assert "make install" in messages[0].hint


def test_vendor_check_passes_with_the_bundles_and_their_licence(monkeypatch):
    """The bundles and the licence that travels with them are all it needs."""
    found = set(VENDOR_FILES)
    monkeypatch.setattr(
        "django.contrib.staticfiles.finders.find",
        lambda name: f"/static/{name}" if name in found else None,
    )
    assert check_vendor_files(None) == []
    found.discard("vendor/scorm-again/LICENSE")
    assert "LICENSE" in check_vendor_files(None)[0].msg


def test_vendor_libraries_are_pinned_in_the_lock_file():
    """scorm-again is pinned to one version in package.json and package-lock.json."""
    import json

    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = package["dependencies"]["scorm-again"]
    assert version[0].isdigit(), "an exact version, not a range"
    assert lock["packages"]["node_modules/scorm-again"]["version"] == version
    assert lock["packages"]["node_modules/scorm-again"]["integrity"].startswith(
        "sha512-"
    )


def test_collectstatic_with_the_production_storage(tmp_path, settings):
    """A production deploy runs collectstatic with a manifest storage, which refuses
    a file naming another it cannot find (scorm-again's bundles name their source
    maps): every static file, vendor bundles included, must collect."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        },
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert any((tmp_path / "vendor/scorm-again").glob("scorm2004.min.*.js"))
