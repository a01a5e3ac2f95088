"""Reading imsmanifest.xml: SCORM 1.2 and 2004, mono- and multi-SCO, what the
player hands the SCOs, and "imsmanifest.xml: reason" for every problem."""

import io
import zipfile

import pytest

from courses.packages.errors import PackageError
from courses.packages.scorm import parse_scorm

from .factories import scorm12_mono_sco, scorm2004_multi_sco

NS_2004 = (
    'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
    'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"'
)


def read(package: bytes) -> tuple[bytes, set[str]]:
    archive = zipfile.ZipFile(io.BytesIO(package))
    return archive.read("imsmanifest.xml"), set(archive.namelist())


def manifest_2004(
    items: str, resources: str, *, head: str = "", version="2004 4th Edition"
) -> bytes:
    return (
        f'<manifest identifier="m" {NS_2004}>'
        f"<metadata><schema>ADL SCORM</schema><schemaversion>{version}</schemaversion></metadata>"
        f'{head}<organizations default="o"><organization identifier="o"><title>T</title>'
        f"{items}</organization></organizations><resources>{resources}</resources></manifest>"
    ).encode()


def sco_resource(identifier: str, href: str, extra: str = "") -> str:
    return (
        f'<resource identifier="{identifier}" type="webcontent" adlcp:scormType="sco" '
        f'href="{href}" {extra}><file href="{href}"/></resource>'
    )


def test_manifest_scorm12_mono_sco_reads_mastery_score():
    """SCORM 1.2 with one SCO: its masteryscore is the passing score it must reach."""
    manifest = parse_scorm(*read(scorm12_mono_sco()))
    assert (manifest["format"], manifest["version"]) == ("scorm12", "SCORM 1.2")
    (unit,) = manifest["units"]
    assert unit["kind"] == "sco"
    assert unit["url"] == "sco/quiz/index.html"
    assert unit["mastery_score"] == 0.8
    scorm = unit["extra"]["scorm"]
    assert scorm["mastery_score"] == "80"
    assert scorm["requires"] == "passed"


def test_manifest_scorm2004_multi_sco_in_course_order():
    """SCORM 2004 4th edition, two SCOs; the quiz is passed by measure, the
    intro completed; the shared script (an asset) is not a unit."""
    manifest = parse_scorm(*read(scorm2004_multi_sco()))
    assert (manifest["format"], manifest["version"]) == (
        "scorm2004",
        "SCORM 2004 4th Edition",
    )
    assert [unit["identifier"] for unit in manifest["units"]] == ["intro", "quiz"]
    intro, quiz = (unit["extra"]["scorm"] for unit in manifest["units"])
    assert intro["requires"] == "completed"
    assert quiz["requires"] == "passed"
    assert quiz["scaled_passing_score"] == 0.8
    assert quiz["objectives"] == ["quiz-mastery"]
    assert manifest["title"] == {"und": "Données de recherche"}


@pytest.mark.parametrize(
    "version, label",
    [
        ("2004 3rd Edition", "SCORM 2004 3rd Edition"),
        ("CAM 1.3", "SCORM 2004 2nd Edition"),
        ("1.2", "SCORM 1.2"),
    ],
)
def test_manifest_editions(version, label):
    xml = manifest_2004(
        '<item identifier="i" identifierref="r"><title>A</title></item>',
        sco_resource("r", "a.html"),
        version=version,
    )
    assert parse_scorm(xml, {"a.html"})["version"] == label


def test_manifest_completion_threshold_third_and_fourth_edition():
    """3rd edition: the element's text; 4th: minProgressMeasure when completedByMeasure."""
    items = (
        '<item identifier="a" identifierref="r"><title>A</title>'
        "<adlcp:completionThreshold>0.75</adlcp:completionThreshold></item>"
        '<item identifier="b" identifierref="r"><title>B</title>'
        '<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.6"/></item>'
        '<item identifier="c" identifierref="r"><title>C</title>'
        '<adlcp:completionThreshold completedByMeasure="false" minProgressMeasure="0.6"/></item>'
    )
    units = parse_scorm(manifest_2004(items, sco_resource("r", "a.html")), {"a.html"})[
        "units"
    ]
    assert [unit["extra"]["scorm"]["completion_threshold"] for unit in units] == [
        0.75,
        0.6,
        None,
    ]


