"""Reading `imsmanifest.xml`: SCORM 1.2 and SCORM 2004 (2nd, 3rd, 4th edition).

What the player needs from a manifest, per launchable item of the default
organisation, in course order: the SCO or asset it launches (resource href,
`xml:base`s and the item's parameters), and what the LMS must hand the SCO or
judge it by: SCORM 1.2 `adlcp:masteryscore`, `adlcp:datafromlms`,
`adlcp:maxtimeallowed`, `adlcp:timelimitaction`; SCORM 2004
`adlcp:completionThreshold` (3rd edition text, 4th edition attributes),
`adlcp:dataFromLMS`, `adlcp:timeLimitAction`, the time limit of
`imsss:limitConditions`, and the objectives of `imsss:sequencing` (its primary
objective's `minNormalizedMeasure` is the scaled passing score when it is
satisfied by measure), including sequencing referenced from an
`imsss:sequencingCollection`.

Each unit's `extra["scorm"]` holds that data and `requires`, the rule that
makes the SCO count as done in the lesson: "passed" when the manifest gives a
passing score (1.2 mastery score, 2004 objective satisfied by measure), else
"completed" (completed or passed). Assets never report: they do not count.

Bounded: the manifest's size is checked before (inspection.py), item nesting
is limited, every kept string is cut to the length its CMI element allows, and
every problem is reported as "imsmanifest.xml: reason", all at once.
"""

import re
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

from .errors import PackageError
from .manifests import attribute, child, children, parse_xml, text

SCORM = "imsmanifest.xml"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
MAX_DEPTH = 20  # item nesting; real courses use two or three levels
TITLE_CHARS = 500
# CMI element sizes: SPM of cmi.launch_data (4096 in 1.2, 4000 in 2004),
# cmi.objectives.n.id (4000 in 2004, 255 in 1.2).
LAUNCH_DATA_CHARS = {"scorm12": 4096, "scorm2004": 4000}
OBJECTIVE_ID_CHARS = {"scorm12": 255, "scorm2004": 4000}
TIME_LIMIT_ACTIONS = {
    "exit,message",
    "exit,no message",
    "continue,message",
    "continue,no message",
}
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


class Problems(list):
    """The "imsmanifest.xml: reason" lines found so far."""

    def add(self, label: str, reason: str) -> None:
        self.append(f"{SCORM}: {label}: {reason}" if label else f"{SCORM}: {reason}")


def scorm_version(root: Element) -> tuple[str, str]:
    """(format, version label) from metadata/schemaversion, else the namespaces."""
    metadata = child(root, "metadata")
    declared = (
        text(child(metadata, "schemaversion"))[:60] if metadata is not None else ""
    )
    if declared.startswith("1.2"):
        return "scorm12", "SCORM 1.2"
    if declared == "CAM 1.3":
        return "scorm2004", "SCORM 2004 2nd Edition"
    if "2004" in declared:
        return "scorm2004", f"SCORM {declared}"
    namespaces = " ".join([root.tag, *root.attrib.values()])
    if "adlcp_v1p3" in namespaces or "imsss" in namespaces:
        return "scorm2004", "SCORM 2004"
    return "scorm12", "SCORM 1.2"


def parse_scorm(data: bytes, files: set[str]) -> dict:
    """The default organisation of a SCORM package, as the player's units.

    `files`: the package's file names (relative to the manifest), to check that
    each launched resource is there. PackageError lists every problem.
    """
    root = parse_xml(data, SCORM)
    if root.tag.rsplit("}", 1)[-1] != "manifest":
        raise PackageError(f"{SCORM}: the root element must be manifest")
    package_format, version = scorm_version(root)
    problems = Problems()
    if child(root, "manifest") is not None:
        problems.add(
            "", "sub-manifests (a manifest inside the manifest) are not supported"
        )
    organization = _default_organization(root, problems)
    holder = child(root, "resources")
    resources = _resources(holder, problems)
    collection = _sequencing_collection(root)
    base = (root.get(XML_BASE) or "") + (
        (holder.get(XML_BASE) or "") if holder is not None else ""
    )
    reader = _Reader(package_format, resources, collection, base, files, problems)
    structure = reader.walk(organization, [], 1) if organization is not None else []
    if organization is not None and not reader.units:
        problems.add("", "the organization has no item that launches a resource")
    if problems:
        raise PackageError(problems)
    title = text(child(organization, "title"))[:TITLE_CHARS]
    return {
        "format": package_format,
        "version": version,
        "identifier": (root.get("identifier") or "")[:1000],
        "title": {"und": title} if title else {},
        "description": {},
        "structure": structure,
        "units": reader.units,
    }


