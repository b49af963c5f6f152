# The review's and its seats' statuses change only through their transitions
# (``protected``: no column changes, Python only).

import django_fsm
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0004_seat_due_date_is_its_clocks"),
    ]

    operations = [
        migrations.AlterField(
            model_name="legalreview",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("reviewing", "Reviewers at work"),
                    ("consolidating", "Lead writing the committee's opinion"),
                    ("signed", "Signed off"),
                    ("cancelled", "Cancelled"),
                ],
                default="reviewing",
                max_length=20,
                protected=True,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="reviewer",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("invited", "To declare any conflict"),
                    ("reviewing", "Reviewing"),
                    ("submitted", "Opinion submitted"),
                    ("conflict", "Released: declared a conflict"),
                    ("cancelled", "Cancelled"),
                ],
                default="invited",
                max_length=20,
                protected=True,
                verbose_name="status",
            ),
        ),
    ]