def test_manifest_sequencing_from_a_collection_and_time_limits():
    """An item's sequencing may refer to imsss:sequencingCollection (IDRef)."""
    head = (
        '<imsss:sequencingCollection><imsss:sequencing ID="mastered">'
        '<imsss:limitConditions attemptAbsoluteDurationLimit="PT30M"/>'
        '<imsss:objectives><imsss:primaryObjective objectiveID="p" satisfiedByMeasure="true">'
        "<imsss:minNormalizedMeasure>0.5</imsss:minNormalizedMeasure></imsss:primaryObjective>"
        '<imsss:objective objectiveID="extra"/></imsss:objectives>'
        "</imsss:sequencing></imsss:sequencingCollection>"
    )
    items = (
        '<item identifier="a" identifierref="r" parameters="?lang=fr"><title>A</title>'
        "<adlcp:timeLimitAction>exit,message</adlcp:timeLimitAction>"
        "<adlcp:dataFromLMS>start=2</adlcp:dataFromLMS>"
        '<imsss:sequencing IDRef="mastered"/></item>'
    )
    (unit,) = parse_scorm(
        manifest_2004(items, sco_resource("r", "a.html"), head=head), {"a.html"}
    )["units"]
    scorm = unit["extra"]["scorm"]
    assert scorm["scaled_passing_score"] == 0.5
    assert scorm["objectives"] == ["p", "extra"]
    assert scorm["max_time_allowed"] == "PT30M"
    assert scorm["time_limit_action"] == "exit,message"
    assert scorm["launch_data"] == "start=2"
    assert unit["url"] == "a.html?lang=fr"


def test_manifest_nested_items_xml_base_and_assets():
    """Aggregations become blocks; xml:base joins the resource's href; an asset
    item is a unit that never reports (requires nothing)."""
    items = (
        '<item identifier="chapter"><title>Chapitre</title>'
        '<item identifier="s" identifierref="r"><title>SCO</title></item>'
        '<item identifier="pdf" identifierref="doc"><title>PDF</title></item></item>'
    )
    resources = (
        sco_resource("r", "index.html", 'xml:base="part%201/"')
        + '<resource identifier="doc" type="webcontent" adlcp:scormType="asset" href="guide.pdf"/>'
    )
    manifest = parse_scorm(
        manifest_2004(items, resources), {"part 1/index.html", "guide.pdf"}
    )
    sco, asset = manifest["units"]
    assert sco["url"] == "part%201/index.html"
    assert sco["blocks"] == ["chapter"]
    assert (asset["kind"], asset["extra"]["scorm"]["requires"]) == ("asset", "")
    assert manifest["structure"][0]["children"] == [
        {"type": "sco", "id": "s"},
        {"type": "asset", "id": "pdf"},
    ]


