"""The coordination stage's own names, registered by its stage (``stage.py``): its clocks,
its document, and its kinds of timeline entry."""

from django.utils.translation import gettext_lazy as _

# A department's clock to answer an invitation, and one for each action item it holds.
REPLY_CLOCK = "meeting_reply"
ACTION_CLOCK = "action_item"
# The 会议纪要, numbered in its own series (河侨维纪〔2026〕1号).
MEETING_MINUTES = "meeting_minutes"

MEETING = "meeting"
REPLIES = "meeting_replies"
MINUTES = "meeting_minutes"
ACTION = "action_item"
TIMELINE_KINDS = {
    MEETING: _("Coordination: meeting"),
    REPLIES: _("Coordination: replies"),
    MINUTES: _("Coordination: minutes"),
    ACTION: _("Coordination: action items"),
}
