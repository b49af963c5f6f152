"""The case core: organisations, people, associations, cases, parties and the timeline.

Names follow the glossary in shared/domain.md. Status changes of a Case go through
``cases.services.transition_case`` only, which locks the row, checks the permission and
writes the timeline row; the transition methods below hold the rules themselves.
"""

from __future__ import annotations

import datetime
import re
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from timezone_field import TimeZoneField

from . import registry
from .calendar import organisation_today
from .timeline import text_of
from .validators import check_planned_day, validate_name, validate_phone

# A Chinese character: a name holding one is written surname first, without a space.
_HAN = re.compile(r"[\u3400-\u9fff]")


class User(AbstractUser):
    """A person who logs in: staff of an organisation, an adviser, a mediator."""

    # The names Django gives every user, refusing control characters as every name does.
    first_name = models.CharField(
        _("first name"), max_length=150, blank=True, validators=[validate_name]
    )
    last_name = models.CharField(
        _("last name"), max_length=150, blank=True, validators=[validate_name]
    )
    display_name = models.CharField(
        _("display name"), max_length=100, blank=True, validators=[validate_name]
    )
    time_zone = TimeZoneField(_("time zone"), default=settings.TIME_ZONE)
    language = models.CharField(
        _("language of messages"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def formal_name(self) -> str:
        """The name a document prints: the person's registered name, without the role or
        unit that a screen label (``display_name``) may add — "李明", not "李明律师（法顾委
        委员）". A Chinese name is surname first with no space; others as Django joins them."""
        if not (self.last_name or self.first_name):
            return str(self)
        if _HAN.search(self.last_name + self.first_name):
            return f"{self.last_name}{self.first_name}"
        return self.get_full_name()


class Organisation(models.Model):
    """A 侨联, a 侨胞之家, a government department, court, bar association, law firm or
    mediation committee, placed in the province → village hierarchy."""

    class Kind(models.TextChoices):
        FEDERATION = "federation", _("Federation of Returned Overseas Chinese (侨联)")
        SERVICE_POINT = "service_point", _("Overseas Chinese home (侨胞之家)")
        DEPARTMENT = "department", _("Government department")
        COURT = "court", _("Court")
        BAR_ASSOCIATION = "bar_association", _("Bar association")
        LAW_FIRM = "law_firm", _("Law firm")
        MEDIATION_COMMITTEE = "mediation_committee", _("Mediation committee")
        # Bodies that are parties to cases (see cases.parties): they have no users.
        VILLAGE_COMMITTEE = (
            "village_committee",
            _("Villagers' or residents' committee (村（居）民委员会)"),
        )
        COMPANY = "company", _("Company (企业)")
        OTHER_BODY = "other_body", _("Other body")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")
        TOWNSHIP = "township", _("Township / sub-district")
        VILLAGE = "village", _("Village / community")

    name = models.CharField(_("name"), max_length=100, unique=True, validators=[validate_name])
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # Blank only for a body that is a party and has no place in the hierarchy (a company).
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    number_prefix = models.CharField(
        _("document-number prefix"),
        max_length=20,
        blank=True,
        help_text=_("Agency code that opens its document numbers, e.g. 河侨维."),
    )
    region = models.CharField(_("administrative area"), max_length=100, blank=True)
    name_en = models.CharField(
        _("English name"), max_length=150, blank=True, validators=[validate_name]
    )
    phone = models.CharField(
        _("contact phone"), max_length=40, blank=True, validators=[validate_phone]
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        party_bodies = (self.Kind.VILLAGE_COMMITTEE, self.Kind.COMPANY, self.Kind.OTHER_BODY)
        if not self.level and self.kind not in party_bodies:
            raise ValidationError({"level": _("Give the level of the organisation.")})

    def descendants(self) -> list[Organisation]:
        """Every unit below, nearest first (the tree is a few dozen units deep at most)."""
        found, level = [], list(self.children.all())
        while level:
            found += level
            level = list(Organisation.objects.filter(parent__in=level))
        return found

    def ancestors(self) -> list[Organisation]:
        """Parents from the nearest up to the root."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Role(models.TextChoices):
    """A user's role in an organisation; each role is a Django group holding its permissions."""

    CASE_OFFICER = "case_officer", _("Case officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    LEGAL_ADVISER = "legal_adviser", _("Legal adviser")
    DEPARTMENT_LIAISON = "department_liaison", _("Department liaison")
    MEDIATOR = "mediator", _("Mediator")
    ADMINISTRATOR = "administrator", _("Administrator")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class Language(models.TextChoices):
    """The languages a party may read their documents in, each in its own name."""

    ZH_HANS = "zh-hans", "中文（简体）"
    ZH_HANT = "zh-hant", "中文（繁體）"
    EN = "en", "English"
    MS = "ms", "Bahasa Melayu"
    ID = "id", "Bahasa Indonesia"
    TH = "th", "ไทย"
    VI = "vi", "Tiếng Việt"
    FR = "fr", "Français"
    ES = "es", "Español"
    PT = "pt", "Português"


class Identity(models.TextChoices):
    """Overseas-Chinese identity: it decides which law applies, and it is sensitive data."""

    HUAQIAO = "huaqiao", _("Overseas Chinese citizen (华侨)")
    GUIQIAO = "guiqiao", _("Returned overseas Chinese (归侨)")
    QIAOJUAN = "qiaojuan", _("Relative of overseas Chinese (侨眷)")
    FOREIGN_CHINESE = "foreign_chinese", _("Foreign national of Chinese descent (外籍华人)")
    HK_MACAO_TAIWAN = (
        "hk_macao_taiwan",
        _("Compatriot from Hong Kong, Macao or Taiwan (港澳台同胞)"),
    )
    STUDENT_ABROAD = "student_abroad", _("Student or scholar abroad (留学人员)")
    OTHER = "other", _("Other")


class Person(models.Model):
    """侨情登记对象: anyone who is a party, representative or relative in a case."""

    # Sensitive under PIPL Art. 28: shown masked, never printed in lists or logs.
    SENSITIVE_FIELDS = ("identity", "id_document_type", "id_document_number", "address")

    class IdDocument(models.TextChoices):
        RESIDENT_ID = "resident_id", _("Resident identity card")
        PASSPORT = "passport", _("Passport")
        HOME_RETURN_PERMIT = "home_return_permit", _("Home-return permit")
        TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")
        FOREIGN_RESIDENCE = "foreign_residence", _("Foreign permanent residence card")
        OTHER = "other", _("Other")

    name_zh = models.CharField(
        _("Chinese name"), max_length=100, blank=True, validators=[validate_name]
    )
    name_latin = models.CharField(
        _("Latin-script name"), max_length=100, blank=True, validators=[validate_name]
    )
    sex = models.CharField(
        _("sex"),
        max_length=10,
        blank=True,
        choices=[("female", _("Female")), ("male", _("Male"))],
    )
    identity = models.CharField(
        _("identity category"), max_length=30, choices=Identity.choices, default=Identity.OTHER
    )
    nationality = CountryField(_("nationality"), blank=True)
    residence_country = CountryField(_("country or region of residence"), blank=True)
    time_zone = TimeZoneField(_("time zone"), default=settings.TIME_ZONE)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=Language.choices,
        default=Language.ZH_HANS,
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    wechat = models.CharField(_("WeChat ID"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    id_document_type = models.CharField(
        _("ID document type"), max_length=30, choices=IdDocument.choices, blank=True
    )
    id_document_number = models.CharField(_("ID document number"), max_length=60, blank=True)
    # Whose registry the person is in: who may pick them for a new case (with the units
    # above it), besides those who see a case the person is a party to.
    registered_by = models.ForeignKey(
        Organisation,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_zh", "name_latin"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name_zh="", name_latin=""), name="person_has_a_name"
            )
        ]

    def __str__(self) -> str:
        if self.name_zh and self.name_latin:
            return f"{self.name_zh} ({self.name_latin})"
        return self.name_zh or self.name_latin


class Association(models.Model):
    """侨团 / 宗亲会: a collective party that acts through its representatives."""

    name = models.CharField(_("name"), max_length=150, unique=True, validators=[validate_name])
    name_latin = models.CharField(
        _("Latin-script name"), max_length=150, blank=True, validators=[validate_name]
    )
    country = CountryField(_("country or region"))
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    representatives = models.ManyToManyField(
        Person, verbose_name=_("representatives"), blank=True, related_name="associations"
    )

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    SCREENING = "screening", _("Screening")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REFERRED = "referred", _("Referred")
    LEGAL_REVIEW = "legal_review", _("Legal review")
    COORDINATING = "coordinating", _("Coordinating")
    MEDIATING = "mediating", _("Mediating")
    SETTLED = "settled", _("Settled")
    UNRESOLVED = "unresolved", _("Unresolved")
    FOLLOWING_UP = "following_up", _("Following up")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUSPENDED = "suspended", _("Suspended")


S = CaseStatus
# Stages in which the case is being worked on and may be suspended or withdrawn.
ACTIVE_STATUSES = [
    S.REGISTERED,
    S.SCREENING,
    S.ACCEPTED,
    S.LEGAL_REVIEW,
    S.COORDINATING,
    S.MEDIATING,
    S.FOLLOWING_UP,
]
FINISHED_STATUSES = [S.DECLINED, S.REFERRED, S.CLOSED, S.WITHDRAWN]
WORK_STAGES = [S.LEGAL_REVIEW, S.COORDINATING, S.MEDIATING]


class Route(models.TextChoices):
    """办理路径: how a case goes on after its legal review. The committee recommends one;
    the officer chooses (``workflows``), and another only with a reason."""

    COORDINATION = "coordination", _("Coordination meeting")
    MEDIATION = "mediation", _("Mediation")
    BOTH = "both", _("Coordination meeting, then mediation")
    ADVICE = "advice", _("Direct written advice")
    LITIGATION = "litigation", _("Guide to litigation")
    RECONSIDERATION = "reconsideration", _("Administrative reconsideration")
    PETITION = "petition", _("Petition channel (信访)")
    CLOSE = "close", _("No further action: close the case")


def label(text) -> dict:
    """Shown on the action's button and in messages about it."""
    return {"label": text}


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reason is required for this step."), code="reason_required")
    return reason


def refuse_future(on: datetime.date | None) -> None:
    """A step dated to a day (``on``) cannot be dated in the future."""
    if on and on > organisation_today():
        raise ValidationError(_("A step cannot be dated in the future."), code="future_step")


def has_claimant(case: Case) -> bool:
    return case.parties.filter(role=Party.Role.CLAIMANT).exists()


class Case(ConcurrentTransitionMixin, models.Model):
    """维权案件. Its status is an FSM: see the transition methods."""

    class Category(models.TextChoices):
        ANCESTRAL_GRAVES = "ancestral_graves", _("Ancestral graves / cemetery land")
        HOUSES = "houses", _("Houses of overseas Chinese (侨房)")
        LAND = "land", _("Land")
        INHERITANCE = "inheritance", _("Inheritance")
        INVESTMENT = "investment", _("Investment / overseas-Chinese enterprise (侨企)")
        MARRIAGE_FAMILY = "marriage_family", _("Marriage and family")
        RETURNEE_AFFAIRS = "returnee_affairs", _("Returnee affairs")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        LETTER = "letter", _("Letter")
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone")
        ONLINE = "online", _("Online complaint")
        EMAIL = "email", _("E-mail")
        ASSOCIATION_LETTER = "association_letter", _("Letter from an association")
        REFERRED_DOWN = "referred_down", _("Referred by a higher level")

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    number = models.CharField(_("case number"), max_length=60, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    channel = models.CharField(_("channel"), max_length=30, choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    # What the letter, visit or complaint says, in a few pages at most: the longer papers
    # are uploaded as evidence. Printed on the 受理登记表, which a 2,000,000-character
    # summary made 46 pages long and 6.7 s to render.
    MAX_SUMMARY = 5000
    summary = models.TextField(_("summary"), max_length=MAX_SUMMARY)
    claims = models.TextField(_("claims (诉求)"))
    location = models.CharField(_("location (administrative area)"), max_length=200, blank=True)
    handling_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("handling organisation"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=Risk.choices, default=Risk.LOW
    )
    status = FSMField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=S.REGISTERED, protected=True
    )
    # Where a suspended case returns on resume.
    suspended_from = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    referred_to = models.ForeignKey(
        Organisation,
        verbose_name=_("referred to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    settled_on = models.DateField(_("agreement effective on"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["handling_organisation", "status"])]
        # Who may work on a case is not a model permission: see cases.capabilities.

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("workflows:case", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    # Transitions. Each returns nothing (or the target for resume); the service saves
    # the case and writes the timeline row. Raising leaves the status unchanged.

    @transition(
        status,
        S.REGISTERED,
        S.SCREENING,
        permission="cases.handle_case",
        conditions=[has_claimant],
        custom=label(_("Start screening")),
    )
    def start_screening(self, reason: str = "") -> None:
        """The handling organisation starts screening the complaint."""

    @transition(
        status,
        S.SCREENING,
        S.ACCEPTED,
        permission="cases.decide_acceptance",
        conditions=[has_claimant],
        custom=label(_("Accept")),
    )
    def accept(self, reason: str = "", on: datetime.date | None = None) -> None:
        self.accepted_on = on or organisation_today()

    @transition(
        status,
        S.SCREENING,
        S.DECLINED,
        permission="cases.decide_acceptance",
        custom=label(_("Decline")),
    )
    def decline(self, reason: str = "") -> None:
        require_reason(reason)

    @transition(
        status,
        S.SCREENING,
        S.REFERRED,
        permission="cases.decide_acceptance",
        custom=label(_("Refer")),
    )
    def refer(self, reason: str = "", to: Organisation | None = None) -> None:
        require_reason(reason)
        if to is None or to.pk == self.handling_organisation_id:
            raise ValidationError(
                _("Choose the competent organisation the case is referred to."),
                code="referral_target",
            )
        self.referred_to = to

    @transition(
        status,
        S.ACCEPTED,
        S.LEGAL_REVIEW,
        permission="cases.handle_case",
        custom=label(_("Send to legal review")),
    )
    def start_legal_review(self, reason: str = "") -> None:
        """The case goes to the legal advisory committee."""

    @transition(
        status,
        [S.LEGAL_REVIEW, S.MEDIATING],
        S.COORDINATING,
        permission="cases.handle_case",
        custom=label(_("Start coordination")),
    )
    def start_coordination(self, reason: str = "") -> None:
        """Departments are convened to a coordination meeting."""

    @transition(
        status,
        [S.LEGAL_REVIEW, S.COORDINATING],
        S.MEDIATING,
        permission="cases.handle_case",
        custom=label(_("Start mediation")),
    )
    def start_mediation(self, reason: str = "") -> None:
        """Mediation sessions with the parties begin."""

    @transition(
        status,
        WORK_STAGES,
        S.SETTLED,
        permission="cases.end_mediation",
        custom=label(_("Record settlement")),
    )
    def settle(self, reason: str = "", on: datetime.date | None = None) -> None:
        if on and on > organisation_today():
            raise ValidationError(
                _("The agreement cannot take effect in the future."), code="future_agreement"
            )
        self.settled_on = on or organisation_today()

    @transition(
        status,
        WORK_STAGES,
        S.UNRESOLVED,
        permission="cases.end_mediation",
        custom=label(_("Record as unresolved")),
    )
    def mark_unresolved(self, reason: str = "") -> None:
        # The reason records the route forward: litigation, arbitration, administrative channel.
        require_reason(reason)

    @transition(
        status,
        [S.SETTLED, S.UNRESOLVED],
        S.FOLLOWING_UP,
        permission="cases.handle_case",
        custom=label(_("Start follow-up")),
    )
    def start_follow_up(self, reason: str = "") -> None:
        """Follow-up visits check that the outcome holds."""

    @transition(
        status,
        [S.LEGAL_REVIEW, S.FOLLOWING_UP],
        S.CLOSED,
        permission="cases.approve_closure",
        custom=label(_("Close")),
    )
    def close(self, reason: str = "") -> None:
        require_reason(reason)

    @transition(
        status,
        ACTIVE_STATUSES,
        S.WITHDRAWN,
        permission="cases.withdraw_case",
        custom=label(_("Withdraw")),
    )
    def withdraw(self, reason: str = "") -> None:
        require_reason(reason)

    @transition(
        status,
        ACTIVE_STATUSES,
        S.SUSPENDED,
        permission="cases.suspend_case",
        custom=label(_("Suspend")),
    )
    def suspend(self, reason: str = "", on: datetime.date | None = None) -> None:
        """The case waits (a court ruling, a party abroad): its running clocks pause."""
        require_reason(reason)
        refuse_future(on)
        self.suspended_from = self.status

    @transition(
        status,
        S.SUSPENDED,
        RETURN_VALUE(*ACTIVE_STATUSES),
        permission="cases.suspend_case",
        custom=label(_("Resume")),
    )
    def resume(self, reason: str = "", on: datetime.date | None = None) -> str:
        """Back where it was suspended; its clocks go on, extended by the pause."""
        refuse_future(on)
        target, self.suspended_from = self.suspended_from, ""
        return target

    @transition(
        status,
        S.REFERRED,
        S.SCREENING,
        permission="cases.respond_to_referral",
        custom=label(_("Object to the referral")),
    )
    def return_referral(self, reason: str = "") -> None:
        """The receiving organisation objects within 5 working days: the case comes back."""
        require_reason(reason)
        self.referred_to = None

    @transition(
        status,
        [S.CLOSED, S.WITHDRAWN, S.DECLINED],
        S.SCREENING,
        permission="cases.reopen_case",
        custom=label(_("Reopen")),
    )
    def reopen(self, reason: str = "") -> None:
        require_reason(reason)


def transition_label(name: str) -> str:
    """The label of a Case transition, for buttons and messages."""
    meta = getattr(Case, name)._django_fsm
    return str(next(iter(meta.transitions.values())).custom["label"])


class Party(models.Model):
    """当事人 / 代理人 / 亲属: a Person, an Association or a body (an Organisation: a
    township office, a village committee, a company) in a case, with a role. An association
    or a body acts through people who are parties on its behalf (its contact person)."""

    class Role(models.TextChoices):
        CLAIMANT = "claimant", _("Claimant")
        RESPONDENT = "respondent", _("Respondent")
        THIRD_PARTY = "third_party", _("Third party")
        REPRESENTATIVE = "representative", _("Representative")
        RELATIVE = "relative", _("Relative")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parties",
    )
    association = models.ForeignKey(
        Association,
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parties",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parties",
    )
    # A representative or relative acts for another party, e.g. for a clan association.
    on_behalf_of = models.ForeignKey(
        "self",
        verbose_name=_("on behalf of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agents",
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, association__isnull=True)
                    & models.Q(organisation__isnull=True)
                    | models.Q(person__isnull=True, association__isnull=False)
                    & models.Q(organisation__isnull=True)
                    | models.Q(person__isnull=True, association__isnull=True)
                    & models.Q(organisation__isnull=False)
                ),
                name="party_is_person_association_or_body",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.subject}"

    def clean(self) -> None:
        if self.on_behalf_of_id and self.on_behalf_of.case_id != self.case_id:
            raise ValidationError(
                {"on_behalf_of": _("A party acts only for another party of the same case.")}
            )

    @property
    def subject(self) -> Person | Association | Organisation:
        return self.person or self.association or self.organisation

    @property
    def country(self):  # django_countries.Country
        if self.association_id:
            return self.association.country
        if self.organisation_id:
            return Country("CN")  # the bodies of the hierarchy are Chinese
        return self.person.residence_country


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The case timeline is append-only.")

    def delete(self):
        raise TypeError("The case timeline is append-only.")


class CaseEvent(models.Model):
    """One row of the append-only case timeline."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registration")
        TRANSITION = "transition", _("Status change")
        NOTE = "note", _("Note")
        COMMUNICATION = "communication", _("Communication")
        DEADLINE = "deadline", _("Deadline")
        ASSIGNMENT = "assignment", _("Assignment")
        PARTIES = "parties", _("Parties")
        HIERARCHY = "hierarchy", _("Reported up or sent down")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call")
        VISIT = "visit", _("Visit")
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("E-mail")
        WECHAT = "wechat", _("WeChat")
        VIDEO = "video", _("Video call")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events"
    )
    # The floor's kinds and those the stages registered.
    kind = models.CharField(_("kind"), max_length=40, choices=registry.timeline_kind_choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    transition = models.CharField(_("step"), max_length=40, blank=True)
    from_status = models.CharField(_("from"), max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=CaseStatus.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # The reason in English, for a notice to a party who reads no Chinese ([Q6e]).
    reason_en = models.TextField(_("reason in English"), blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    counterpart = models.CharField(_("with whom"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # What the system wrote, as msgids and parameters (cases.timeline): shown in the
    # reader's language. Empty for what a person typed, and for rows from before.
    message = models.JSONField(_("message"), default=list, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["case", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("The case timeline is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The case timeline is append-only.")

    @property
    def text(self) -> str:
        """The summary in the reader's language (see ``cases.timeline``)."""
        return text_of(self.message, self.summary)


class Deadline(models.Model):
    """A running or stopped statutory clock of a case; rules are in ``cases.deadlines``."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", _("Acceptance")
        HANDLING = "handling", _("Handling")
        MEDIATION = "mediation", _("Mediation")
        JUDICIAL_CONFIRMATION = "judicial_confirmation", _("Judicial confirmation window")
        REFERRAL_OBJECTION = "referral_objection", _("Referral objection window")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="deadlines"
    )
    # A person's own clock on the case (a stage's: a reviewer's due date), reminded to
    # them, or an organisation's (a department's reply), reminded to its staff; the case's
    # clocks have neither (``cases.registry.Holder``).
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("whose clock"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    holder_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("whose clock (organisation)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Which of a holder's things of this kind the clock is for, when it may hold several
    # at once (a stage's record: a department's action items, its replies to meetings).
    item = models.PositiveIntegerField(_("for item"), null=True, blank=True)
    # A holder's clock waiting on someone else (an adviser's question to the officer): only
    # the answer sets it going again, not the case resuming from a suspension.
    held_for_holder = models.BooleanField(_("waiting for an answer"), default=False)
    # A period the officer set for this clock, in working days, in place of its rule's.
    period_working_days = models.PositiveSmallIntegerField(
        _("period set (working days)"), null=True, blank=True
    )
    # The floor's kinds and those the stages registered.
    kind = models.CharField(_("kind"), max_length=30, choices=registry.clock_kind_choices)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    extension_reason = models.TextField(_("reason for extension"), blank=True)
    extension_reason_en = models.TextField(_("reason for extension in English"), blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    # While its case is suspended a clock waits (it is neither running nor stopped); on
    # resume the working days it waited are added to it (see ``cases.deadlines``).
    suspended_on = models.DateField(_("suspended on"), null=True, blank=True)
    suspended_working_days = models.PositiveSmallIntegerField(
        _("working days suspended"), default=0
    )
    # Set once each, so a reminder or an escalation goes out once however often beat runs.
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["starts_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(
                    stopped_on__isnull=True,
                    holder__isnull=True,
                    holder_organisation__isnull=True,
                ),
                name="one_running_deadline_per_kind",
            ),
            models.UniqueConstraint(
                fields=["case", "kind", "holder"],
                condition=models.Q(
                    stopped_on__isnull=True, holder__isnull=False, item__isnull=True
                ),
                name="one_running_deadline_per_kind_and_holder",
            ),
            models.UniqueConstraint(
                fields=["case", "kind", "holder_organisation"],
                condition=models.Q(
                    stopped_on__isnull=True, holder_organisation__isnull=False, item__isnull=True
                ),
                name="one_running_deadline_per_kind_and_organisation",
            ),
            models.UniqueConstraint(
                fields=["case", "kind", "holder", "item"],
                condition=models.Q(
                    stopped_on__isnull=True, holder__isnull=False, item__isnull=False
                ),
                name="one_running_deadline_per_holder_and_item",
            ),
            models.UniqueConstraint(
                fields=["case", "kind", "holder_organisation", "item"],
                condition=models.Q(
                    stopped_on__isnull=True, holder_organisation__isnull=False, item__isnull=False
                ),
                name="one_running_deadline_per_organisation_and_item",
            ),
            models.CheckConstraint(
                condition=models.Q(holder__isnull=True)
                | models.Q(holder_organisation__isnull=True),
                name="deadline_held_by_one",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=models.Q(stopped_on__isnull=True),
                name="running_deadline_due",
            ),
            # A case's nearest running clock, which the work queue sorts by, read from the
            # index in due order.
            models.Index(
                fields=["case", "due_on"],
                condition=models.Q(stopped_on__isnull=True, suspended_on__isnull=True),
                name="running_deadline_of_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.get_kind_display()} · {self.due_on}"

    @property
    def kind_label(self):
        """The clock's name, lazily translated: a timeline entry or an e-mail written with
        it names the clock in its reader's language (``get_kind_display()`` fixes the
        writer's, such as beat's Chinese)."""
        return dict(self._meta.get_field("kind").flatchoices).get(self.kind, self.kind)

    @property
    def is_running(self) -> bool:
        return self.stopped_on is None and self.suspended_on is None

    @property
    def is_suspended(self) -> bool:
        return self.stopped_on is None and self.suspended_on is not None


class Withdrawal(models.Model):
    """撤回: the claimant withdraws the complaint; the officer records how it came."""

    class Channel(models.TextChoices):
        LETTER = "letter", _("Letter")
        PHONE = "phone", _("Phone call")
        IN_PERSON = "in_person", _("In person")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="withdrawals"
    )
    channel = models.CharField(_("how it came"), max_length=20, choices=Channel.choices)
    statement = models.TextField(_("statement of withdrawal"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.get_channel_display()}"


class Suspension(models.Model):
    """中止办理: a case waits, e.g. for a court ruling or a party abroad, until resumed."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="suspensions"
    )
    reason = models.TextField(_("reason"))
    suspended_on = models.DateField(_("suspended on"))
    expected_resume_on = models.DateField(_("expected to resume on"), null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suspended by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    resumed_on = models.DateField(_("resumed on"), null=True, blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resumed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["-suspended_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(resumed_on__isnull=True),
                name="one_open_suspension_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.suspended_on}"


class CaseAccess(models.Model):
    """An organisation other than the handling one that may read the case: the lower level
    after the case was reported up, or a unit work was sent down to."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="accesses"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="case_accesses",
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case access")
        verbose_name_plural = _("case accesses")
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation"], name="unique_case_access")
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.organisation}"


class CaseParticipant(models.Model):
    """Someone brought into a case from outside the 侨联 hierarchy: a legal adviser or a
    mediator by name, or a department invited to it. What they may do there is in
    ``cases.capabilities``."""

    class Relation(models.TextChoices):
        ADVISER = "adviser", _("Legal adviser")
        MEDIATOR = "mediator", _("Mediator")
        DEPARTMENT = "department", _("Department")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="participants"
    )
    relation = models.CharField(_("as"), max_length=20, choices=Relation.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_participations",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_participations",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case participant")
        verbose_name_plural = _("case participants")
        ordering = ["added_at", "id"]
        constraints = [
            # A department is an organisation; an adviser or mediator is a person.
            models.CheckConstraint(
                condition=(
                    models.Q(relation="department", organisation__isnull=False, user__isnull=True)
                    | (
                        models.Q(organisation__isnull=True, user__isnull=False)
                        & ~models.Q(relation="department")
                    )
                ),
                name="participant_is_person_or_department",
            ),
            models.UniqueConstraint(
                fields=["case", "relation", "user"], name="unique_named_participant"
            ),
            models.UniqueConstraint(
                fields=["case", "relation", "organisation"], name="unique_invited_department"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.case.number} · {self.get_relation_display()} · {self.user or self.organisation}"
        )


class Consent(models.Model):
    """A party's consent, given or withdrawn: who, when, how and for what. Kept as a
    history (rows are never changed): the latest row for a party and a purpose decides.
    Online mediation, notices by e-mail (电子送达) and sending a party's personal data and
    documents abroad (PIPL Arts. 38–39) each need a consent of their own."""

    class Purpose(models.TextChoices):
        ONLINE_MEDIATION = "online_mediation", _("Online mediation (在线调解)")
        ELECTRONIC_SERVICE = "electronic_service", _("Notices and documents by e-mail (电子送达)")
        CROSS_BORDER = (
            "cross_border",
            _("Sending personal data and documents abroad (个人信息出境)"),
        )

    class How(models.TextChoices):
        SIGNED_FORM = "signed_form", _("Signed form")
        EMAIL = "email", _("By e-mail")
        IN_PERSON = "in_person", _("In person, recorded by the officer")
        PHONE = "phone", _("By telephone, recorded by the officer")
        SESSION = "session", _("In a mediation session")
        LINK = "link", _("Through the party's own link")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="consents"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("for what"), max_length=30, choices=Purpose.choices)
    given = models.BooleanField(_("given"), help_text=_("No: the consent is withdrawn."))
    how = models.CharField(_("how"), max_length=20, choices=How.choices)
    # Who gave it for the party: the party's own name, or their representative's.
    given_by = models.CharField(_("given by"), max_length=200, validators=[validate_name])
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    # Nobody for a consent given through the party's own link.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["party", "purpose", "at"], name="consent_latest")]

    def __str__(self) -> str:
        state = _("given") if self.given else _("withdrawn")
        return f"{self.party} · {self.get_purpose_display()} · {state}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(_("A consent is recorded once; record a new one to change it."))
        super().save(*args, **kwargs)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


class PartyLink(models.Model):
    """A participant's own link: a signed token (``tokens``) naming this row and its
    secret nonce. It expires, the officer may revoke it (and send a new one), and each
    use is logged (``LinkUse``). It reaches only its case, and of the parties' private
    submissions only its own party's."""

    class Language(models.TextChoices):
        ZH_HANS = "zh-hans", "简体中文"
        ZH_HANT = "zh-hant", "繁體中文"
        EN = "en", "English"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="party_links"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="links"
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    nonce = models.CharField(max_length=64, default=new_nonce, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("party's link")
        verbose_name_plural = _("parties' links")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.party}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class LinkUse(models.Model):
    """One use of a party's link, or of a token that opened nothing (kept six months:
    Cybersecurity Law Art. 21)."""

    class Outcome(models.TextChoices):
        OK = "ok", _("Served")
        INVALID = "invalid", _("Not a valid link")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        LIMITED = "limited", _("Too many requests")
        REFUSED = "refused", _("Refused")

    link = models.ForeignKey(
        PartyLink,
        verbose_name=_("link"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="uses",
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    action = models.CharField(_("what"), max_length=40)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("use of a party's link")
        verbose_name_plural = _("uses of parties' links")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["link", "at"], name="link_use_recent")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} · {self.action} · {self.outcome}"


class Message(ConcurrentTransitionMixin, models.Model):
    """An e-mail waiting to go out, or gone: the outbox. A step stores its messages with its
    own change; a worker sends them after commit, retrying while the mail server is down,
    so no request ever waits for (or fails on) the mail server and nothing is lost."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Sending failed")

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    # To a user of the system, to a party of a case (a notice served by e-mail), or, with
    # neither, to an address alone (an interpreter named on a mediation session); never to
    # both a user and a party.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    to_address = models.EmailField(_("address"))
    # What the message delivers, when it must go to a party (or to an address alone) once
    # only: "document:12" (a notice sent again after a retry is not sent twice;
    # ``documents.delivery``).
    reference = models.CharField(_("delivers"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=30)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    # One attached file (``cases.mail``): text (a meeting's iCalendar invitation) or bytes
    # (a notice's PDF), in one of the two fields.
    attachment_name = models.CharField(_("attachment"), max_length=100, blank=True)
    attachment_type = models.CharField(_("attachment's type"), max_length=100, blank=True)
    attachment = models.TextField(_("attached text"), blank=True)
    attachment_data = models.BinaryField(_("attached file"), blank=True, default=b"")
    # Changed only by the transitions below (protected: an assignment raises), so a sent
    # message is never put back in the queue and sent twice. refresh_from_db still works
    # (ConcurrentTransitionMixin lifts the protection while it reloads).
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, protected=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["queued_at"],
                condition=models.Q(status="pending"),
                name="pending_message_queued",
            )
        ]
        constraints = [
            # A user, a party, or neither (then the address is all it goes to): not both.
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False, party__isnull=True)
                | models.Q(recipient__isnull=True, party__isnull=False)
                | (models.Q(recipient__isnull=True, party__isnull=True) & ~models.Q(to_address="")),
                name="message_to_a_user_a_party_or_an_address",
            ),
            # A delivery is stored once for each party (``reference``).
            models.UniqueConstraint(
                fields=["party", "reference"],
                condition=~models.Q(reference=""),
                name="message_delivered_once",
            ),
            # ... and once for each address alone (a NULL party would make the one above
            # never match).
            models.UniqueConstraint(
                fields=["to_address", "reference"],
                condition=~models.Q(reference="")
                & models.Q(recipient__isnull=True, party__isnull=True),
                name="message_to_address_delivered_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_address} · {self.subject}"

    # Pending → sent, or pending → failed; a failed try that will be retried leaves it
    # pending (only its attempts and last error change). Nothing leaves sent or failed.

    @transition(status, Status.PENDING, Status.SENT)
    def mark_sent(self) -> None:
        """The mail server took the message."""
        self.sent_at = timezone.now()
        self.last_error = ""

    @transition(status, Status.PENDING, Status.FAILED)
    def mark_failed(self, error: str) -> None:
        """Given up on after the last try: the officer sees it failed, and why."""
        self.last_error = error[:2000]


class CalendarOverride(models.Model):
    """An administrator's correction of the working-day calendar for one date."""

    day = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("is a working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} · {self.note}"

    def clean(self) -> None:
        # Also checked by cases.services.set_calendar_override, which the admin saves with.
        if self.day:
            try:
                check_planned_day(self.day)
            except ValidationError as error:
                raise ValidationError({"day": error}) from None