@pytest.mark.parametrize(
    "items, resources, files, expected",
    [
        (
            '<item identifier="a" identifierref="missing"><title>A</title></item>',
            "",
            set(),
            "imsmanifest.xml: item a: its resource 'missing' is not defined",
        ),
        (
            '<item identifier="a" identifierref="r"><title>A</title></item>',
            sco_resource("r", "gone.html"),
            set(),
            "imsmanifest.xml: item a: launches gone.html, which is not in the package",
        ),
        (
            '<item identifier="a" identifierref="r"><title>A</title></item>',
            sco_resource("r", "../../etc/passwd"),
            set(),
            "imsmanifest.xml: item a: launch URL '../../etc/passwd' is not inside the package",
        ),
        (
            '<item identifier="a" identifierref="r"><title>A</title></item>',
            sco_resource("r", "https://tracker.example/x.html"),
            set(),
            "imsmanifest.xml: item a: launches an address outside the package; "
            "only files of the package can be launched",
        ),
        (
            '<item identifier="a" identifierref="r"><title>A</title>'
            "<imsss:sequencing><imsss:objectives>"
            '<imsss:primaryObjective satisfiedByMeasure="true">'
            "<imsss:minNormalizedMeasure>2</imsss:minNormalizedMeasure>"
            "</imsss:primaryObjective></imsss:objectives></imsss:sequencing></item>",
            sco_resource("r", "a.html"),
            {"a.html"},
            "imsmanifest.xml: item a: minNormalizedMeasure '2' is not a number from -1 to 1",
        ),
        (
            '<item identifier="a"><title>Empty</title></item>',
            "",
            set(),
            "imsmanifest.xml: item a: neither launches a resource nor holds items",
        ),
        (
            '<item identifier="a" identifierref="r"><title>A</title></item>'
            '<item identifier="a" identifierref="r"><title>A again</title></item>',
            sco_resource("r", "a.html"),
            {"a.html"},
            "imsmanifest.xml: item a: identifier used twice",
        ),
    ],
)
def test_manifest_refuses_with_file_and_reason(items, resources, files, expected):
    """Each problem is named, with the item it concerns."""
    with pytest.raises(PackageError) as caught:
        parse_scorm(manifest_2004(items, resources), files)
    assert expected in caught.value.errors


def test_manifest_lists_every_problem_at_once():
    items = (
        '<item identifier="a" identifierref="nope"><title>A</title></item>'
        '<item identifier="b" identifierref="r"><title>B</title>'
        "<adlcp:completionThreshold>lots</adlcp:completionThreshold></item>"
    )
    with pytest.raises(PackageError) as caught:
        parse_scorm(manifest_2004(items, sco_resource("r", "b.html")), {"b.html"})
    assert len(caught.value.errors) == 2


def test_manifest_scorm12_bad_mastery_score():
    xml = (
        b'<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
        b'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><metadata>'
        b"<schemaversion>1.2</schemaversion></metadata>"
        b'<organizations default="o"><organization identifier="o"><title>T</title>'
        b'<item identifier="a" identifierref="r"><title>A</title>'
        b"<adlcp:masteryscore>eighty</adlcp:masteryscore></item></organization></organizations>"
        b'<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" '
        b'href="a.html"/></resources></manifest>'
    )
    with pytest.raises(PackageError) as caught:
        parse_scorm(xml, {"a.html"})
    assert caught.value.errors == [
        "imsmanifest.xml: item a: masteryscore 'eighty' is not a number from 0 to 100"
    ]


def test_manifest_refuses_hostile_xml_and_bounds_nesting():
    """Entities are refused (defusedxml); items nested too deep are refused, not recursed."""
    laughs = b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]><manifest>&a;</manifest>'
    with pytest.raises(PackageError, match="imsmanifest.xml: refused XML"):
        parse_scorm(laughs, set())
    deep = "".join(f'<item identifier="i{n}"><title>x</title>' for n in range(500))
    deep += (
        '<item identifier="leaf" identifierref="r"><title>x</title></item>'
        + "</item>" * 500
    )
    with pytest.raises(PackageError) as caught:
        parse_scorm(manifest_2004(deep, sco_resource("r", "a.html")), {"a.html"})
    assert "imsmanifest.xml: organization: items nested deeper than 20 levels" in (
        caught.value.errors
    )


def test_manifest_without_organization_or_default():
    xml = manifest_2004("", "").replace(b'default="o"', b'default="other"')
    with pytest.raises(PackageError) as caught:
        parse_scorm(xml, set())
    assert caught.value.errors == [
        "imsmanifest.xml: organizations: the default organization 'other' is not defined"
    ]
    bare = (
        f'<manifest identifier="m" {NS_2004}><organizations/><resources/></manifest>'
    ).encode()
    with pytest.raises(PackageError, match="no organization"):
        parse_scorm(bare, set())
