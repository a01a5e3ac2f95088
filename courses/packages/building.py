"""Building package zips in code: the demo's packages and the tests' (no
download, no binary in the repository). `cmi5_zip` writes a `cmi5.xml` course
structure and the AUs' files; `scorm_zip` an `imsmanifest.xml` and its SCOs."""

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"


def _langstrings(element: str, values: dict[str, str]) -> str:
    strings = "".join(
        f"<langstring lang={quoteattr(lang)}>{escape(text)}</langstring>"
        for lang, text in values.items()
    )
    return f"<{element}>{strings}</{element}>"


def _au_xml(au: dict) -> str:
    attributes = {"id": au["id"]}
    for key in ("moveOn", "masteryScore", "launchMethod", "activityType"):
        if au.get(key) is not None:
            attributes[key] = str(au[key])
    attrs = " ".join(f"{key}={quoteattr(value)}" for key, value in attributes.items())
    parts = [
        _langstrings("title", au.get("title") or {"en": au["id"]}),
        _langstrings("description", au.get("description") or {"en": ""}),
        f"<url>{escape(au['url'])}</url>",
    ]
    if au.get("launchParameters"):
        parts.append(
            f"<launchParameters>{escape(au['launchParameters'])}</launchParameters>"
        )
    if au.get("entitlementKey"):
        parts.append(f"<entitlementKey>{escape(au['entitlementKey'])}</entitlementKey>")
    return f"<au {attrs}>{''.join(parts)}</au>"


def _node_xml(node: dict) -> str:
    if "children" in node:  # a block
        inner = "".join(_node_xml(child) for child in node["children"])
        title = _langstrings("title", node.get("title") or {"en": node["id"]})
        description = _langstrings("description", node.get("description") or {"en": ""})
        return f"<block id={quoteattr(node['id'])}>{title}{description}{inner}</block>"
    return _au_xml(node)


def cmi5_xml(course_id: str, title: dict[str, str], nodes: list[dict]) -> str:
    """A cmi5 course structure: `nodes` are AUs and blocks ({"children": [...]})."""
    body = "".join(_node_xml(node) for node in nodes)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<courseStructure xmlns="{CMI5_NS}">'
        f"<course id={quoteattr(course_id)}>{_langstrings('title', title)}"
        f"{_langstrings('description', title)}</course>{body}</courseStructure>"
    )


def zip_bytes(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data.encode() if isinstance(data, str) else data)
    return buffer.getvalue()


def cmi5_zip(
    course_id: str,
    title: dict[str, str],
    nodes: list[dict],
    files: dict[str, bytes | str],
) -> bytes:
    return zip_bytes({"cmi5.xml": cmi5_xml(course_id, title, nodes), **files})


def scorm_zip(
    title: str,
    scos: list[dict],
    files: dict[str, bytes | str],
    *,
    version: str = "2004 4th Edition",
) -> bytes:
    """A SCORM package with one organisation; `scos`: {"id", "title", "href"}."""
    items = "".join(
        f"<item identifier={quoteattr('item-' + sco['id'])} "
        f"identifierref={quoteattr('res-' + sco['id'])}><title>{escape(sco['title'])}</title></item>"
        for sco in scos
    )
    type_attr = "adlcp:scormType" if version.startswith("2004") else "adlcp:scormtype"
    adlcp = (
        "http://www.adlnet.org/xsd/adlcp_v1p3"
        if version.startswith("2004")
        else "http://www.adlnet.org/xsd/adlcp_rootv1p2"
    )
    resources = "".join(
        f'<resource identifier={quoteattr("res-" + sco["id"])} type="webcontent" '
        f'{type_attr}="sco" href={quoteattr(sco["href"])}><file href={quoteattr(sco["href"])}/></resource>'
        for sco in scos
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest identifier="atelier-package" version="1" '
        'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
        f'xmlns:adlcp="{adlcp}">'
        f"<metadata><schema>ADL SCORM</schema><schemaversion>{escape(version)}</schemaversion></metadata>"
        f'<organizations default="org"><organization identifier="org"><title>{escape(title)}</title>'
        f"{items}</organization></organizations><resources>{resources}</resources></manifest>"
    )
    return zip_bytes({"imsmanifest.xml": manifest, **files})
