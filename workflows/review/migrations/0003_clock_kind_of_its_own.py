"""A reviewer's clock gets a kind of its own, registered by the review stage: the old name
was the case's own status (legal_review), which the floor keeps."""

from django.db import migrations


def rename(apps, old: str, new: str) -> None:
    apps.get_model("cases", "Deadline").objects.filter(kind=old).update(kind=new)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_catalogue"),
        ("cases", "0012_deadline_held_by_organisation"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema: rename(apps, "legal_review", "review_seat"),
            lambda apps, schema: rename(apps, "review_seat", "legal_review"),
        )
    ]
