"""The mediation stage's own names, registered by its stage (``stage.py``): its document and
its kinds of timeline entry."""

from django.utils.translation import gettext_lazy as _

# The 调解笔录 of a session.
SESSION_RECORD = "session_record"

MEDIATOR = "mediator"
SESSION = "mediation_session"
RECORD = "session_record"
# A party's confirmation of, or comment on, a 调解笔录 (through their link).
RECORD_ANSWER = "session_record_answer"
# An entry of the case's thread of proposals, as the mediator recorded it.
PROPOSAL = "mediation_proposal"
OUTCOME = "mediation_outcome"
TIMELINE_KINDS = {
    MEDIATOR: _("Mediation: mediator"),
    SESSION: _("Mediation: sessions"),
    RECORD: _("Mediation: session records"),
    RECORD_ANSWER: _("Mediation: answers to session records"),
    PROPOSAL: _("Mediation: proposals"),
    OUTCOME: _("Mediation: outcome"),
}
