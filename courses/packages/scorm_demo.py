"""The demo's SCORM course, built by code (no download): a SCORM 2004 4th
edition package of three SCOs on licences and the reuse of research data, in
French and English (each SCO shows the learner's language), played by
scorm-again. Its SCOs are `scorm_course.Sco`s run by `sco_assets/sco.js`.
Imported through a course folder written on the fly, the path trainers use.
"""

import tempfile
from pathlib import Path

from .scorm_course import Question, Sco, scorm_package

SLUG = "licences-reutilisation-scorm"
TITLE = {
    "fr": "Licences et réutilisation des données",
    "en": "Licences and data reuse",
}

RIGHTS = Sco(
    identifier="droits",
    title={
        "fr": "Qui a des droits sur des données ?",
        "en": "Who holds rights in data?",
    },
    pages=[
        {
            "fr": (
                "<p>Des faits bruts — une température, une date, un comptage — ne sont "
                "pas protégés par le droit d’auteur. Mais un jeu de données l’est "
                "souvent en partie :</p><ul>"
                "<li>la <strong>structure</strong> d’une base (choix et disposition "
                "des données), quand elle est originale, relève du droit d’auteur ;</li>"
                "<li>le <strong>producteur</strong> d’une base qui a demandé un "
                "investissement substantiel a un droit <em>sui generis</em> sur son "
                "contenu (directive européenne 96/9/CE, articles L341-1 et suivants "
                "du code de la propriété intellectuelle) ;</li>"
                "<li>les photos, textes, questionnaires et logiciels joints sont des "
                "œuvres.</li></ul>"
            ),
            "en": (
                "<p>Raw facts — a temperature, a date, a count — are not protected by "
                "copyright. But a dataset often is, in part:</p><ul>"
                "<li>the <strong>structure</strong> of a database (the selection and "
                "arrangement of its data), when it is original, falls under "
                "copyright;</li>"
                "<li>the <strong>maker</strong> of a database that required a "
                "substantial investment holds a <em>sui generis</em> right in its "
                "contents (EU Directive 96/9/EC; articles L341-1 and following of the "
                "French intellectual property code);</li>"
                "<li>the photos, texts, questionnaires and software that come with "
                "it are works.</li></ul>"
            ),
        },
        {
            "fr": (
                "<p>Sans licence, rien n’est permis d’avance : qui veut réutiliser "
                "vos données doit vous demander l’autorisation, et souvent renonce. "
                "Une <strong>licence</strong> dit une fois pour toutes qui peut faire "
                "quoi, et à quelles conditions.</p>"
                "<p>En France, la loi pour une République numérique (2016) fait de "
                "l’ouverture la règle : des données de recherche financées au moins "
                "pour moitié sur fonds publics et rendues publiques sont libres de "
                "réutilisation, si aucun droit particulier ne les protège. "
                "« Aussi ouvert que possible, aussi fermé que nécessaire » : données "
                "personnelles, secrets industriels ou de défense, droits de tiers "
                "justifient de restreindre l’accès.</p>"
            ),
            "en": (
                "<p>Without a licence nothing is allowed in advance: anyone who "
                "wants to reuse your data must ask you, and many give up. A "
                "<strong>licence</strong> says once and for all who may do what, and "
                "on which conditions.</p>"
                "<p>In France, the Digital Republic Act (2016) makes openness the "
                "rule: research data funded at least half by public money and made "
                "public are free to reuse, unless a specific right protects them. “As open "
                "as possible, as closed as necessary”: personal data, industrial or "
                "defence secrets and third-party rights justify restricting "
                "access.</p>"
            ),
        },
        {
            "fr": (
                "<p>Les données produites dans un laboratoire public appartiennent "
                "en général à l’établissement employeur, pas au chercheur seul. La "
                "décision d’ouvrir ou de protéger se prend avec ses services "
                "(données, juridique, valorisation, délégué à la protection des "
                "données).</p>"
                "<p>Vérifiez aussi les données que vous <strong>réutilisez</strong> : "
                "leur licence s’impose à ce que vous en tirez. Notez-la dans votre "
                "plan de gestion des données dès la collecte.</p>"
            ),
            "en": (
                "<p>Data produced in a public laboratory usually belong to the "
                "employing institution, not to the researcher alone. The decision "
                "to open or to protect them is taken with its services (data, legal, "
                "technology transfer, data protection officer).</p>"
                "<p>Check the data you <strong>reuse</strong> as well: their licence "
                "applies to what you derive from them. Record it in your data "
                "management plan from the time of collection.</p>"
            ),
        },
    ],
)

