"""Names and Role Provisioning: who in the LMS course has done the linked content.

For a trainer launched from a link: the platform's member list (NRPS, through
pylti1p3) matched to Atelier accounts by issuer + sub, with each learner's
standing in the linked course. Nothing is stored: the list is read when asked.
"""

from dataclasses import dataclass
from datetime import datetime

from pylti1p3.names_roles import NamesRolesProvisioningService

from learning.models import Enrollment

from . import http
from .config import ServiceConnector, registration_for
from .launch import course_of, is_trainer
from .models import Identity, ResourceLink


@dataclass
class MemberProgress:
    name: str
    status: str  # "completed", "in progress", "not started"
    completed_at: datetime | None = None


def members_progress(link: ResourceLink) -> list[MemberProgress]:
    """The LMS course's learners and their standing in the link's course."""
    service = NamesRolesProvisioningService(
        ServiceConnector(
            registration_for(link.platform), requests_session=http.session()
        ),
        {"context_memberships_url": link.nrps_url, "service_versions": ["2.0"]},
    )
    members = [
        member
        for member in service.get_members()
        if member.get("status", "Active") == "Active"
        and not is_trainer(member.get("roles") or [])
    ]
    users = dict(
        Identity.objects.filter(
            issuer=link.platform.issuer,
            subject__in=[str(member["user_id"]) for member in members],
        ).values_list("subject", "user_id")
    )
    enrollments = {
        enrollment.user_id: enrollment
        for enrollment in Enrollment.objects.filter(
            course=course_of(link.page), user_id__in=users.values()
        )
    }
    rows = []
    for member in members:
        enrollment = enrollments.get(users.get(str(member["user_id"])))
        name = member.get("name") or " ".join(
            part
            for part in (member.get("given_name"), member.get("family_name"))
            if part
        )
        if enrollment is None:
            rows.append(MemberProgress(name or str(member["user_id"]), "not started"))
        elif enrollment.is_completed:
            rows.append(MemberProgress(name, "completed", enrollment.completed_at))
        else:
            rows.append(MemberProgress(name, "in progress"))
    return sorted(rows, key=lambda row: (row.status != "completed", row.name.lower()))
