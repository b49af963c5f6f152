import datetime

from celery import shared_task
from django.utils import timezone

from . import mail, services
from .models import Message


@shared_task
def recompute_running_deadlines() -> int:
    """After the working-day calendar changed: re-derive the due dates of running clocks."""
    return services.recompute_running_deadlines()


@shared_task(bind=True)
def send_message(self, message_id: int) -> None:
    message = mail.send_message(message_id=message_id)
    # Still pending: the mail server did not take it. Try again after a pause (a worker,
    # not the web request, waits); the sweep is the safety net if this retry is lost.
    if message.status == message.Status.PENDING and not self.request.is_eager:
        pause = mail.retry_pause(message)
        # queued_at is when the next try is due, so the sweep leaves the pause alone.
        due = timezone.now() + datetime.timedelta(seconds=pause)
        Message.objects.filter(pk=message.pk).update(queued_at=due)
        raise self.retry(countdown=pause, max_retries=None)


@shared_task
def send_pending_messages() -> int:
    return mail.send_pending_messages()
