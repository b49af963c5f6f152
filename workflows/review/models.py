"""The legal advisory committee (法顾委) and its reviews of cases.

An ``Adviser`` is a committee member: a person with a login (a legal-adviser role in a
侨联) whose employer, expertise, linked grassroots units (挂钩联系) and away periods the
administrators keep. A ``LegalReview`` is the committee's work on one case: its
``Reviewer`` seats, each with its own ``Opinion``, the ``Question``\\ s asked of the officer,
and, signed off by the lead, the committee's ``LegalOpinion`` (法律意见书)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.models import Case, Deadline, Organisation, Route
from cases.validators import check_planned_day, validate_name

# Long enough for a full opinion; a limit so that a runaway paste gets a message.
OPINION_TEXT_MAX = 20_000


class ExpertiseArea(models.Model):
    """A case category or a field of law an adviser knows; ``categories`` are the case
    categories it applies to (a field of law applies to several)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, validators=[validate_name])
    name_en = models.CharField(_("English name"), max_length=80, validators=[validate_name])
    categories = models.JSONField(_("case categories it applies to"), default=list, blank=True)

    class Meta:
        verbose_name = _("area of expertise")
        verbose_name_plural = _("areas of expertise")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language: the English one on an English page."""
        return in_language(self.name, self.name_en)


def in_language(chinese: str, english: str) -> str:
    """A value kept in both languages, in the reader's: the English one (if any) on an
    English page, the Chinese one otherwise."""
    return english if english and (get_language() or "").startswith("en") else chinese


class Adviser(models.Model):
    """A member of a 侨联's legal advisory committee (法顾委委员)."""

    class Employer(models.TextChoices):
        JUSTICE_BUREAU = "justice_bureau", _("Justice bureau")
        COURT = "court", _("Court")
        LAW_FIRM = "law_firm", _("Public law firm")
        BAR = "bar", _("Bar association")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.PROTECT,
        related_name="adviser",
    )
    # The 侨联 whose committee this is: it serves that 侨联 and the units below it.
    committee = models.ForeignKey(
        Organisation,
        verbose_name=_("committee of"),
        on_delete=models.PROTECT,
        related_name="advisers",
    )
    employer_kind = models.CharField(_("works at"), max_length=20, choices=Employer.choices)
    employer = models.CharField(_("employer"), max_length=150, validators=[validate_name])
    title = models.CharField(_("title"), max_length=60, blank=True, validators=[validate_name])
    title_en = models.CharField(
        _("title in English"), max_length=80, blank=True, validators=[validate_name]
    )
    expertise = models.ManyToManyField(
        ExpertiseArea, verbose_name=_("areas of expertise"), blank=True, related_name="+"
    )
    linked_units = models.ManyToManyField(
        Organisation,
        verbose_name=_("linked grassroots units (挂钩联系)"),
        blank=True,
        related_name="linked_advisers",
    )
    is_active = models.BooleanField(_("serving"), default=True)

    class Meta:
        verbose_name = _("adviser")
        verbose_name_plural = _("advisers")
        ordering = ["committee", "user__username"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def title_label(self) -> str:
        """The title (律师, 公职律师, 审判员) in the reader's language."""
        return in_language(self.title, self.title_en)


class AwayPeriod(models.Model):
    adviser = models.ForeignKey(
        Adviser, verbose_name=_("adviser"), on_delete=models.CASCADE, related_name="away"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("away period")
        verbose_name_plural = _("away periods")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="away_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.adviser} {self.starts_on}–{self.ends_on}"

    def clean(self) -> None:
        errors = {}
        for name in ("starts_on", "ends_on"):
            day = getattr(self, name)
            try:
                if day:
                    check_planned_day(day)
            except ValidationError as error:
                errors[name] = error
        if errors:
            raise ValidationError(errors)


class ReviewPolicy(models.Model):
    """An organisation's default period for a reviewer (5 working days without one)."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="review_policy",
    )
    working_days = models.PositiveSmallIntegerField(
        _("review period (working days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policies")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.working_days}"


class LawArticle(models.Model):
    """One article of a law in the catalogue an opinion cites from; administrators keep it."""

    law = models.CharField(_("law"), max_length=100)
    article = models.CharField(_("article"), max_length=40)
    # Sorts articles within a law: 第二百八十八条 → 288.
    number = models.PositiveIntegerField(_("article number"), default=0)
    gist = models.TextField(_("gist"), max_length=1000)
    topics = models.CharField(_("topics"), max_length=200, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("law article")
        verbose_name_plural = _("law articles")
        ordering = ["law", "number", "article"]
        constraints = [models.UniqueConstraint(fields=["law", "article"], name="unique_article")]

    def __str__(self) -> str:
        return f"{self.law}{self.article}"


class LegalReview(ConcurrentTransitionMixin, models.Model):
    """The committee's review of one case: reviewers at work, then the lead consolidates
    and signs off the committee's opinion."""

    class Status(models.TextChoices):
        REVIEWING = "reviewing", _("Reviewers at work")
        CONSOLIDATING = "consolidating", _("Lead writing the committee's opinion")
        SIGNED = "signed", _("Signed off")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="legal_reviews"
    )
    # Changed only by the transitions below: protected, an assignment raises. The mixin
    # lets refresh_from_db reload it, and refuses to save a status over one another
    # transaction changed meanwhile (as ``Case.status``).
    status = FSMField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.REVIEWING,
        protected=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("legal review")
        verbose_name_plural = _("legal reviews")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["reviewing", "consolidating"]),
                name="one_open_review_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.get_status_display()}"

    @transition(field=status, source=Status.REVIEWING, target=Status.CONSOLIDATING)
    def consolidate(self) -> None:
        pass

    @transition(field=status, source=Status.CONSOLIDATING, target=Status.SIGNED)
    def sign(self) -> None:
        pass

    @transition(
        field=status, source=[Status.REVIEWING, Status.CONSOLIDATING], target=Status.CANCELLED
    )
    def cancel(self) -> None:
        pass


