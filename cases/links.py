"""The party's own link ([Q8]): a signed, expiring, revocable token that opens one party's
page of one case without a login.

The token is the row's key and its secret nonce, signed with the site's key under a salt of
its own (``token_for``); it is never stored. ``open_link`` is the one way in: it checks the
token, the link's expiry and revocation and the rate limits, and logs every call as one
``LinkUse`` row, refused or not. The limits are read from that log, so they hold across
every worker process:

- a link: at most ``PARTY_LINK_RATE`` uses served a minute (default 60);
- an address: at most ``PARTY_LINK_FAILURES`` failed attempts in ten minutes (default 20),
  then every attempt from it is refused for a while (someone guessing tokens).

The officer issues a link (``issue_link``: e-mailed to the person, their earlier links
revoked) and revokes one (``revoke_link``); both are on the case's timeline, without the
token.
"""

from __future__ import annotations

import datetime
import hmac

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from .models import Case, CaseEvent, Consent, LinkUse, Party, PartyLink, User
from .notifications import notify_party, site_url
from .selectors import has_consent, lives_abroad, require
from .timeline import fields as said
from .timeline import line

SALT = "cases.links.party-link"
RATE_WINDOW = datetime.timedelta(minutes=1)
FAILURE_WINDOW = datetime.timedelta(minutes=10)
MAX_DAYS = 90
EMAIL = "party_link"  # cases/templates/email/party_link.txt

Outcome = LinkUse.Outcome
# Outcomes that count as failed attempts of an address (not LIMITED itself: the refusal
# lifts ten minutes after the attempts stop).
FAILURES = (Outcome.INVALID, Outcome.EXPIRED, Outcome.REVOKED, Outcome.REFUSED)
REFUSALS = {
    Outcome.INVALID: gettext_lazy(
        "This link is not valid. Check that you opened the whole link from the e-mail, "
        "or ask the office that handles your case for a new one."
    ),
    Outcome.EXPIRED: gettext_lazy(
        "This link has expired. Ask the office that handles your case for a new one."
    ),
    Outcome.REVOKED: gettext_lazy(
        "This link is no longer in use: a newer one may have been sent to you. If not, ask "
        "the office that handles your case for a new one."
    ),
    Outcome.LIMITED: gettext_lazy("Too many requests. Wait a few minutes, then try again."),
    Outcome.REFUSED: gettext_lazy("There is nothing here that is shared with you."),
}


class LinkRefused(Exception):
    """A link that opens nothing: ``outcome`` (a ``LinkUse.Outcome``), what to tell the
    person (a lazy translation: the refusal page says it in each language) and, when it
    was too many requests, in how many seconds to try again."""

    def __init__(self, outcome: str, message=None, retry_after: int | None = None) -> None:
        super().__init__(outcome)
        self.outcome = outcome
        self.message = message or REFUSALS[outcome]
        self.retry_after = retry_after


def token_for(link: PartyLink) -> str:
    """The link's token: its key and nonce, signed. The same link always gives the same
    token, so it need not be stored to be sent again."""
    return signing.Signer(salt=SALT).sign_object([link.pk, link.nonce])


def _rate() -> int:
    return getattr(settings, "PARTY_LINK_RATE", 60)


def _failures_allowed() -> int:
    return getattr(settings, "PARTY_LINK_FAILURES", 20)


def _log(link: PartyLink | None, action: str, outcome: str, ip, user_agent: str) -> LinkUse:
    return LinkUse.objects.create(
        link=link,
        action=action[:40],
        outcome=outcome,
        ip=ip or None,
        user_agent=(user_agent or "")[:300],
    )


def _address_blocked(ip: str | None, now: datetime.datetime) -> bool:
    if not ip:
        return False
    failed = LinkUse.objects.filter(ip=ip, at__gte=now - FAILURE_WINDOW, outcome__in=FAILURES)
    return failed.count() >= _failures_allowed()


def _link_busy(link: PartyLink, now: datetime.datetime) -> bool:
    served = LinkUse.objects.filter(link=link, at__gte=now - RATE_WINDOW, outcome=Outcome.OK)
    return served.count() >= _rate()


def _link_of(token: str) -> PartyLink | None:
    """The link the token names, if its signature and its nonce are right."""
    try:
        pk, nonce = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or not isinstance(nonce, str):
        return None
    link = (
        PartyLink.objects.select_related("case", "party__person", "party__on_behalf_of")
        .filter(pk=pk)
        .first()
    )
    # Compared in constant time: how long a wrong nonce takes to refuse tells nothing.
    if link is None or not hmac.compare_digest(link.nonce.encode(), nonce.encode()):
        return None
    return link


def _check(token: str, ip: str | None, now: datetime.datetime) -> tuple[PartyLink | None, str]:
    """The link and the outcome of one attempt to use the token."""
    # An address over its limit is refused before the token is even read.
    if _address_blocked(ip, now):
        return None, Outcome.LIMITED
    link = _link_of(token)
    if link is None:
        return None, Outcome.INVALID
    if link.revoked_at is not None:
        return link, Outcome.REVOKED
    if link.expires_at <= now:
        return link, Outcome.EXPIRED
    if _link_busy(link, now):
        return link, Outcome.LIMITED
    return link, Outcome.OK


