"""Indexes for the work queue ([Q6d]): a case's running clocks in due order (the queue's
default sort), and, on PostgreSQL only, trigram indexes (``pg_trgm``) for its search by
case number, title and party name, which reads ``LIKE '%…%'``: a B-tree cannot serve a
pattern that starts with a wildcard. SQLite has no trigram index; there the search reads
the tables, which is fine at its size."""

from django.db import migrations, models

# (index, table, indexed expression): what ``workflows.selectors._matching`` filters
# on, written as Django writes the lookup (``icontains`` compares UPPER(column)).
TRIGRAM_INDEXES = [
    ("case_number_trigram", "cases_case", "number"),
    ("case_title_trigram", "cases_case", "title"),
    ("person_name_zh_trigram", "cases_person", "name_zh"),
    ("person_name_latin_trigram", "cases_person", "UPPER(name_latin)"),
    ("association_name_trigram", "cases_association", "name"),
    ("organisation_name_trigram", "cases_organisation", "name"),
]


def create_trigram_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor) -> None:
    # The extension stays: something else of the database may use it.
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_case_summary_limit"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(stopped_on__isnull=True, suspended_on__isnull=True),
                fields=["case", "due_on"],
                name="running_deadline_of_case",
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
