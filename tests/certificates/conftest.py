import pytest

from learning import progress
from learning.certificates.models import Certificate
from tests.factories import UserFactory


@pytest.fixture
def validity_course(course):
    """The SNDS course, certificates valid 12 months, version 2.1."""
    course.certificate_validity_months = 12
    course.version = "2.1"
    course.save()
    return course


def complete(user, course, capture, *, run_job=True):
    """Enrol and complete every lesson; run the after-commit certificate job
    (unless `run_job` is False: the job is then lost)."""
    with capture(execute=run_job):
        enrollment = progress.enrol(user, course)
        for lesson in course.lessons():
            progress.complete_lesson(enrollment, lesson)
    enrollment.refresh_from_db()
    return enrollment


@pytest.fixture
def completed(learner, validity_course, django_capture_on_commit_callbacks):
    """A learner who completed the course: the job has issued the certificate."""
    return complete(learner, validity_course, django_capture_on_commit_callbacks)


@pytest.fixture
def certificate(completed):
    return Certificate.objects.get(enrollment=completed)


@pytest.fixture
def team(learner):
    """The learner's team."""
    from learning.compliance.models import Membership, OrgUnit

    unit = OrgUnit.objects.create(code="TEAM", name="Équipe")
    Membership.objects.create(user=learner, unit=unit)
    return unit


@pytest.fixture
def manager(team):
    """Manages the learner's team (and is in the managers' group, for the admin)."""
    from cms.roles import ensure_role_groups
    from learning.compliance.models import Membership, MembershipRole

    groups = ensure_role_groups()
    user = UserFactory(username="manon", first_name="Manon", last_name="Lefèvre")
    user.groups.add(groups["managers"])
    Membership.objects.create(user=user, unit=team, role=MembershipRole.MANAGER)
    return user


@pytest.fixture
def other_learner(db):
    return UserFactory(username="dominique")
