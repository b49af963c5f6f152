"""Multi-department coordination meetings (协调会) of a case.

A ``Meeting`` is convened by the case's officer: its ``AgendaItem``\\ s, the departments it
``Invitation``\\ s (each answered for by that organisation's liaisons) and its named
``Guest``\\ s. After it is held the officer records who came (``Attendance``: 出席, 列席,
请假), the discussion and decisions of each agenda item and the ``ActionItem``\\ s, each a
department's to do by a due date its clock holds. The draft minutes go to the invited
departments, who may note a ``MinutesCorrection``; once finalised the 会议纪要 is issued.

Statuses change only through the declared transitions (protected fields); services lock
the row and re-check before they call one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.models import Case, Deadline, Organisation, Party
from cases.validators import validate_name

TEXT_MAX = 20_000  # a long discussion fits; a runaway paste gets a message


class Meeting(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        CONVENED = "convened", _("Convened")
        # The draft minutes are with the invited departments for corrections.
        DRAFTED = "drafted", _("Minutes with the departments")
        FINALISED = "finalised", _("Minutes finalised")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_name])
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    place = models.CharField(_("place"), max_length=200, blank=True)
    # Stored as given: the meeting service is the organiser's own, nothing is built here.
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    briefing = models.ForeignKey(
        "documents.Document",
        verbose_name=_("briefing paper"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    convened_at = models.DateTimeField(_("convened at"), auto_now_add=True)
    # iCalendar SEQUENCE (RFC 5545 §3.8.7.4): each move or cancellation counts one up, so a
    # calendar replaces the earlier invitation instead of adding a second.
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, max_length=2000)
    # The 会议纪要 once finalised (a correction issues a new version of it).
    minutes = models.ForeignKey(
        "documents.Document",
        verbose_name=_("minutes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The officer's choice once the minutes are final and the action items checked:
    # convene another meeting rather than leave coordination.
    another_meeting = models.BooleanField(_("another meeting follows"), default=False)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.CONVENED,
        protected=True,
    )

    class Meta:
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.CONVENED, self.Status.DRAFTED)

    @transition(field=status, source=Status.CONVENED, target=Status.DRAFTED)
    def send_draft(self) -> None:
        """The draft minutes go to the invited departments for corrections."""

    @transition(field=status, source=[Status.CONVENED, Status.DRAFTED], target=Status.FINALISED)
    def finalise(self) -> None:
        """The officer finalises the minutes; the 会议纪要 is issued."""

    @transition(field=status, source=Status.CONVENED, target=Status.CANCELLED)
    def cancel(self, reason: str) -> None:
        self.cancel_reason = reason
        self.sequence += 1


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("agenda item"), max_length=200, validators=[validate_name])
    # The minutes of this item: what was said, and what was decided (议定事项).
    discussion = models.TextField(_("discussion"), blank=True, max_length=TEXT_MAX)
    decisions = models.TextField(_("decisions"), blank=True, max_length=TEXT_MAX)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="one_item_a_position")
        ]

    def __str__(self) -> str:
        return self.title


class Invitation(ConcurrentTransitionMixin, models.Model):
    """A department invited to a meeting: its liaisons answer for it (a task in their team
    queue), and may hand the answer to a colleague."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a reply")
        CONFIRMED = "confirmed", _("Will attend")
        DECLINED = "declined", _("Cannot attend")
        # Nobody answered before the meeting and the officer went on without them.
        UNANSWERED = "unanswered", _("No reply")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="invitations"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="meeting_invitations",
    )
    attendees = models.TextField(_("who will attend"), blank=True, max_length=2000)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    # A written position sent before the meeting (书面意见), whatever the reply.
    position = models.TextField(_("written position"), blank=True, max_length=TEXT_MAX)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # Whose the reply task is after a liaison handed it on (else the department's queue).
    delegated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Its task in the process (the department's reply, or its action item).
    task_id = models.PositiveIntegerField(_("task"), null=True, blank=True, editable=False)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.PENDING,
        protected=True,
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation"], name="one_invitation_a_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.organisation}"

    @transition(field=status, source=Status.PENDING, target=Status.CONFIRMED)
    def confirm(self, attendees: str) -> None:
        self.attendees = attendees

    @transition(field=status, source=Status.PENDING, target=Status.DECLINED)
    def decline(self, reason: str) -> None:
        self.reason = reason

    @transition(field=status, source=Status.PENDING, target=Status.UNANSWERED)
    def go_on_without(self, reason: str) -> None:
        self.reason = reason


