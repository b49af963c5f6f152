"""The agreement stage's own names, registered by its stage (``stage.py``): its documents
and its kinds of timeline entry."""

from django.utils.translation import gettext_lazy as _

# Its documents.
AGREEMENT = "settlement_agreement"  # 调解协议书: each version, then the effective copy
APPLICATION = "judicial_application"  # 司法确认申请书
FOLLOW_UP = "follow_up_record"  # 回访记录

# Its timeline entries.
DRAFT = "agreement_draft"
CONFIRMATION = "agreement_confirmation"
EFFECT = "agreement_effect"
JUDICIAL = "agreement_judicial"
PERFORMANCE = "agreement_performance"
VISIT = "agreement_visit"
TIMELINE_KINDS = {
    DRAFT: _("Agreement: drafts and versions"),
    CONFIRMATION: _("Agreement: confirmations"),
    EFFECT: _("Agreement: in effect"),
    JUDICIAL: _("Agreement: judicial confirmation"),
    PERFORMANCE: _("Agreement: performance"),
    VISIT: _("Follow-up visits"),
}
