"""Load test: simulated people (officers, supervisors, legal advisers, department liaisons,
mediators) doing their work against gunicorn on the 100,000-case database, with two Celery
workers rendering the documents that work issues. Prints requests a second, p50/p95/p99 a
page kind, errors and documents rendered a minute.

    .venv/bin/python bench/load.py                  # 50 users, 60 s, as gunicorn.conf.py serves
    .venv/bin/python bench/load.py --workers 2 --threads 4 --worker-class gthread \\
        --conn-max-age 60                           # another serving configuration
    .venv/bin/python bench/load.py --mix officer=1  # officers only
    .venv/bin/python bench/load.py --smoke          # small mode: 1,000 cases, 5 users, 10 s

Needs PostgreSQL and Redis on 127.0.0.1. The data is `bench/queue.py`'s (generated once
into `qiaowei_bench`), plus the people and cases of this script, made once through the
services: in 5 of the generated organisations (not the first, which `queue.py` times)
officers who each took 25 tasks from the team queue, supervisors, advisers of the
organisation's committee each leading the review of 2 cases, a department liaison invited
to the organisation's real cases and a mediator named on them. Each liaison's department
also has, at the start of every run (topped up through the services: the legal review, the
route to coordination, the meeting), meetings it was invited to and has not answered (its
reply tasks wait in its team queue) and action items of final minutes still open (its
"act" tasks): the liaisons answer, report progress and report items done. Users log in by
a session made directly (``force_login``), not through the login form: django-axes watches
that.

gunicorn (``-c gunicorn.conf.py``; the options override it) and two
``celery worker --concurrency=1`` run as children on a free port and Redis database 7
(the small mode: a redis-server of its own on a socket), and are stopped at the end, also
on an error, Ctrl-C or SIGTERM. The users (locust, as a library) wait 1–3 s between
requests; they start over the ramp-up, whose requests are not counted, then run for the
duration and stop. Every request that answers other than 2xx/3xx (or not at all) is an
error; a page that redirects where a 200 was due, or a form that comes back instead of a
redirect, is counted apart as unexpected. The small mode stops with status 1 on either.
The last line is all figures as one JSON object.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where queue.py would shadow the
# standard library's queue module: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
# locust patches the standard library for gevent as it is imported: before anything else
# opens a socket.
import gevent  # noqa: E402
from locust import HttpUser, between  # noqa: E402
from locust.env import Environment  # noqa: E402

from bench import queue as generated  # noqa: E402
from bench.common import arguments, parse, percentile, setup_django  # noqa: E402
from bench.documents import own_redis, stop  # noqa: E402
from bench.drill import spawn  # noqa: E402
from bench.review import complete, draft_data  # noqa: E402

ROLES = ("officer", "supervisor", "adviser", "liaison", "mediator")
MIX = "officer=30,supervisor=6,adviser=6,liaison=4,mediator=4"
USERS = 50
DURATION = 60  # seconds measured, after the ramp-up
RAMP_UP = 10  # seconds over which the users start; their requests are not counted
ORGANISATIONS = 5  # generated organisations 1..5 the people work for
CLAIMED = 25  # tasks each officer takes from the team queue: a page of "my tasks"
CASES = 2  # real cases an organisation keeps waiting for review, and each adviser reviews
# What waits for each liaison's department at the start of a run, topped up by the set-up:
# meetings it has not answered (reply tasks), and open action items of final minutes (act
# tasks). A minute's run uses up about 2 of each a liaison.
REPLIES = 4
ACTIONS = 3
LAWS = 5  # articles a draft cites
BROKER = "redis://127.0.0.1:6379/7"  # a database of Redis of its own
DRAIN = 60  # seconds to wait after the run for the documents it issued
# After ramp-up, a new officer's first action: register a case (the small mode, so that
# its few seconds issue a document).
REGISTER_FIRST = False
# After ramp-up, a new liaison's first actions: one of each kind of their coordination work
# (the small mode, so that its few seconds request each kind at least once).
LIAISON_ROUND_FIRST = False
SMALL = {
    "USERS": 5,
    "MIX": "officer=1,supervisor=1,adviser=1,liaison=1,mediator=1",
    "DURATION": 10,
    "RAMP_UP": 2,
    "ORGANISATIONS": 1,
    "CLAIMED": 5,
    "CASES": 1,
    "REGISTER_FIRST": True,
    "REPLIES": 1,
    "ACTIONS": 1,
    "LIAISON_ROUND_FIRST": True,
}
CSRF = secrets.token_hex(16)  # 32 characters: Django takes it as the cookie's secret
TASK_LINK = re.compile(r'href="(/queue/tasks/\d+/)"')
# The liaisons' coordination requests, each a name of its own in the figures (the small mode
# checks that each was made).
LIAISON_KINDS = (
    "meeting page",
    "reply screen",
    "reply",
    "progress",
    "action items",
    "act screen",
    "report done",
)


# The world: who logs in, and what each opens.


@dataclass
class Seat:
    """An adviser's seat: the review screen (the seat's task) and the draft's revision."""

    pk: int
    task: int
    revision: int


@dataclass
class Action:
    """A department's open action item: progress is reported on the item, done through
    its task."""

    pk: int
    task: int


@dataclass
class Account:
    username: str
    organisation: int
    session: str = ""
    cases: list[int] = field(default_factory=list)  # case pages this person opens
    numbers: list[str] = field(default_factory=list)  # case numbers searched for
    documents: list[int] = field(default_factory=list)  # PDFs downloaded
    seats: list[Seat] = field(default_factory=list)
    meetings: list[int] = field(default_factory=list)  # meeting pages (a liaison's)
    replies: list[int] = field(default_factory=list)  # reply tasks waiting in the team queue
    actions: list[Action] = field(default_factory=list)  # open action items