def _default_organization(root: Element, problems: Problems) -> Element | None:
    organizations = child(root, "organizations")
    found = children(organizations, "organization") if organizations is not None else []
    if not found:
        problems.add(
            "", "no organization (a package of resources only cannot be launched)"
        )
        return None
    default = organizations.get("default")
    if default is None:
        return found[0]
    for organization in found:
        if organization.get("identifier") == default:
            return organization
    problems.add(
        "organizations", f"the default organization {default!r} is not defined"
    )
    return None


def _resources(holder: Element | None, problems: Problems) -> dict[str, Element]:
    resources: dict[str, Element] = {}
    for resource in children(holder, "resource") if holder is not None else []:
        identifier = resource.get("identifier") or ""
        if not identifier:
            problems.add("resource", "a resource has no identifier")
        elif identifier in resources:
            problems.add(f"resource {identifier}", "identifier used twice")
        resources[identifier] = resource
    return resources


def _sequencing_collection(root: Element) -> dict[str, Element]:
    """imsss:sequencingCollection entries by ID (items refer to them by IDRef)."""
    holder = child(root, "sequencingCollection")
    if holder is None:
        return {}
    return {
        sequencing.get("ID"): sequencing
        for sequencing in children(holder, "sequencing")
        if sequencing.get("ID")
    }


def _decimal(value: str, low: float, high: float) -> float | None:
    value = value.strip()
    if not DECIMAL.match(value):
        return None
    number = float(value)
    return number if low <= number <= high else None


def _launch_path(url: str, files: set[str]) -> str | None:
    """Why a relative launch URL does not name a file of the package, or None."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return "launches an address outside the package; only files of the package can be launched"
    path = unquote(parts.path)
    if not path or path.startswith("/") or ".." in path.split("/"):
        return f"launch URL {url!r} is not inside the package"
    if path not in files:
        return f"launches {path}, which is not in the package"
    return None


def _with_parameters(url: str, parameters: str) -> str:
    """The item's parameters joined to the launch URL (CAM 1.3, 3.4.1.11):
    leading ? and & dropped, a #fragment appended once, else a query part."""
    parameters = parameters.lstrip("?&")
    if not parameters:
        return url
    if parameters.startswith("#"):
        return url if "#" in url else url + parameters
    return url + ("&" if "?" in url else "?") + parameters


