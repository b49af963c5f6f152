"""Reads of the legal review: the advisers offered for a case (ranked, each with why),
the seats of a review, the cases waiting on an adviser, the committee list."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.calendar import WorkingCalendar, organisation_date, organisation_today
from cases.capabilities import memberships
from cases.models import Case, CaseAccess, Deadline, Organisation, Role, User

from . import kinds
from .models import Adviser, AwayPeriod, LegalOpinion, LegalReview, Question, Reviewer, ReviewPolicy

DEFAULT_REVIEW_WORKING_DAYS = 5
OPEN_SEATS = [Reviewer.Status.INVITED, Reviewer.Status.REVIEWING]
# How much each reason weighs in the ranking.
WEIGHT_CATEGORY = 3  # an area of expertise that is the case's category itself
WEIGHT_FIELD = 1  # a field of law that applies to the category
WEIGHT_LINK = {
    Organisation.Level.VILLAGE: 3,
    Organisation.Level.TOWNSHIP: 3,
    Organisation.Level.COUNTY: 2,
}
WEIGHT_OPEN_REVIEW = -1  # each review the adviser has open


def review_working_days(organisation: Organisation) -> int:
    """The default period of a reviewer: the organisation's own policy, else the nearest
    unit above that has one, else 5 working days."""
    chain = [organisation, *organisation.ancestors()]
    policies = {
        p.organisation_id: p.working_days
        for p in ReviewPolicy.objects.filter(organisation__in=chain)
    }
    return next((policies[o.pk] for o in chain if o.pk in policies), DEFAULT_REVIEW_WORKING_DAYS)


def default_due_on(case: Case, today: datetime.date, calendar: WorkingCalendar) -> datetime.date:
    return calendar.add_working_days(today, review_working_days(case.handling_organisation))


def case_places(case: Case) -> dict[int, Organisation]:
    """The grassroots units (village, township, county) the case is about: the handling
    organisation, the units that reported it up or were sent its work, and those above
    them, below the city."""
    starts = [case.handling_organisation] + [
        access.organisation
        for access in CaseAccess.objects.filter(case=case).select_related("organisation")
    ]
    found = {}
    for unit in starts:
        for place in [unit, *unit.ancestors()]:
            if place.level in WEIGHT_LINK:
                found[place.pk] = place
    return found


def _with_load(advisers: QuerySet[Adviser]) -> QuerySet[Adviser]:
    """Each adviser with ``open_reviews``: the seats they hold in reviews still open."""
    return advisers.annotate(
        open_reviews=Count(
            "user__review_seats", filter=Q(user__review_seats__status__in=OPEN_SEATS)
        )
    )


def committee_advisers(case: Case) -> QuerySet[Adviser]:
    """The advisers who may be offered for a case: serving members of the committee of
    the handling organisation or of a 侨联 above it, with a login that works."""
    line = [case.handling_organisation, *case.handling_organisation.ancestors()]
    return _with_load(
        Adviser.objects.filter(committee__in=line, is_active=True, user__is_active=True)
        .select_related("user", "committee")
        .prefetch_related("expertise", "linked_units", "away")
    )


@dataclass
class RankedAdviser:
    adviser: Adviser
    score: int
    load: int
    reasons: list[str] = field(default_factory=list)
    away_until: datetime.date | None = None

    @property
    def user(self) -> User:
        return self.adviser.user


def _away_until(adviser: Adviser, start: datetime.date, end: datetime.date) -> datetime.date | None:
    """The last day of an away period that overlaps the review's days, if any."""
    overlapping = [
        p.ends_on for p in adviser.away.all() if p.starts_on <= end and p.ends_on >= start
    ]
    return max(overlapping) if overlapping else None


def _rank(adviser: Adviser, case: Case, places: dict[int, Organisation]) -> tuple[int, list[str]]:
    score, reasons = 0, []
    for area in adviser.expertise.all():
        if area.code == case.category:
            score += WEIGHT_CATEGORY
            reasons.append(_("expert in %s") % area.label)
        elif case.category in (area.categories or []):
            score += WEIGHT_FIELD
            reasons.append(_("knows %s") % area.label)
    for unit in adviser.linked_units.all():
        if unit.pk in places:
            score += WEIGHT_LINK[places[unit.pk].level]
            reasons.append(_("linked to %s (挂钩联系)") % unit.name)
    return score, reasons


