"""The dispute flow: intake → screening → decision → legal review → route → coordination /
mediation → outcome → follow-up → closure approved by the supervisor. A case reopened by
its supervisor runs the flow again from a second start: re-screening, then the decision.

Human tasks are ``CaseTask`` nodes: each names its form, its completion function (in
``steps``), the permission it needs and the organisation that answers for it. A task is
offered only to people who hold the permission through a role in that organisation.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock, nodes
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.signals import task_started
from viewflow.workflow.status import STATUS

from cases.capabilities import may_as
from cases.models import Case, Organisation, User
from cases.notifications import notify, site_url

from . import steps
from .models import CaseProcess
from .review import screens as review_screens
from .review import selectors as review_selectors
from .review import services as review_services
from .review.forms import AssignForm, ConsolidateForm, SubmitForm


def case_of(process) -> Case:
    return CaseProcess.objects.select_related("case").get(pk=process.pk).case


def notify_owner(activation) -> None:
    task = activation.task
    if task.owner_id:
        case = case_of(task.process)
        notify(
            task.owner,
            "assignment",
            {
                "case": case,
                "task": task.flow_task.label,
                "url": site_url(case.get_absolute_url()),
            },
        )


def handling_organisation(case: Case) -> Organisation:
    return case.handling_organisation


def receiving_organisation(case: Case) -> Organisation:
    return case.referred_to


class CaseTaskActivation(nodes.ViewActivation):
    """A person's task, plus one path for the system.

    viewflow starts a human task only from ASSIGNED (``start``), and assigning needs a
    user: a task is someone's before it is done. A few tasks are done by the rules
    themselves, nobody's hand: a referral nobody objected to within its window is taken
    (``workflows.services.fire_clocks``). Rather than pretend a person did it (a made-up
    "system" user would hold roles, appear in queues and answer permission checks), the
    task is started here straight from NEW or ASSIGNED with no owner, then completed and
    the flow moved on by viewflow's own ``execute``. Only services call it, inside the
    process lock; no screen offers it."""

    @Activation.status.transition(source=[STATUS.NEW, STATUS.ASSIGNED], target=STATUS.STARTED)
    def start_unattended(self) -> None:
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.task.started = now()


class CaseTask(nodes.View):
    """A person's task on a case, done through this project's own task screen."""

    activation_class = CaseTaskActivation

    def __init__(
        self,
        title,
        form_class,
        complete: Callable,
        permission: str,
        responsible: Callable[[Case], Organisation] = handling_organisation,
        screen: Callable | None = None,
    ) -> None:
        super().__init__(view=None)
        self.label = title
        self.form_class = form_class
        self.complete = complete
        self.responsible = responsible
        # A stage's own screen for the task: (task, case, user, form) -> (template,
        # context); None: the common task screen.
        self.screen = screen
        self.Permission(permission, obj=lambda process: responsible(case_of(process)))
        self.Assign(self.case_officer)
        self.onCreate(notify_owner)

    def case_officer(self, activation):
        """A task the case officer may do lands in the officer's own tasks; others wait in
        the team queue of the responsible organisation."""
        case = case_of(activation.process)
        officer = case.officer
        if officer and may_as(officer, self._owner_permission, case, self.responsible(case).pk):
            return officer
        return None

    def is_for(self, user, task) -> bool:
        """Whether the task is the user's work: the capability table allows its action to
        a role the user holds in the organisation the task belongs to (its permission
        object: the responsible organisation, or a lower unit the task was sent down to),
        in that organisation's relation to the case."""
        if user is None or not user.is_authenticated or not task.owner_permission_obj_pk:
            return False
        case = case_of(task.process)
        return may_as(user, task.owner_permission, case, int(task.owner_permission_obj_pk))

    def can_assign(self, user, task) -> bool:
        return task.owner_id is None and self.is_for(user, task)

    def can_execute(self, user, task) -> bool:
        return task.owner_id is not None and task.owner_id == user.pk

    def opens_for(self, user, task) -> bool:
        """Whether the task screen opens for someone who cannot read the case (yet)."""
        return False


class SeatTask(CaseTask):
    """One adviser's seat in a legal review: the task is the seat's, held by whoever sits
    in it. Nobody takes a seat from a queue: the officer seats an adviser (at first, and
    in place of one who declared a conflict). Its holder opens it before they may read
    the case: the screen shows only the summary until they declare that they have no
    relation to any party (``workflows.review``)."""

    def __init__(self, title, form_class, complete, permission, owner, screen) -> None:
        super().__init__(title, form_class, complete, permission, screen=screen)
        self.Assign(owner)
        self.onCreate(self.seated)

    # Who does a seat nobody holds (its adviser declared a conflict): the officer seats
    # another (``workflows.progress``).
    vacant = _("another adviser, whom the officer chooses on the case page")

    def case_officer(self, activation):  # the seat's adviser is assigned instead
        return None

    def seated(self, activation) -> None:
        seat = activation.task.data.get("seat")
        if seat:
            review_services.attach_task(seat_pk=seat, task_id=activation.task.pk)
        notify_owner(activation)

    def is_for(self, user, task) -> bool:
        return False

    def opens_for(self, user, task) -> bool:
        return task.owner_id is not None and task.owner_id == user.pk


