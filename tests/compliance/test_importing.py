"""CSV import of units and memberships: all or nothing, line-numbered errors."""

from django.core.management import CommandError, call_command
from django.utils import translation

import pytest

from learning.compliance.importing import OrgImportError, import_org_units
from learning.compliance.models import Membership, OrgUnit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (French is the default language)."""
    with translation.override("en"):
        yield


GOOD = """code,name,parent,email,role,joined_at
INST,Institut,,,,
LAB1,Laboratoire 1,INST,,,
TEAM1,Équipe 1,LAB1,ada@example.org,member,2026-01-15
LAB1,,,grace@example.org,manager,
"""


@pytest.fixture
def people(db):
    return [
        UserFactory(username="ada", email="ada@example.org"),
        UserFactory(username="grace", email="Grace@example.org"),
    ]


def test_import_creates_units_and_memberships(people):
    """Units are created with their parents, memberships with role and date."""
    result = import_org_units(GOOD)
    assert result.units_created == 3
    assert result.memberships_created == 2
    team = OrgUnit.objects.get(code="TEAM1")
    assert team.parent.code == "LAB1"
    assert team.parent.parent.code == "INST"
    ada = Membership.objects.get(user=people[0])
    assert (ada.unit.code, ada.role, str(ada.joined_at)) == (
        "TEAM1",
        "member",
        "2026-01-15",
    )
    assert Membership.objects.get(user=people[1]).role == "manager"


def test_import_twice_changes_nothing(people):
    """A second run of the same file creates nothing new."""
    import_org_units(GOOD)
    result = import_org_units(GOOD)
    assert result.units_created == 0
    assert result.memberships_created == 0
    assert OrgUnit.objects.count() == 3


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("code,name,parent\nA,Alpha,NOPE\n", 2, "Unknown parent unit “NOPE”"),
        ("code,name,parent\nA,Alpha,\nA,Again,\n", 3, "Duplicate unit code “A”"),
        ("code,name,parent\nA,Alpha,B\nB,Beta,A\n", 2, "cycle"),
        ("code,name,parent,email\nA,Alpha,,\nA,,,nobody@example.org\n", 3, "nobody@"),
        ("code,name,parent,email,role\nA,Alpha,,x@example.org,boss\n", 2, "boss"),
        ("code,name,parent,email\nZ,,,ada@example.org\n", 2, "Unknown unit “Z”"),
    ],
)
def test_import_errors_name_their_line(people, text, line, fragment):
    """Each kind of error is reported with its line number; nothing is written."""
    with pytest.raises(OrgImportError) as caught:
        import_org_units(text)
    assert any(n == line and fragment in m for n, m in caught.value.errors), (
        caught.value.errors
    )
    assert OrgUnit.objects.count() == 0


def test_import_cycle_with_existing_units(people):
    """Moving an existing unit under its own descendant is refused."""
    import_org_units(GOOD)
    with pytest.raises(OrgImportError, match="cycle"):
        import_org_units("code,name,parent\nINST,Institut,TEAM1\n")
    assert OrgUnit.objects.get(code="INST").parent is None


def test_import_all_or_nothing_with_one_bad_line(people):
    """One unknown e-mail among good lines: no unit, no membership."""
    with pytest.raises(OrgImportError):
        import_org_units(GOOD + "LAB1,,,ghost@example.org,member,\n")
    assert OrgUnit.objects.count() == 0
    assert Membership.objects.count() == 0


def test_import_command_reports_errors_and_succeeds(people, tmp_path, capsys):
    """The command prints file:line errors and fails; a good file succeeds."""
    bad = tmp_path / "bad.csv"
    bad.write_text("code;name;parent\nA;Alpha;NOPE\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_org_units", str(bad))
    assert "bad.csv:2:" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text("\ufeff" + GOOD, encoding="utf-8")
    call_command("import_org_units", str(good))
    assert "3 created" in capsys.readouterr().out
