"""Launches from a real LTI 1.3 platform (lti1p3platform), and the attacks."""

import pytest

from learning.lti.models import Identity, Launch, ResourceLink
from learning.models import Enrollment
from learning.xapi import vocabulary
from learning.xapi.models import Statement

from .conftest import authorize, launch


def go(page) -> str:
    return f"http://testserver/lti/go/{page.translation_key}/"


def test_launch_course_creates_account_enrols_and_records(
    client, registered, platform, course
):
    """A learner's first launch to a course: an account linked by iss + sub,
    enrolled, a "launched" statement with the LMS context, the course shown."""
    response = launch(client, platform, target=go(course), email="camille@univ.fr")
    assert response.status_code == 303
    assert response["Location"] == course.url
    identity = Identity.objects.get(issuer=platform.issuer, subject="student-1")
    user = identity.user
    assert (user.first_name, user.last_name, user.email) == (
        "Camille",
        "Martin",
        "camille@univ.fr",
    )
    assert not user.has_usable_password()
    assert Enrollment.objects.filter(user=user, course=course).exists()
    launched = Statement.objects.get(verb=vocabulary.LAUNCHED.id)
    context = launched.data["context"]
    extension = context["extensions"]["http://testserver/xapi/extensions/lti"]
    assert extension["issuer"] == platform.issuer
    assert extension["context"]["id"] == "course-1"
    assert extension["resourceLink"]["id"] == "link-1"
    grouping = context["contextActivities"]["grouping"]
    assert any("/activities/lti-context/" in item["id"] for item in grouping)
    registered_statement = Statement.objects.get(verb=vocabulary.REGISTERED.id)
    assert (
        "http://testserver/xapi/extensions/lti"
        in (registered_statement.data["context"]["extensions"])
    )
    link = ResourceLink.objects.get()
    assert link.kind == "course" and link.activity_id.endswith(
        str(course.translation_key)
    )
    assert Launch.objects.get().subject == "student-1"
    # The launch's session: the course page is served to the LTI user, framable
    # by the platform only.
    page = client.get(course.url)
    assert page.status_code == 200
    assert page.wsgi_request.user == user
    policy = page["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {platform.url}" in policy
    assert "X-Frame-Options" not in page


def test_second_launch_same_account(client, registered, platform, course, lessons):
    """The same iss + sub comes back to the same account; a lesson target opens
    the lesson."""
    launch(client, platform, target=go(course))
    client.cookies.clear()
    response = launch(client, platform, target=go(lessons[1]), link="link-2")
    assert response["Location"] == lessons[1].url
    assert Identity.objects.count() == 1
    assert Enrollment.objects.count() == 1


def test_email_never_merges_accounts(client, registered, platform, course, learner):
    """An address already used by an account is not copied, nor does it log in
    as that account."""
    learner.email = "camille@univ.fr"
    learner.save()
    launch(client, platform, target=go(course), email="CAMILLE@univ.fr")
    user = Identity.objects.get().user
    assert user != learner and user.email == ""


def test_lti_account_identity_counts_as_asserted(client, registered, platform, course):
    """Like an SSO account, an account an LTI platform asserted is verified for the gate."""
    from accounts.identity import is_identity_verified

    launch(client, platform, target=go(course))
    assert is_identity_verified(Identity.objects.get().user)


def test_instructor_is_not_enrolled(client, registered, platform, course):
    """A teacher's launch shows the course without enrolling them."""
    response = launch(
        client,
        platform,
        target=go(course),
        user="teacher-1",
        roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
    )
    assert response.status_code == 303
    assert not Enrollment.objects.exists()


def test_site_pages_keep_their_frame_policy(client, registered, platform, course):
    """Without an LTI session, pages stay unframable."""
    page = client.get(course.url)
    assert "frame-ancestors 'self';" in page["Content-Security-Policy"] + ";"
    assert page["X-Frame-Options"] == "DENY"


# --- attacks ---------------------------------------------------------------------


def refused(response, status, words):
    assert response.status_code == status, response.content[:300]
    text = response.content.decode()
    assert words in text
    assert not Identity.objects.exists()


def test_replayed_nonce_refused(client, registered, platform, course):
    """The same id_token posted twice: the second is refused."""
    form = authorize(client, platform, target=go(course))
    assert client.post("/lti/launch/", form).status_code == 303
    client.cookies.pop("atelier_lti")
    again = client.post("/lti/launch/", form)
    assert again.status_code == 400
    assert "déjà servi" in again.content.decode()


def test_wrong_audience_refused(client, registered, platform, course):
    response = launch(client, platform, target=go(course), audience="someone-else")
    refused(response, 403, "pas enregistré dans Atelier")


def test_expired_token_refused(client, registered, platform, course):
    response = launch(client, platform, target=go(course), expiration=-120)
    refused(response, 400, "a expiré")


def test_unknown_deployment_refused(client, registered, platform, course):
    response = launch(client, platform, target=go(course), deployment_id="other")
    refused(response, 403, "déploiement")


def test_forged_signature_refused(client, registered, platform, course):
    response = launch(client, platform, target=go(course), forge=True)
    refused(response, 403, "signature")


def test_unknown_platform_refused_at_login(client, platform, course):
    """No registration: the login is refused with a page, not a 500."""
    response = client.post("/lti/login/", platform.login_params(target=go(course)))
    assert response.status_code == 403
    assert "pas enregistré" in response.content.decode()


def test_state_from_another_browser_refused(client, registered, platform, course):
    """A launch posted without the state cookie its login set is refused."""
    form = authorize(client, platform, target=go(course))
    client.cookies.clear()
    response = client.post("/lti/launch/", form)
    refused(response, 400, "pas commencé dans ce navigateur")


@pytest.mark.parametrize(
    "form",
    [{}, {"id_token": "x", "state": "y"}, {"id_token": "a.b.c", "state": "state-1"}],
)
def test_garbage_launch_is_a_4xx(client, registered, form):
    response = client.post("/lti/launch/", form)
    assert 400 <= response.status_code < 500


def test_target_outside_the_site_refused(client, registered, platform):
    params = platform.login_params(target="https://evil.example/lti/launch/")
    response = client.post("/lti/login/", params)
    assert response.status_code == 400
