"""The one place that knows our verbs and activity types (ADL vocabulary)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Verb:
    id: str
    en: str
    fr: str

    @property
    def display(self) -> dict[str, str]:
        return {"en": self.en, "fr": self.fr}


ADL = "http://adlnet.gov/expapi/verbs/"

REGISTERED = Verb(ADL + "registered", "registered", "s’est inscrit")
LAUNCHED = Verb(ADL + "launched", "launched", "a lancé")
COMPLETED = Verb(ADL + "completed", "completed", "a terminé")
ATTEMPTED = Verb(ADL + "attempted", "attempted", "a tenté")
ANSWERED = Verb(ADL + "answered", "answered", "a répondu")
PASSED = Verb(ADL + "passed", "passed", "a réussi")
FAILED = Verb(ADL + "failed", "failed", "a échoué")
VOIDED = Verb(ADL + "voided", "voided", "a annulé")
# A new certification cycle on a completed enrolment (certificates.recertify).
INITIALIZED = Verb(ADL + "initialized", "initialized", "a commencé")
# SCORM content (learning/scorm/statements.py, ADL's xAPI SCORM profile).
RESUMED = Verb(ADL + "resumed", "resumed", "a repris")
SUSPENDED = Verb(ADL + "suspended", "suspended", "a suspendu")
TERMINATED = Verb(ADL + "terminated", "terminated", "a quitté")
# Not in the ADL set: the Tin Can registry's verb for earning a certificate.
EARNED = Verb("http://id.tincanapi.com/verb/earned", "earned", "a obtenu")

ACTIVITY = "http://adlnet.gov/expapi/activities/"
COURSE = ACTIVITY + "course"
LESSON = ACTIVITY + "lesson"
ASSESSMENT = ACTIVITY + "assessment"
INTERACTION = ACTIVITY + "cmi.interaction"
ATTEMPT = ACTIVITY + "attempt"
SCORM_PROFILE = "https://w3id.org/xapi/scorm"

PLATFORM = "Atelier"
