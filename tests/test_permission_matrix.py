"""The permission matrix: every route of the URL conf, every role, every method.

The expected answer comes from the capability table (``cases.capabilities``) that the code
itself uses: a person who may not read the case gets 404, one who may read it but not act
gets 403, anyone else gets the page (200) or is sent on (302), and a refusal stores
nothing. A route without an entry in ROUTES fails ``test_it_has_an_entry_for_every_route``:
a new screen cannot arrive without saying who may use it.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from viewflow.workflow.models import Task

from cases import capabilities
from cases import services as case_services
from cases.calendar import WorkingCalendar
from cases.models import CaseEvent, CaseParticipant, Party, Role
from documents.models import Document, Evidence
from documents.services import render_document

from .factories import OrganisationFactory, PersonFactory, UserFactory, adviser_of, officer_of

SUBJECTS = [
    "anonymous",
    "handling_officer",
    "other_officer",
    "unit_head",
    "supervisor_above",
    "adviser",
    "liaison",
    "mediator",
    "admin",
]


@dataclass
class World:
    users: dict
    case: object
    task: object
    document: object
    lower_unit: object
    department: object
    township: object
    # A second case of the township's, at legal review: the adviser holds the lead's seat
    # (declared no conflict, asked the officer a question), another adviser's seat is
    # vacant (a conflict), a third adviser could take it.
    review_case: object = None
    seat: object = None
    vacant: object = None
    question: object = None
    spare_adviser: object = None
    # Builds the review's case on first use: only the review's routes need it.
    build_review: Callable | None = None

    def reviewed(self) -> World:
        if self.review_case is None:
            self.build_review(self)
        return self


def _review(world: World, intake, do) -> None:
    """The world's case at legal review, played through the process as the screens do."""
    from workflows.review import selectors
    from workflows.review import services as review

    users = world.users
    officer, head, adviser = users["handling_officer"], users["unit_head"], users["adviser"]
    conflicted = adviser_of(world.case.handling_organisation.parent, "conflicted")
    world.spare_adviser = adviser_of(world.case.handling_organisation.parent, "spare")
    case = intake(
        actor=officer,
        handling_organisation=world.township,
        person=PersonFactory(registered_by=world.township),
        title="侨房纠纷",
    )
    case = do(case, "screen", {"notes": "事实清楚"}, user=officer)
    case = do(case, "decide", {"decision": "accept"}, user=head)
    due = selectors.default_due_on(case, timezone.localdate(), WorkingCalendar.load())
    data = {"lead": adviser.pk, "members": [conflicted.pk], f"due_{adviser.pk}": due}
    case = do(case, "send_to_review", {**data, f"due_{conflicted.pk}": due}, officer, form=True)
    world.seat = selectors.seat_in(case, adviser)
    review.declare(seat_pk=world.seat.pk, actor=adviser, has_conflict=False)
    world.question = review.ask_question(
        seat_pk=world.seat.pk, actor=adviser, text="请补充权属资料"
    )
    world.vacant = selectors.seat_in(case, conflicted)
    review.declare(seat_pk=world.vacant.pk, actor=conflicted, has_conflict=True, relation="同学")
    world.review_case = case


def _seat_route(name: str) -> Route:
    """A seat's own request: its holder's (the adviser) and nobody else's (404)."""
    return Route(
        lambda w: reverse(name, args=[w.reviewed().seat.pk]),
        {
            "POST": Method(
                expect=lambda w, s: "ok" if s == "adviser" else 404,
                data=lambda w: {
                    "has_conflict": "no",
                    "text": "请补充村委会意见",
                    "facts": "事实",
                    "revision": w.reviewed().seat.opinion.revision,
                },
            )
        },
    )