def role_counts(users: int, mix: str) -> dict[str, int]:
    """``officer=30,adviser=6,…`` (weights) scaled to ``users``, by largest remainders."""
    weights = {role: 0.0 for role in ROLES}
    for part in mix.split(","):
        role, _, weight = part.partition("=")
        if role.strip() not in weights:
            raise SystemExit(f"--mix: no role {role.strip()!r} (roles: {', '.join(ROLES)})")
        weights[role.strip()] = float(weight or 1)
    total = sum(weights.values())
    shares = {role: users * weight / total for role, weight in weights.items()}
    counts = {role: int(share) for role, share in shares.items()}
    by_remainder = sorted(shares, key=lambda role: shares[role] - counts[role], reverse=True)
    for role in by_remainder[: users - sum(counts.values())]:
        counts[role] += 1
    return {role: n for role, n in counts.items() if n}


def organisations():
    from cases.models import Organisation

    names = [f"基准侨联{n}" for n in range(1, ORGANISATIONS + 1)]
    found = list(Organisation.objects.filter(name__in=names).order_by("pk"))
    assert len(found) == ORGANISATIONS, f"bench/queue.py's organisations: {names}"
    return found


def person(username: str, organisation, role: str, display_name: str):
    """A user with a membership of the organisation in the role, made once."""
    from cases.models import Membership, User

    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"display_name": display_name, "email": f"{username}@example.org"},
    )
    Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return user


def unit(name: str, kind: str):
    """A department or the mediation committee of the bench people, made once."""
    from cases.models import Organisation

    return Organisation.objects.get_or_create(
        name=name, defaults={"kind": kind, "level": "county"}
    )[0]


def place(role: str, i: int, organisation):
    """Where the ith person of a role works, and as what: an officer, a supervisor or an
    adviser (of its committee) in the organisation, each liaison in a department of their
    own, the mediators in one committee."""
    from cases.models import Organisation, Role

    if role == "liaison":
        department = unit(f"基准负载部门{i}", Organisation.Kind.DEPARTMENT)
        return department, Role.DEPARTMENT_LIAISON
    if role == "mediator":
        return unit("基准负载调解委员会", Organisation.Kind.MEDIATION_COMMITTEE), Role.MEDIATOR
    roles = {"officer": Role.CASE_OFFICER, "supervisor": Role.SUPERVISOR}
    return organisation, roles.get(role, Role.LEGAL_ADVISER)


def people(counts: dict[str, int], orgs: list) -> dict[str, list]:
    """``counts`` people of each role, each with the organisation they work for or with
    (the organisations in turn)."""
    from workflows.review.models import Adviser

    made: dict[str, list] = {}
    for role, n in counts.items():
        made[role] = []
        for i in range(n):
            organisation = orgs[i % len(orgs)]
            user = person(f"bench_load_{role}{i}", *place(role, i, organisation), f"{role}{i}")
            if role == "adviser":
                Adviser.objects.get_or_create(
                    user=user,
                    defaults={
                        "committee": organisation,
                        "employer_kind": "law_firm",
                        "employer": "广东某律师事务所",
                    },
                )
            made[role].append((user, organisation))
    return made


def real_case(title: str, organisation, officer, supervisor, lead=None):
    """A case through intake, screening and acceptance (and, with ``lead``, sent to
    review and declared by the lead), made once in one transaction."""
    from django.db import transaction
    from django.utils import timezone

    from cases.calendar import WorkingCalendar
    from cases.models import Case, Party, Person
    from cases.services import PartyInput
    from workflows.review import selectors, services
    from workflows.services import register_case

    case = Case.objects.filter(handling_organisation=organisation, title=title).first()
    if case is not None:
        return case
    with transaction.atomic():
        claimant = Person.objects.create(
            name_zh="谭负载",
            name_latin="Tham",
            identity="foreign_chinese",
            nationality="MY",
            residence_country="MY",
            time_zone="Asia/Kuala_Lumpur",
            registered_by=organisation,
        )
        case = register_case(
            actor=officer,
            handling_organisation=organisation,
            title=title,
            category="ancestral_graves",
            channel="association_letter",
            received_on=timezone.localdate(),
            summary="宗亲会来函反映祖坟墓地被占用，请求协调。",
            claims="保护祖坟现状。",
            parties=[PartyInput(role=Party.Role.CLAIMANT, person=claimant)],
        )
        case = complete(case, "screen", officer, {"notes": "事实清楚，属本会职责"})
        case = complete(case, "decide", supervisor, {"decision": "accept", "reason": ""})
        if lead is not None:
            due = selectors.default_due_on(case, timezone.localdate(), WorkingCalendar.load())
            review = {"lead": lead.pk, "members": [], f"due_{lead.pk}": due, "notes": "请审查"}
            case = complete(case, "send_to_review", officer, review, form=True)
            seat = selectors.seat_in(case, lead)
            services.declare(seat_pk=seat.pk, actor=lead, has_conflict=False)
    return case


def real_cases(made: dict[str, list], orgs: list) -> dict[int, list]:
    """Each organisation's real cases: ``CASES`` waiting to be sent to review and
    ``CASES`` for each of its advisers, in review; the departments of the liaisons who work
    with the organisation invited to them, and its mediators named on them."""
    from cases.models import Role
    from cases.services import invite_participant, name_participant

    by_org: dict[int, list] = defaultdict(list)
    for n, organisation in enumerate(orgs):
        # The organisation's first officer and supervisor, made here if the run has none.
        officer = person(f"bench_load_officer{n}", organisation, Role.CASE_OFFICER, f"officer{n}")
        supervisor = person(
            f"bench_load_supervisor{n}", organisation, Role.SUPERVISOR, f"supervisor{n}"
        )
        cases = by_org[organisation.pk]
        for lead in [None, *(u for u, o in made.get("adviser", []) if o == organisation)]:
            for k in range(CASES):
                title = f"基准负载：{lead.username if lead else organisation.name}第{k + 1}件"
                cases.append(real_case(title, organisation, officer, supervisor, lead))
        for case in cases:
            for liaison, _ in (p for p in made.get("liaison", []) if p[1] == organisation):
                department = liaison.memberships.get().organisation
                invite_participant(
                    case=case, actor=officer, relation="department", organisation=department
                )
            for mediator, _ in (p for p in made.get("mediator", []) if p[1] == organisation):
                # Named as the mediation stage names one who declared no conflict.
                name_participant(case=case, user=mediator, relation="mediator", added_by=officer)
    return by_org


