"""A seat's due date is its adviser's clock's (``Reviewer.due_on`` reads it): the copy
kept on the seat went stale when the clock moved (a suspension of the case), and goes.

Reversible: going back, the column is filled from the clocks again."""

from django.db import migrations, models
from django.utils import timezone


def copy_due_dates_back(apps, schema_editor) -> None:
    """Each seat's date from its adviser's review clock on the case: the running one,
    else the last stopped; a seat without any (none is made so) gets the day it was
    taken, for the column cannot be empty."""
    Reviewer = apps.get_model("review", "Reviewer")
    Deadline = apps.get_model("cases", "Deadline")
    # The clock's kind as named from 0003 on.
    for seat in Reviewer.objects.select_related("review").iterator():
        clock = (
            Deadline.objects.filter(
                case_id=seat.review.case_id, kind="review_seat", holder_id=seat.adviser_id
            )
            .order_by(models.F("stopped_on").desc(nulls_first=True), "-pk")
            .first()
        )
        seat.due_on = clock.due_on if clock else timezone.localdate(seat.assigned_at)
        seat.save(update_fields=["due_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0003_clock_kind_of_its_own"),
    ]

    operations = [
        # Nullable first, so that going back can add the column before filling it.
        migrations.AlterField(
            model_name="reviewer",
            name="due_on",
            field=models.DateField(null=True, verbose_name="due on"),
        ),
        migrations.RunPython(migrations.RunPython.noop, copy_due_dates_back),
        migrations.RemoveField(model_name="reviewer", name="due_on"),
    ]
