"""The work queue as an Excel workbook: every row of ``selectors.queue`` for the filters of
the page it is downloaded from, with the page's columns (see ``cases.exports``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exports import DATE, DATE_TIME, Column, batches, workbook
from cases.timeline import join_list

from . import selectors


def queue_workbook(tasks: QuerySet, view: str) -> bytes:
    """``tasks`` from ``selectors.queue``, in its order. An open task shows its due date and
    the working days left; a finished one when it was finished (in the reader's time zone)
    and by whom."""
    finished = view == "finished"
    first = [
        Column(_("Case number"), 22),
        Column(_("Title"), 36),
        Column(_("Category"), 14),
        Column(_("Stage"), 12),
        Column(_("Task") if finished else _("Current task"), 18),
    ]
    if finished:
        zone = timezone.get_current_timezone_name()
        middle = [
            Column(_("Finished at (%(zone)s)") % {"zone": zone}, 20, DATE_TIME),
            Column(_("Finished by"), 14),
        ]
    else:
        middle = [
            Column(_("Held by"), 14),
            Column(_("Due"), 12, DATE),
            Column(_("Working days left (negative: overdue)"), 16),
        ]
    last = [Column(_("Parties' countries"), 24), Column(_("Handling organisation"), 24)]

    def lines():
        for batch in batches(tasks.iterator(chunk_size=500)):
            for row in selectors.rows(batch):
                case, task = row.case, row.task
                owner = str(task.owner) if task.owner else ""
                if finished:
                    columns = (task.finished, owner)
                else:
                    columns = (owner, row.due_on, row.working_days_left)
                yield (
                    case.number,
                    case.title,
                    case.get_category_display(),
                    case.get_status_display(),
                    str(task.flow_task.label),
                    *columns,
                    join_list(row.countries),  # as the page joins them
                    str(case.handling_organisation),
                )

    return workbook(_("Work queue"), [*first, *middle, *last], lines())