# Coordination: what waits for each liaison's department, topped up before every run.

# The committee's opinion as the review screen sends it: coordination recommended.
OPINION = {
    "facts": "祖坟位于义容镇某村山地，宗亲会持有1950年代照片。",
    "issues": "墓地是否被占用；迁移是否经批准。",
    "laws": [],
    "analysis": "依《民法典》相邻关系规定，应由相关部门协调解决。",
    "route": "coordination",
    "risk": "medium",
    "risk_notes": "宗亲会情绪激烈，协商不成可能引发信访，应先稳定情绪、固定证据。",
    "questions": "",
}


def step(case, name: str, user, data: dict, organisation=None):
    """Complete the case's open task of that name (of a fan-out: ``organisation``'s) as its
    screen does: through its form, given the task's item; the case, read again."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from workflows.services import complete_task

    tasks = Task.objects.filter(
        process__caseprocess__case=case,
        flow_task__endswith=f".{name}",
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    )
    [task] = [t for t in tasks if organisation is None or t.data["organisation"] == organisation.pk]
    bound = task.flow_task.form_class(data, case=case, user=user, item=task.data)
    assert bound.is_valid(), (name, bound.errors)
    complete_task(task_id=task.pk, user=user, data=bound.cleaned_data)
    return type(case).objects.get(pk=case.pk)


def meeting_form(department) -> dict:
    """The convening screen's form: three days ahead, 09:30 Beijing time."""
    import datetime

    from django.utils import timezone

    return {
        "title": "基准负载：谭氏祖坟纠纷多部门协调会",
        "agenda": "果园扩建是否侵害墓地及通行\n祖坟修缮的审批主体和规模",
        "day": timezone.localdate() + datetime.timedelta(days=3),
        "time": datetime.time(9, 30),
        "duration_minutes": 120,
        "place": "侨联三楼会议室",
        "departments": [department.pk],
    }


def minutes_form(case, department, follower) -> dict:
    """The minutes screen's form: every agenda item decided, one action item of the
    department's."""
    from mediation.coordination.selectors import meeting_to_minute

    data = {"attended": f"张伟，{department.name}，副局长", "non_voting": "", "excused": ""}
    for item in meeting_to_minute(case).agenda.all():
        data[f"discussion_{item.pk}"] = f"{item.title}：各方发表意见。"
        data[f"decisions_{item.pk}"] = f"{item.title}：由相关部门依职责处理。"
    data.update(
        {
            "action_0_organisation": department.pk,
            "action_0_description": "核实墓地周边土地权属并书面答复",
            "action_0_working_days": 20,
            "action_0_follow_up_by": follower.pk,
        }
    )
    return data


def held(case) -> None:
    """Time passes: the meeting still to be minuted took place yesterday (the minutes are
    written once it began; the tests' ``held`` does the same)."""
    import datetime

    from django.utils import timezone

    from mediation.coordination.models import Meeting

    Meeting.objects.filter(case=case, status=Meeting.Status.CONVENED).update(
        starts_at=timezone.now() - datetime.timedelta(days=1)
    )


@dataclass
class Convener:
    """Who moves an organisation's coordination cases: an officer of its own (so that the
    run's officers' queues stay as they were), its supervisor and an adviser of its
    committee who leads their reviews (not one of the run's, whose seats stay open)."""

    organisation: object
    officer: object
    supervisor: object
    lead: object


def convener(n: int, organisation) -> Convener:
    from cases.models import Role
    from workflows.review.models import Adviser

    lead = person(
        f"bench_load_coordination_adviser{n}", organisation, Role.LEGAL_ADVISER, f"顾问{n}"
    )
    Adviser.objects.get_or_create(
        user=lead,
        defaults={
            "committee": organisation,
            "employer_kind": "law_firm",
            "employer": "广东某律师事务所",
        },
    )
    return Convener(
        organisation,
        person(f"bench_load_convener{n}", organisation, Role.CASE_OFFICER, f"convener{n}"),
        person(f"bench_load_supervisor{n}", organisation, Role.SUPERVISOR, f"supervisor{n}"),
        lead,
    )


def coordinated_case(title: str, by: Convener, liaison, department, minuted: bool):
    """A real case through its legal review, routed to coordination, with a meeting convened
    inviting the department; ``minuted``: the department confirmed, the meeting was held
    and its minutes are final with one action item of the department's. In one
    transaction."""
    from django.db import transaction

    with transaction.atomic():
        case = real_case(title, by.organisation, by.officer, by.supervisor, by.lead)
        case = step(case, "review", by.lead, OPINION)
        case = step(case, "consolidate", by.lead, OPINION)
        case = step(case, "route", by.officer, {"route": "coordination", "notes": ""})
        case = step(case, "convene", by.officer, meeting_form(department))
        if minuted:
            answer = {"answer": "confirm", "attendees": "张伟 副局长"}
            case = step(case, "reply", liaison, answer, organisation=department)
            held(case)
            case = step(case, "minutes", by.officer, minutes_form(case, department, by.officer))
    return case


