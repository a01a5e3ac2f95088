"""The demo's cmi5 course, built by code (no download): two AUs on metadata and
open formats for research data, in French and English, with the small cmi5 AU
of `demo_au/` (its JavaScript speaks cmi5 to Atelier's LRS). Imported through a
course folder written on the fly, the path trainers use."""

import json
import tempfile
from pathlib import Path

from .building import cmi5_zip

SLUG = "formats-ouverts-cmi5"
HERE = Path(__file__).parent / "demo_au"
COURSE_ID = "https://atelier.example/cmi5/formats-ouverts"

METADATA = {
    "title": {
        "fr": "Décrire ses données : les métadonnées",
        "en": "Describing data: metadata",
    },
    "texts": {
        "fr": {
            "page": "Page",
            "next": "Page suivante",
            "submit": "Valider",
            "passed": "Réussi",
            "failed": "Pas encore",
        },
        "en": {
            "page": "Page",
            "next": "Next page",
            "submit": "Submit",
            "passed": "Passed",
            "failed": "Not yet",
        },
    },
    "pages": {
        "fr": [
            {
                "title": "Pourquoi des métadonnées ?",
                "paragraphs": [
                    "Les métadonnées disent qui a produit un jeu de données, quand, comment et sous quelle licence.",
                    "Sans elles, un fichier déposé dans un entrepôt ne peut être ni trouvé ni réutilisé : c'est le F et le R de FAIR.",
                ],
            },
            {
                "title": "Des standards partagés",
                "paragraphs": [
                    "DataCite, Dublin Core ou DDI fixent les champs attendus ; un entrepôt comme Recherche Data Gouv les demande au dépôt.",
                    "Décrivez aussi les variables : unités, codes des valeurs manquantes, méthode de mesure.",
                ],
            },
        ],
        "en": [
            {
                "title": "Why metadata?",
                "paragraphs": [
                    "Metadata say who produced a dataset, when, how and under which licence.",
                    "Without them a file deposited in a repository can be neither found nor reused: the F and the R of FAIR.",
                ],
            },
            {
                "title": "Shared standards",
                "paragraphs": [
                    "DataCite, Dublin Core or DDI set the expected fields; a repository such as Recherche Data Gouv asks for them at deposit.",
                    "Describe the variables too: units, codes for missing values, measurement method.",
                ],
            },
        ],
    },
    "quiz": None,
}

FORMATS = {
    "title": {"fr": "Choisir des formats ouverts", "en": "Choosing open formats"},
    "texts": METADATA["texts"],
    "pages": {
        "fr": [
            {
                "title": "Formats ouverts et pérennes",
                "paragraphs": [
                    "Un format ouvert est documenté publiquement et lisible sans logiciel propriétaire : CSV, JSON, HDF5, NetCDF, PDF/A.",
                    "Pour l'archivage, préférez un format ouvert, répandu et sans compression propriétaire.",
                ],
            }
        ],
        "en": [
            {
                "title": "Open, lasting formats",
                "paragraphs": [
                    "An open format is publicly documented and readable without proprietary software: CSV, JSON, HDF5, NetCDF, PDF/A.",
                    "For archiving, prefer an open, widespread format without proprietary compression.",
                ],
            }
        ],
    },
    "quiz": {
        "fr": [
            {
                "prompt": "Lequel est un format ouvert pour un tableau de données ?",
                "choices": [
                    "XLSX avec macros",
                    "CSV",
                    "Un export d'un logiciel propriétaire",
                ],
                "answer": 1,
            },
            {
                "prompt": "Pour archiver un document texte, on préfère :",
                "choices": ["PDF/A", "DOC", "Une image JPEG du texte"],
                "answer": 0,
            },
            {
                "prompt": "HDF5 est :",
                "choices": [
                    "Un format propriétaire",
                    "Un format ouvert et documenté",
                    "Un logiciel",
                ],
                "answer": 1,
            },
        ],
        "en": [
            {
                "prompt": "Which one is an open format for a data table?",
                "choices": [
                    "XLSX with macros",
                    "CSV",
                    "An export from proprietary software",
                ],
                "answer": 1,
            },
            {
                "prompt": "To archive a text document, prefer:",
                "choices": ["PDF/A", "DOC", "A JPEG picture of the text"],
                "answer": 0,
            },
            {
                "prompt": "HDF5 is:",
                "choices": [
                    "A proprietary format",
                    "An open, documented format",
                    "A piece of software",
                ],
                "answer": 1,
            },
        ],
    },
}


