"""Mediation (人民调解) of a case, online or in person.

A ``Mediator`` is on the roster: a member of a people's mediation committee or a 侨联's own
mediator, with the languages they mediate in and their expertise; a foreign mediator may
serve where a foreign party is involved. The officer assigns one to the case
(``Assignment``); the mediator declares any conflict of interest first, and a declared
conflict means recusal. The mediator holds ``MediationSession``\\ s, several rounds, each
online (with a video link, only with every party's consent: ``cases.models.Consent``) or
in person, with its ``Attendee``\\ s; after a session the mediator writes its
``SessionRecord`` (调解笔录), issued as a PDF that the attendees confirm or comment on
through their own link (``cases.models.PartyLink``). ``Proposal``\\ s and the answers to
them are one thread per case, so a round starts where the last one ended. The
``MediationResult`` ends mediation: a written agreement, an oral one (《人民调解法》 Art. 28)
or failure, with the route forward.

Statuses change only through the declared transitions (protected fields); services lock
the row and re-check before they call one."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from timezone_field import TimeZoneField

from cases.models import Case, Language, Organisation, Party
from cases.validators import validate_name

TEXT_MAX = 20_000  # a long statement fits; a runaway paste gets a message
NOTE_MAX = 2_000


class Mediator(models.Model):
    """A mediator on the roster (调解员): a login with the mediator role in a people's
    mediation committee or a 侨联."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.PROTECT,
        related_name="mediator",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("mediation committee or 侨联"),
        on_delete=models.PROTECT,
        related_name="mediators",
    )
    # Language codes of ``cases.models.Language``.
    languages = models.JSONField(_("languages"), default=list)
    expertise = models.CharField(_("expertise"), max_length=200, blank=True)
    nationality = CountryField(_("nationality"), default="CN")
    active = models.BooleanField(_("on the roster"), default=True)

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["user__display_name", "user__username"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_foreign(self) -> bool:
        return bool(self.nationality) and self.nationality.code != "CN"

    def language_labels(self) -> list[str]:
        known = dict(Language.choices)
        return [str(known.get(code, code)) for code in self.languages]


class Assignment(ConcurrentTransitionMixin, models.Model):
    """A mediator assigned to a case. They declare any conflict of interest before they
    may read it; a declared conflict means recusal, and the officer assigns another."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("To declare any conflict")
        SERVING = "serving", _("Mediating")
        RECUSED = "recused", _("Recused: declared a conflict")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="mediator_assignments"
    )
    mediator = models.ForeignKey(
        Mediator, verbose_name=_("mediator"), on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    conflict = models.TextField(_("conflict declared"), max_length=NOTE_MAX, blank=True)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    # The mediator's declaration task: where the case page sends them until they declare.
    task_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ASSIGNED, protected=True
    )

    class Meta:
        verbose_name = _("mediator assignment")
        verbose_name_plural = _("mediator assignments")
        ordering = ["assigned_at", "pk"]
        constraints = [
            # One mediator at work on a case at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["assigned", "serving"]),
                name="one_current_mediator",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.mediator}"

    @transition(field=status, source=Status.ASSIGNED, target=Status.SERVING)
    def declare_no_conflict(self) -> None:
        self.declared_at = timezone.now()

    @transition(field=status, source=Status.ASSIGNED, target=Status.RECUSED)
    def recuse(self, conflict: str) -> None:
        self.conflict = conflict
        self.declared_at = timezone.now()


class MediationSession(ConcurrentTransitionMixin, models.Model):
    """One round of mediation, online or in person. Its time is one instant, shown to
    each attendee in their own zone."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="mediation_sessions"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    mode = models.CharField(_("how"), max_length=20, choices=Mode.choices)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    place = models.CharField(_("place"), max_length=200, blank=True)
    # Stored as given: the video service is the organiser's own.
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    # The zone the mediator set the time in (the demo's second round: Kuala Lumpur time).
    set_in_zone = TimeZoneField(_("time set in"), default=settings.TIME_ZONE)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), auto_now_add=True)
    # iCalendar SEQUENCE: each move or cancellation counts one up.
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    cancel_reason = models.TextField(_("reason for cancelling"), max_length=NOTE_MAX, blank=True)
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED, protected=True
    )

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="one_session_a_round"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.round}"

    @property
    def ends_at(self):
        return self.starts_at + timezone.timedelta(minutes=self.duration_minutes)

    @property
    def has_begun(self) -> bool:
        """Its record can be written once it has begun."""
        return self.starts_at <= timezone.now()

    @transition(field=status, source=Status.PLANNED, target=Status.HELD)
    def mark_held(self) -> None:
        """The record is written: the session took place."""

    @transition(field=status, source=Status.PLANNED, target=Status.CANCELLED)
    def cancel(self, reason: str) -> None:
        self.cancel_reason = reason
        self.sequence += 1