def seat_holder(activation) -> User:
    return review_selectors.seat_holder(activation.task.data["seat"])


def lead_reviewer(activation) -> User:
    return review_selectors.lead_of(case_of(activation.process))


class FanOutActivation(SplitActivation):
    """Activates its branch once per item of the node's ``items`` (the open seats of a
    review), each task carrying its item as ``task.data``. (viewflow's own per-item split
    is not in its open-source edition.)"""

    @Activation.status.super()
    def activate(self):
        for node, _cond, _source in self.flow_task._branches:
            self.next_tasks += [(node, item) for item in self.flow_task.items(self)]
        if not self.next_tasks:
            raise FlowRuntimeError(f"No items to fan out at {self.flow_task.name}")


class FanOut(flow.Split):
    activation_class = FanOutActivation

    def __init__(self, items: Callable, **kwargs) -> None:
        super().__init__(**kwargs)
        self.items = items


def open_seats(activation) -> list[dict]:
    case = case_of(activation.process)
    return [{"seat": pk} for pk in review_selectors.open_seat_ids(case)]


def _case_is(status: str):
    """A gate reads the case itself: the task before it moved the case on."""
    return lambda activation: case_of(activation.process).status == status


def _routed(*values: str):
    return lambda activation: activation.process.coerced.route in values


class DisputeFlow(flow.Flow):
    process_class = CaseProcess
    # Row lock on the process: two people finishing or claiming the same task at once
    # are served one after the other, and the second finds it already done. nowait=False
    # because task services run inside their own transaction.
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    start = flow.StartHandle(this.start_case).Next(this.screen)
    # A reopened case (workflows.lifecycle.reopen_case): the same case runs a new process.
    # Reopening already moved it to screening, so this run re-screens without a transition.
    reopen = flow.StartHandle(this.start_case).Next(this.rescreen)

    screen = CaseTask(_("Screening"), steps.ScreenForm, steps.screen, "cases.handle_case").Next(
        this.decide
    )
    rescreen = CaseTask(
        _("Screening again"), steps.ScreenForm, steps.rescreen, "cases.handle_case"
    ).Next(this.decide)
    decide = CaseTask(
        _("Acceptance decision"), steps.DecideForm, steps.decide, "cases.decide_acceptance"
    ).Next(this.after_decision)
    after_decision = (
        flow.Switch()
        .Case(this.send_to_review, _case_is("accepted"))
        .Case(this.referral_response, _case_is("referred"))
        .Default(this.declined)
    )
    referral_response = CaseTask(
        _("Answer the referral"),
        steps.ReferralResponseForm,
        steps.respond_to_referral,
        "cases.respond_to_referral",
        responsible=receiving_organisation,
    ).Next(this.after_referral)
    after_referral = (
        # An objection returns the case to screening; otherwise the referral stands.
        flow.If(_case_is("screening")).Then(this.decide).Else(this.referred)
    )
    # Legal review by the committee (workflows.review): the officer seats the reviewers;
    # each works on their own seat's task at the same time; when every seat is done the
    # lead writes and signs off the committee's opinion; the officer chooses the route.
    send_to_review = CaseTask(
        _("Send to legal review"), AssignForm, steps.send_to_review, "cases.handle_case"
    ).Next(this.reviews)
    reviews = FanOut(open_seats).Next(this.review)
    review = SeatTask(
        _("Legal review"),
        SubmitForm,
        steps.submit_review,
        "review.review_case",
        owner=seat_holder,
        screen=review_screens.review_screen,
    ).Next(this.reviews_done)
    reviews_done = flow.Join().Next(this.consolidate)
    consolidate = SeatTask(
        _("Committee's legal opinion"),
        ConsolidateForm,
        steps.consolidate,
        "review.review_case",
        owner=lead_reviewer,
        screen=review_screens.consolidate_screen,
    ).Next(this.route)
    route = CaseTask(_("Choose the route"), steps.RouteForm, steps.route, "cases.handle_case").Next(
        this.after_route
    )
    after_route = (
        flow.Switch()
        .Case(this.coordination, _routed("coordination", "both"))
        .Case(this.mediation, _routed("mediation"))
        .Case(this.outcome, _routed("advice", "litigation", "reconsideration", "petition"))
        .Default(this.close_approval)
    )
    coordination = CaseTask(
        _("Coordination"), steps.SummaryForm, steps.coordination, "cases.handle_case"
    ).Next(this.after_coordination)
    after_coordination = flow.If(_routed("both")).Then(this.mediation).Else(this.outcome)
    mediation = CaseTask(
        _("Mediation"), steps.SummaryForm, steps.mediation, "cases.handle_case"
    ).Next(this.outcome)
    outcome = CaseTask(
        _("Record the outcome"), steps.OutcomeForm, steps.outcome, "cases.handle_case"
    ).Next(this.follow_up)
    follow_up = CaseTask(
        _("Follow-up visit"), steps.FollowUpForm, steps.follow_up, "cases.handle_case"
    ).Next(this.close_approval)
    close_approval = CaseTask(
        _("Approve closing"), steps.CloseForm, steps.close, "cases.approve_closure"
    ).Next(this.closed)

    declined = flow.End()
    referred = flow.End()
    closed = flow.End()

    def start_case(self, activation, case: Case) -> CaseProcess:
        activation.process.case = case
        return activation.process
