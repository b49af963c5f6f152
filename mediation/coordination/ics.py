"""iCalendar invitations to coordination meetings (the files themselves: ``cases.ics``).

The 侨联 convenes a coordination meeting with government departments about a case; every
invited department and guest gets an e-mail with a .ics attachment. Moving the meeting sends
an update (same UID, higher SEQUENCE), cancelling it sends a cancellation.
"""

from __future__ import annotations

from cases import ics
from cases.ics import CANCEL, CONTENT_TYPE, REQUEST, Attendee, content_type
from cases.ics import Event as MeetingEvent

__all__ = [
    "CANCEL",
    "CONTENT_TYPE",
    "PRODID",
    "REQUEST",
    "Attendee",
    "MeetingEvent",
    "cancellation",
    "content_type",
    "invitation",
]

PRODID = "-//Qiaowei//Coordination meetings//ZH"


def invitation(event: MeetingEvent) -> bytes:
    """The .ics for convening the meeting, or for moving it (METHOD:REQUEST)."""
    return ics.invitation(event, prodid=PRODID)


def cancellation(event: MeetingEvent) -> bytes:
    """The .ics that cancels the meeting (METHOD:CANCEL)."""
    return ics.cancellation(event, prodid=PRODID)