class ReviewerQuerySet(models.QuerySet):
    def vacant(self) -> ReviewerQuerySet:
        """The seats ``Reviewer.is_vacant`` is true of, in SQL: the same rule, kept beside
        it so that the two cannot drift apart."""
        return self.filter(status=Reviewer.Status.CONFLICT, replaced_by__isnull=True)


class Reviewer(ConcurrentTransitionMixin, models.Model):
    """One seat of a review, held by one adviser. A seat is one task of the process; an
    adviser who declares a conflict leaves it, and the officer seats another in it.

    Its due date is its adviser's clock's (``clock``, ``due_on``), never a copy: a
    suspension of the case, a question answered or a corrected calendar moves the clock
    alone."""

    class Status(models.TextChoices):
        INVITED = "invited", _("To declare any conflict")
        REVIEWING = "reviewing", _("Reviewing")
        SUBMITTED = "submitted", _("Opinion submitted")
        CONFLICT = "conflict", _("Released: declared a conflict")
        CANCELLED = "cancelled", _("Cancelled")

    review = models.ForeignKey(
        LegalReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="reviewers"
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adviser"),
        on_delete=models.PROTECT,
        related_name="review_seats",
    )
    is_lead = models.BooleanField(_("lead"), default=False)
    # The seat's task in the case process (viewflow Task), shared by whoever holds it.
    task_id = models.BigIntegerField(_("task"), null=True, blank=True)
    # Changed only by the transitions below (protected, as ``LegalReview.status``).
    status = FSMField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.INVITED,
        protected=True,
    )
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    conflict = models.TextField(_("relation declared"), max_length=2000, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    # The seat this one took over from an adviser who declared a conflict.
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    objects = ReviewerQuerySet.as_manager()

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        ordering = ["-is_lead", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "adviser"], name="one_seat_per_adviser"),
        ]

    def __str__(self) -> str:
        return f"{self.adviser} ({self.get_status_display()})"

    @property
    def holds_seat(self) -> bool:
        return self.status in (self.Status.INVITED, self.Status.REVIEWING)

    @property
    def replacement(self) -> Reviewer | None:
        """The seat that took over from this one after its adviser declared a conflict."""
        try:
            return self.replaced_by
        except Reviewer.DoesNotExist:
            return None

    @property
    def is_vacant(self) -> bool:
        """Its adviser declared a conflict and nobody has taken the seat over yet: the
        officer is to seat another adviser, and the reviews cannot join until then.
        ``Reviewer.objects.vacant()`` is the same rule for a query."""
        return self.status == self.Status.CONFLICT and self.replacement is None

    @property
    def clock(self) -> Deadline | None:
        """The seat's clock: its adviser's review ``Deadline`` (``kinds.CLOCK``) on the
        case. Lists of seats come with theirs (``selectors.with_clocks``, one query for
        all); a seat on its own fetches it here."""
        if "_clock" not in self.__dict__:
            from .selectors import with_clocks  # the selectors import this module

            with_clocks([self])
        return self.__dict__["_clock"]

    @property
    def due_on(self) -> datetime.date | None:
        clock = self.clock
        return clock.due_on if clock else None

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        # The clock may have moved since it was fetched; the next read fetches it again.
        self.__dict__.pop("_clock", None)

    @transition(field=status, source=Status.INVITED, target=Status.REVIEWING)
    def declare_no_conflict(self) -> None:
        pass

    @transition(field=status, source=[Status.INVITED, Status.REVIEWING], target=Status.CONFLICT)
    def declare_conflict(self) -> None:
        pass

    @transition(field=status, source=Status.REVIEWING, target=Status.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=status, source=[Status.INVITED, Status.REVIEWING], target=Status.CANCELLED)
    def cancel(self) -> None:
        pass