def waiting_replies(department) -> list[int]:
    """The department's reply tasks still open: meetings it has not answered."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from mediation.coordination.models import Invitation

    tasks = Invitation.objects.filter(
        organisation=department, status=Invitation.Status.PENDING
    ).values_list("task_id", flat=True)
    open_tasks = Task.objects.filter(pk__in=tasks, status__in=[STATUS.NEW, STATUS.ASSIGNED])
    return list(open_tasks.order_by("pk").values_list("pk", flat=True))


def open_actions(department) -> list[Action]:
    """The department's action items still open, each with its act task."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from mediation.coordination.models import ActionItem

    items = ActionItem.objects.filter(
        organisation=department,
        status__in=[
            ActionItem.Status.OPEN,
            ActionItem.Status.IN_PROGRESS,
            ActionItem.Status.OVERDUE,
        ],
        task_id__isnull=False,
    ).order_by("pk")
    live = set(
        Task.objects.filter(
            pk__in=items.values_list("task_id", flat=True),
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
        ).values_list("pk", flat=True)
    )
    return [Action(pk, task) for pk, task in items.values_list("pk", "task_id") if task in live]


def coordination(made: dict[str, list], orgs: list) -> dict[int, list]:
    """Each liaison's coordination cases, topped up so that ``REPLIES`` meetings wait for
    their department's answer and ``ACTIONS`` of its action items are open (a run uses
    some up); by liaison."""
    from cases.models import Case

    by_liaison: dict[int, list] = {}
    for n, organisation in enumerate(orgs):
        liaisons = [u for u, o in made.get("liaison", []) if o == organisation]
        if not liaisons:
            continue
        by = convener(n, organisation)
        for liaison in liaisons:
            department = liaison.memberships.get().organisation
            prefix = f"基准负载协调：{liaison.username}"
            mine = Case.objects.filter(handling_organisation=organisation, title__startswith=prefix)
            made_so_far = mine.count()
            wanted = [False] * (REPLIES - len(waiting_replies(department)))
            wanted += [True] * (ACTIONS - len(open_actions(department)))
            for k, minuted in enumerate(wanted, start=made_so_far + 1):
                coordinated_case(f"{prefix}第{k}件", by, liaison, department, minuted)
            by_liaison[liaison.pk] = list(mine.order_by("pk"))
    return by_liaison


def claim_tasks(officer, organisation) -> None:
    """The officer takes generated tasks of the team queue until ``CLAIMED`` are his."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from workflows.services import claim_task

    mine = Task.objects.filter(owner=officer, status=STATUS.ASSIGNED).count()
    free = Task.objects.filter(
        status=STATUS.NEW,
        owner_permission_obj_pk=str(organisation.pk),
        flow_task__endswith=".assign_mediator",  # generated, not a real case's
    ).order_by("pk")
    for pk in free.values_list("pk", flat=True)[: max(0, CLAIMED - mine)]:
        claim_task(task_id=pk, user=officer)


def render_pending(cases: list) -> None:
    """The set-up's documents, rendered here as the worker does: PDFs to download, and no
    work left for the run's workers but the run's own."""
    from documents.models import Document
    from documents.tasks import render_document

    pending = Document.objects.filter(case__in=cases, rendering=Document.Rendering.PENDING)
    for pk in pending.values_list("pk", flat=True):
        render_document.apply(args=[pk], throw=True)


def build(counts: dict[str, int]) -> dict[str, list[Account]]:
    """The people of the run and what each opens; their sessions are made afresh."""
    started = time.perf_counter()
    orgs = organisations()
    made = people(counts, orgs)
    by_org = real_cases(made, orgs)
    by_liaison = coordination(made, orgs)
    for officer, organisation in made.get("officer", []):
        claim_tasks(officer, organisation)
    everything = [*by_org.values(), *by_liaison.values()]
    render_pending([case for cases in everything for case in cases])
    accounts = {
        role: [
            account(role, user, organisation, by_org, by_liaison) for user, organisation in users
        ]
        for role, users in made.items()
    }
    print(f"set-up: {sum(counts.values())} people ready in {time.perf_counter() - started:.0f} s")
    return accounts


def account(
    role: str, user, organisation, by_org: dict[int, list], by_liaison: dict[int, list]
) -> Account:
    from django.test import Client
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from cases.models import Case
    from documents.models import Document
    from workflows.review.models import Reviewer

    client = Client()
    client.force_login(user)
    found = Account(user.username, organisation.pk, client.cookies["sessionid"].value)
    real = [case.pk for case in by_org[organisation.pk]]
    if role == "officer":
        tasks = Task.objects.filter(owner=user, status=STATUS.ASSIGNED)
        found.cases = list(tasks.values_list("process__caseprocess__case", flat=True))
    elif role == "supervisor":
        team = Case.objects.filter(handling_organisation=organisation).order_by("pk")
        found.cases = real + list(team.values_list("pk", flat=True)[:CLAIMED])
    elif role == "liaison":
        coordinated = [case.pk for case in by_liaison.get(user.pk, [])]
        found.cases = real + coordinated[-(REPLIES + ACTIONS) :]
        coordination_work(found, user.memberships.get().organisation)
    else:
        found.cases = real
    found.numbers = list(Case.objects.filter(pk__in=found.cases).values_list("number", flat=True))
    found.documents = list(
        Document.objects.filter(case__in=real, rendering=Document.Rendering.READY).values_list(
            "pk", flat=True
        )
    )
    if role == "adviser":
        seats = Reviewer.objects.filter(
            adviser=user, task_id__isnull=False, declared_at__isnull=False
        )
        found.seats = [
            Seat(pk, task, revision)
            for pk, task, revision in seats.values_list("pk", "task_id", "opinion__revision")
        ]
        found.cases = list(seats.values_list("review__case", flat=True))
    assert found.cases, f"{user.username}: nothing to open"
    return found


def coordination_work(found: Account, department) -> None:
    """A liaison's meetings to open (their department's latest), the reply tasks waiting
    and the action items open."""
    from mediation.coordination.models import Meeting

    meetings = Meeting.objects.filter(invitations__organisation=department).order_by("-pk")
    found.meetings = list(meetings.values_list("pk", flat=True)[: REPLIES + ACTIONS])
    found.replies = waiting_replies(department)
    found.actions = open_actions(department)
    assert found.meetings and found.replies and found.actions, f"{found.username}: no work"


# The users. Each page kind is a name of its own in the figures.


class Simulated(HttpUser):
    """A person at work; each role's ``tasks`` say what they do, and how often."""

    abstract = True
    wait_time = between(1, 3)
    accounts: list[Account] = []
    taken = itertools.count()

    def on_start(self) -> None:
        # The nth user of a role logs in as the nth person of the role (round the list).
        self.nth = next(self.taken)
        self.account = self.accounts[self.nth % len(self.accounts)]
        self.client.cookies.set("sessionid", self.account.session)
        self.client.cookies.set("csrftoken", CSRF)

    def page(self, kind: str, url: str) -> str:
        """GET a page that must answer 200; its HTML."""
        with self.client.get(url, name=kind, allow_redirects=False, catch_response=True) as reply:
            expect(reply, 200)
            return reply.text

    def send(self, kind: str, url: str, data: dict, status: int = 302, files=None):
        """POST a form as the browser does (``files``: its uploads); a redirect where one is
        due."""
        data = {**data, "csrfmiddlewaretoken": CSRF}
        with self.client.post(
            url, data=data, files=files, name=kind, allow_redirects=False, catch_response=True
        ) as reply:
            expect(reply, status)
            return reply

    def do_task(self, case: int, data: dict) -> bool:
        """Open the case, then the task its page offers this person, and complete it."""
        link = TASK_LINK.search(self.case_page(case))
        if link is None:
            return False
        self.page("task screen", link.group(1))
        self.send("complete task", link.group(1), data)
        return True

    def case_page(self, pk: int | None = None) -> str:
        return self.page("case page", f"/cases/{pk or random.choice(self.account.cases)}/")

    def my_tasks(self) -> None:
        self.page("queue mine", "/queue/?view=mine")

    def team_queue(self) -> None:
        self.page("queue team", "/queue/?view=team")

    def watching(self) -> None:
        self.page("queue watching", "/queue/?view=watching")

    def open_case(self) -> None:
        self.case_page()

    def search(self) -> None:
        number = random.choice(self.account.numbers)
        self.page("search", "/queue/?" + urllib.parse.urlencode({"view": "watching", "q": number}))

    def download(self) -> None:
        if self.account.documents:
            self.page("pdf", f"/documents/{random.choice(self.account.documents)}/pdf/")


