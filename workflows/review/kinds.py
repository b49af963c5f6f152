"""The review's own names, registered by its stage (``stage.py``): its clock, its
document, and its kinds of timeline entry."""

from django.utils.translation import gettext_lazy as _

# A reviewer's own clock: 5 working days unless the officer sets another period.
CLOCK = "review_seat"
# The committee's 法律意见书, numbered in its own series (河侨维法意〔2026〕1号).
LEGAL_OPINION = "legal_opinion"

# Timeline entries: who was seated or left, opinions, questions and answers, sign-off.
SEATS = "review_seats"
OPINION = "review_opinion"
QUESTION = "review_question"
SIGN_OFF = "review_sign_off"
TIMELINE_KINDS = {
    SEATS: _("Legal review: reviewers"),
    OPINION: _("Legal review: opinion"),
    QUESTION: _("Legal review: questions"),
    SIGN_OFF: _("Legal review: the committee's opinion"),
}
