"""Zip safety: hostile zips are refused with "file: reason" (in-process checks;
test_import.py goes through the sandboxed child)."""

import io
import stat
import zipfile

import pytest

from courses.packages.archive import extract
from courses.packages.errors import PackageError
from courses.packages.inspection import inspect
from courses.packages.limits import PackageLimits
from courses.packages.manifests import parse_cmi5
from courses.packages.scorm import parse_scorm

from .conftest import two_au_zip

LIMITS = PackageLimits()


def write_zip(path, entries):
    """entries: (name or ZipInfo, data)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def refused(tmp_path, entries, limits=LIMITS) -> str:
    source = write_zip(tmp_path / "p.zip", entries)
    dest = tmp_path / "out"
    dest.mkdir(exist_ok=True)
    with pytest.raises(PackageError) as caught:
        extract(source, dest, limits)
    return "\n".join(caught.value.errors)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.html", "leaves the package folder"),
        ("a/../../evil.html", "leaves the package folder"),
        ("/etc/passwd", "absolute path"),
        ("C:/evil.html", "absolute path"),
        ("a\\..\\evil.html", "backslash"),
        ("a\x01b.html", "control character"),
    ],
)
def test_archive_refuses_paths_leaving_the_folder(tmp_path, name, reason):
    """A name that could land outside the package folder is refused, by name."""
    message = refused(tmp_path, [("cmi5.xml", "<x/>"), (name, "x")])
    assert reason in message
    assert not (tmp_path / "evil.html").exists()


def test_archive_refuses_symbolic_links(tmp_path):
    """A symbolic link entry is refused (it could point anywhere once extracted)."""
    link = zipfile.ZipInfo("link.html")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    message = refused(tmp_path, [(link, "/etc/passwd")])
    assert "link.html: symbolic link" in message


def test_archive_refuses_duplicates_and_too_many_files(tmp_path):
    """Two entries of one name, or more entries than the limit, are refused."""
    with pytest.warns(UserWarning):
        message = refused(tmp_path, [("a.html", "1"), ("a.html", "2")])
    assert "a.html: appears twice" in message
    few = PackageLimits(files=3)
    message = refused(tmp_path, [(f"{n}.html", "x") for n in range(4)], few)
    assert "4 entries, more than 3" in message


def test_archive_refuses_zip_bombs(tmp_path):
    """A highly compressed entry is stopped while decompressing, whatever its header."""
    bomb = b"\0" * (3 * 1024 * 1024)
    message = refused(tmp_path, [("bomb.bin", bomb)])
    assert "bomb.bin: compressed more than 200 times" in message
    small = PackageLimits(total_bytes=1000, file_bytes=600)
    message = refused(tmp_path, [("a.txt", "x" * 500), ("b.txt", "y" * 700)], small)
    assert "b.txt: 700 bytes, more than 600" in message


def test_archive_refuses_a_lying_header(tmp_path):
    """An entry that inflates past the size its header declares is stopped."""
    source = write_zip(tmp_path / "p.zip", [("a.txt", "z" * 300_000)])
    data = bytearray(source.read_bytes())
    # Patch the declared uncompressed size (central directory and local header).
    for offset in (data.find(b"PK\x01\x02") + 24, data.find(b"PK\x03\x04") + 22):
        data[offset : offset + 4] = (10).to_bytes(4, "little")
    source.write_bytes(bytes(data))
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(PackageError) as caught:
        extract(source, dest, LIMITS)
    # zipfile stops at the declared size and checks the CRC; we count too.
    assert str(caught.value).startswith("a.txt: ")
    written = dest / "a.txt"
    assert not written.exists() or written.stat().st_size <= 10 + 64 * 1024


def test_archive_refuses_what_is_not_a_zip(tmp_path):
    source = tmp_path / "p.zip"
    source.write_bytes(b"not a zip at all")
    (tmp_path / "out").mkdir()
    with pytest.raises(PackageError, match="zip: not a readable zip file"):
        extract(source, tmp_path / "out", LIMITS)


def test_inspect_reads_a_cmi5_package_in_a_single_top_folder(tmp_path):
    """A zipped folder (rather than its contents) is read from that folder."""
    inner = zipfile.ZipFile(io.BytesIO(two_au_zip()))
    entries = [(f"course/{name}", inner.read(name)) for name in inner.namelist()]
    source = write_zip(tmp_path / "p.zip", entries)
    (tmp_path / "out").mkdir()
    result = inspect(
        {"zip": str(source), "dest": str(tmp_path / "out"), "limits": LIMITS.as_dict()}
    )
    manifest = result["manifest"]
    assert manifest["root"] == "course/"
    assert manifest["format"] == "cmi5"
    assert [unit["url"] for unit in manifest["units"]] == [
        "au1/index.html",
        "au2/index.html",
    ]
    assert manifest["units"][0]["blocks"] == ["https://example.org/block/1"]


def test_manifest_refuses_entities_and_bad_xml():
    """Entity declarations (billion laughs, external entities) and broken XML are refused."""
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b"<courseStructure>&a;</courseStructure>"
    )
    with pytest.raises(PackageError, match="cmi5.xml: refused XML"):
        parse_cmi5(laughs, set())
    with pytest.raises(PackageError, match="cmi5.xml: not well-formed XML"):
        parse_cmi5(b"<courseStructure><course>", set())
    with pytest.raises(PackageError, match="imsmanifest.xml: not well-formed XML"):
        parse_scorm(b"\xff\xfe", set())


def test_manifest_lists_every_cmi5_problem():
    """Bad moveOn, masteryScore, launchMethod, a missing file: each named."""
    xml = (
        b'<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">'
        b'<course id="https://e.org/c"><title><langstring lang="en">C</langstring></title></course>'
        b'<au id="https://e.org/a" moveOn="Sometimes" masteryScore="2" launchMethod="Popup">'
        b"<title><langstring lang='en'>A</langstring></title><url>missing.html</url></au>"
        b'<au id="https://e.org/a"><url>../up.html</url></au>'
        b"</courseStructure>"
    )
    with pytest.raises(PackageError) as caught:
        parse_cmi5(xml, {"index.html"})
    text = "\n".join(caught.value.errors)
    assert "moveOn 'Sometimes'" in text
    assert "masteryScore must be a decimal from 0 to 1" in text
    assert "launchMethod 'Popup'" in text
    assert "launches missing.html, which is not in the package" in text
    assert "au https://e.org/a: id used twice" in text
    assert "is not inside the package" in text


def test_manifest_reads_scorm_versions():
    from courses.packages.building import scorm_zip

    for version, expected in (("1.2", "scorm12"), ("2004 4th Edition", "scorm2004")):
        archive = zipfile.ZipFile(
            io.BytesIO(
                scorm_zip(
                    "Course",
                    [{"id": "1", "title": "One", "href": "one.html"}],
                    {"one.html": "x"},
                    version=version,
                )
            )
        )
        manifest = parse_scorm(archive.read("imsmanifest.xml"), {"one.html"})
        assert manifest["format"] == expected
        assert manifest["units"][0]["kind"] == "sco"
        assert manifest["units"][0]["url"] == "one.html"