def ranked_advisers(
    case: Case,
    *,
    today: datetime.date,
    calendar: WorkingCalendar,
    exclude: set[int] | frozenset[int] = frozenset(),
) -> tuple[list[RankedAdviser], list[RankedAdviser]]:
    """The advisers to offer for the case, best first, each with why; and, apart, those
    left out because they are away during the review's days. ``exclude``: user ids not to
    offer (advisers already seated, or who declared a conflict on this case)."""
    places = case_places(case)
    end = default_due_on(case, today, calendar)
    offered, away = [], []
    for adviser in committee_advisers(case).exclude(user__in=exclude):
        score, reasons = _rank(adviser, case, places)
        load = adviser.open_reviews
        score += WEIGHT_OPEN_REVIEW * load
        reasons.append(
            ngettext("%d open review", "%d open reviews", load) % load
            if load
            else _("no open reviews")
        )
        ranked = RankedAdviser(adviser, score, load, reasons, _away_until(adviser, today, end))
        (away if ranked.away_until else offered).append(ranked)
    offered.sort(key=lambda r: (-r.score, r.load, r.adviser.user.username))
    return offered, away


@dataclass(frozen=True)
class ReplacementOffer:
    """Who to offer for a seat left vacant (best first) and its default due date: the same
    for every vacant seat of the review, so ranked once for all of them."""

    ranked: list[RankedAdviser]
    due_on: datetime.date


def replacement_offer(case: Case, exclude: set[int]) -> ReplacementOffer:
    """``exclude``: advisers not to offer again (``seated_or_conflicted``)."""
    today = organisation_today()
    calendar = WorkingCalendar.load()
    ranked, _away = ranked_advisers(case, today=today, calendar=calendar, exclude=exclude)
    return ReplacementOffer(ranked, default_due_on(case, today, calendar))


def open_review(case: Case) -> LegalReview | None:
    return (
        case.legal_reviews.filter(
            status__in=[LegalReview.Status.REVIEWING, LegalReview.Status.CONSOLIDATING]
        )
        .order_by("-pk")
        .first()
    )


def latest_review(case: Case) -> LegalReview | None:
    """The case's last review, with its committee's opinion (if signed) and its document."""
    return (
        case.legal_reviews.select_related("opinion__signed_by", "opinion__document")
        .order_by("-pk")
        .first()
    )


def seats(review: LegalReview) -> list[Reviewer]:
    """Every seat of the review, the lead first, with its opinion, questions, clock and
    any replacement."""
    return with_clocks(
        review.reviewers.select_related(
            "adviser", "adviser__adviser", "opinion", "replaces", "replaced_by__adviser"
        ).prefetch_related(
            Prefetch("questions", queryset=Question.objects.select_related("answered_by")),
            "opinion__laws",
        )
    )


def vacant_seats(review: LegalReview) -> list[Reviewer]:
    """The seats waiting for the officer to seat another adviser (``Reviewer.is_vacant``)."""
    return list(review.reviewers.vacant().select_related("adviser"))


def _clock_of(seat: Reviewer, clocks: list[Deadline]) -> Deadline | None:
    """The seat's clock among its adviser's review clocks on the case (oldest first): a
    held seat's is the one not stopped (there is one at most); a seat left, the first
    started since it was taken (a later review of the case may have started another)."""
    if seat.holds_seat:
        return next((c for c in clocks if c.stopped_on is None), None)
    taken_on = organisation_date(seat.assigned_at)
    return next((c for c in clocks if c.starts_on >= taken_on), None)


