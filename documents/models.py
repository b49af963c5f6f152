import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class NumberSequence(models.Model):
    """The last number issued for one prefix, year and kind of document (文号 registry).

    One row per sequence, locked while a number is taken, so numbers are gapless: a
    transaction that rolls back gives its number back with it.
    """

    prefix = models.CharField(_("prefix"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=30)
    last_value = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year", "kind"], name="unique_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.kind}: {self.last_value}"


class DocumentKind(models.TextChoices):
    REGISTRATION_FORM = "registration_form", _("Registration form (受理登记表)")
    ACCEPTANCE_NOTICE = "acceptance_notice", _("Acceptance notice (受理通知书)")
    RIGHTS_NOTICE = "rights_notice", _("Rights and obligations notice (权利义务告知书)")
    REFUSAL_NOTICE = "refusal_notice", _("Refusal notice (不予受理告知书)")
    REFERRAL_LETTER = "referral_letter", _("Referral letter (转办函)")
    EXTENSION_NOTICE = "extension_notice", _("Extension notice (延期告知书)")
    SUSPENSION_NOTICE = "suspension_notice", _("Suspension notice (中止办理告知书)")
    CLOSING_REPORT = "closing_report", _("Closing report (结案报告)")
    CASE_FILE = "case_file", _("Case file (卷宗)")


def document_path(document: "Document", filename: str) -> str:
    # Named by ids only: no user data in paths or URLs.
    return f"documents/{document.case_id}/{document.pk}-v{document.version}.pdf"


def evidence_path(evidence: "Evidence", filename: str) -> str:
    return f"evidence/{evidence.case_id}/{uuid.uuid4().hex}.pdf"


class Document(ConcurrentTransitionMixin, models.Model):
    """A PDF record of a step of a case. Its content is fixed by the snapshot when it is
    issued; a correction is a new version that replaces it."""

    class Status(models.TextChoices):
        FINAL = "final", _("Final")
        SUPERSEDED = "superseded", _("Superseded by a correction")

    class Rendering(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="documents"
    )
    # No fixed choices: a stage registers kinds of its own (documents.kinds.register_kind).
    kind = models.CharField(_("kind"), max_length=30)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.FINAL, protected=True
    )
    # Changed only by the transitions below (protected: an assignment raises), so a ready
    # document is never made pending or failed again by a stray write. refresh_from_db
    # still works (ConcurrentTransitionMixin lifts the protection while it reloads).
    rendering = FSMField(
        _("rendering"),
        max_length=20,
        choices=Rendering.choices,
        default=Rendering.PENDING,
        protected=True,
    )
    failure = models.TextField(_("reason of failure"), blank=True)
    # When a worker was last woken up for it, and how many renders were begun: a render
    # whose worker died counts, so a document that kills its worker is not tried forever.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("render attempts"), default=0)
    file = models.FileField(_("PDF file"), upload_to=document_path, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    template_version = models.CharField(_("template version"), max_length=30)
    snapshot = models.JSONField(_("data rendered"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["issued_at", "id"]
        indexes = [
            models.Index(
                fields=["queued_at"],
                condition=models.Q(rendering="pending"),
                name="pending_document_queued",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()

    def get_kind_display(self) -> str:
        from .kinds import KINDS  # kinds import this module

        spec = KINDS.get(self.kind)
        return spec.display if spec else self.kind

    @transition(status, Status.FINAL, Status.SUPERSEDED)
    def supersede(self) -> None:
        """A correction now stands in its place; this version stays on file as it was."""

    # Rendering: pending → ready, or pending → failed. Nothing leaves ready or failed:
    # there is no re-render (a correction is a new document, rendered on its own).

    @transition(rendering, Rendering.PENDING, Rendering.READY)
    def mark_ready(self) -> None:
        """The PDF is stored (the caller has set the file and its hash, size and pages)."""
        self.failure = ""
        self.rendered_at = timezone.now()

    @transition(rendering, Rendering.PENDING, Rendering.FAILED)
    def mark_failed(self, reason: str) -> None:
        """Given up on: the reason is shown to the officer instead of the PDF."""
        self.failure = reason[:2000]


class Evidence(models.Model):
    """A PDF the officer uploads to the case file: identity papers, a power of attorney,
    evidence, proof of performance…"""

    class Item(models.TextChoices):
        # Numbers of the Ministry of Justice case-file list (2010).
        APPLICATION = "01", _("1 Application (申请书)")
        IDENTITY = "03", _("3 Proof of identity (身份证明)")
        POWER_OF_ATTORNEY = "04", _("4 Power of attorney (授权委托书)")
        INVESTIGATION = "05", _("5 Investigation record (调查记录)")
        EVIDENCE = "06", _("6 Evidence (证据材料)")
        MEDIATION_RECORD = "07", _("7 Mediation record (调解记录)")
        AGREEMENT = "08", _("8 Mediation agreement (调解协议书)")
        PERFORMANCE = "09", _("9 Proof of performance (履行凭证)")
        FOLLOW_UP = "10", _("10 Follow-up record (回访记录)")
        JUDICIAL_CONFIRMATION = "11", _("11 Judicial confirmation (司法确认材料)")

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="evidence"
    )
    item = models.CharField(_("case-file item"), max_length=2, choices=Item.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("PDF file"), upload_to=evidence_path)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    page_count = models.PositiveSmallIntegerField(_("pages"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["item", "uploaded_at"]

    def __str__(self) -> str:
        return self.title


class Submission(models.Model):
    """A statement or a piece of evidence a party sent through their link: the case's
    staff and the mediator read it, and that party; no other party does."""

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("Statement")
        EVIDENCE = "evidence", _("Evidence")

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="submissions"
    )
    party = models.ForeignKey(
        "cases.Party", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    link = models.ForeignKey(
        "cases.PartyLink",
        verbose_name=_("through link"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"), max_length=20_000, blank=True)
    # The upload, cleaned and kept as the case's evidence (``documents.services.add_evidence``).
    evidence = models.ForeignKey(
        Evidence,
        verbose_name=_("file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("party's submission")
        verbose_name_plural = _("parties' submissions")
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.party} · {self.get_kind_display()}"