LICENCES = Sco(
    identifier="licences",
    title={"fr": "Choisir une licence ouverte", "en": "Choosing an open licence"},
    pages=[
        {
            "fr": (
                "<p>Quatre licences couvrent la plupart des données ouvertes :</p><ul>"
                "<li><strong>Licence Ouverte / Open Licence Etalab 2.0</strong> : "
                "réutilisation libre, y compris commerciale, en citant la source ; "
                "compatible avec CC-BY ;</li>"
                "<li><strong>CC-BY 4.0</strong> : la même liberté, avec attribution, "
                "connue dans le monde entier ;</li>"
                "<li><strong>CC0</strong> : renonciation à tous les droits, autant que "
                "la loi le permet (la citation reste une règle de bonne pratique "
                "scientifique) ;</li>"
                "<li><strong>ODbL</strong> : attribution et <em>partage à "
                "l’identique</em> : une base dérivée doit rester sous ODbL.</li></ul>"
            ),
            "en": (
                "<p>Four licences cover most open data:</p><ul>"
                "<li><strong>Licence Ouverte / Open Licence Etalab 2.0</strong>: free "
                "reuse, commercial included, citing the source; compatible with "
                "CC-BY;</li>"
                "<li><strong>CC-BY 4.0</strong>: the same freedom, with attribution, "
                "known worldwide;</li>"
                "<li><strong>CC0</strong>: a waiver of all rights, as far as the law "
                "allows (citing remains a rule of good scientific practice);</li>"
                "<li><strong>ODbL</strong>: attribution and <em>share-alike</em>: a "
                "derived database must stay under ODbL.</li></ul>"
            ),
        },
        {
            "fr": (
                "<p>Évitez pour des données les clauses <strong>NC</strong> (pas "
                "d’utilisation commerciale) et <strong>ND</strong> (pas de "
                "modification) : « commercial » est flou (une formation payante ? "
                "une jeune entreprise ?), ND interdit justement les transformations "
                "qu’exige la réutilisation, et les deux empêchent de combiner vos "
                "données avec d’autres. Ce ne sont pas des licences ouvertes.</p>"
                "<p>Le <strong>code</strong> d’analyse prend une licence logicielle "
                "(MIT, Apache 2.0, GPL, CeCILL), pas une licence Creative "
                "Commons.</p>"
            ),
            "en": (
                "<p>For data, avoid the <strong>NC</strong> (non-commercial) and "
                "<strong>ND</strong> (no derivatives) clauses: “commercial” is vague "
                "(a paid training course? a start-up?), ND forbids the very "
                "transformations reuse needs, and both prevent combining your data "
                "with others. They are not open licences.</p>"
                "<p>Analysis <strong>code</strong> takes a software licence (MIT, "
                "Apache 2.0, GPL, CeCILL), not a Creative Commons one.</p>"
            ),
        },
        {
            "fr": (
                "<p>Indiquez la licence là où les machines la lisent : dans le "
                "formulaire de dépôt de l’entrepôt (Recherche Data Gouv la propose "
                "au dépôt), avec son identifiant SPDX (<code>etalab-2.0</code>, "
                "<code>CC-BY-4.0</code>, <code>CC0-1.0</code>), et dans le fichier "
                "README des données.</p>"
                "<p>Une licence ne rend pas publiables des données personnelles : "
                "des entretiens pseudonymisés restent des données personnelles "
                "(RGPD). Anonymisez vraiment, ou publiez les métadonnées et ouvrez "
                "un accès restreint.</p>"
            ),
            "en": (
                "<p>State the licence where machines read it: in the repository’s "
                "deposit form (Recherche Data Gouv asks for it at deposit), with its "
                "SPDX identifier (<code>etalab-2.0</code>, <code>CC-BY-4.0</code>, "
                "<code>CC0-1.0</code>), and in the data’s README file.</p>"
                "<p>A licence does not make personal data publishable: pseudonymised "
                "interviews are still personal data (GDPR). Anonymise for real, or "
                "publish the metadata and offer restricted access.</p>"
            ),
        },
    ],
)


def _question(identifier, text, choices, correct) -> Question:
    return Question(identifier=identifier, text=text, choices=choices, correct=correct)


