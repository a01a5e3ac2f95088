"""Reading a package's manifest: `cmi5.xml` (cmi5 Quartz, section 13) here,
`imsmanifest.xml` (SCORM) in scorm.py, both with defusedxml (no entities, no
external references, no DTD tricks) and the helpers below.

The result is plain JSON-able data: the format, titles, and the units (cmi5
AUs, SCORM SCOs and assets) in course order, each with its launch path and
parameters. cmi5 blocks are kept as a tree (`structure`) and on each AU as the
list of its enclosing block ids, for moveOn.
"""

from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .errors import PackageError

CMI5 = "cmi5.xml"
SCORM = "imsmanifest.xml"
MOVE_ON = (
    "Passed",
    "Completed",
    "CompletedAndPassed",
    "CompletedOrPassed",
    "NotApplicable",
)
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")


def local(tag) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local(child.tag) == name]


def child(element: Element, name: str) -> Element | None:
    found = children(element, name)
    return found[0] if found else None


def text(element: Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def attribute(element: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (adlcp:scormtype...)."""
    for key, value in element.attrib.items():
        if local(key) == name or local(key).lower() == name.lower():
            return value
    return None


def parse_xml(data: bytes, file: str) -> Element:
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise PackageError(f"{file}: refused XML ({type(error).__name__})") from None
    except ParseError as error:
        raise PackageError(f"{file}: not well-formed XML ({error})") from None
    except ValueError as error:
        raise PackageError(f"{file}: not readable XML ({error})") from None


def langstrings(element: Element | None) -> dict[str, str]:
    """cmi5 `<title><langstring lang="fr">…</langstring></title>` as {lang: text}."""
    if element is None:
        return {}
    found = {
        (item.get("lang") or "und").strip()[:35]: text(item)[:500]
        for item in children(element, "langstring")
    }
    return {lang: value for lang, value in found.items() if value}


def first_text(strings: dict[str, str], default: str = "") -> str:
    return next(iter(strings.values()), default)


def _is_absolute(url: str) -> bool:
    return bool(urlsplit(url).scheme)


def _launch_target(
    url: str, files: set[str], file: str, label: str, errors: list
) -> str:
    """Check that a relative launch URL names a file of the package."""
    if _is_absolute(url):
        if urlsplit(url).scheme not in ("http", "https"):
            errors.append(f"{file}: {label}: only http(s) URLs can be launched")
        return url
    path = urlsplit(url).path
    if not path or path.startswith("/") or ".." in path.split("/"):
        errors.append(f"{file}: {label}: launch URL {url!r} is not inside the package")
    elif path not in files:
        errors.append(f"{file}: {label}: launches {path}, which is not in the package")
    return url


def parse_cmi5(data: bytes, files: set[str]) -> dict:
    """The course structure of a cmi5 package."""
    root = parse_xml(data, CMI5)
    if local(root.tag) != "courseStructure":
        raise PackageError(f"{CMI5}: the root element must be courseStructure")
    course = child(root, "course")
    if course is None or not course.get("id"):
        raise PackageError(f"{CMI5}: a course element with an id is required")
    errors: list[str] = []
    units: list[dict] = []
    ids: set[str] = set()

    def walk(element: Element, blocks: list[str]) -> list[dict]:
        nodes = []
        for item in element:
            kind = local(item.tag)
            if kind not in ("au", "block"):
                continue
            identifier = (item.get("id") or "").strip()
            label = f"{kind} {identifier or '(no id)'}"
            if not identifier or not _is_absolute(identifier):
                errors.append(f"{CMI5}: {label}: id must be an IRI")
            elif identifier in ids:
                errors.append(f"{CMI5}: {label}: id used twice")
            ids.add(identifier)
            titles = langstrings(child(item, "title"))
            if kind == "block":
                nodes.append(
                    {
                        "type": "block",
                        "id": identifier,
                        "title": titles,
                        "children": walk(item, [*blocks, identifier]),
                    }
                )
                continue
            nodes.append({"type": "au", "id": identifier})
            units.append(_cmi5_au(item, identifier, titles, blocks, files, errors))
        return nodes

    structure = walk(root, [])
    if not units:
        errors.append(f"{CMI5}: the course has no AU")
    if errors:
        raise PackageError(errors)
    titles = langstrings(child(course, "title"))
    return {
        "format": "cmi5",
        "version": "cmi5 Quartz",
        "identifier": course.get("id"),
        "title": titles,
        "description": langstrings(child(course, "description")),
        "structure": structure,
        "units": units,
    }


def _cmi5_au(item, identifier, titles, blocks, files, errors) -> dict:
    label = f"au {identifier}"
    move_on = item.get("moveOn") or "NotApplicable"
    if move_on not in MOVE_ON:
        errors.append(
            f"{CMI5}: {label}: moveOn {move_on!r} is not one of {', '.join(MOVE_ON)}"
        )
    method = item.get("launchMethod") or "AnyWindow"
    if method not in LAUNCH_METHODS:
        errors.append(
            f"{CMI5}: {label}: launchMethod {method!r} is not AnyWindow or OwnWindow"
        )
    mastery = item.get("masteryScore")
    if mastery is not None:
        try:
            mastery = float(mastery)
        except ValueError:
            mastery = -1.0
        if not 0 <= mastery <= 1:
            errors.append(
                f"{CMI5}: {label}: masteryScore must be a decimal from 0 to 1"
            )
    url = text(child(item, "url"))
    if not url:
        errors.append(f"{CMI5}: {label}: url is required")
    else:
        _launch_target(url, files, CMI5, label, errors)
    return {
        "kind": "au",
        "identifier": identifier,
        "title": titles,
        "description": langstrings(child(item, "description")),
        "url": url,
        "move_on": move_on,
        "mastery_score": mastery,
        "launch_method": method,
        "launch_parameters": text(child(item, "launchParameters"))[:4000],
        "entitlement_key": text(child(item, "entitlementKey"))[:1000],
        "activity_type": item.get("activityType") or "",
        "blocks": list(blocks),
    }