def expect(reply, status: int) -> None:
    """Not 2xx/3xx (or no answer): an error, as locust counts it. Another answer than the
    one due (a redirect to the login page, a form sent back): unexpected, counted apart."""
    if reply.status_code == 0:
        reply.failure(f"no answer: {reply.error!r}")
    elif reply.status_code >= 400:
        reply.failure(f"HTTP {reply.status_code}")
    elif reply.status_code != status:
        UNEXPECTED[(reply.request_meta["name"], reply.status_code)] += 1
        reply.success()


UNEXPECTED: Counter = Counter()
# Cases an officer screened, waiting for a supervisor of the organisation to decide.
TO_DECIDE: dict[int, deque] = defaultdict(deque)
RUN = secrets.token_hex(3)  # in the names of the run's claimants: new people each run


class Officer(Simulated):
    abstract = True
    registered = itertools.count()

    def on_start(self) -> None:
        super().on_start()
        if REGISTER_FIRST:
            gevent.sleep(RAMP_UP)  # in the measured window
            self.register_and_screen()

    def register_and_screen(self) -> None:
        """Register a complaint (its registration form is a document), then screen it."""
        self.page("registration form", "/cases/new/")
        reply = self.send(
            "register", "/cases/new/", registration(self.account, next(self.registered))
        )
        found = re.fullmatch(r"/cases/(\d+)/", reply.headers.get("Location", ""))
        if found and self.do_task(int(found.group(1)), {"notes": "属本会职责"}):
            TO_DECIDE[self.account.organisation].append(int(found.group(1)))

    tasks = {
        Simulated.my_tasks: 4,
        Simulated.team_queue: 2,
        Simulated.open_case: 4,
        Simulated.search: 2,
        Simulated.download: 1,
        register_and_screen: 1,
    }


def registration(account: Account, n: int) -> dict:
    """The registration screen's form as a browser sends it: one new claimant, named anew
    each time (the same name and phone would be offered as the same person)."""
    return {
        "handling_organisation": account.organisation,
        "title": f"负载测试：侨房被占用第{n}件",
        "category": "houses",
        "channel": "visit",
        "received_on": time.strftime("%Y-%m-%d"),
        "risk_level": "low",
        "summary": "来访反映侨房被他人占用。",
        "claims": "请求协调腾退。",
        "party-TOTAL_FORMS": "1",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "1",
        "party-MAX_NUM_FORMS": "20",
        "party-0-role": "claimant",
        "party-0-kind": "new_person",
        "party-0-new_name_zh": f"陈{RUN}{n}",
        "party-0-new_identity": "guiqiao",
        "party-0-new_residence_country": "CN",
    }


class Supervisor(Simulated):
    abstract = True

    def decide(self) -> None:
        """Accept a case an officer screened (its notices of acceptance and of rights are
        two documents)."""
        waiting = TO_DECIDE[self.account.organisation]
        if waiting:
            self.do_task(waiting.popleft(), {"decision": "accept", "reason": ""})

    tasks = {
        Simulated.my_tasks: 3,
        Simulated.team_queue: 3,
        Simulated.open_case: 3,
        Simulated.download: 1,
        decide: 3,
    }


