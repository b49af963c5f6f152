"""A case's summary holds at most 5,000 characters (``Case.MAX_SUMMARY``): the form and
``cases.services.create_case`` refuse a longer one. The column stays a text column, so
this changes the migration state only (on SQLite an AlterField would copy the case table
for nothing); a summary stored longer before is kept as it is."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_names_refuse_control_characters"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="summary",
                    field=models.TextField(max_length=5000, verbose_name="summary"),
                ),
            ],
        ),
    ]
