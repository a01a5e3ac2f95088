"""SCORM packages for the tests, built by code (courses/packages/scorm_course.py):
a SCORM 1.2 mono-SCO and a SCORM 2004 multi-SCO course, whose pages run a small
script that calls the run-time API."""

from courses.packages.scorm_course import Question, Sco, scorm_package

TITLE = {"fr": "Données de recherche", "en": "Research data"}


def fair_question() -> Question:
    return Question(
        identifier="fair-f",
        text={
            "fr": "Que signifie le F de FAIR ?",
            "en": "What does the F in FAIR stand for?",
        },
        choices=[
            ("findable", {"fr": "Faciles à trouver", "en": "Findable"}),
            ("free", {"fr": "Gratuites", "en": "Free"}),
        ],
        correct="findable",
    )


def intro_sco(**options) -> Sco:
    return Sco(
        identifier="intro",
        title={"fr": "Introduction", "en": "Introduction"},
        pages=[
            {"fr": "<p>Première page.</p>", "en": "<p>First page.</p>"},
            {"fr": "<p>Deuxième page.</p>", "en": "<p>Second page.</p>"},
        ],
        **options,
    )


def quiz_sco(**options) -> Sco:
    return Sco(
        identifier="quiz",
        title={"fr": "Quiz FAIR", "en": "FAIR quiz"},
        pages=[{"fr": "<p>Avant le quiz.</p>", "en": "<p>Before the quiz.</p>"}],
        questions=[fair_question()],
        **{"passing_score": 0.8, **options},
    )


def scorm12_mono_sco() -> bytes:
    """SCORM 1.2, one SCO with a question and a mastery score of 80."""
    return scorm_package(TITLE, [quiz_sco()], version="1.2")


def scorm2004_multi_sco(version: str = "2004 4th Edition") -> bytes:
    """SCORM 2004, two SCOs: pages to read (completion), then a quiz (passing score)."""
    return scorm_package(TITLE, [intro_sco(), quiz_sco()], version=version)