def _au_files(folder: str, content: dict) -> dict[str, str]:
    return {
        f"{folder}/index.html": (HERE / "index.html").read_text(),
        f"{folder}/content.js": f"window.AU_CONTENT = {json.dumps(content, ensure_ascii=False)};\n",
    }


def demo_cmi5_zip() -> bytes:
    """The demo course's cmi5 package: a block of two AUs."""
    aus = [
        {
            "id": f"{COURSE_ID}/metadonnees",
            "title": METADATA["title"],
            "url": "metadonnees/index.html",
            "moveOn": "Completed",
        },
        {
            "id": f"{COURSE_ID}/formats",
            "title": FORMATS["title"],
            "url": "formats/index.html",
            "moveOn": "Passed",
            "masteryScore": "0.8",
        },
    ]
    return cmi5_zip(
        COURSE_ID,
        {"fr": "Métadonnées et formats ouverts", "en": "Metadata and open formats"},
        [
            {
                "id": f"{COURSE_ID}/bloc",
                "title": {
                    "fr": "Bien décrire et bien stocker",
                    "en": "Describe and store well",
                },
                "children": aus,
            }
        ],
        {
            "shared/au.js": (HERE / "au.js").read_text(),
            "shared/au.css": (HERE / "au.css").read_text(),
            **_au_files("metadonnees", METADATA),
            **_au_files("formats", FORMATS),
        },
    )


COURSE_MD = """---
title: Métadonnées et formats ouverts (module cmi5)
language: fr
themes: [metadonnees-formats]
level: beginner
duration_minutes: 20
licence: CC-BY-4.0
version: "1.0"
pass_mark: 80
objectives:
  - Décrire un jeu de données avec des métadonnées standard
  - Choisir un format ouvert et pérenne
---
Un module **cmi5** joué dans Atelier : deux activités empaquetées, suivies par le LRS
d'Atelier comme les autres leçons.
"""
COURSE_EN_MD = """---
title: Metadata and open formats (cmi5 module)
objectives:
  - Describe a dataset with standard metadata
  - Choose an open, lasting format
---
A **cmi5** module played in Atelier: two packaged activities, tracked by Atelier's LRS
like the other lessons.
"""
LESSON_MD = """---
title: Le module cmi5
summary: Deux activités ; la seconde se réussit avec 80 %.
duration_minutes: 20
package: module.zip
---
Lancez chaque activité ; vous pouvez la quitter et la reprendre où vous l'avez laissée.
"""
LESSON_EN_MD = """---
title: The cmi5 module
summary: Two activities; pass the second with 80%.
---
Launch each activity; you can leave it and resume where you left off.
"""


def write_demo_folder(parent: Path) -> Path:
    folder = parent / SLUG
    folder.mkdir()
    (folder / "course.md").write_text(COURSE_MD)
    (folder / "course.en.md").write_text(COURSE_EN_MD)
    (folder / "01-module-cmi5.md").write_text(LESSON_MD)
    (folder / "01-module-cmi5.en.md").write_text(LESSON_EN_MD)
    (folder / "module.zip").write_bytes(demo_cmi5_zip())
    return folder


def install_cmi5_demo(*, refresh: bool = False) -> str:
    """Import the demo cmi5 course (once, or again with `refresh`)."""
    from courses.course_files import import_course
    from courses.models import CoursePage

    if CoursePage.objects.filter(slug=SLUG).exists() and not refresh:
        return f"{SLUG}: already there"
    with tempfile.TemporaryDirectory() as parent:
        course = import_course(write_demo_folder(Path(parent)))
    return f"{SLUG}: imported ({course.title})"
