from celery import shared_task

from . import services


@shared_task
def recompute_running_deadlines() -> int:
    """After the working-day calendar changed: re-derive the due dates of running clocks."""
    return services.recompute_running_deadlines()