@pytest.fixture
def world(township, other_city, city, intake, do) -> World:
    department = OrganisationFactory(
        name="紫金县信访局", kind="department", level="county", number_prefix=""
    )
    committee = OrganisationFactory(
        name="紫金县人民调解委员会", kind="mediation_committee", level="county", number_prefix=""
    )
    village = OrganisationFactory(
        name="义容镇某村", kind="service_point", level="village", parent=township, number_prefix=""
    )
    users = {
        "handling_officer": officer_of(township, "handling_officer"),
        "other_officer": officer_of(other_city, "other_officer"),
        "unit_head": officer_of(township, "unit_head", Role.SUPERVISOR),
        "supervisor_above": officer_of(city, "supervisor_above", Role.SUPERVISOR),
        "adviser": adviser_of(city, "adviser", expertise=("houses",)),
        "liaison": officer_of(department, "liaison", Role.DEPARTMENT_LIAISON),
        "mediator": officer_of(committee, "mediator", Role.MEDIATOR),
        "admin": UserFactory(username="admin", is_staff=True, is_superuser=True),
    }
    officer = users["handling_officer"]
    case = intake(
        actor=officer,
        handling_organisation=township,
        person=PersonFactory(registered_by=township),
    )
    Relation = CaseParticipant.Relation
    case_services.invite_participant(
        case=case, actor=officer, relation=Relation.MEDIATOR, user=users["mediator"]
    )
    case_services.invite_participant(
        case=case, actor=officer, relation=Relation.DEPARTMENT, organisation=department
    )
    [task] = Task.objects.filter(process__caseprocess__case=case, flow_task_type="HUMAN")
    # The test transaction never commits, so render the 受理登记表 here, as the worker would.
    document = render_document(document_id=case.documents.get().pk)
    found = World(
        users=users,
        case=case,
        task=task,
        document=document,
        lower_unit=village,
        department=department,
        township=township,
    )
    found.build_review = lambda w: _review(w, intake, do)
    return found


def _pdf() -> SimpleUploadedFile:
    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out)
    return SimpleUploadedFile("证据.pdf", out.getvalue(), content_type="application/pdf")


# How each method of a route answers: the capability it needs to see the thing it is
# about (else 404) and to act (else 403), or a rule of its own.


@dataclass
class Method:
    read: str | None = None
    act: str | None = None
    data: Callable[[World], dict] = lambda w: {}
    # A rule of its own: (world, subject) -> expected status or "ok".
    expect: Callable | None = None


@dataclass
class Route:
    url: Callable[[World], str]
    methods: dict[str, Method] = field(default_factory=dict)
    public: bool = False  # served to anonymous visitors too
    # The case the route is about, whose capabilities decide (the review's routes: the
    # case at legal review).
    on: Callable[[World], object] = lambda w: w.case


def _case(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.case.pk])


def _task(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.task.pk])


READ = "cases.read_case"


def _owner_only(refusal: int) -> Callable:
    """Only the person who holds the task (the case officer it was assigned to)."""
    return lambda world, subject: "ok" if subject == "handling_officer" else refusal


def _staff_site(world: World, subject: str):
    return "ok" if subject == "admin" else "admin_login"


def _claimant(world: World):
    return world.case.parties.order_by("id").first()


def _correction(world: World) -> dict:
    """The claimant's details as they are, with a new phone number."""
    person = _claimant(world).person
    return {
        "role": "claimant",
        "name_zh": person.name_zh,
        "name_latin": person.name_latin,
        "identity": person.identity,
        "residence_country": str(person.residence_country),
        "time_zone": str(person.time_zone),
        "preferred_language": person.preferred_language,
        "phone": "+60 12-987 6543",
    }


REGISTRATION = {
    "title": "祖坟墓地纠纷",
    "category": "ancestral_graves",
    "channel": "letter",
    "received_on": "2026-11-20",
    "summary": "来函反映祖坟被占。",
    "claims": "保护祖坟。",
    "risk_level": "low",
    "party-TOTAL_FORMS": "1",
    "party-INITIAL_FORMS": "0",
    "party-MIN_NUM_FORMS": "1",
    "party-MAX_NUM_FORMS": "20",
    "party-0-role": "claimant",
    "party-0-new_name_zh": "谭新",
    "party-0-new_identity": "huaqiao",
}


def _evidence(world: World):
    """An evidence item of the world's case (the world has none), uploaded once by the
    handling officer. Taken by the data of each method too, which the test reads before
    it counts what is stored, so a refused request is not blamed for this upload."""
    if getattr(world, "evidence", None) is None:
        from documents.services import add_evidence

        world.evidence = add_evidence(
            case=world.case,
            actor=world.users["handling_officer"],
            item="06",
            title="现场照片",
            upload=_pdf(),
        )
    return world.evidence


