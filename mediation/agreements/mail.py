"""The agreement stage's e-mails: to the parties when a version is ready to confirm, the
one-time code a party asked for, to the mediator when every party has confirmed, and about
a term (overdue, or said not performed)."""

from __future__ import annotations

from .services import CODE_EMAIL, TERM_EMAIL, TO_CONFIRM_EMAIL, TO_SIGN_EMAIL

EMAILS = {
    TO_CONFIRM_EMAIL: "agreements/email/to_confirm.txt",
    CODE_EMAIL: "agreements/email/code.txt",
    TO_SIGN_EMAIL: "agreements/email/to_sign.txt",
    TERM_EMAIL: "agreements/email/term.txt",
}
