"""Learner records (enrolments, progress, attempts) arrive with the learner-journey issue."""