class Adviser(Simulated):
    abstract = True

    def on_start(self) -> None:
        super().on_start()
        # A seat of their own where there are enough: two users saving the same draft
        # would conflict, by design.
        seats = self.account.seats
        self.seat = seats[self.nth // len(self.accounts) % len(seats)]

    def review_screen(self) -> None:
        self.page("review screen", f"/queue/tasks/{self.seat.task}/")

    def save_draft(self) -> None:
        data = draft_data(LAW_ARTICLES, self.seat.revision)
        reply = self.send("draft save", f"/review/seats/{self.seat.pk}/draft/", data, 200)
        if reply.status_code == 200:
            self.seat.revision = reply.json()["revision"]

    tasks = {
        review_screen: 4,
        save_draft: 2,
        Simulated.my_tasks: 2,
        Simulated.open_case: 2,
    }


class Participant(Simulated):
    """A mediator: the cases they were brought into."""

    abstract = True
    tasks = {Simulated.watching: 2, Simulated.my_tasks: 1, Simulated.open_case: 3}


class Liaison(Simulated):
    """A department liaison: the cases their department was brought into, and its part in
    coordination (its team queue, the meetings it was invited to, its replies, its action
    items). Work that is no longer waiting (all answered, all reported done) gives way to
    the page the liaison would look at instead."""

    abstract = True

    def on_start(self) -> None:
        super().on_start()
        if LIAISON_ROUND_FIRST:
            gevent.sleep(RAMP_UP + 1)  # well in the measured window
            for work in (
                self.team_queue,
                self.meeting,
                self.reply,
                self.progress,
                self.items,
                self.done,
            ):
                work()

    def meeting(self) -> None:
        self.page("meeting page", f"/coordination/meetings/{random.choice(self.account.meetings)}/")

    def items(self) -> None:
        self.page("action items", "/coordination/items/")

    def reply(self) -> None:
        """Answer a meeting's invitation: its task from the team queue (taken by completing
        it), mostly a confirmation, now and then a refusal; a written position at times."""
        if not self.account.replies:
            self.team_queue()
            return
        url = f"/queue/tasks/{self.account.replies.pop(0)}/"
        self.page("reply screen", url)
        if random.random() < 0.8:
            data = {"answer": "confirm", "attendees": "张伟，副局长\n李明，科长"}
        else:
            data = {"answer": "decline", "reason": "当日另有公务，书面意见随附。"}
        if random.random() < 0.5:
            data["position"] = "同意现场勘界，请侨联提供宗亲会的历史照片。"
        self.send("reply", url, data)

    def progress(self) -> None:
        """Report progress on an open action item (the form on the list of items)."""
        if not self.account.actions:
            self.items()
            return
        item = random.choice(self.account.actions)
        text = {"text": f"已安排现场勘界（{time.strftime('%H:%M:%S')}）。"}
        self.send("progress", f"/coordination/items/{item.pk}/progress/", text)

    def done(self) -> None:
        """Report an action item done through its task, with what shows it (a PDF)."""
        if not self.account.actions:
            self.items()
            return
        item = self.account.actions.pop(0)
        url = f"/queue/tasks/{item.task}/"
        self.page("act screen", url)
        upload = {"upload": ("勘界意见.pdf", REPORT_PDF, "application/pdf")}
        self.send("report done", url, {"text": "已核实土地权属并书面答复。"}, files=upload)

    tasks = {
        Simulated.team_queue: 2,
        meeting: 2,
        reply: 1,
        progress: 2,
        items: 2,
        done: 1,
        Simulated.watching: 1,
        Simulated.my_tasks: 1,
        Simulated.open_case: 2,
    }


LAW_ARTICLES: list = []  # the draft's citations, read once
REPORT_PDF = b""  # what a liaison attaches to an item reported done: one blank page, made once


def blank_pdf() -> bytes:
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def user_classes(accounts: dict[str, list[Account]], counts: dict[str, int], host: str) -> list:
    """A locust user class a role, ``fixed_count`` users of it."""
    base = {
        "officer": Officer,
        "supervisor": Supervisor,
        "adviser": Adviser,
        "liaison": Liaison,
        "mediator": Participant,
    }
    return [
        type(
            role.capitalize(),
            (base[role],),
            {
                "abstract": False,
                "host": host,
                "fixed_count": n,
                "accounts": accounts[role],
                "taken": itertools.count(),
            },
        )
        for role, n in counts.items()
    ]


# The servers.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, what: str, logs: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {seconds:.0f} s\n{tails(logs)}")
        gevent.sleep(0.2)


def tails(logs: Path) -> str:
    return "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs.glob("*.log")
    )


def start_workers(cleanup: contextlib.ExitStack, logs: Path) -> None:
    """Two Celery workers of one process each, as in production."""
    from config.celery import app

    workers = []
    for n in range(2):
        args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1"]
        args += ["--without-gossip", "--without-mingle", "--loglevel=WARNING", "-n", f"load{n}@%h"]
        workers.append(spawn(args, logs / f"worker{n}.log", dict(os.environ)))
        cleanup.callback(stop, workers[-1])

    def started() -> bool:
        if any(worker.poll() is not None for worker in workers):
            raise RuntimeError(f"a Celery worker exited\n{tails(logs)}")
        return len(app.control.ping(timeout=1)) >= 2

    wait_until(started, "the Celery workers started", logs)