class OpinionFields(models.Model):
    """What an opinion says: a reviewer's own, or the committee's."""

    facts = models.TextField(_("facts found"), max_length=OPINION_TEXT_MAX, blank=True)
    issues = models.TextField(_("issues in dispute"), max_length=OPINION_TEXT_MAX, blank=True)
    laws = models.ManyToManyField(
        LawArticle, verbose_name=_("applicable law"), blank=True, related_name="+"
    )
    analysis = models.TextField(_("analysis"), max_length=OPINION_TEXT_MAX, blank=True)
    route = models.CharField(
        _("recommended route"), max_length=20, choices=Route.choices, blank=True
    )
    risk = models.CharField(_("risk level"), max_length=10, choices=Case.Risk.choices, blank=True)
    # What could go wrong and how to guard against it. NULL only on opinions stored before
    # the field existed: they were written without it and without an analysis per issue, so
    # their 法律意见书 prints as it always did (see ``snapshots.legal_opinion_extra``).
    risk_notes = models.TextField(  # noqa: DJ001 (NULL marks the opinions written before)
        _("risk assessment"), max_length=OPINION_TEXT_MAX, blank=True, null=True, default=""
    )
    questions = models.TextField(
        _("questions for the officer"), max_length=OPINION_TEXT_MAX, blank=True
    )

    class Meta:
        abstract = True


# A numbering the writer may put before an issue ("一、", "（二）", "3.", "4．"): the
# 法律意见书 numbers the issues itself.
_ISSUE_NUMBER = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])\s*"
)


def text_lines(text: str | None) -> list[str]:
    """The non-empty lines of a long text, stripped (full-width spaces too): its
    paragraphs, or its issues, one a line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def issue_title(line: str) -> str:
    """An issue as a heading: without the writer's own number or closing punctuation."""
    return _ISSUE_NUMBER.sub("", line).rstrip("；;。.，,").strip() or line


class Opinion(OpinionFields):
    """A reviewer's own opinion: a draft saved as they type, locked once submitted."""

    reviewer = models.OneToOneField(
        Reviewer, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="opinion"
    )
    # Counts saves, so a stale window cannot overwrite a newer draft unnoticed.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    saved_at = models.DateTimeField(_("draft saved at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reviewer's opinion")
        verbose_name_plural = _("reviewers' opinions")

    def __str__(self) -> str:
        return f"{self.reviewer}"

    @property
    def is_locked(self) -> bool:
        return self.submitted_at is not None


class LegalOpinion(OpinionFields):
    """法律意见书: the committee's opinion, written by the lead and signed off."""

    review = models.OneToOneField(
        LegalReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="opinion"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed off at"), auto_now_add=True)
    document = models.OneToOneField(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("legal opinion (法律意见书)")
        verbose_name_plural = _("legal opinions (法律意见书)")

    def __str__(self) -> str:
        return f"{self.review.case.number} 法律意见书"


class Dissent(models.Model):
    """A reviewer who does not join the committee's opinion, by name, and why."""

    opinion = models.ForeignKey(
        LegalOpinion, verbose_name=_("opinion"), on_delete=models.CASCADE, related_name="dissents"
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    view = models.TextField(_("dissenting view"), max_length=OPINION_TEXT_MAX)

    class Meta:
        verbose_name = _("dissent")
        verbose_name_plural = _("dissents")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["opinion", "adviser"], name="one_dissent_each")
        ]

    def __str__(self) -> str:
        return str(self.adviser)


class Question(models.Model):
    """A reviewer asks the officer for information or evidence; their review clock waits
    until the officer answers."""

    reviewer = models.ForeignKey(
        Reviewer, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="questions"
    )
    text = models.TextField(_("question"), max_length=4000)
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answer = models.TextField(_("answer"), max_length=8000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("question to the officer")
        verbose_name_plural = _("questions to the officer")
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