class _Reader:
    """Walks the organisation's items into units, collecting problems."""

    def __init__(self, package_format, resources, collection, base, files, problems):
        self.format = package_format
        self.resources = resources
        self.collection = collection
        self.base = base
        self.files = files
        self.problems = problems
        self.units: list[dict] = []
        self.seen: set[str] = set()

    def walk(self, element: Element, parents: list[str], depth: int) -> list[dict]:
        if depth > MAX_DEPTH:
            self.problems.add(
                "organization", f"items nested deeper than {MAX_DEPTH} levels"
            )
            return []
        nodes = []
        for item in children(element, "item"):
            identifier = (item.get("identifier") or "").strip()[:1000]
            label = f"item {identifier or '(no identifier)'}"
            if not identifier:
                self.problems.add(label, "an item has no identifier")
            elif identifier in self.seen:
                self.problems.add(label, "identifier used twice")
            self.seen.add(identifier)
            title = text(child(item, "title"))[:TITLE_CHARS]
            sub = children(item, "item")
            ref = item.get("identifierref")
            if ref and sub:
                self.problems.add(
                    label, "an item with child items cannot launch a resource"
                )
            elif ref:
                unit = self.unit(item, identifier, label, title, ref, parents)
                if unit is not None:
                    self.units.append(unit)
                    nodes.append({"type": unit["kind"], "id": identifier})
            elif sub:
                nodes.append(
                    {
                        "type": "block",
                        "id": identifier,
                        "title": {"und": title} if title else {},
                        "children": self.walk(item, [*parents, identifier], depth + 1),
                    }
                )
            else:
                self.problems.add(label, "neither launches a resource nor holds items")
        return nodes

    def unit(self, item, identifier, label, title, ref, parents) -> dict | None:
        resource = self.resources.get(ref)
        if resource is None:
            self.problems.add(label, f"its resource {ref!r} is not defined")
            return None
        href = resource.get("href") or ""
        if not href:
            self.problems.add(label, f"its resource {ref} has no href")
            return None
        url = self.base + (resource.get(XML_BASE) or "") + href
        reason = _launch_path(url, self.files)
        if reason:
            self.problems.add(label, reason)
        parameters = (item.get("parameters") or "").strip()[:1000]
        url = _with_parameters(url, parameters)
        scorm_type = (attribute(resource, "scormtype") or "asset").strip().lower()
        if scorm_type not in ("sco", "asset"):
            self.problems.add(
                label, f"scormType {scorm_type!r} is neither sco nor asset"
            )
        data = self.runtime_data(item, label)
        if scorm_type != "sco":
            data["requires"] = ""
        return {
            "kind": "sco" if scorm_type == "sco" else "asset",
            "identifier": identifier,
            "title": {"und": title} if title else {},
            "description": {},
            "url": url[:2000],
            "move_on": "",
            "mastery_score": data["scaled_passing_score"],
            "launch_method": "AnyWindow",
            "launch_parameters": "",
            "entitlement_key": "",
            "activity_type": "",
            "blocks": list(parents),
            "extra": {
                "scorm": {**data, "resource": ref[:1000], "parameters": parameters}
            },
        }

    def runtime_data(self, item: Element, label: str) -> dict:
        """What the SCO is handed at launch and judged by (module docstring)."""
        if self.format == "scorm12":
            data = self._scorm12(item, label)
        else:
            data = self._scorm2004(item, label)
        data["visible"] = (item.get("isvisible") or "true").strip().lower() != "false"
        data["requires"] = (
            "passed" if data["scaled_passing_score"] is not None else "completed"
        )
        return data

    def _scorm12(self, item: Element, label: str) -> dict:
        mastery = text(child(item, "masteryscore"))
        scaled = None
        if mastery:
            score = _decimal(mastery, 0, 100)
            if score is None:
                self.problems.add(
                    label,
                    f"masteryscore {mastery[:20]!r} is not a number from 0 to 100",
                )
            else:
                scaled = round(score / 100, 4)
        action = text(child(item, "timelimitaction")).lower()
        return {
            "launch_data": text(child(item, "datafromlms"))[
                : LAUNCH_DATA_CHARS["scorm12"]
            ],
            "mastery_score": mastery[:10] if scaled is not None else "",
            "scaled_passing_score": scaled,
            "completion_threshold": None,
            "max_time_allowed": text(child(item, "maxtimeallowed"))[:50],
            "time_limit_action": action if action in TIME_LIMIT_ACTIONS else "",
            "objectives": [],
        }

    def _scorm2004(self, item: Element, label: str) -> dict:
        objectives, passing = self._objectives(
            self._sequencing(item, "objectives"), label
        )
        limits = self._sequencing(item, "limitConditions")
        action = text(child(item, "timeLimitAction")).lower()
        return {
            "launch_data": text(child(item, "dataFromLMS"))[
                : LAUNCH_DATA_CHARS["scorm2004"]
            ],
            "mastery_score": "",
            "scaled_passing_score": passing,
            "completion_threshold": self._completion_threshold(item, label),
            "max_time_allowed": (
                (limits.get("attemptAbsoluteDurationLimit") or "")[:50]
                if limits is not None
                else ""
            ),
            "time_limit_action": action if action in TIME_LIMIT_ACTIONS else "",
            "objectives": objectives,
        }

    def _sequencing(self, item: Element, name: str) -> Element | None:
        """The `name` element (objectives, limitConditions) of the item's
        imsss:sequencing, else of the collection entry it refers to (IDRef)."""
        own = child(item, "sequencing")
        if own is None:
            return None
        found = child(own, name)
        if found is None and own.get("IDRef") in self.collection:
            found = child(self.collection[own.get("IDRef")], name)
        return found

    def _objectives(self, holder, label) -> tuple[list[str], float | None]:
        """The objective ids (primary first) and the scaled passing score."""
        if holder is None:
            return [], None
        primary = child(holder, "primaryObjective")
        ids, passing = [], None
        limit = OBJECTIVE_ID_CHARS["scorm2004"]
        if primary is not None:
            if primary.get("objectiveID"):
                ids.append(primary.get("objectiveID")[:limit])
            if (primary.get("satisfiedByMeasure") or "").strip().lower() == "true":
                measure = text(child(primary, "minNormalizedMeasure")) or "1.0"
                passing = _decimal(measure, -1, 1)
                if passing is None:
                    self.problems.add(
                        label,
                        f"minNormalizedMeasure {measure[:20]!r} is not a number from -1 to 1",
                    )
        for objective in children(holder, "objective"):
            identifier = (objective.get("objectiveID") or "")[:limit]
            if identifier and identifier not in ids:
                ids.append(identifier)
        return ids[:100], passing

    def _completion_threshold(self, item: Element, label: str) -> float | None:
        """3rd edition: the element's text; 4th: minProgressMeasure when
        completedByMeasure is true."""
        element = child(item, "completionThreshold")
        if element is None:
            return None
        if element.get("completedByMeasure") is not None or element.get(
            "minProgressMeasure"
        ):
            if (element.get("completedByMeasure") or "").strip().lower() != "true":
                return None
            raw = element.get("minProgressMeasure") or "1.0"
        else:
            raw = text(element)
            if not raw:
                return None
        threshold = _decimal(raw, 0, 1)
        if threshold is None:
            self.problems.add(
                label, f"completionThreshold {raw[:20]!r} is not a number from 0 to 1"
            )
        return threshold
