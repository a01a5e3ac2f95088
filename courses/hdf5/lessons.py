"""What a passed check does to the learner's record."""

from courses.models import LessonPage
from learning import progress
from learning.exceptions import AlreadyCompleted, LearningError
from learning.models import Enrollment

COMPLETED = "completed"
ALREADY_COMPLETED = "already_completed"
NOT_ENROLLED = "not_enrolled"


def complete_checked_lesson(user, lesson: LessonPage, *, session=None) -> str:
    """Complete `lesson` for an enrolled learner whose file passed; says what happened."""
    course = progress.canonical_page(lesson.get_parent().specific)
    enrollment = Enrollment.objects.filter(user=user, course=course).first()
    if enrollment is None:
        return NOT_ENROLLED
    try:
        progress.complete_lesson(enrollment, lesson, session=session)
    except AlreadyCompleted:
        return ALREADY_COMPLETED
    except LearningError:
        return NOT_ENROLLED
    return COMPLETED
