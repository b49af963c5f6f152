"""Seed the catalogue of laws and the areas of expertise (``workflows.review.catalogue``);
administrators keep them in the admin from then on."""

from django.db import migrations


def seed(apps, schema_editor):
    from workflows.review.services import seed_catalogue

    seed_catalogue(apps.get_model("review", "LawArticle"), apps.get_model("review", "ExpertiseArea"))


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
