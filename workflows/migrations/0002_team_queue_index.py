"""An index for the team queue on viewflow's task table (viewflow's model is not changed):
unclaimed tasks by the organisation they belong to (the task's permission object)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS workflows_team_queue ON viewflow_task "
            "(owner_permission_obj_pk, owner_permission_content_type_id) "
            "WHERE status = 'NEW' AND owner_id IS NULL",
            "DROP INDEX IF EXISTS workflows_team_queue",
        ),
    ]