def open_link(token: str, *, action: str, ip: str | None, user_agent: str = "") -> PartyLink:
    """The link the token opens, or ``LinkRefused``. Every call is logged (one ``LinkUse``,
    the link None when the token names none); the use is on the returned link as
    ``link.use`` (``refuse_use`` marks it refused). Call it outside a transaction that may
    roll back: the log must stay."""
    now = timezone.now()
    link, outcome = _check(token, ip, now)
    use = _log(link, action, outcome, ip, user_agent)
    if outcome == Outcome.LIMITED:
        # A link over its rate waits a minute; an address that kept failing, ten.
        wait = RATE_WINDOW if link is not None else FAILURE_WINDOW
        raise LinkRefused(outcome, retry_after=int(wait.total_seconds()))
    if outcome != Outcome.OK:
        raise LinkRefused(outcome)
    link.use = use
    return link


def refuse_use(link: PartyLink) -> None:
    """The link was good, but what it asked for is not its to reach (another case's
    document): its use is logged as refused, and counts as a failed attempt."""
    LinkUse.objects.filter(pk=link.use.pk).update(outcome=Outcome.REFUSED)


def may_have_link(party: Party) -> bool:
    """A link is for a person (a claimant, respondent or third party, or someone acting
    for one: a representative, a relative), never an association or a body."""
    return party.person_id is not None


@transaction.atomic
def issue_link(
    *, case: Case, actor: User, party: Party, language: str, days: int = 30
) -> tuple[PartyLink, str]:
    """A new link for the party, e-mailed to them when they can be reached by e-mail
    (``notify_party``), their earlier links revoked. Returns the link and its token (the
    officer gives it to a party who cannot be e-mailed)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    require(actor, "cases.manage_links", locked)
    party = _party_of(locked, party)
    if language not in PartyLink.Language.values:
        raise ValidationError(_("Choose the language of the party's page."), code="language")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            _("A link is valid for 1 to %(days)s days.") % {"days": MAX_DAYS}, code="days"
        )
    if lives_abroad(party.person) and not has_consent(party, Consent.Purpose.CROSS_BORDER):
        raise ValidationError(
            _(
                "%(who)s lives outside mainland China: record their consent to personal data "
                "being sent abroad before sending them a link."
            )
            % {"who": party.subject},
            code="cross_border",
        )
    now = timezone.now()
    PartyLink.objects.filter(party=party, revoked_at__isnull=True, expires_at__gt=now).update(
        revoked_at=now, revoked_by=actor
    )
    link = PartyLink.objects.create(
        case=locked,
        party=party,
        language=language,
        created_by=actor,
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    token = token_for(link)
    sent = notify_party(
        party=party,
        name=EMAIL,
        context={"case": locked, "link": link, "url": site_url(page_path(token))},
    )
    _record(
        locked,
        actor,
        gettext_noop("Personal link e-mailed to %(who)s (%(language)s), valid until %(until)s.")
        if sent
        else gettext_noop(
            "Personal link made for %(who)s (%(language)s), valid until %(until)s: not "
            "e-mailed, the officer hands it over."
        ),
        who=party.subject,
        language=PartyLink.Language(language).label,
        until=timezone.localtime(link.expires_at, timezone.get_default_timezone()).date(),
    )
    return link, token


def _party_of(case: Case, party: Party) -> Party:
    found = Party.objects.select_related("person", "case").filter(pk=party.pk, case=case).first()
    if found is None:
        raise ValidationError(_("Choose a party of this case."), code="party")
    if not may_have_link(found):
        raise ValidationError(
            _("A link is for a person: send it to whoever acts for an association or a body."),
            code="not_a_person",
        )
    return found


@transaction.atomic
def revoke_link(*, link_pk: int, actor: User) -> PartyLink:
    """The link opens nothing any more (a new one may be sent)."""
    case_pk = PartyLink.objects.values_list("case_id", flat=True).get(pk=link_pk)
    locked = Case.objects.select_for_update().get(pk=case_pk)
    require(actor, "cases.manage_links", locked)
    link = PartyLink.objects.select_related("party__person").get(pk=link_pk)
    if link.revoked_at is not None:
        raise ValidationError(_("This link was revoked already."), code="revoked")
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    _record(
        locked, actor, gettext_noop("Personal link of %(who)s revoked."), who=link.party.subject
    )
    return link


@transaction.atomic
def set_language(*, link: PartyLink, language: str) -> None:
    """The party chose another language for their page."""
    if language not in PartyLink.Language.values:
        raise ValidationError(_("Choose a language."), code="language")
    PartyLink.objects.filter(pk=link.pk).update(language=language)
    link.language = language


def page_path(token: str) -> str:
    return reverse("portal:home", args=[token])


def _record(case: Case, actor: User, msgid: str, **args) -> None:
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.COMMUNICATION,
        transition="party_link",
        **said(line(msgid, **args)),
    )