def with_clocks(seats: Iterable[Reviewer]) -> list[Reviewer]:
    """The seats, each with its clock attached (``Reviewer.clock`` and ``due_on`` read
    it): one query for them all, two if their reviews were not fetched with them."""
    seats = list(seats)
    case_of = {s.review_id: s.review.case_id for s in seats if Reviewer.review.is_cached(s)}
    unknown = {s.review_id for s in seats} - case_of.keys()
    if unknown:
        case_of.update(LegalReview.objects.filter(pk__in=unknown).values_list("pk", "case_id"))
    clocks: dict[tuple[int, int], list[Deadline]] = {}
    if seats:
        for clock in Deadline.objects.filter(
            kind=kinds.CLOCK,
            case__in=set(case_of.values()),
            holder__in={s.adviser_id for s in seats},
        ).order_by("starts_on", "pk"):
            clocks.setdefault((clock.case_id, clock.holder_id), []).append(clock)
    for seat in seats:
        seat._clock = _clock_of(seat, clocks.get((case_of[seat.review_id], seat.adviser_id), []))
    return seats


def seat_of_task(task_id: int) -> Reviewer | None:
    """Whoever holds the task's seat now (a seat changes hands after a conflict)."""
    return (
        Reviewer.objects.filter(task_id=task_id)
        .select_related("review__case", "adviser", "opinion")
        .order_by("-pk")
        .first()
    )


def open_seat_ids(case: Case) -> list[int]:
    review = open_review(case)
    return list(review.reviewers.filter(status__in=OPEN_SEATS).values_list("pk", flat=True))


def undeclared_seat(case_pk: int, user: User) -> Reviewer | None:
    """The user's seat on the case that waits for their declaration, if any. Only a legal
    adviser is seated: anyone else (every officer opening a case page) is not looked up."""
    if not user.is_authenticated or not any(
        role == Role.LEGAL_ADVISER for _pk, role in memberships(user)
    ):
        return None
    return (
        Reviewer.objects.filter(
            review__case_id=case_pk,
            adviser=user,
            status=Reviewer.Status.INVITED,
            task_id__isnull=False,
        )
        .only("task_id")
        .first()
    )


def seat_holder(seat_pk: int) -> User:
    return User.objects.get(review_seats__pk=seat_pk)


def lead_of(case: Case) -> User | None:
    review = open_review(case)
    lead = lead_seat(review) if review else None
    return lead.adviser if lead else None


def seat_in(case: Case, adviser: User) -> Reviewer | None:
    """The adviser's seat in the case's open review."""
    review = open_review(case)
    return review.reviewers.filter(adviser=adviser).first() if review else None


def lead_seat(review: LegalReview) -> Reviewer | None:
    return (
        review.reviewers.filter(is_lead=True)
        .exclude(status__in=[Reviewer.Status.CONFLICT, Reviewer.Status.CANCELLED])
        .select_related("adviser")
        .first()
    )


def recommended_route(case: Case) -> str:
    """The route the committee's last signed opinion recommends, or ''."""
    opinion = (
        LegalOpinion.objects.filter(review__case=case, review__status=LegalReview.Status.SIGNED)
        .order_by("-pk")
        .first()
    )
    return opinion.route if opinion else ""


def seated_or_conflicted(review: LegalReview) -> set[int]:
    """Advisers not to offer again for this review."""
    return set(review.reviewers.values_list("adviser_id", flat=True))


def is_supervisor(user: User) -> bool:
    return any(role == Role.SUPERVISOR for _pk, role in memberships(user))


def committee_for(user: User) -> QuerySet[Adviser]:
    """The committee list as a supervisor sees it: the advisers who serve their
    organisations (committees of those organisations and of the 侨联 above them)."""
    if user.is_superuser:
        line = Organisation.objects.all()
    else:
        own = [pk for pk, role in memberships(user) if role == Role.SUPERVISOR]
        line = {
            pk
            for o in Organisation.objects.filter(pk__in=own)
            for pk in [o.pk, *(a.pk for a in o.ancestors())]
        }
    return _with_load(
        Adviser.objects.filter(committee__in=line)
        .select_related("user", "committee")
        .prefetch_related(
            "expertise",
            "linked_units",
            Prefetch("away", queryset=AwayPeriod.objects.order_by("starts_on")),
        )
    ).order_by("committee__name", "user__username")
