"""Import organisation units and memberships from CSV, all or nothing.

One file, one header line, UTF-8, comma- or semicolon-separated:

    code,name,parent,email,role,joined_at

- a row with a `name` defines (or renames/moves) the unit `code` under `parent`
  (empty parent: a top-level unit);
- a row with an `email` makes that person a member of unit `code`, with `role`
  `member` (default) or `manager`, joined on `joined_at` (YYYY-MM-DD, default today).

Nothing is written unless every line is valid; errors name their line number.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Membership, MembershipRole, OrgUnit

COLUMNS = ("code", "name", "parent", "email", "role", "joined_at")


class OrgImportError(Exception):
    """The file was refused; `errors` lists (line number, message)."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("\n".join(f"line {n}: {m}" for n, m in errors))


@dataclass
class ImportResult:
    units_created: int = 0
    units_updated: int = 0
    memberships_created: int = 0
    memberships_kept: int = 0
    lines: int = 0
    messages: list[str] = field(default_factory=list)


def _rows(text: str):
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    missing = {"code"} - {(name or "").strip() for name in reader.fieldnames or ()}
    if missing:
        raise OrgImportError([(1, _("The header must name the column “code”."))])
    for number, row in enumerate(reader, start=2):
        yield (
            number,
            {
                key.strip(): (value or "").strip()
                for key, value in row.items()
                if key is not None
            },
        )


def import_org_units(text: str) -> ImportResult:
    """Validate the whole CSV text, then write units and memberships in one transaction."""
    errors: list[tuple[int, str]] = []
    units: dict[str, tuple[int, str, str]] = {}  # code -> (line, name, parent)
    members: list[tuple[int, str, str, str, date]] = []
    for number, row in _rows(text.lstrip("\ufeff")):
        code = row.get("code", "")
        if not code:
            errors.append((number, _("The unit code is missing.")))
            continue
        if row.get("name"):
            if code in units:
                errors.append(
                    (
                        number,
                        _("Duplicate unit code “%(code)s” (first on line %(line)s).")
                        % {"code": code, "line": units[code][0]},
                    )
                )
            else:
                units[code] = (number, row["name"], row.get("parent", ""))
        if row.get("email"):
            role = row.get("role") or MembershipRole.MEMBER
            if role not in MembershipRole.values:
                errors.append((number, _("Unknown role “%(role)s”.") % {"role": role}))
                continue
            try:
                joined = (
                    date.fromisoformat(row["joined_at"])
                    if row.get("joined_at")
                    else timezone.localdate()
                )
            except ValueError:
                errors.append(
                    (
                        number,
                        _("Invalid date “%(value)s” (expected YYYY-MM-DD).")
                        % {"value": row["joined_at"]},
                    )
                )
                continue
            members.append((number, code, row["email"].lower(), role, joined))
        elif not row.get("name"):
            errors.append((number, _("Give a unit name or a person's e-mail.")))

    existing = {u.code: u for u in OrgUnit.objects.select_related("parent")}
    parents = {
        code: (u.parent.code if u.parent else "") for code, u in existing.items()
    }
    for code, (number, _name, parent) in units.items():
        if parent and parent not in units and parent not in existing:
            errors.append(
                (number, _("Unknown parent unit “%(code)s”.") % {"code": parent})
            )
        parents[code] = parent
    for code, (number, _name, _parent) in units.items():
        seen, current = {code}, parents.get(code)
        while current:
            if current in seen:
                errors.append(
                    (
                        number,
                        _("Unit “%(code)s” would be its own ancestor (a cycle).")
                        % {"code": code},
                    )
                )
                break
            seen.add(current)
            current = parents.get(current)

    User = get_user_model()
    emails = {email for _n, _c, email, _r, _j in members}
    people: dict[str, int] = {}
    for pk, email in User.objects.filter(email__in=emails).values_list("pk", "email"):
        people[email.lower()] = pk
    # Case-insensitive fallback for addresses stored with capitals.
    for email in emails - set(people):
        user = User.objects.filter(email__iexact=email).first()
        if user:
            people[email] = user.pk
    for number, code, email, _role, _joined in members:
        if code not in units and code not in existing:
            errors.append((number, _("Unknown unit “%(code)s”.") % {"code": code}))
        if email not in people:
            errors.append(
                (number, _("No person with the e-mail “%(email)s”.") % {"email": email})
            )
    if errors:
        raise OrgImportError(sorted(errors))

    result = ImportResult(lines=len(units) + len(members))
    with transaction.atomic():
        by_code = dict(existing)
        for code, (_number, name, _parent) in units.items():
            unit = by_code.get(code)
            if unit is None:
                by_code[code] = OrgUnit.objects.create(code=code, name=name)
                result.units_created += 1
            elif unit.name != name:
                unit.name = name
                unit.save(update_fields=["name"])
                result.units_updated += 1
        for code, (_number, _name, parent) in units.items():
            unit = by_code[code]
            parent_id = by_code[parent].pk if parent else None
            if unit.parent_id != parent_id:
                unit.parent_id = parent_id
                unit.save(update_fields=["parent"])
                if code in existing:
                    result.units_updated += 1
        for _number, code, email, role, joined in members:
            _membership, created = Membership.objects.get_or_create(
                user_id=people[email],
                unit=by_code[code],
                role=role,
                defaults={"joined_at": joined},
            )
            if created:
                result.memberships_created += 1
            else:
                result.memberships_kept += 1
    return result
