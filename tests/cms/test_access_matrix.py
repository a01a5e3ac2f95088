"""Who may do what, address by address: the role × address matrix.

Every address of README's "Addresses" table and every route under them that
acts on a person or a certificate (from cms/urls.py and the apps' urls.py,
admin screens included) is tried by eight roles. Each cell says Y (allowed)
or N (refused: 401, 403, 404, or a redirect to the log-in page or, in the
Wagtail admin, to its home with "permission denied"); a cell that answers
anything else — a 500 above all — fails.

The people (one world for the module, each cell in its own rolled-back
transaction, so no cell depends on another):

    institute P ─┬─ laboratory A: Léa (learner, certificate in course C1,
                 │                 enrolled in C2), manager mA
                 └─ laboratory B: Omar (another learner, certificate in C1),
                                   manager mB
    mP manages P; the trainer (Formateurs) and the administrator belong to no
    unit. Managers are in the "Responsables formation" group with the rights the
    demo gives it (units, memberships, requirements; reading reminders).
"""

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.db import transaction

import pytest

from learning.compliance.models import (
    ApiToken,
    GateCall,
    Membership,
    MembershipRole,
    OrgUnit,
    Reminder,
    Requirement,
)

ROLES = (
    "anonymous",
    "learner",
    "other_learner",
    "trainer",
    "manager_a",
    "manager_b",
    "manager_parent",
    "administrator",
)


# -- the world ------------------------------------------------------------------


