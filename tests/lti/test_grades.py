"""Scores back to the platform's gradebook (Assignment and Grade Services),
through the outbox and the job queue, against lti1p3platform's services."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from learning.lti import grades
from learning.lti.models import PendingScore, ResourceLink
from learning.models import QuizAttempt
from tests.quiz.conftest import perfect_answers
from tests.quiz.test_views import form_fields

from .conftest import launch
from .test_launch import go


def pass_quiz(client, quiz, user):
    """Start and pass the quiz; the jobs queued on commit run (synchronously)."""
    from django.test import TestCase

    client.post(quiz.url, {"action": "start"})
    attempt = QuizAttempt.objects.get(enrollment__user=user, status="open")
    data = {"action": "submit", "attempt": attempt.pk}
    data.update(form_fields(attempt, perfect_answers(attempt)))
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(quiz.url, data)


def test_quiz_score_reaches_the_gradebook(client, registered, platform, quiz):
    """Launched on a quiz link, the learner passes: the platform's line item for
    that link (created by the tool) gets 100/100 for this LTI user."""
    launch(client, platform, target=go(quiz), link="quiz-link", link_title="Quiz")
    user = ResourceLink.objects.get().launches.get().user
    pass_quiz(client, quiz, user)
    score = PendingScore.objects.get()
    assert score.delivered_at is not None, score.last_error
    [(lineitem, sent)] = platform.scores
    assert platform.lineitems[lineitem]["resourceLinkId"] == "quiz-link"
    assert platform.lineitems[lineitem]["scoreMaximum"] == 100
    assert sent["userId"] == "student-1"
    assert (sent["scoreGiven"], sent["scoreMaximum"]) == (100, 100)
    assert sent["activityProgress"] == "Completed"
    assert sent["gradingProgress"] == "FullyGraded"
    assert ResourceLink.objects.get().lineitem_url == lineitem


def test_line_item_named_by_the_launch_is_used(client, registered, platform, quiz):
    """A link whose launch names its line item (deep linking made it): matched, not created."""
    item = platform.add_lineitem({"label": "Quiz", "scoreMaximum": 100})
    launch(client, platform, target=go(quiz), link="quiz-link", lineitem=item["id"])
    pass_quiz(client, quiz, ResourceLink.objects.get().launches.get().user)
    assert [lineitem for lineitem, _ in platform.scores] == [item["id"]]
    assert len(platform.lineitems) == 1


def test_gradebook_down_loses_nothing(client, registered, platform, quiz):
    """The platform fails: the score waits with its error, and goes once it is back."""
    platform.fail_scores = 1
    launch(client, platform, target=go(quiz), link="quiz-link")
    pass_quiz(client, quiz, ResourceLink.objects.get().launches.get().user)
    score = PendingScore.objects.get()
    assert score.delivered_at is None and score.rejected_at is None
    assert "500" in score.last_error and score.next_attempt_at is not None
    assert platform.scores == []
    PendingScore.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert grades.send_pending_scores()["delivered"] == 1
    assert len(platform.scores) == 1


def test_course_completion_reaches_the_gradebook(
    client, registered, platform, course, lessons
):
    """A course link: completing its lessons sends the completion (100), and the
    LTI learner gets their certificate as any learner does."""
    launch(client, platform, target=go(course), link="course-link")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        for lesson in lessons:
            client.post(reverse("learning:complete_lesson", args=[lesson.pk]))
    [(lineitem, sent)] = platform.scores
    assert platform.lineitems[lineitem]["resourceLinkId"] == "course-link"
    assert sent["scoreGiven"] == 100
    from learning.certificates.models import Certificate

    certificate = Certificate.objects.get()
    assert certificate.enrollment.user == ResourceLink.objects.get().launches.get().user


def test_outside_the_lti_session_nothing_is_queued(client, learner, quiz):
    """A learner of the site itself: no outbox row, no query for it."""
    client.force_login(learner)
    pass_quiz(client, quiz, learner)
    assert not PendingScore.objects.exists()


def test_csrf_protects_framed_forms(registered, platform, quiz):
    """In the LTI session the forms carry a token from the launch's own secret;
    a post without it is refused."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.cookies.load({"x": "y"})
    platform.tool_key_set = browser.get("/lti/jwks.json").json()
    launch(browser, platform, target=go(quiz), link="quiz-link")
    assert "csrftoken" not in browser.cookies
    refused = browser.post(quiz.url, {"action": "start"})
    assert refused.status_code == 403
    page = browser.get(quiz.url).content.decode()
    import re

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    started = browser.post(quiz.url, {"action": "start", "csrfmiddlewaretoken": token})
    assert started.status_code == 302