class Guest(models.Model):
    """Someone named to a meeting who is not a department: an adviser of the committee,
    or a party's representative (whose time is shown in their own zone too)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="guests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) ^ models.Q(party__isnull=True),
                name="guest_is_a_user_or_a_party",
            )
        ]

    def __str__(self) -> str:
        return str(self.user or self.party.subject)


class Attendance(models.Model):
    """The sign-in: one line of the minutes' 出席, 列席 or 请假 list (GB/T 9704 §10.3)."""

    class Kind(models.TextChoices):
        ATTENDED = "attended", _("Attended (出席)")
        NON_VOTING = "non_voting", _("Attended without a vote (列席)")
        EXCUSED = "excused", _("Excused (请假)")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance"
    )
    kind = models.CharField(_("as"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, validators=[validate_name])
    organisation_name = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=[validate_name]
    )
    title = models.CharField(_("title"), max_length=100, blank=True, validators=[validate_name])

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.organisation_name} {self.name}"


class ActionItem(ConcurrentTransitionMixin, models.Model):
    """A thing a department is to do after the meeting (会议议定的工作任务), by a due date
    its own clock holds: the clock is the due date's one source, its reminders go to the
    department's staff and its escalation to their head and the case's supervisors."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        OVERDUE = "overdue", _("Overdue")
        # The supervisor let the case go on without it, with a reason on the timeline.
        OVERRIDDEN = "overridden", _("Overridden")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="actions"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    description = models.TextField(_("what to do"), max_length=4000)
    working_days = models.PositiveSmallIntegerField(_("working days to do it"))
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("followed up by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    clock = models.OneToOneField(
        Deadline,
        verbose_name=_("clock"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_item",
    )
    # Set when the officer accepts a done item; a rejected one is open again.
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    # Its task in the process (the department's reply, or its action item).
    task_id = models.PositiveIntegerField(_("task"), null=True, blank=True, editable=False)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.OPEN,
        protected=True,
    )

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.description[:40]}"

    @property
    def is_open(self) -> bool:
        """Still the department's to do: the case may not leave coordination over it."""
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS, self.Status.OVERDUE)

    @property
    def is_settled(self) -> bool:
        """Nothing more to do about it: accepted when done, or overridden."""
        return self.status == self.Status.OVERRIDDEN or (
            self.status == self.Status.DONE and self.accepted_at is not None
        )

    @transition(field=status, source=[Status.OPEN, Status.OVERDUE], target=Status.IN_PROGRESS)
    def start(self) -> None:
        """The first progress report."""

    @transition(field=status, source=[Status.OPEN, Status.IN_PROGRESS], target=Status.OVERDUE)
    def fall_overdue(self) -> None:
        """Its clock ran out (the clocks' sweep)."""

    @transition(
        field=status, source=[Status.OPEN, Status.IN_PROGRESS, Status.OVERDUE], target=Status.DONE
    )
    def complete(self) -> None:
        self.accepted_at = None

    @transition(field=status, source=Status.DONE, target=Status.OPEN)
    def reopen(self, reason: str) -> None:
        """The officer rejects what was reported done: the department has it again."""
        self.reason = reason
        self.accepted_at = None

    @transition(
        field=status,
        source=[Status.OPEN, Status.IN_PROGRESS, Status.OVERDUE],
        target=Status.OVERRIDDEN,
    )
    def override(self, reason: str) -> None:
        self.reason = reason


class ActionReport(models.Model):
    """A department's report on an action item: progress, or that it is done, with what it
    attaches (kept as the case's evidence)."""

    item = models.ForeignKey(
        ActionItem, verbose_name=_("action item"), on_delete=models.CASCADE, related_name="reports"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("report"), max_length=TEXT_MAX)
    done = models.BooleanField(_("reports it done"), default=False)
    attachment = models.ForeignKey(
        "documents.Evidence",
        verbose_name=_("attachment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("action report")
        verbose_name_plural = _("action reports")
        ordering = ["item", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item} · {self.created_at:%Y-%m-%d}"


class MinutesCorrection(models.Model):
    """A correction an invited department notes on the draft minutes (or on finalised
    ones: the officer then issues a new version)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="corrections"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("correction"), max_length=TEXT_MAX)
    created_at = models.DateTimeField(_("noted at"), auto_now_add=True)
    # Set once the officer has taken it into account (in a draft or a new version).
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("correction to the minutes")
        verbose_name_plural = _("corrections to the minutes")
        ordering = ["meeting", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.organisation}"
