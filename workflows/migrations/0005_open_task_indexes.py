"""Indexes for the work queue on viewflow's task table (viewflow's model is not changed), on
the open tasks only (about a tenth of the table, which keeps every finished task):
- by holder: "my tasks" and its count, however many tasks the person has finished;
- by process: "watching", which reaches the open tasks through the runs of the cases the
  person may read, and a search, through the runs of the matching cases;
- the team queue's (0002), now holding all that its count and its page's sort read, so
  PostgreSQL answers them from the index alone. Without that, it read the team queue
  through viewflow's index on the status, every organisation's unclaimed tasks (99,000 in
  bench/queue.py's data), whenever the unclaimed tasks lay together in the table."""

from django.db import migrations

OPEN = "status IN ('NEW', 'ASSIGNED', 'STARTED')"  # workflows.selectors.OPEN
TEAM_QUEUE = (
    "CREATE INDEX workflows_team_queue ON viewflow_task ({key}){include} "
    "WHERE status = 'NEW' AND owner_id IS NULL"
)
TEAM_QUEUE_KEY = "owner_permission_obj_pk, owner_permission_content_type_id"  # 0002's


def cover_team_queue(apps, schema_editor) -> None:
    covering = schema_editor.connection.features.supports_covering_indexes  # not SQLite
    include = " INCLUDE (flow_task_type, process_id, created, owner_id, id)" if covering else ""
    schema_editor.execute("DROP INDEX IF EXISTS workflows_team_queue")
    schema_editor.execute(
        TEAM_QUEUE.format(key=f"{TEAM_QUEUE_KEY}, owner_permission", include=include)
    )


def uncover_team_queue(apps, schema_editor) -> None:
    schema_editor.execute("DROP INDEX IF EXISTS workflows_team_queue")
    schema_editor.execute(TEAM_QUEUE.format(key=TEAM_QUEUE_KEY, include=""))


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0004_outcome"),
    ]

    operations = [
        # Without the unclaimed tasks (no holder): PostgreSQL would read the team queue
        # through them, every organisation's, instead of through workflows_team_queue.
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS workflows_open_task_owner ON viewflow_task (owner_id) "
            f"WHERE {OPEN} AND owner_id IS NOT NULL",
            "DROP INDEX IF EXISTS workflows_open_task_owner",
        ),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS workflows_open_task_process ON viewflow_task "
            f"(process_id) WHERE {OPEN}",
            "DROP INDEX IF EXISTS workflows_open_task_process",
        ),
        migrations.RunPython(cover_team_queue, uncover_team_queue, elidable=False),
    ]