ROUTES: dict[str, Route] = {
    # A redirect to the queue, whatever the method.
    "home": Route(
        lambda w: reverse("home"),
        {"GET": Method(expect=lambda w, s: "ok"), "POST": Method(expect=lambda w, s: "ok")},
        True,
    ),
    "login": Route(
        lambda w: reverse("login"),
        {
            "GET": Method(expect=lambda w, s: "ok"),
            "POST": Method(
                data=lambda w: {"username": "nobody", "password": "wrong"},
                expect=lambda w, s: "ok",
            ),
        },
        True,
    ),
    "logout": Route(lambda w: reverse("logout"), {"POST": Method(expect=lambda w, s: "ok")}, True),
    # Django's own view: a GET changes nothing and goes back.
    "set_language": Route(
        lambda w: reverse("set_language"),
        {
            "GET": Method(expect=lambda w, s: "ok"),
            "POST": Method(data=lambda w: {"language": "en"}, expect=lambda w, s: "ok"),
        },
        True,
    ),
    "workflows:queue": Route(lambda w: reverse("workflows:queue"), {"GET": Method()}),
    # Everyone logged in downloads their own queue or case list, scoped as the page is.
    "workflows:queue_export": Route(lambda w: reverse("workflows:queue_export"), {"GET": Method()}),
    "workflows:task": Route(
        _task("workflows:task"),
        {
            "GET": Method(read=READ, expect=_owner_only(404)),
            "POST": Method(
                read=READ, expect=_owner_only(404), data=lambda w: {"notes": "事实清楚"}
            ),
        },
    ),
    "workflows:claim": Route(
        _task("workflows:claim"), {"POST": Method(read=READ, act="cases.handle_case")}
    ),
    "workflows:release": Route(
        _task("workflows:release"), {"POST": Method(read=READ, expect=_owner_only(403))}
    ),
    "workflows:send_down": Route(
        _task("workflows:send_down"),
        {
            "POST": Method(
                read=READ,
                act="cases.send_down",
                data=lambda w: {"organisation": w.lower_unit.pk},
            )
        },
    ),
    "workflows:report_up": Route(
        _case("workflows:report_up"),
        {"POST": Method(read=READ, act="cases.report_up", data=lambda w: {"reason": "涉外"})},
    ),
    "cases:list": Route(lambda w: reverse("cases:list"), {"GET": Method()}),
    "cases:export": Route(lambda w: reverse("cases:export"), {"GET": Method()}),
    "workflows:register": Route(
        lambda w: reverse("workflows:register"),
        {
            "GET": Method(act="cases.register_case"),
            "POST": Method(
                act="cases.register_case",
                data=lambda w: {**REGISTRATION, "handling_organisation": w.township.pk},
            ),
        },
    ),
    "cases:preferences": Route(
        lambda w: reverse("cases:preferences"),
        {
            "GET": Method(),
            "POST": Method(
                data=lambda w: {"language": "zh-hans", "time_zone": "Asia/Shanghai"},
            ),
        },
    ),
    "workflows:case": Route(_case("workflows:case"), {"GET": Method(read=READ)}),
    # One panel of the case page alone (the documents panel refreshes itself with it).
    "workflows:case_panel": Route(
        lambda w: reverse("workflows:case_panel", args=[w.case.pk, "documents"]),
        {"GET": Method(read=READ)},
    ),
    "cases:add_communication": Route(
        _case("cases:add_communication"),
        {
            "POST": Method(
                read=READ,
                act="cases.record_communication",
                data=lambda w: {
                    "channel": "phone",
                    "counterpart": "谭先生",
                    "occurred_at": "2026-11-20T10:00",
                    "summary": "电话沟通进展。",
                },
            )
        },
    ),
    "cases:add_note": Route(
        _case("cases:add_note"),
        {"POST": Method(read=READ, act="cases.add_note", data=lambda w: {"text": "备注"})},
    ),
    "cases:invite": Route(
        _case("cases:invite"),
        {
            "POST": Method(
                read=READ,
                act="cases.invite_participant",
                data=lambda w: {"relation": "department", "organisation": w.department.pk},
            )
        },
    ),
    "cases:add_party": Route(
        _case("cases:add_party"),
        {
            "GET": Method(read=READ, act="cases.edit_parties"),
            "POST": Method(
                read=READ,
                act="cases.edit_parties",
                data=lambda w: {
                    "role": "third_party",
                    "new_name_zh": "谭第三",
                    "new_identity": "qiaojuan",
                    "new_residence_country": "CN",
                },
            ),
        },
    ),
    "cases:correct_party": Route(
        lambda w: reverse("cases:correct_party", args=[w.case.pk, _claimant(w).pk]),
        {
            "GET": Method(read=READ, act="cases.edit_parties"),
            "POST": Method(read=READ, act="cases.edit_parties", data=lambda w: _correction(w)),
        },
    ),
    "workflows:extend_deadline": Route(
        _case("workflows:extend_deadline"),
        {
            "POST": Method(
                read=READ,
                act="cases.approve_extension",
                data=lambda w: {"days": 10, "reason": "案情复杂"},
            )
        },
    ),
    # The lifecycle panel. The world's case is registered: withdrawing and suspending
    # take effect; resuming and reopening are refused with a message (the status machine
    # does not allow them now), after the same capability checks.
    "workflows:withdraw": Route(
        _case("workflows:withdraw"),
        {
            "POST": Method(
                read=READ,
                act="cases.withdraw_case",
                data=lambda w: {"channel": "letter", "statement": "当事人来函撤回"},
            )
        },
    ),
    "workflows:suspend": Route(
        _case("workflows:suspend"),
        {
            "POST": Method(
                read=READ, act="cases.suspend_case", data=lambda w: {"reason": "等待法院判决"}
            )
        },
    ),
    "workflows:resume": Route(
        _case("workflows:resume"),
        {"POST": Method(read=READ, act="cases.suspend_case", data=lambda w: {"reason": ""})},
    ),
    "workflows:reopen": Route(
        _case("workflows:reopen"),
        {"POST": Method(read=READ, act="cases.reopen_case", data=lambda w: {"reason": "新事实"})},
    ),
    "documents:download": Route(
        lambda w: reverse("documents:download", args=[w.document.pk]), {"GET": Method(read=READ)}
    ),
    # Viewing a PDF as page images: the viewer page and one page's PNG.
    "documents:view_document": Route(
        lambda w: reverse("documents:view_document", args=[w.document.pk]),
        {"GET": Method(read=READ)},
    ),
    "documents:document_page": Route(
        lambda w: reverse("documents:document_page", args=[w.document.pk, 1]),
        {"GET": Method(read=READ)},
    ),
    "documents:view_evidence": Route(
        lambda w: reverse("documents:view_evidence", args=[_evidence(w).pk]),
        {
            "GET": Method(read=READ, data=lambda w: _evidence(w) and {}),
            "POST": Method(expect=lambda w, s: 405, data=lambda w: _evidence(w) and {}),
        },
    ),
    "documents:evidence_page": Route(
        lambda w: reverse("documents:evidence_page", args=[_evidence(w).pk, 1]),
        {
            "GET": Method(read=READ, data=lambda w: _evidence(w) and {}),
            "POST": Method(expect=lambda w, s: 405, data=lambda w: _evidence(w) and {}),
        },
    ),
    "documents:export_case_file": Route(
        _case("documents:export_case_file"),
        {"POST": Method(read=READ, act="cases.export_case_file")},
    ),
    "documents:upload_evidence": Route(
        _case("documents:upload_evidence"),
        {
            "POST": Method(
                read=READ,
                act="cases.upload_evidence",
                data=lambda w: {"item": "06", "title": "现场照片", "upload": _pdf()},
            )
        },
    ),
    # The legal review (workflows.review): a seat's requests are its holder's; the
    # officer answers questions and seats another adviser; supervisors see the committee.
    "review:declare": _seat_route("review:declare"),
    "review:save_draft": _seat_route("review:save_draft"),
    "review:ask": _seat_route("review:ask"),
    "review:replace": Route(
        lambda w: reverse("review:replace", args=[w.reviewed().vacant.pk]),
        {
            "POST": Method(
                read=READ,
                act="review.assign_reviewers",
                data=lambda w: {
                    "adviser": w.reviewed().spare_adviser.pk,
                    "due_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
                },
            )
        },
        on=lambda w: w.reviewed().review_case,
    ),
    "review:answer": Route(
        lambda w: reverse("review:answer", args=[w.reviewed().question.pk]),
        {
            "POST": Method(
                read=READ, act="review.answer_questions", data=lambda w: {"answer": "已补充"}
            )
        },
        on=lambda w: w.reviewed().review_case,
    ),
    "review:committee": Route(
        lambda w: reverse("review:committee"),
        {
            "GET": Method(
                expect=lambda w, s: "ok" if s in ("unit_head", "supervisor_above", "admin") else 403
            )
        },
    ),
    # The administration site has its own permissions (model permissions of the
    # administrator role); two of its pages stand for all of them.
    "admin:index": Route(
        lambda w: reverse("admin:index"),
        {"GET": Method(expect=_staff_site), "POST": Method(expect=_staff_site)},
    ),
    "admin:cases_case_changelist": Route(
        lambda w: reverse("admin:cases_case_changelist"),
        {"GET": Method(expect=_staff_site), "POST": Method(expect=_staff_site)},
    ),
}


