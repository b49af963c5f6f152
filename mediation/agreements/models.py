"""The settlement agreement (人民调解协议书, 《人民调解法》 Art. 29) and what follows it.

The case's mediator drafts the ``SettlementAgreement`` from the mediation thread: the main
facts, the points in dispute, each party's responsibility and its ``Term``\\ s, each saying
who performs what, how and by when. Each issued text is a version of one document with one
文号 (``documents.services.issue_correction``): a party confirms the exact PDF of the
current version (its SHA-256) through their own link with a one-time code sent by e-mail
(``ConfirmationCode``), or the officer files the paper copy the party signed; every
``Confirmation`` names the version and the hash it confirmed, so a new version leaves the
earlier ones void. The mediator signs last, and the agreement takes effect: its effective
copy lists the confirmations and carries the organisation's PAdES signature.

After it: the ``JudicialConfirmation`` (司法确认, Art. 33) when the parties want it, within
the 30 days the case's clock tracks; each term's performance (``TermEvent``, with its 履行凭证);
``FollowUpVisit``\\ s (回访), each rendered as a 回访记录.

Statuses change only through the declared transitions (protected fields); services lock
the row and re-check before they call one."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.models import Case, Party
from documents.models import Document, Evidence

TEXT_MAX = 20_000
NOTE_MAX = 2_000


class SettlementAgreement(ConcurrentTransitionMixin, models.Model):
    """调解协议书. Drafted, then sent to the parties to confirm (each version a PDF), then
    effective once every party and, last, the mediator have signed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMING = "confirming", _("With the parties to confirm")
        EFFECTIVE = "effective", _("In effect")

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="agreement"
    )
    facts = models.TextField(_("main facts"), max_length=TEXT_MAX)
    disputes = models.TextField(_("points in dispute"), max_length=TEXT_MAX)
    responsibilities = models.TextField(_("each party's responsibility"), max_length=TEXT_MAX)
    # The English text of a bilingual copy (a party reads English): the Chinese prevails.
    facts_en = models.TextField(_("main facts (English)"), max_length=TEXT_MAX, blank=True)
    disputes_en = models.TextField(
        _("points in dispute (English)"), max_length=TEXT_MAX, blank=True
    )
    responsibilities_en = models.TextField(
        _("each party's responsibility (English)"), max_length=TEXT_MAX, blank=True
    )
    # The current version's document (its 文号 is the agreement's); None while a draft.
    document = models.ForeignKey(
        Document,
        verbose_name=_("current version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The copy in effect: the confirmed text with its confirmations, signed.
    effective_document = models.ForeignKey(
        Document,
        verbose_name=_("effective copy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    effective_on = models.DateField(_("in effect from"), null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, protected=True
    )

    class Meta:
        verbose_name = _("settlement agreement")
        verbose_name_plural = _("settlement agreements")

    def __str__(self) -> str:
        number = self.document.number if self.document_id else ""
        return f"{self.case.number} 调解协议书 {number}".strip()

    @property
    def version(self) -> int:
        return self.document.version if self.document_id else 0

    @transition(field=status, source=[Status.DRAFT, Status.CONFIRMING], target=Status.CONFIRMING)
    def send_for_confirmation(self, document: Document) -> None:
        self.document = document

    @transition(field=status, source=Status.CONFIRMING, target=Status.EFFECTIVE)
    def take_effect(self, document: Document, on) -> None:
        self.effective_document = document
        self.effective_on = on


class Term(ConcurrentTransitionMixin, models.Model):
    """One term of the agreement: who performs what, how and by when; then tracked to done
    with its evidence. A term a party says is not performed goes back to the mediator."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To be performed")
        DONE = "done", _("Performed")
        DISPUTED = "disputed", _("Said not performed: with the mediator")
        FAILED = "failed", _("Not performed: the mediator found it will not be")

    agreement = models.ForeignKey(
        SettlementAgreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="terms",
    )
    order = models.PositiveSmallIntegerField(_("order"))
    obligor = models.ForeignKey(
        Party, verbose_name=_("performed by"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("what is performed"), max_length=NOTE_MAX)
    text_en = models.TextField(_("what is performed (English)"), max_length=NOTE_MAX, blank=True)
    method = models.CharField(_("how"), max_length=200)
    method_en = models.CharField(_("how (English)"), max_length=200, blank=True)
    due_on = models.DateField(_("by"))
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, protected=True
    )
    # When the officer was told it is overdue (once).
    overdue_alerted_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["agreement", "order"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "order"], name="one_term_per_place")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:40]}"

    @transition(field=status, source=[Status.PENDING, Status.DISPUTED], target=Status.DONE)
    def perform(self) -> None:
        """Done, with its evidence (a ``TermEvent``)."""

    @transition(field=status, source=[Status.PENDING, Status.DONE], target=Status.DISPUTED)
    def dispute(self) -> None:
        """A party says it is not performed: the mediator takes it up."""

    @transition(field=status, source=Status.DISPUTED, target=Status.PENDING)
    def give_time(self, due_on) -> None:
        self.due_on = due_on
        self.overdue_alerted_on = None

    @transition(field=status, source=Status.DISPUTED, target=Status.FAILED)
    def fail(self) -> None:
        """It will not be performed: the parties are told their route (a court)."""


class TermEvent(models.Model):
    """What happened to a term: performed (with its 履行凭证), said not performed (by whom),
    given more time or found failed by the mediator."""

    class Kind(models.TextChoices):
        PERFORMED = "performed", _("Performed")
        DISPUTED = "disputed", _("Said not performed")
        MORE_TIME = "more_time", _("More time given")
        FAILED = "failed", _("Found not performed")
        OVERDUE = "overdue", _("Overdue")

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    evidence = models.ForeignKey(
        Evidence,
        verbose_name=_("proof of performance"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who: a login, or a party through their link.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("term event")
        verbose_name_plural = _("term events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.term} · {self.get_kind_display()}"


class Confirmation(models.Model):
    """A signature on one version of the agreement: a party's (through their link with a
    one-time code, or on paper filed by the officer) or, last, the mediator's. It names the
    PDF it confirmed by its SHA-256; a later version leaves it void."""

    class Method(models.TextChoices):
        LINK = "link", _("Online, with a one-time code sent by e-mail")
        PAPER = "paper", _("Signed paper copy, filed by the officer")
        MEDIATOR = "mediator", _("Mediator's signature")

    agreement = models.ForeignKey(
        SettlementAgreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="confirmations",
    )
    document = models.ForeignKey(
        Document, verbose_name=_("version confirmed"), on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField(_("SHA-256 of the PDF confirmed"), max_length=64)
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    # The party who signed (themselves, or acting for the party they represent); None: the
    # mediator.
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    # Online: where the code went and what the browser said.
    email = models.EmailField(_("code sent to"), blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    # On paper: the signed copy.
    evidence = models.ForeignKey(
        Evidence,
        verbose_name=_("signed paper copy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    voided_at = models.DateTimeField(_("void since"), null=True, blank=True)

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method="mediator") | models.Q(party__isnull=False),
                name="party_confirmation_names_party",
            ),
            models.CheckConstraint(
                condition=~models.Q(method="paper") | models.Q(evidence__isnull=False),
                name="paper_confirmation_has_copy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.at:%Y-%m-%d}"


class ConfirmationCode(models.Model):
    """A one-time code sent by e-mail to a party confirming a version through their link.
    Only its hash is kept; it is for that version's PDF, expires, and allows few tries."""

    agreement = models.ForeignKey(
        SettlementAgreement, on_delete=models.CASCADE, related_name="codes"
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    link = models.ForeignKey("cases.PartyLink", on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=128)
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"code for {self.party} ({self.created_at:%Y-%m-%d %H:%M})"


class JudicialConfirmation(models.Model):
    """司法确认 (《人民调解法》 Art. 33): whether the parties want it, the joint application
    (司法确认申请书) to the court with jurisdiction, and the court's ruling. The 30-day
    window is the case's clock (one source: ``cases.models.Deadline``)."""

    class Ruling(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed: the agreement is enforceable")
        REJECTED = "rejected", _("Not confirmed")

    agreement = models.OneToOneField(
        SettlementAgreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="judicial_confirmation",
    )
    court = models.CharField(_("court"), max_length=200)
    application = models.ForeignKey(
        Document,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    applied_on = models.DateField(_("filed with the court on"), null=True, blank=True)
    ruling = models.CharField(_("ruling"), max_length=20, choices=Ruling.choices, blank=True)
    ruling_number = models.CharField(_("ruling number"), max_length=100, blank=True)
    ruled_on = models.DateField(_("ruled on"), null=True, blank=True)
    ruling_copy = models.ForeignKey(
        Evidence,
        verbose_name=_("copy of the ruling"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("judicial confirmation")
        verbose_name_plural = _("judicial confirmations")

    def __str__(self) -> str:
        return f"司法确认 {self.court}"


class FollowUpVisit(models.Model):
    """回访: a visit, call or a party's answer through their link on how the outcome holds,
    with the Ministry's fields: party, agreement number, reason, performance, satisfaction
    (1–5), visitor, date. Each is rendered as a 回访记录."""

    class Method(models.TextChoices):
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone call")
        VIDEO = "video", _("Video call")
        LINK = "link", _("The party's answer through their link")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="follow_up_visits"
    )
    agreement = models.ForeignKey(
        SettlementAgreement,
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party visited"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    reason = models.CharField(_("reason for the visit"), max_length=200)
    performance = models.TextField(_("performance"), max_length=NOTE_MAX)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("what the party said"), max_length=NOTE_MAX, blank=True)
    # None: the party answered through their link.
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    visited_on = models.DateField(_("date"))
    document = models.ForeignKey(
        Document,
        verbose_name=_("回访记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["visited_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(method="link") | models.Q(visitor__isnull=True),
                name="link_answer_has_no_visitor",
            ),
        ]

    def __str__(self) -> str:
        return f"回访 {self.visited_on} {self.party}"
