"""Seed DORANUM's nine teaching themes (see shared/content/doranum-themes.md)."""

from django.db import migrations

THEMES = [
    ("partage-fair", "Enjeux du partage des données et principes FAIR", "Stakes of data sharing and the FAIR principles"),
    ("juridique-ethique", "Aspects juridiques et éthiques, intégrité scientifique, licences", "Legal and ethical aspects, scientific integrity, licences"),
    ("pgd", "Plans de gestion des données (PGD)", "Data management plans (DMP)"),
    ("metadonnees-formats", "Métadonnées, standards et formats", "Metadata, standards and formats"),
    ("identifiants-perennes", "Identifiants pérennes (DOI, ORCID…)", "Persistent identifiers (DOI, ORCID…)"),
    ("depot-entrepots", "Dépôt et entrepôts de données", "Deposit and data repositories"),
    ("stockage-archivage", "Stockage et archivage", "Storage and archiving"),
    ("data-papers", "Data papers et data journals", "Data papers and data journals"),
    ("acces-visualisation", "Accès et visualisation", "Access and visualisation"),
]


def seed_themes(apps, schema_editor):
    Theme = apps.get_model("courses.Theme")
    for position, (code, name_fr, name_en) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(
            code=code,
            defaults={"position": position, "name_fr": name_fr, "name_en": name_en},
        )


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [migrations.RunPython(seed_themes, migrations.RunPython.noop)]