class Attendee(models.Model):
    """Someone invited to a session: a party or a person acting for one (their name,
    e-mail, zone and language are the person's own, read from the party), or someone
    else named here (an interpreter, an adviser). The mediator is the session's host."""

    class Role(models.TextChoices):
        PARTY = "party", _("Party")
        REPRESENTATIVE = "representative", _("Representative")
        RELATIVE = "relative", _("Relative")
        INTERPRETER = "interpreter", _("Interpreter")
        ADVISER = "adviser", pgettext_lazy("attendee", "Adviser")

    session = models.ForeignKey(
        MediationSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="attendees",
    )
    role = models.CharField(_("as"), max_length=20, choices=Role.choices)
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Someone who is not a party of the case (an interpreter, an adviser).
    name = models.CharField(_("name"), max_length=100, blank=True, validators=[validate_name])
    email = models.EmailField(_("e-mail"), blank=True)
    time_zone = TimeZoneField(_("time zone"), default=settings.TIME_ZONE)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    # Recorded with the 调解笔录: None until then.
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    # When the reminder the day before went (``mail.send_reminders``); None until then, and
    # again when the session moves.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(party__isnull=False) | ~models.Q(name=""),
                name="attendee_is_party_or_named",
            ),
            models.UniqueConstraint(
                fields=["session", "party"],
                name="party_attends_once",
                condition=models.Q(party__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def person(self):
        return self.party.person if self.party_id else None

    @property
    def display_name(self) -> str:
        return str(self.party.subject) if self.party_id else self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        person = self.person
        return zoneinfo.ZoneInfo(str(person.time_zone if person else self.time_zone))

    @property
    def reads(self) -> str:
        person = self.person
        return person.preferred_language if person else self.language

    @property
    def address(self) -> str:
        person = self.person
        return person.email if person else self.email


class SessionRecord(ConcurrentTransitionMixin, models.Model):
    """调解笔录: what happened at a session, written by the mediator during or after it. Once
    issued it is a PDF the attendees confirm or comment on through their links."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued to the attendees")

    session = models.OneToOneField(
        MediationSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="record"
    )
    statements = models.TextField(_("statements of the parties"), max_length=TEXT_MAX)
    summary = models.TextField(_("mediator's summary"), max_length=TEXT_MAX, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("调解笔录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, protected=True
    )

    class Meta:
        verbose_name = _("session record (调解笔录)")
        verbose_name_plural = _("session records (调解笔录)")

    def __str__(self) -> str:
        return str(self.session)

    @transition(field=status, source=Status.DRAFT, target=Status.ISSUED)
    def issue(self) -> None:
        """Its PDF goes to the attendees to confirm."""


class RecordResponse(models.Model):
    """An attendee's answer to a 调解笔录: confirmed as written, or a comment. Kept as a
    history: the latest of a party decides."""

    record = models.ForeignKey(
        SessionRecord, verbose_name=_("record"), on_delete=models.CASCADE, related_name="responses"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="+"
    )
    link = models.ForeignKey(
        "cases.PartyLink",
        verbose_name=_("through link"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed = models.BooleanField(_("confirmed"))
    comment = models.TextField(_("comment"), max_length=NOTE_MAX, blank=True)
    # The SHA-256 of the PDF the party saw: a later version needs its own answer.
    document_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("answer to a record")
        verbose_name_plural = _("answers to records")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.party} · {self.record}"


class Proposal(models.Model):
    """One entry of a case's thread of proposals: a proposal (the mediator's or a party's)
    or an answer to one (accept, reject, counter-proposal)."""

    class Stance(models.TextChoices):
        PROPOSAL = "proposal", _("Proposal")
        ACCEPTED = "accepted", pgettext_lazy("proposal", "Accepted")
        REJECTED = "rejected", _("Rejected")
        COUNTER = "counter", _("Counter-proposal")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="mediation_proposals"
    )
    session = models.ForeignKey(
        MediationSession,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    # None: the mediator's.
    party = models.ForeignKey(
        Party,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answers = models.ForeignKey(
        "self",
        verbose_name=_("answers"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers_to_it",
    )
    stance = models.CharField(_("stance"), max_length=20, choices=Stance.choices)
    text = models.TextField(_("text"), max_length=NOTE_MAX)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["at", "pk"]
        constraints = [
            # An answer answers something; a proposal may stand alone.
            models.CheckConstraint(
                condition=models.Q(stance="proposal") | models.Q(answers__isnull=False),
                name="answer_answers_a_proposal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_stance_display()}: {self.text[:40]}"


class MediationResult(models.Model):
    """How mediation ended, with the mediator's reason."""

    class Kind(models.TextChoices):
        WRITTEN = "written", _("Agreement reached: a written agreement follows")
        ORAL = "oral", _("Oral agreement, recorded by the mediator (《人民调解法》 Art. 28)")
        FAILED = "failed", _("No agreement")

    class RouteForward(models.TextChoices):
        LITIGATION = "litigation", _("Litigation")
        ARBITRATION = "arbitration", _("Arbitration")
        ADMINISTRATIVE = "administrative", _("Administrative channel")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="mediation_results"
    )
    kind = models.CharField(_("outcome"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("mediator's reason"), max_length=NOTE_MAX)
    # An oral agreement's terms as the mediator recorded them.
    terms = models.TextField(_("terms agreed"), max_length=TEXT_MAX, blank=True)
    route_forward = models.CharField(
        _("route forward"), max_length=20, choices=RouteForward.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("outcome of mediation")
        verbose_name_plural = _("outcomes of mediation")
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="failed") | ~models.Q(route_forward=""),
                name="failure_names_route_forward",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ClockExtension(models.Model):
    """Both parties agreed to go on beyond the month (the mediation clock's extension)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="mediation_extensions"
    )
    days = models.PositiveSmallIntegerField(_("days"))
    # Who agreed for each side, as they said it.
    agreed_by = models.TextField(_("agreed by"), max_length=NOTE_MAX)
    reason = models.TextField(_("reason"), max_length=NOTE_MAX)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("extension of mediation")
        verbose_name_plural = _("extensions of mediation")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.number} · +{self.days}"