def _build_world() -> SimpleNamespace:
    from cms.roles import ensure_role_groups
    from cms.site_structure import ensure_site_structure
    from learning import progress
    from learning.analytics.models import RecordsExport
    from learning.certificates.exports import build_export_job, request_export
    from learning.certificates.pdf import ensure_pdf
    from learning.compliance.demo import _let_managers_edit_requirements
    from learning.xapi.lrs.models import Destination, LRSClient
    from tests.compliance.conftest import certify
    from tests.factories import CoursePageFactory, LessonPageFactory, UserFactory

    catalogue = ensure_site_structure().catalogue("fr")
    courses = []
    for number in (1, 2, 3):
        course = CoursePageFactory(
            parent=catalogue, title=f"Cours {number}", slug=f"cours-{number}"
        )
        for lesson in (1, 2):
            LessonPageFactory(parent=course, title=f"Leçon {lesson}", slug=f"l{lesson}")
        courses.append(course)
    c1, c2, c3 = courses

    groups = ensure_role_groups()
    _let_managers_edit_requirements()
    parent = OrgUnit.objects.create(code="P", name="Institut")
    lab_a = OrgUnit.objects.create(code="A", name="Labo A", parent=parent)
    lab_b = OrgUnit.objects.create(code="B", name="Labo B", parent=parent)

    def person(username, unit=None, role=MembershipRole.MEMBER, group=None, **kw):
        user = UserFactory(username=username, last_name=username.title(), **kw)
        if unit:
            Membership.objects.create(
                user=user, unit=unit, role=role, joined_at=date(2026, 1, 1)
            )
        if group:
            user.groups.add(groups[group])
        return user

    users = {
        "learner": person("lea", lab_a),
        "other_learner": person("omar", lab_b),
        "trainer": person("trainer", group="trainers"),
        "manager_a": person("manager-a", lab_a, MembershipRole.MANAGER, "managers"),
        "manager_b": person("manager-b", lab_b, MembershipRole.MANAGER, "managers"),
        "manager_parent": person(
            "manager-p", parent, MembershipRole.MANAGER, "managers"
        ),
        "administrator": person("admin", is_superuser=True, is_staff=True),
    }
    lea, omar = users["learner"], users["other_learner"]
    certificate = ensure_pdf(certify(lea, c1, on=date(2026, 1, 20)))
    ensure_pdf(certify(omar, c1, on=date(2026, 1, 21)))
    progress.enrol(lea, c2)

    snds = Requirement.objects.create(slug="snds", title="SNDS", due_days=30)
    snds.courses.add(c1)
    snds.units.add(parent)
    lab_rule = Requirement.objects.create(slug="labo-a", title="Règle du labo A")
    lab_rule.courses.add(c2)
    lab_rule.units.add(lab_a)
    # Nobody has started C3: managers may enrol Léa in it.
    c3_rule = Requirement.objects.create(slug="c3", title="Cours 3 obligatoire")
    c3_rule.courses.add(c3)
    c3_rule.units.add(lab_a)
    reminder = Reminder.objects.create(
        user=lea, requirement=snds, kind="due", window=date(2026, 2, 1)
    )
    gate_call = GateCall.objects.create(
        requirement_slug="snds", person=lea.email, user=lea, http_status=200
    )
    token = ApiToken(name="Portail")
    token.set_token("atl_matrix")
    token.save()
    token.requirements.add(snds)

    zip_export = request_export(c1, by=users["manager_a"])
    build_export_job(zip_export.pk)
    records_export = RecordsExport.objects.create(
        requested_by=users["administrator"], status="done"
    )
    records_export.file.save("matrix.h5", ContentFile(b"\x89HDF\r\n"), save=True)
    client = LRSClient(name="Outil", key=LRSClient.generate_key(), scopes=["all"])
    client.set_secret(LRSClient.generate_secret())
    client.save()
    destination = Destination.objects.create(
        name="Ralph", endpoint="https://lrs.example.org/xAPI/", is_active=False
    )
    return SimpleNamespace(
        users=users,
        ids={
            "cert": certificate.uuid,
            "code": certificate.code,
            "c1": c1.pk,
            "c2": c2.pk,
            "c3": c3.pk,
            "lesson": c2.lessons()[0].pk,
            "lea": lea.pk,
            "lea_pseudonym": lea.pseudonym,
            "lea_email": lea.email,
            "lea_membership": Membership.objects.get(user=lea).pk,
            "unit_a": lab_a.pk,
            "unit_b": lab_b.pk,
            "unit_p": parent.pk,
            "lab_rule": lab_rule.pk,
            "reminder": reminder.pk,
            "gate_call": gate_call.pk,
            "token": token.pk,
            "zip": zip_export.pk,
            "records": records_export.pk,
            "lrs_client": client.pk,
            "destination": destination.pk,
        },
        certificate=certificate,
        last_membership=Membership.objects.latest("pk").pk,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once; every cell runs in a savepoint of this transaction, rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


# -- judging a response ----------------------------------------------------------

LOGIN_PATHS = ("/accounts/login/", "/admin/login/", "/django-admin/login/")


def verdict(response) -> str:
    """'Y' for an answer, 'N' for a refusal, anything else is an error."""
    status = response.status_code
    if status == 200:
        return "Y"
    if status in (401, 403, 404):
        return "N"
    if status in (301, 302):
        path = urlsplit(response["Location"]).path.removeprefix("/en")
        if path.startswith(LOGIN_PATHS) or path == "/admin/":
            return "N"  # log in first / Wagtail's "permission denied"
        return f"redirect to {response['Location']}"
    return f"HTTP {status}"


def redirected_to(prefix: str):
    """For POSTs whose success is a redirect to `prefix`."""

    def judge(response, world) -> str:
        result = verdict(response)
        if result.startswith("redirect to ") and response["Location"].startswith(
            prefix
        ):
            return "Y"
        return result

    return judge


def created(model, **lookup):
    """For admin POSTs: allowed when the row exists afterwards."""

    def judge(response, world) -> str:
        found = model.objects.filter(**{k: v(world) for k, v in lookup.items()})
        return "Y" if found.exists() else verdict_of_refusal(response)

    return judge


def contains(text_of):
    """A 200 that shows Léa (her certificate, name or row) is Y; otherwise N."""

    def judge(response, world) -> str:
        result = verdict(response)
        if result != "Y":
            return result
        body = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        return "Y" if text_of(world).encode() in body else "N"

    return judge


def lea_counted(response, world) -> str:
    """The analytics of C2 (where only Léa is enrolled) count her."""
    result = verdict(response)
    if result != "Y":
        return result
    return "Y" if response.context["analytics"].enrolments.total == 1 else "N"


def revoked(response, world) -> str:
    world.certificate.refresh_from_db()
    if world.certificate.is_revoked:
        return "Y"
    return verdict(response) if response.status_code != 302 else "N"


def zip_holds_lea(response, world) -> str:
    """The ZIP the role asks for holds Léa's PDF."""
    from learning.certificates.exports import build_export_job
    from learning.certificates.models import CertificateExport

    if response.status_code != 302 or "/manage/exports/" not in response["Location"]:
        return verdict(response)
    export = CertificateExport.objects.latest("pk")
    build_export_job(export.pk)
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    return "Y" if f"certificate-{world.certificate.code}.pdf" in names else "N"


def self_promoted(response, world) -> str:
    """The role got a new manager membership of the institute."""
    new = Membership.objects.filter(
        pk__gt=world.last_membership,
        unit_id=world.ids["unit_p"],
        role=MembershipRole.MANAGER,
        user__username=world.role_username,
    )
    return "Y" if new.exists() else verdict_of_refusal(response)


def verdict_of_refusal(response) -> str:
    """Nothing happened: a refusal, or the form again with its errors."""
    return "N" if response.status_code < 500 else f"HTTP {response.status_code}"


def moved_to_b(response, world) -> str:
    membership = Membership.objects.get(pk=world.ids["lea_membership"])
    if membership.unit_id == world.ids["unit_b"]:
        return "Y"
    return verdict_of_refusal(response)


def lea_reminded(response, world) -> str:
    """A reminder sent by hand to Léa by the role exists."""
    found = Reminder.objects.filter(
        user_id=world.ids["lea"],
        manual_on__isnull=False,
        sent_by__username=world.role_username,
    )
    return (
        "Y" if world.role_username and found.exists() else verdict_of_refusal(response)
    )


def lea_enrolled_in_c3(response, world) -> str:
    from learning.models import Enrollment

    found = Enrollment.objects.filter(
        user_id=world.ids["lea"], course_id=world.ids["c3"]
    )
    return "Y" if found.exists() else verdict_of_refusal(response)


def lea_gone(response, world) -> str:
    if not Membership.objects.filter(pk=world.ids["lea_membership"]).exists():
        return "Y"
    return verdict_of_refusal(response)


# -- the matrix -------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    method: str
    url: str
    judge: object = None  # default: verdict()
    data: dict | None = None

    @property
    def headers(self) -> dict:
        if self.url.startswith("/xapi/"):  # or the LRS answers 400 before anything
            return {"X-Experience-API-Version": "1.0.3"}
        return {}

    def __str__(self):
        return f"{self.method} {self.url}"


def GET(url, judge=None):
    return Address("GET", url, judge)


def POST(url, data=None, judge=None):
    return Address("POST", url, judge, data or {})


LEA = lambda w: w.users["learner"].last_name  # noqa: E731 - a short table entry
CODE = lambda w: w.certificate.display_code  # noqa: E731

MEMBERSHIP = {"unit": "{unit_a}", "role": "manager", "joined_at": "2026-01-01"}

# fmt: off
#                                                                anon  léa  omar trainer mA  mB  mP  admin
MATRIX = [
    # -- the site (README: /, /en/, catalogue, /learning/) ------------------------------
    (GET("/"),                                                   "Y    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/en/"),                                                "Y    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/catalogue/"),                                         "Y    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/learning/"),                                          "N    Y    Y    Y    Y    Y    Y    Y"),
    (POST("/learning/courses/{c2}/start/", judge=redirected_to("/")),
                                                                 "N    Y    Y    Y    Y    Y    Y    Y"),
    # -- accounts: one's own profile and data only ----------------------------------------
    # (signed in: sent on to the site)
    (GET("/accounts/login/", redirected_to("/")),                "Y    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/accounts/email/"),                                    "N    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/accounts/profile/"),                                  "N    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/accounts/profile/data.json"),                         "N    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/accounts/profile/delete/"),                           "N    Y    Y    Y    Y    Y    Y    Y"),
    # -- learning-record exports: administrators only -------------------------------------
    (GET("/learning/records/exports/"),                          "N    N    N    N    N    N    N    Y"),
    (POST("/learning/records/exports/", judge=redirected_to("/learning/records/exports/")),
                                                                 "N    N    N    N    N    N    N    Y"),
    (GET("/learning/records/exports/{records}/"),                "N    N    N    N    N    N    N    Y"),
    (GET("/learning/records/exports/{records}/download/"),       "N    N    N    N    N    N    N    Y"),
    # -- the LRS: LRS client credentials, never a site session ----------------------------
    (GET("/xapi/about"),                                         "Y    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/xapi/statements"),                                    "N    N    N    N    N    N    N    N"),
    (GET("/xapi/agents?agent=%7B%22mbox%22%3A%22mailto%3Ax%40y.z%22%7D"),
                                                                 "N    N    N    N    N    N    N    N"),
    # -- public verification and keys -------------------------------------------------------
    (GET("/certificates/verify/"),                               "Y    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/certificates/verify/{code}/"),                        "Y    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/certificates/verify/{code}.json"),                    "Y    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/certificates/status/{cert}.json"),                    "Y    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/certificates/issuer.json"),                           "Y    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/.well-known/jwks.json"),                              "Y    Y    Y    Y    Y    Y    Y    Y"),
    # -- Léa's certificate: herself, the managers above her, administrators -----------------
    (GET("/certificates/{cert}/pdf/"),                           "N    Y    N    N    Y    N    Y    Y"),
    (GET("/certificates/{cert}/open-badge.jwt"),                 "N    Y    N    N    Y    N    Y    Y"),
    (GET("/en/certificates/{cert}/pdf/"),                        "N    Y    N    N    Y    N    Y    Y"),
    (GET("/certificates/{cert}/revoke/"),                        "N    N    N    N    Y    N    Y    Y"),
    (POST("/certificates/{cert}/revoke/", {"reason": "Fraude"}, revoked),
                                                                 "N    N    N    N    Y    N    Y    Y"),
    (GET("/certificates/manage/"),                               "N    N    N    N    Y    Y    Y    Y"),
    (GET("/certificates/manage/?q={code}", contains(CODE)),      "N    N    N    N    Y    N    Y    Y"),
    (POST("/certificates/manage/courses/{c1}/zip/", judge=zip_holds_lea),
                                                                 "N    N    N    N    Y    N    Y    Y"),
    # mA's ZIP: only the manager who asked for it, and administrators
    (GET("/certificates/manage/exports/{zip}/"),                 "N    N    N    N    Y    N    N    Y"),
    (GET("/certificates/manage/exports/{zip}/download/"),        "N    N    N    N    Y    N    N    Y"),
    # -- compliance: managers, each on their own units ------------------------------------
    (GET("/compliance/"),                                        "N    N    N    N    Y    Y    Y    Y"),
    (GET("/compliance/?unit={unit_a}"),                          "N    N    N    N    Y    N    Y    Y"),
    (GET("/compliance/?unit={unit_a}", contains(LEA)),           "N    N    N    N    Y    N    Y    Y"),
    (GET("/compliance/export.csv", contains(LEA)),               "N    N    N    N    Y    N    Y    Y"),
    (GET("/compliance/export.xlsx"),                             "N    N    N    N    Y    Y    Y    Y"),
    (GET("/compliance/register.csv", contains(LEA)),             "N    N    N    N    Y    N    Y    Y"),
    (GET("/compliance/people/{lea_pseudonym}/"),                 "N    N    N    N    Y    N    Y    Y"),
    (POST("/compliance/people/{lea_pseudonym}/remind/", {"requirement": "labo-a"}, lea_reminded),
                                                                 "N    N    N    N    Y    N    Y    Y"),
    (POST("/compliance/people/{lea_pseudonym}/enrol/", {"requirement": "c3", "course": "{c3}"},
          lea_enrolled_in_c3),                                   "N    N    N    N    Y    N    Y    Y"),
    # -- the REST API: a bearer token, never a session -------------------------------------
    (GET("/api/v1/docs"),                                        "Y    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/api/v1/openapi.json"),                                "Y    Y    Y    Y    Y    Y    Y    Y"),
    (GET("/api/v1/compliance/gates/snds/{lea_email}"),           "N    N    N    N    N    N    N    N"),
    # -- the Wagtail admin --------------------------------------------------------------------
    (GET("/admin/"),                                             "N    N    N    Y    Y    Y    Y    Y"),
    (GET("/admin/analytics/"),                                   "N    N    N    Y    Y    Y    Y    Y"),
    (GET("/admin/analytics/courses/{c2}/", lea_counted),         "N    N    N    Y    Y    N    Y    Y"),
    (GET("/admin/analytics/courses/{c2}/funnel.csv"),            "N    N    N    Y    Y    Y    Y    Y"),
    (GET("/admin/analytics/courses/{c2}/questions.csv"),         "N    N    N    Y    Y    Y    Y    Y"),
    (GET("/admin/compliance_memberships/", contains(LEA)),       "N    N    N    N    Y    N    Y    Y"),
    (GET("/admin/compliance_memberships/edit/{lea_membership}/"),
                                                                 "N    N    N    N    Y    N    Y    Y"),
    (GET("/admin/compliance_memberships/history/{lea_membership}/"),
                                                                 "N    N    N    N    Y    N    Y    Y"),
    # (the demo gives managers no right to delete memberships)
    (POST("/admin/compliance_memberships/delete/{lea_membership}/", judge=lea_gone),
                                                                 "N    N    N    N    N    N    N    Y"),
    # the role makes itself manager of the institute
    (POST("/admin/compliance_memberships/new/",
          {**MEMBERSHIP, "unit": "{unit_p}", "user": "{self}"}, self_promoted),
                                                                 "N    N    N    N    N    N    N    Y"),
    # the role moves Léa to laboratory B
    (POST("/admin/compliance_memberships/edit/{lea_membership}/",
          {**MEMBERSHIP, "unit": "{unit_b}", "user": "{lea}", "role": "member"}, moved_to_b),
                                                                 "N    N    N    N    N    N    Y    Y"),
    # the role makes Léa manager of laboratory A
    (POST("/admin/compliance_memberships/new/", {**MEMBERSHIP, "user": "{lea}"},
          created(Membership, user_id=lambda w: w.ids["lea"], role=lambda w: "manager")),
                                                                 "N    N    N    N    Y    N    Y    Y"),
    (GET("/admin/compliance_units/", contains(lambda w: "Labo A")),
                                                                 "N    N    N    N    Y    N    Y    Y"),
    (GET("/admin/compliance_units/edit/{unit_a}/"),              "N    N    N    N    Y    N    Y    Y"),
    (GET("/admin/compliance_units/inspect/{unit_p}/"),           "N    N    N    N    N    N    Y    Y"),
    (POST("/admin/compliance_units/new/", {"code": "A1", "name": "Équipe", "parent": "{unit_a}"},
          created(OrgUnit, code=lambda w: "A1")),                "N    N    N    N    Y    N    Y    Y"),
    (GET("/admin/compliance_requirements/edit/{lab_rule}/"),     "N    N    N    N    Y    N    Y    Y"),
    (GET("/admin/compliance_reminders/", contains(LEA)),         "N    N    N    N    Y    N    Y    Y"),
    (GET("/admin/compliance_gate_calls/"),                       "N    N    N    N    N    N    N    Y"),
    (GET("/admin/compliance_gate_calls/inspect/{gate_call}/"),   "N    N    N    N    N    N    N    Y"),
    (GET("/admin/compliance_tokens/"),                           "N    N    N    N    N    N    N    Y"),
    (GET("/admin/compliance_tokens/edit/{token}/"),              "N    N    N    N    N    N    N    Y"),
    (GET("/admin/users/"),                                       "N    N    N    N    N    N    N    Y"),
    (GET("/admin/users/edit/{lea}/"),                            "N    N    N    N    N    N    N    Y"),
    (GET("/admin/lrsclient/"),                                   "N    N    N    N    N    N    N    Y"),
    (GET("/admin/lrsclient/edit/{lrs_client}/"),                 "N    N    N    N    N    N    N    Y"),
    (GET("/admin/destination/"),                                 "N    N    N    N    N    N    N    Y"),
    (GET("/admin/destination/edit/{destination}/"),              "N    N    N    N    N    N    N    Y"),
    # -- Django's admin and the job dashboard: staff only -------------------------------------
    (GET("/django-admin/"),                                      "N    N    N    N    N    N    N    Y"),
    (GET("/django-rq/"),                                         "N    N    N    N    N    N    N    Y"),
]
# fmt: on

CELLS = [
    pytest.param(address, role, expected, id=f"{address} | {role}")
    for address, row in MATRIX
    for role, expected in zip(ROLES, row.split(), strict=True)
]


@pytest.mark.parametrize(("address", "role", "expected"), CELLS)
def test_access_matrix(client, db, world, address, role, expected):
    """The role gets the answer its cell says, and never a server error."""
    user = world.users.get(role)
    if user is not None:
        client.force_login(user)
    world.role_username = user.username if user else None
    values = {**world.ids, "self": user.pk if user else ""}
    url = address.url.format(**values)
    if address.method == "GET":
        response = client.get(url, headers=address.headers)
    else:
        data = {k: str(v).format(**values) for k, v in address.data.items()}
        response = client.post(url, data, headers=address.headers)
    assert response.status_code < 500
    judge = address.judge or (lambda response, world: verdict(response))
    assert judge(response, world) == expected
