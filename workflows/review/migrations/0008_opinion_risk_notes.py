# The risk assessment of an opinion. Added without a default first, so that the opinions
# stored before keep NULL (written without it, and without an analysis per issue: their
# 法律意见书 prints as before); new ones then default to "".

from django.db import migrations, models


def _field(**default):
    return models.TextField(
        blank=True, max_length=20000, null=True, verbose_name="risk assessment", **default
    )


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0007_adviser_title_en"),
    ]

    operations = [
        migrations.AddField(model_name="legalopinion", name="risk_notes", field=_field()),
        migrations.AddField(model_name="opinion", name="risk_notes", field=_field()),
        migrations.AlterField(
            model_name="legalopinion", name="risk_notes", field=_field(default="")
        ),
        migrations.AlterField(model_name="opinion", name="risk_notes", field=_field(default="")),
    ]
