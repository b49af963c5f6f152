from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from viewflow.workflow.models import Task

from cases.exports import xlsx_response
from cases.models import Case, CaseStatus, Organisation
from cases.params import choice_param, int_param, search_text
from cases.selectors import case_clocks, case_for, case_parties, organisation_ids, visible_cases

from . import exports, progress, selectors, services

PAGE_SIZES = (25, 50, 100)


def _filters(request) -> selectors.QueueFilters:
    """The filters in the address; one the screen does not offer counts as no filter."""
    get = request.GET
    view = choice_param(get.get("view"), selectors.VIEWS, "mine")
    sorts = selectors.sorts_of(view)
    return selectors.QueueFilters(
        view=view,
        stage=choice_param(get.get("stage"), CaseStatus.values),
        category=choice_param(get.get("category"), Case.Category.values),
        organisation=int_param(get.get("organisation")) or None,
        overdue=get.get("overdue") == "1",
        due_soon=get.get("due_soon") == "1",
        query=search_text(get.get("q")),
        sort=choice_param(get.get("sort"), sorts, sorts[0]),
    )


@login_required
@require_safe
def queue(request):
    """The main screen: my tasks, the team queue, cases I watch, what I finished."""
    filters = _filters(request)
    size = int_param(request.GET.get("size"), allowed=PAGE_SIZES, default=PAGE_SIZES[0])
    page = selectors.page_of(selectors.queue(request.user, filters), request.GET.get("page"), size)
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.tab_counts(request.user, filters, listed=page.paginator.count)
    sort_labels = {
        "due": _("Due first"),
        "finished": _("Recently finished"),
        "received": _("Newest complaints"),
        "number": _("Case number"),
    }
    return render(
        request,
        "workflows/queue.html",
        {
            "page": page,
            "rows": selectors.rows(page.object_list),
            "filters": filters,
            "query": query.urlencode(),
            "views": [
                (view, label, counts[view])
                for view, label in [
                    ("mine", _("My tasks")),
                    ("team", _("Team queue")),
                    ("watching", _("Watching")),
                    ("finished", _("Finished")),
                ]
            ],
            "sorts": [(sort, sort_labels[sort]) for sort in selectors.sorts_of(filters.view)],
            "stages": CaseStatus.choices,
            "categories": Case.Category.choices,
            "organisations": Organisation.objects.filter(pk__in=organisation_ids(request.user)),
        },
    )


@login_required
@require_safe
def queue_export(request):
    """The queue as an Excel file: every row (not one page) for the page's filters."""
    filters = _filters(request)
    content = exports.queue_workbook(selectors.queue(request.user, filters), filters.view)
    return xlsx_response(content, _("Work queue"), "queue")


def _task_of_visible_case(request, task_pk: int) -> tuple[Task, Case]:
    """The task and its case, if the user may read the case; a stage's task may open for
    its holder before that (an adviser's seat, before they declare any conflict)."""
    task = get_object_or_404(Task, pk=task_pk, flow_task_type="HUMAN")
    cases = (
        Case.objects.all()
        if task.flow_task.opens_for(request.user, task)
        else visible_cases(request.user)
    )
    case = get_object_or_404(cases, processes=task.process_id)
    return task, case


@login_required
def task(request, task_pk: int):
    task, case = _task_of_visible_case(request, task_pk)
    node = task.flow_task
    if not (node.can_execute(request.user, task) or node.can_assign(request.user, task)):
        raise Http404("No task for you here.")
    # Bound on every POST, an empty one too: nothing chosen is answered with the errors.
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = node.form_class(data, files, case=case, user=request.user, item=task.data)
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_task(task_id=task.pk, user=request.user, data=form.cleaned_data)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect(case)
        except ValidationError as error:
            if {e.code for e in getattr(error, "error_list", [])} & TASK_GONE:
                # Done, taken or cancelled meanwhile: nothing to correct on this form.
                messages.error(request, " ".join(error.messages))
                return _to_case_with_next_step(request, case)
            # The completion refused what was entered: say so on the form, next to the
            # field when the error says which (the agreement date, a late objection).
            form.add_service_error(error)
        else:
            messages.success(
                request, _said_with_next_step(_("“%s” done.") % node.label, request, case)
            )
            # Back to the case, unless the step took it out of this person's sight (the
            # receiver of a referral who returned it): then to their queue.
            if visible_cases(request.user).filter(pk=case.pk).exists():
                return redirect(case)
            return redirect("workflows:queue")
    if node.screen:
        # A stage's own screen decides what of the case its holder sees.
        template, context = node.screen(task, case, request.user, form)
        return render(request, template, {"task": task, "node": node, "case": case, **context})
    return render(
        request,
        "workflows/task.html",
        {
            "task": task,
            "node": node,
            "case": case,
            "form": form,
            "earlier_steps": progress.earlier_steps(task, case),
            "clocks": [c for c in case_clocks(case) if c.deadline.stopped_on is None],
            "parties": case_parties(case),
        },
    )


# A task that is no longer this person's to complete (workflows.services).
TASK_GONE = {"done", "taken", "cancelled"}


def _said_with_next_step(done: str, request, case: Case):
    """A success message and, after it, what happens next on the case (with a link to the
    task when this person may open it)."""
    return format_html("{} {}", done, progress.next_step_of(case.pk, request.user).as_html())


def _to_case_with_next_step(request, case: Case):
    messages.info(request, progress.next_step_of(case.pk, request.user).as_html())
    return redirect(case)


def _task_action(request, task_pk: int, action, done_message: str, opens_task: bool = False):
    """A button on a task; then back to a page of this site given as ``next``, else the
    task's own screen (``opens_task``: claiming opens the task) or the case page."""
    task, case = _task_of_visible_case(request, task_pk)
    try:
        action(task_id=task.pk, user=request.user)  # PermissionDenied: a 403
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_safe_next(request) or case.get_absolute_url())
    messages.success(
        request, _said_with_next_step(done_message % task.flow_task.label, request, case)
    )
    done_page = reverse("workflows:task", args=[task.pk]) if opens_task else ""
    return redirect(_safe_next(request) or done_page or case.get_absolute_url())


def _safe_next(request) -> str:
    """Where to go back to after a button: only a page of this site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
@require_POST
def claim(request, task_pk: int):
    return _task_action(request, task_pk, services.claim_task, _("You took “%s”."), opens_task=True)


@login_required
@require_POST
def release(request, task_pk: int):
    return _task_action(request, task_pk, services.release_task, _("“%s” is back in the queue."))


@login_required
@require_POST
def report_up(request, case_pk: int):
    case = case_for(request.user, case_pk, "cases.report_up")
    reason = request.POST.get("reason", "")
    try:
        case = services.report_up(case=case, actor=request.user, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _said_with_next_step(
                _("Reported up to %s.") % case.handling_organisation, request, case
            ),
        )
    return redirect(case)


@login_required
@require_POST
def send_down(request, task_pk: int):
    pk = int_param(request.POST.get("organisation"))
    unit = Organisation.objects.filter(pk=pk).first() if pk else None
    if unit is None:  # nothing chosen, or a hand-edited value: ask again on the case page
        _task, case = _task_of_visible_case(request, task_pk)
        messages.error(request, _("Choose a unit below the handling organisation."))
        return redirect(case)

    def send(task_id: int, user) -> None:
        services.send_task_down(task_id=task_id, actor=user, organisation=unit)

    return _task_action(request, task_pk, send, _("“%s” sent down."))
