"""The outbox: e-mail stored with the step that causes it, sent by a worker after commit.

A message is sent at most once: sending holds the message's row lock, so a second worker
woken for the same message waits, then finds it sent. (A mail server that accepts a
message and drops the connection before answering can still make it go twice; SMTP gives
no way to tell.) While the server is down a message stays pending and is tried again with
growing pauses, then marked failed; the officer sees which on the case page. A message
that cannot be made into an e-mail at all (a header with a line break in it) would fail the
same way on every try: it is marked failed at once, with its error, and never tried again.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .models import Case, Message, Party, User
from .queueing import wake_after_commit, wake_stale
from .validators import one_line

logger = logging.getLogger(__name__)

# Pauses before each new try (seconds): from ten seconds to an hour, about a day in all.
RETRY_PAUSES = [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 3600, 3600, 3600]
MAX_ATTEMPTS = len(RETRY_PAUSES) + 1
# Failures of the mail server or the network, worth another try.
TRANSIENT = (smtplib.SMTPException, OSError)
# A message the mail library refuses to build or encode (BadHeaderError, UnicodeError: both
# ValueErrors) is refused the same way every time: not worth another try.
UNSENDABLE = (ValueError,)


@dataclass(frozen=True)
class MessageAttachment:
    """A file sent with a message, kept in its row: text (a calendar invitation) or bytes
    (a notice's PDF)."""

    name: str
    content: str | bytes
    content_type: str


def queue_message(
    *,
    recipient: User | None = None,
    party: Party | None = None,
    address: str = "",
    kind: str,
    subject: str,
    body: str,
    case: Case | None = None,
    attachment: MessageAttachment | None = None,
    reference: str = "",
) -> Message:
    """Store a message and have it sent after the surrounding transaction commits: to a
    user of the system, to a party of a case at their person's e-mail address, or to an
    ``address`` alone (someone who is neither: an interpreter attending a session), one
    of the three. ``reference``: what it delivers to the party or the address, at most
    once (``Message.reference``)."""
    from .tasks import send_message  # tasks import this module

    if sum((recipient is not None, party is not None, bool(address))) != 1:
        raise ValueError("A message goes to a user, to a party or to an address.")
    content = attachment.content if attachment else ""
    message = Message.objects.create(
        attachment_name=attachment.name if attachment else "",
        attachment_type=attachment.content_type if attachment else "",
        attachment=content if isinstance(content, str) else "",
        attachment_data=content if isinstance(content, bytes) else b"",
        case=case,
        recipient=recipient,
        party=party,
        to_address=address or (recipient.email if recipient else party.person.email),
        reference=reference,
        kind=kind,
        # A subject is one header line: a name with a line break in it (stored before names
        # refused them) must not make the message unsendable.
        subject=one_line(subject)[:300],
        body=body,
        queued_at=timezone.now(),
    )
    wake_after_commit(send_message, message.pk)
    return message


@transaction.atomic
def send_message(*, message_id: int) -> Message:
    """Send a pending message once. On a transient failure it stays pending with the error
    (the caller tries again later), or is marked failed after MAX_ATTEMPTS."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.status != Message.Status.PENDING:
        return message
    message.attempts += 1
    email = EmailMessage(
        message.subject,
        message.body,
        settings.DEFAULT_FROM_EMAIL,
        [message.to_address],
        headers={"X-Qiaowei-Message": str(message.pk)},
    )
    if message.attachment_name:
        # bytes(): PostgreSQL gives a BinaryField back as a memoryview.
        content = bytes(message.attachment_data) or message.attachment
        email.attach(message.attachment_name, content, message.attachment_type)
    try:
        email.message()  # built before it is sent: one that cannot be built never will be
        email.send()
    except TRANSIENT as error:
        reason = _reason(error)
        if message.attempts >= MAX_ATTEMPTS:
            message.mark_failed(reason)
        else:
            message.last_error = reason[:2000]  # still pending: the caller tries again
    except UNSENDABLE as error:
        logger.warning("Message %s cannot be sent, marked failed: %r", message.pk, error)
        message.mark_failed(_reason(error))
    else:
        message.mark_sent()
    message.save()
    return message


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def retry_pause(message: Message) -> int:
    return RETRY_PAUSES[min(message.attempts, len(RETRY_PAUSES)) - 1]


def send_pending_messages() -> int:
    """Queue again the messages a lost wake-up or a dead worker left pending."""
    from .tasks import send_message

    return wake_stale(Message.objects.filter(status=Message.Status.PENDING), send_message)