def start_web(cleanup: contextlib.ExitStack, logs: Path, args) -> tuple[str, subprocess.Popen]:
    """gunicorn as production runs it (``gunicorn.conf.py``), with the options given."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--error-logfile", "-"]
    for option, value in [
        ("--workers", args.workers),
        ("--threads", args.threads),
        ("--worker-class", args.worker_class),
    ]:
        if value is not None:
            command += [option, str(value)]
    env = dict(os.environ)
    if args.conn_max_age is not None:
        env["CONN_MAX_AGE"] = str(args.conn_max_age)
    web = spawn(command, logs / "gunicorn.log", env)
    cleanup.callback(stop, web)
    url = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        if web.poll() is not None:
            raise RuntimeError(f"gunicorn exited\n{tails(logs)}")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=5) as reply:
                return reply.status == 200
        except OSError:
            return False

    wait_until(answering, "gunicorn answering", logs)
    age = env.get("CONN_MAX_AGE", "as gunicorn.conf.py sets it")
    print(f"gunicorn: {' '.join(command[3:])}; CONN_MAX_AGE {age}")
    return url, web


def cpu_seconds(process: subprocess.Popen) -> float:
    """CPU time a process and its children alive now (gunicorn's workers) have used."""
    import psutil

    root = psutil.Process(process.pid)
    total = 0.0
    for each in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            used = each.cpu_times()
            total += used.user + used.system
    return total


def own_cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def busy_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy (PostgreSQL, the workers, anything else)."""
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0)


# The run and its figures.


def run(accounts: dict[str, list[Account]], counts: dict[str, int], url: str, web) -> dict:
    """Ramp up (not counted), run for the duration, stop: every counted request's time,
    and the CPU seconds gunicorn, this process (the users) and the machine used meanwhile."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: Counter = Counter()
    window = {"from": float("inf"), "to": float("inf")}

    def record(name, response_time, exception, **_):
        if window["from"] <= time.time() <= window["to"]:
            times[name].append(response_time / 1000)
            if exception:
                errors[(name, str(exception)[:160])] += 1

    environment = Environment(user_classes=user_classes(accounts, counts, url))
    environment.events.request.add_listener(record)
    runner = environment.create_local_runner()
    users = sum(counts.values())
    runner.start(users, spawn_rate=users / max(RAMP_UP / 2, 1))
    gevent.sleep(RAMP_UP)
    UNEXPECTED.clear()
    cpu = (cpu_seconds(web), own_cpu_seconds(), busy_cpu_seconds())
    window["from"] = time.time()
    gevent.sleep(DURATION)
    window["to"] = time.time()
    cpu = (
        cpu_seconds(web) - cpu[0],
        own_cpu_seconds() - cpu[1],
        busy_cpu_seconds() - cpu[2],
    )
    runner.quit()
    return {
        "cpu": cpu,
        "times": times,
        "errors": errors,
        "window": (window["from"], window["to"]),
        "exceptions": [e["traceback"] for e in runner.exceptions.values()],
    }


def log_out(accounts: dict[str, list[Account]]) -> None:
    """The run's sessions, deleted: each run makes its own."""
    from django.contrib.sessions.models import Session

    keys = [account.session for role in accounts.values() for account in role]
    Session.objects.filter(session_key__in=keys).delete()


def documents(organisations: set[int], since: float, until: float, drain: float) -> dict:
    """Documents the run issued (on the organisations' cases), those rendered within its
    window, and those rendered by the end of the drain (bounded); a failed render stops the
    benchmark."""
    import datetime

    from django.db import connection

    from documents.models import Document

    start = datetime.datetime.fromtimestamp(since, datetime.UTC)
    end = datetime.datetime.fromtimestamp(until, datetime.UTC)
    issued = Document.objects.filter(
        case__handling_organisation__in=organisations, issued_at__gte=start, issued_at__lte=end
    )
    deadline = time.monotonic() + drain
    while issued.filter(rendering=Document.Rendering.PENDING).exists():
        if time.monotonic() > deadline:
            break
        gevent.sleep(0.5)
    failed = issued.filter(rendering=Document.Rendering.FAILED)
    if failed.exists():
        raise RuntimeError(
            f"render failed: {sorted(set(failed.values_list('failure', flat=True)))}"
        )
    figures = {
        "issued": issued.count(),
        "rendered_in_window": issued.filter(rendered_at__lte=end).exclude(rendered_at=None).count(),
        "pending_after_drain": issued.filter(rendering=Document.Rendering.PENDING).count(),
    }
    connection.close()
    return figures


def coordination_done(accounts: dict[str, list[Account]], since: float, until: float) -> dict:
    """The liaisons' coordination work within the window, as the database has it: replies
    given, progress reports, items reported done."""
    import datetime

    from mediation.coordination.models import ActionReport, Invitation

    window = [datetime.datetime.fromtimestamp(t, datetime.UTC) for t in (since, until)]
    names = [account.username for account in accounts.get("liaison", [])]
    reports = ActionReport.objects.filter(author__username__in=names, created_at__range=window)
    return {
        "replies": Invitation.objects.filter(
            answered_by__username__in=names, answered_at__range=window
        ).count(),
        "progress_reports": reports.filter(done=False).count(),
        "reported_done": reports.filter(done=True).count(),
    }


def ms(values: list[float], share: float) -> int:
    return round(percentile(values, share) * 1000)


def figures_of(result: dict, made: dict, coordinated: dict) -> dict:
    since, until = result["window"]
    seconds = until - since
    every = [t for values in result["times"].values() for t in values]
    if not every:
        raise RuntimeError("no request was answered within the run")
    web_cpu, client_cpu, machine_cpu = result["cpu"]
    return {
        "users": USERS,
        "seconds": round(seconds),
        "requests": len(every),
        "requests_per_s": round(len(every) / seconds, 1),
        "p50_ms": ms(every, 0.5),
        "p95_ms": ms(every, 0.95),
        "p99_ms": ms(every, 0.99),
        "errors": sum(result["errors"].values()),
        "unexpected": sum(UNEXPECTED.values()),
        "documents_issued": made["issued"],
        "documents_rendered_per_minute": round(made["rendered_in_window"] / seconds * 60, 1),
        "documents_pending_after_drain": made["pending_after_drain"],
        "coordination": coordinated,
        # What serving cost: gunicorn's CPU a request, and the cores it and the simulated
        # users (this process) kept busy, of those the whole machine kept busy (PostgreSQL,
        # the Celery workers and whatever else runs there).
        "web_cpu_ms_per_request": round(web_cpu / len(every) * 1000),
        "web_cores": round(web_cpu / seconds, 2),
        "client_cores": round(client_cpu / seconds, 2),
        "machine_cores": round(machine_cpu / seconds, 2),
        "load_average": round(os.getloadavg()[0], 1),
        "pages": {
            name: {
                "requests": len(values),
                "p50_ms": ms(values, 0.5),
                "p95_ms": ms(values, 0.95),
                "p99_ms": ms(values, 0.99),
            }
            for name, values in sorted(result["times"].items())
        },
    }


def show(figures: dict, result: dict) -> None:
    print(f"{'page':<18} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, f in figures["pages"].items():
        print(f"{name:<18} {f['requests']:>8} {f['p50_ms']:>7} {f['p95_ms']:>7} {f['p99_ms']:>7}")
    print(
        f"all: {figures['requests']} requests in {figures['seconds']} s, "
        f"{figures['requests_per_s']} a second; p50 {figures['p50_ms']} ms, "
        f"p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms"
    )
    print(f"errors (not 2xx/3xx, or no answer): {figures['errors']}")
    for (name, what), n in result["errors"].most_common(10):
        print(f"    {n} × {name}: {what}")
    print(f"unexpected answers: {figures['unexpected']}")
    for (name, status), n in UNEXPECTED.most_common(10):
        print(f"    {n} × {name}: HTTP {status}")
    done = figures["coordination"]
    print(
        f"liaisons: {done['replies']} replies, {done['progress_reports']} progress reports, "
        f"{done['reported_done']} items reported done"
    )
    print(
        f"documents: {figures['documents_issued']} issued, "
        f"{figures['documents_rendered_per_minute']} rendered a minute within the run, "
        f"{figures['documents_pending_after_drain']} still pending {DRAIN} s after it"
    )
    print(
        f"CPU: gunicorn {figures['web_cpu_ms_per_request']} ms a request, "
        f"{figures['web_cores']} cores; the users {figures['client_cores']} cores; the "
        f"machine {figures['machine_cores']} cores busy, load average {figures['load_average']}"
    )


def options():
    parser = arguments(__doc__)
    parser.add_argument("--users", type=int, help=f"simulated users (default {USERS})")
    parser.add_argument("--duration", type=int, help=f"seconds measured (default {DURATION})")
    parser.add_argument("--mix", help=f"users by role, as weights (default {MIX})")
    parser.add_argument("--workers", type=int, help="gunicorn workers (else gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, help="gunicorn threads a worker")
    parser.add_argument("--worker-class", help="gunicorn worker class: sync, gthread")
    parser.add_argument(
        "--conn-max-age", type=int, help="CONN_MAX_AGE of the web processes, in seconds"
    )
    args = parse(parser)
    if args.smoke:
        globals().update(SMALL)
    globals().update(
        {
            "USERS": args.users or USERS,
            "DURATION": args.duration or DURATION,
            "MIX": args.mix or MIX,
        }
    )
    return args


def prepare(args, cleanup: contextlib.ExitStack) -> None:
    """Django on the bench database (the small mode's throwaway one, with a Redis of its
    own), the generated cases in it, vacuumed and analysed: each run adds cases, documents
    and sessions, and on a server without autovacuum the next run's plans would be made
    for tables of the size the last analysis saw."""
    os.environ.setdefault("EMAIL_URL", "dummymail://")  # e-mails are sent, to nowhere
    if args.smoke:
        vars(generated).update(generated.SMALL)
        setup_django(small=True, broker=cleanup.enter_context(own_redis()))
    else:
        os.environ.setdefault("CELERY_BROKER_URL", BROKER)
        setup_django()
    generated.generate()
    generated.vacuum()


def problems(args, result: dict, figures: dict, counts: dict[str, int]) -> list[str]:
    """What makes the run a broken benchmark rather than a figure: an exception in a
    user; in the small mode also an error, an unexpected answer, no document rendered, or
    (with a liaison) a kind of coordination request not made or a piece of their work
    not done."""
    found = list(result["exceptions"])
    if args.smoke and counts.get("liaison"):
        missing = [kind for kind in LIAISON_KINDS if not result["times"].get(kind)]
        missing += [what for what, n in figures["coordination"].items() if not n]
        if missing:
            found.append(f"the small run's liaison did not do: {', '.join(missing)}")
    if args.smoke and (figures["errors"] or figures["unexpected"]):
        found.append("the small run had errors or unexpected answers")
    if args.smoke and (not figures["documents_issued"] or figures["documents_pending_after_drain"]):
        found.append("the small run issued no document, or its documents were not rendered")
    return found


def main() -> int:
    args = options()
    counts = role_counts(USERS, MIX)
    # A SIGTERM (or Ctrl-C) ends the run through the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logs = Path(tempfile.mkdtemp(prefix="qiaowei-bench-load-"))
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, logs, ignore_errors=True)
        prepare(args, cleanup)
        from django.db import connection

        from workflows.review.models import LawArticle

        accounts = build(counts)
        LAW_ARTICLES.extend(LawArticle.objects.filter(is_active=True)[:LAWS])
        globals()["REPORT_PDF"] = blank_pdf()
        connection.close()  # the children and the users; this process asks again at the end
        start_workers(cleanup, logs)
        url, web = start_web(cleanup, logs, args)
        print(
            f"{USERS} users ({', '.join(f'{n} {role}' for role, n in counts.items())}), "
            f"{RAMP_UP} s ramp-up, {DURATION} s measured, 1–3 s between requests",
            flush=True,
        )
        result = run(accounts, counts, url, web)
        log_out(accounts)
        organisations = {a.organisation for role in accounts.values() for a in role}
        coordinated = coordination_done(accounts, *result["window"])
        figures = figures_of(
            result, documents(organisations, *result["window"], DRAIN), coordinated
        )
        show(figures, result)
        broken = problems(args, result, figures, counts)
        if broken or figures["errors"]:
            print(*broken, tails(logs), sep="\n")  # and the servers' tracebacks
        if broken:
            return 1
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