def _route_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name or pattern.pattern}")
    return names


def test_it_has_an_entry_for_every_route():
    every = _route_names(get_resolver().url_patterns)
    # Every page of the administration site is behind the same staff check, tested above.
    missing = {n for n in every if not n.startswith("admin:")} - set(ROUTES)
    assert not missing, f"routes without a row in the permission matrix: {sorted(missing)}"
    assert not set(ROUTES) - every, "rows for routes that no longer exist"


def _expected(world: World, route: Route, method: str, subject: str):
    spec = route.methods.get(method)
    if subject == "anonymous" and not route.public:
        return "admin_login" if route.url(world).startswith("/admin/") else "login"
    if spec is None:
        return 405
    user = world.users.get(subject)
    case = route.on(world)
    if spec.read and not capabilities.may(user, spec.read, case):
        return 404
    if spec.expect is not None:
        return spec.expect(world, subject)
    if spec.act == "cases.register_case":
        return "ok" if capabilities.may_register_for(user) else 403
    if spec.act and not capabilities.may(user, spec.act, case):
        return 403
    return "ok"


def _stored(world: World) -> tuple:
    from workflows.review.models import Opinion, Question, Reviewer

    cases = [world.case, world.review_case] if world.review_case else [world.case]
    stored = (
        CaseEvent.objects.filter(case__in=cases).count(),
        Document.objects.filter(case__in=cases).count(),
        Evidence.objects.filter(case__in=cases).count(),
        CaseParticipant.objects.filter(case__in=cases).count(),
        list(Party.objects.filter(case=world.case).values_list("role", "person__phone")),
        list(Task.objects.filter(pk=world.task.pk).values_list("status", "owner_id")),
    )
    if world.review_case is None:
        return stored
    seats = Reviewer.objects.filter(review__case=world.review_case)
    return (
        *stored,
        list(seats.order_by("pk").values_list("adviser", "status")),
        list(Opinion.objects.filter(reviewer__in=seats).values_list("revision")),
        list(Question.objects.filter(reviewer__in=seats).values_list("answer")),
    )


CASES = [
    (name, method, subject)
    for name, route in ROUTES.items()
    for method in ["GET", "POST"]
    for subject in SUBJECTS
]


@pytest.mark.parametrize(("name", "method", "subject"), CASES)
def test_it_answers_as_the_capability_table_says(client, world, name, method, subject):
    route = ROUTES[name]
    if subject != "anonymous":
        client.force_login(world.users[subject])
    expected = _expected(world, route, method, subject)
    spec = route.methods.get(method)
    data = spec.data(world) if spec else {}
    url = route.url(world)  # may build what the route is about (the review's case)
    before = _stored(world)

    response = client.get(url) if method == "GET" else client.post(url, data)

    if expected == "ok":
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302 and not route.public:
            assert "/login/" not in response.url
    elif expected in ("login", "admin_login"):
        assert response.status_code == 302
        login = reverse("admin:login") if expected == "admin_login" else reverse("login")
        assert response.url.startswith(login)
    else:
        assert response.status_code == expected
    if expected != "ok":
        assert _stored(world) == before, "a refused request changed something"