QUIZ = Sco(
    identifier="quiz",
    title={"fr": "Quiz : licences", "en": "Quiz: licences"},
    pages=[
        {
            "fr": (
                "<p>Cinq questions sur ce module. Il en faut quatre justes pour "
                "réussir ; vous pouvez relancer l’activité pour réessayer.</p>"
            ),
            "en": (
                "<p>Five questions on this module. Four right answers pass; you "
                "can launch the activity again to retry.</p>"
            ),
        }
    ],
    questions=[
        _question(
            "faits",
            {
                "fr": "Une série de mesures brutes est-elle protégée par le droit d’auteur ?",
                "en": "Is a series of raw measurements protected by copyright?",
            },
            [
                ("toujours", {"fr": "Oui, toujours", "en": "Yes, always"}),
                (
                    "base",
                    {
                        "fr": "Non, mais la base qui les organise peut l’être",
                        "en": "No, but the database that organises them may be",
                    },
                ),
                (
                    "jamais",
                    {
                        "fr": "Non, et aucune base ne peut l’être",
                        "en": "No, and no database can be",
                    },
                ),
            ],
            "base",
        ),
        _question(
            "odbl",
            {
                "fr": "Quelle licence impose qu’une base dérivée reste sous la même licence ?",
                "en": "Which licence requires a derived database to keep the same licence?",
            },
            [
                ("cc-by", {"fr": "CC-BY 4.0", "en": "CC-BY 4.0"}),
                ("odbl", {"fr": "ODbL", "en": "ODbL"}),
                ("cc0", {"fr": "CC0", "en": "CC0"}),
            ],
            "odbl",
        ),
        _question(
            "nc",
            {
                "fr": "Pourquoi éviter la clause NC (pas d’utilisation commerciale) pour des données ?",
                "en": "Why avoid the NC (non-commercial) clause for data?",
            },
            [
                (
                    "rgpd",
                    {
                        "fr": "Elle est contraire au RGPD",
                        "en": "It breaches the GDPR",
                    },
                ),
                (
                    "flou",
                    {
                        "fr": "« Commercial » est flou et bloque la combinaison avec d’autres données",
                        "en": "“Commercial” is vague and blocks combining with other data",
                    },
                ),
                (
                    "citation",
                    {
                        "fr": "Elle interdit de citer l’auteur",
                        "en": "It forbids citing the author",
                    },
                ),
            ],
            "flou",
        ),
        _question(
            "code",
            {
                "fr": "Quelle licence pour les scripts d’analyse du projet ?",
                "en": "Which licence for the project’s analysis scripts?",
            },
            [
                ("cc-by-nd", {"fr": "CC-BY-ND", "en": "CC-BY-ND"}),
                (
                    "logiciel",
                    {
                        "fr": "Une licence logicielle (MIT, Apache 2.0, GPL, CeCILL)",
                        "en": "A software licence (MIT, Apache 2.0, GPL, CeCILL)",
                    },
                ),
                ("aucune", {"fr": "Aucune", "en": "None"}),
            ],
            "logiciel",
        ),
        _question(
            "personnelles",
            {
                "fr": "Des entretiens pseudonymisés peuvent-ils être publiés sous CC-BY ?",
                "en": "Can pseudonymised interviews be published under CC-BY?",
            },
            [
                (
                    "oui",
                    {
                        "fr": "Oui, la licence suffit",
                        "en": "Yes, the licence is enough",
                    },
                ),
                (
                    "non",
                    {
                        "fr": "Non : ce sont encore des données personnelles",
                        "en": "No: they are still personal data",
                    },
                ),
            ],
            "non",
        ),
    ],
    passing_score=0.8,
)

SCOS = [RIGHTS, LICENCES, QUIZ]


def demo_scorm_zip() -> bytes:
    """The demo course's SCORM 2004 4th edition package: three SCOs."""
    return scorm_package(TITLE, SCOS, version="2004 4th Edition")


COURSE_MD = """---
title: Licences et réutilisation des données (module SCORM)
language: fr
themes: [juridique-ethique]
level: beginner
duration_minutes: 25
licence: CC-BY-4.0
version: "1.0"
pass_mark: 80
objectives:
  - Dire quels droits peuvent porter sur un jeu de données
  - Choisir une licence ouverte adaptée à ses données et à son code
  - Savoir quand une licence ne suffit pas (données personnelles)
---
Un module **SCORM 2004** joué dans Atelier : trois activités empaquetées, comme en
exportent les outils auteurs, suivies par le LRS d'Atelier comme les autres leçons.
"""
COURSE_EN_MD = """---
title: Licences and data reuse (SCORM module)
objectives:
  - Tell which rights may apply to a dataset
  - Choose an open licence suited to one's data and code
  - Know when a licence is not enough (personal data)
---
A **SCORM 2004** module played in Atelier: three packaged activities, as authoring tools
export them, tracked by Atelier's LRS like the other lessons.
"""
LESSON_MD = """---
title: Le module SCORM
summary: Deux activités à lire, puis un quiz à réussir avec 80 %.
duration_minutes: 25
package: module.zip
---
Lancez chaque activité ; « Enregistrer et quitter » vous permet de la reprendre plus
tard où vous l'avez laissée.
"""
LESSON_EN_MD = """---
title: The SCORM module
summary: Two activities to read, then a quiz to pass with 80%.
---
Launch each activity; "Save and leave" lets you resume it later where you left off.
"""


def write_demo_folder(parent: Path) -> Path:
    folder = parent / SLUG
    folder.mkdir()
    (folder / "course.md").write_text(COURSE_MD)
    (folder / "course.en.md").write_text(COURSE_EN_MD)
    (folder / "01-module-scorm.md").write_text(LESSON_MD)
    (folder / "01-module-scorm.en.md").write_text(LESSON_EN_MD)
    (folder / "module.zip").write_bytes(demo_scorm_zip())
    return folder


def install_scorm_demo(*, refresh: bool = False) -> str:
    """Import the demo SCORM course (once, or again with `refresh`)."""
    from courses.course_files import import_course
    from courses.models import CoursePage

    if CoursePage.objects.filter(slug=SLUG).exists() and not refresh:
        return f"{SLUG}: already there"
    with tempfile.TemporaryDirectory() as parent:
        course = import_course(write_demo_folder(Path(parent)))
    return f"{SLUG}: imported ({course.title})"
