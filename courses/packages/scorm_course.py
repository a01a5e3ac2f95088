"""SCORM packages built by code: the demo's SCORM course and the tests'.

`scorm_package` writes an `imsmanifest.xml` (SCORM 1.2, or SCORM 2004 3rd/4th
edition with the sequencing data a passing score or a completion threshold
needs) and one bilingual page per SCO. Each page runs `sco.js`, a small SCO
of our own: it finds the run-time API the way SCORM content does (walking
window.parent, then the opener), reads the learner's language, resumes from
`location`/`suspend_data`, reports its progress, answers, score and status,
and leaves either suspended ("Save and leave") or finished ("Finish").
"""

import json
from dataclasses import dataclass, field
from importlib import resources
from xml.sax.saxutils import escape, quoteattr

from .building import zip_bytes

NAMESPACES = {
    "scorm12": (
        'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
        'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"'
    ),
    "scorm2004": (
        'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
        'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
        'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
        'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" '
        'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"'
    ),
}


@dataclass(frozen=True)
class Question:
    """A single-choice question; `choices` are (value, {lang: label})."""

    identifier: str
    text: dict[str, str]
    choices: list[tuple[str, dict[str, str]]]
    correct: str


@dataclass(frozen=True)
class Sco:
    """One SCO: pages of HTML per language, then optional questions.

    `passing_score` (0 to 1) becomes the 1.2 masteryscore or the 2004 primary
    objective's minNormalizedMeasure; `completion_threshold` (2004) the
    minimum progress measure.
    """

    identifier: str
    title: dict[str, str]
    pages: list[dict[str, str]]
    questions: list[Question] = field(default_factory=list)
    passing_score: float | None = None
    completion_threshold: float | None = None
    launch_data: str = ""


def _text(values: dict[str, str], language: str = "fr") -> str:
    return values.get(language) or next(iter(values.values()), "")


def _item(sco: Sco, version: str) -> str:
    parts = [f"<title>{escape(_text(sco.title))}</title>"]
    if version == "scorm12":
        if sco.passing_score is not None:
            parts.append(
                f"<adlcp:masteryscore>{round(sco.passing_score * 100)}</adlcp:masteryscore>"
            )
        if sco.launch_data:
            parts.append(
                f"<adlcp:datafromlms>{escape(sco.launch_data)}</adlcp:datafromlms>"
            )
    else:
        if sco.completion_threshold is not None:
            parts.append(
                '<adlcp:completionThreshold completedByMeasure="true" '
                f'minProgressMeasure="{sco.completion_threshold}"/>'
            )
        if sco.launch_data:
            parts.append(
                f"<adlcp:dataFromLMS>{escape(sco.launch_data)}</adlcp:dataFromLMS>"
            )
        if sco.passing_score is not None:
            parts.append(
                "<imsss:sequencing><imsss:objectives>"
                f"<imsss:primaryObjective objectiveID={quoteattr(sco.identifier + '-mastery')} "
                'satisfiedByMeasure="true">'
                f"<imsss:minNormalizedMeasure>{sco.passing_score}</imsss:minNormalizedMeasure>"
                "</imsss:primaryObjective></imsss:objectives></imsss:sequencing>"
            )
    return (
        f"<item identifier={quoteattr(sco.identifier)} "
        f"identifierref={quoteattr('res-' + sco.identifier)}>{''.join(parts)}</item>"
    )


def manifest(title: dict[str, str], scos: list[Sco], *, version: str) -> str:
    """The imsmanifest.xml of `scos` in one organisation."""
    package_format = "scorm12" if version.startswith("1.2") else "scorm2004"
    type_attribute = (
        "adlcp:scormtype" if package_format == "scorm12" else "adlcp:scormType"
    )
    items = "".join(_item(sco, package_format) for sco in scos)
    resources_xml = "".join(
        f'<resource identifier={quoteattr("res-" + sco.identifier)} type="webcontent" '
        f'{type_attribute}="sco" href="sco/{sco.identifier}/index.html">'
        f'<file href="sco/{sco.identifier}/index.html"/><dependency identifierref="shared"/>'
        "</resource>"
        for sco in scos
    )
    shared = (
        f'<resource identifier="shared" type="webcontent" {type_attribute}="asset">'
        '<file href="shared/sco.js"/><file href="shared/sco.css"/></resource>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest identifier="atelier-{escape(scos[0].identifier)}" version="1" '
        f"{NAMESPACES[package_format]}>"
        "<metadata><schema>ADL SCORM</schema>"
        f"<schemaversion>{escape(version)}</schemaversion></metadata>"
        '<organizations default="org"><organization identifier="org">'
        f"<title>{escape(_text(title))}</title>{items}</organization></organizations>"
        f"<resources>{resources_xml}{shared}</resources></manifest>"
    )


def sco_page(sco: Sco) -> str:
    """The SCO's page: its content as JSON for sco.js, which renders it."""
    data = {
        "id": sco.identifier,
        "title": sco.title,
        "pages": sco.pages,
        "questions": [
            {
                "id": question.identifier,
                "text": question.text,
                "choices": [[value, labels] for value, labels in question.choices],
                "correct": question.correct,
            }
            for question in sco.questions
        ],
    }
    # `</` never appears inside the JSON: it cannot close the script element.
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (
        '<!doctype html>\n<html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(_text(sco.title))}</title>"
        '<link rel="stylesheet" href="../../shared/sco.css"></head><body>'
        '<main id="sco"><p id="sco-status" role="status" aria-live="polite"></p></main>'
        f'<script type="application/json" id="sco-data">{payload}</script>'
        '<script src="../../shared/sco.js"></script></body></html>'
    )


def _asset(name: str) -> str:
    return resources.files("courses.packages").joinpath("sco_assets", name).read_text()


def scorm_package(
    title: dict[str, str], scos: list[Sco], *, version: str = "2004 4th Edition"
) -> bytes:
    """A SCORM package zip: manifest, one page per SCO, the shared script."""
    files = {
        "imsmanifest.xml": manifest(title, scos, version=version),
        "shared/sco.js": _asset("sco.js"),
        "shared/sco.css": _asset("sco.css"),
    }
    for sco in scos:
        files[f"sco/{sco.identifier}/index.html"] = sco_page(sco)
    return zip_bytes(files)
