from celery import shared_task

from . import mail


@shared_task
def send_session_reminders() -> int:
    """The reminders of tomorrow's sessions: claimed once each, so beat may run it as often
    as it likes and a sweep missed is caught up by the next."""
    return mail.send_reminders()
