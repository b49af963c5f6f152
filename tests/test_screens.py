"""Every screen at a phone's size (390×844) and an office screen's (1366×768), for each kind
of person who uses them: no page scrolls sideways, no table runs out of its card, axe-core
finds nothing at all (any impact), on a phone every target is at least 44 × 44 px (a text
link inside a sentence apart; a radio button or checkbox by its whole label), no date is
broken over two lines, and a Chinese page has no half-width ":" or "." beside Chinese text.

The records come from the demo data (played through intake and the process's tasks) with a
mediator and a department brought in through the case services on one case, whose legal
review seated an adviser (an adviser is named on a case only through its review); two more
complaints reach legal review: one whose lead has yet to declare any conflict, one whose two
reviewers have submitted, for the lead to consolidate. The send-to-review screen, a
reviewer's screen, the declaration, the consolidation, the committee list and a refusal
(403) are walked too. Mediation: the Zijin case's mediation page (as its officer and as its
mediator), the mediator's list, the record of round one, the outcome task, and the
declaration of a mediator assigned to another case; and a party's own page, opened through
a link issued in the test, in Chinese and in English (one who has confirmed the record):
walked by a test of their own (``-k mediation``). The agreement stage ([Q9]), walked by a
test of its own too (``-k agreement``): the agreement page as its officer (a case in effect
with a term a party says is not performed; a case with the parties, one confirmed by link,
with the form to file a paper copy; a settled case, every term performed; the Zijin case,
closed) and as its mediator (the draft with its terms; the
disputed term to take up), the mediator's signing task (the draft's, and the confirming
case's, not signable yet), the officer's performance task and follow-up visit task; and a
party's own page: the unconfirmed party of the confirming case (in Chinese; in English with
a code asked for), a party of an agreement in effect (in English) and one of a settled case
answering the follow-up questions.
One browser; one context per size; each person logs in once through the login form and
their session is reused in both contexts. The officer's pages are walked again in English;
on the officer's queue the first Tab stop is 跳到正文 and, on a phone, the 菜单 button opens
and closes the header's menu. Screenshots of the queue (and its 关注 tab, with due-soon
rows), the case page, the registration page and a task screen, and of the open phone menu,
land in test-artifacts/browser/screens-*.png.

A form sent with errors comes back with an error summary at the top that has the focus and
links each error to its field, and a title that begins with "错误：" ([Q6c] 8): the
reviewer's opinion without analysis, route or risk (at 768 px and on a phone), the
send-to-review screen with nobody chosen, a lifecycle form of the case page, the login.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import sync_playwright

from cases import links
from cases import services as case_services
from cases.models import Case, CaseParticipant, Organisation, Party
from mediation.agreements import services as agreement_services
from mediation.agreements.selectors import agreement_of
from mediation.sessions import records
from mediation.sessions.models import MediationSession, SessionRecord
from workflows import demo
from workflows import services as workflow_services
from workflows.selectors import open_tasks_of

from .conftest import CHROMIUM
from .test_browser import ARGS, SHOTS

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
# Pages whose screenshots a person looks at (see the module docstring).
SHOT_PAGES = {"queue", "queue-watching", "case", "register", "task", "assign", "convene", "minutes"}
# …and of other people's pages.
SHOT_OTHERS = {
    "review",
    "consolidate",
    "declare",
    "committee",
    "403",
    "zijin-meeting",
    "reply",
    "act",
    "items",
}
# The mediation stage's pages and a party's own page: walked by a test of their own (and
# each screenshot).
MEDIATION = {
    "zijin-mediation",
    "zijin-mediation-mediator",
    "mine",
    "record",
    "outcome",
    "declare-mediator",
    "portal-zh-hans",
    "portal-en",
}
# The agreement stage's pages and the agreement's sections of a party's own page.
AGREEMENT = {
    "agreement-effective",
    "agreement-confirming",
    "agreement-settled",
    "agreement-closed",
    "agreement-draft",
    "agreement-resolve",
    "sign-draft",
    "sign-confirming",
    "track-performance",
    "follow-up-visit",
    "portal-agreement-zh-hans",
    "portal-agreement-en",
    "portal-effective-en",
    "portal-follow-up",
}
SHOT_OTHERS |= MEDIATION | AGREEMENT
# The officer's pages are also walked in English, whose words are longer.
IN_ENGLISH = "city_officer"
# The smallest target on a phone (px), each way.
TARGET = 44
# Not a login: a party's own page, opened through their link.
PARTY = "party"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@dataclass
class Visit:
    name: str
    # A callable: the address made as the page is opened (a party's link, issued then: a
    # second link of the same party's revokes the first).
    url: str | Callable[[], str]
    status: int = 200

    @property
    def address(self) -> str:
        return self.url() if callable(self.url) else self.url


def _part(name: str) -> str:
    """Which test walks the page (``-k``)."""
    if name in MEDIATION:
        return "mediation"
    if name in AGREEMENT:
        return "agreement"
    return "staff"


def _task_url(task) -> str:
    return reverse("workflows:task", args=[task.pk])


@pytest.fixture
def world():
    """The demo data, with a mediator and a department brought in on the Indonesian
    investment case (reviewed by adviser2, who declared no conflict: named on it), and the
    supervisor holding an acceptance decision."""
    users = demo.seed()
    city_officer, supervisor = users["city_officer"], users["supervisor"]
    case = Case.objects.get(title="印尼侨商投资合同纠纷")
    Relation = CaseParticipant.Relation
    assert case.participants.filter(user=users["adviser2"], relation=Relation.ADVISER).exists()
    case_services.name_participant(
        case=case, user=users["mediator"], relation=Relation.MEDIATOR, added_by=city_officer
    )
    case_services.invite_participant(
        case=case,
        actor=city_officer,
        relation=Relation.DEPARTMENT,
        organisation=Organisation.objects.get(name="紫金县自然资源局"),
    )
    # A second complaint waiting for the acceptance decision: the supervisor takes one, the
    # other stays in the team queue (a row with a 领取 button).
    waiting = Case.objects.get(title="美籍华人房屋被征收补偿争议")
    [decide] = [t for t in open_tasks_of(waiting) if t.flow_task.name == "decide"]
    workflow_services.claim_task(task_id=decide.pk, user=supervisor)
    second = workflow_services.register_case(
        actor=city_officer,
        handling_organisation=waiting.handling_organisation,
        title="澳大利亚留学人员家属反映祖屋被邻居占用并擅自改建，要求恢复原状并赔偿损失",
        category=Case.Category.HOUSES,
        channel=Case.Channel.ONLINE,
        received_on=waiting.received_on,
        summary="钟惠芳家属反映祖屋被邻居占用。",
        claims="恢复原状，赔偿损失。",
        parties=[case_services.PartyInput(role="claimant", person=waiting.parties.get().person)],
    )
    [screen] = [t for t in open_tasks_of(second) if t.flow_task.name == "screen"]
    workflow_services.complete_task(
        task_id=screen.pk, user=city_officer, data={"notes": "事实清楚，建议受理。"}
    )
    [own] = [t for t in open_tasks_of(case) if t.owner_id == city_officer.pk]
    # Sent to review: a lead who has not declared yet; two reviewers who have submitted.
    undeclared = _play(DECLARING, users)
    consolidating = _play(CONSOLIDATING, users)
    [declare] = [t for t in open_tasks_of(undeclared) if t.owner_id == users["adviser"].pk]
    [consolidate] = [t for t in open_tasks_of(consolidating) if t.flow_task.name == "consolidate"]
    waiting_review = Case.objects.get(title="华侨祖屋产权登记待补材料")
    [assign] = [t for t in open_tasks_of(waiting_review) if t.flow_task.name == "send_to_review"]
    drafting = Case.objects.get(title="归侨遗产继承公证受阻")
    [review] = [t for t in open_tasks_of(drafting) if t.owner_id == users["adviser3"].pk]
    # Coordination: a case to convene, one whose justice bureau has still to reply, one to
    # minute, one minuted with an item of the natural resources bureau's; the Zijin
    # meeting, its minutes final.
    [convene] = _tasks(_play(CONVENING, users), "convene")
    replying = _play(REPLYING, users)
    [reply] = _tasks(replying, "reply")
    [minutes] = _tasks(_play(MINUTING, users), "minutes")
    zijin = Case.objects.get(title__contains="谭氏宗亲会")
    zijin_meeting = reverse("coordination:meeting", args=[zijin.meetings.get().pk])
    acting = _play(ACTING, users)
    [act] = [t for t in _tasks(acting, "act") if t.flow_task.is_for(users["liaison"], t)]
    items = Visit("items", reverse("coordination:items"))
    # Mediation: the Zijin case's page (two rounds held, their records issued), the record
    # of round one; the mediator's outcome task of a case in mediation; a case whose
    # assigned mediator has yet to declare; each representative's own page.
    zijin_mediation = reverse("sessions:case", args=[zijin.pk])
    first_round = MediationSession.objects.get(case=zijin, round=1)
    [outcome] = _tasks(_play(MEDIATING, users), "mediate")
    [declare_mediator] = _tasks(_play(MEDIATOR_DECLARING, users), "declare_mediator")
    # The agreement: the demo's cases at each of its steps.
    drafted = Case.objects.get(title="马来西亚华人祖屋出租收益分配纠纷")
    confirming = Case.objects.get(title="新加坡华侨祖屋通道相邻纠纷")
    in_effect = Case.objects.get(title="香港同胞祖屋修缮款返还纠纷")
    settled = Case.objects.get(title="泰国华人祖坟迁葬补偿纠纷")
    [sign_draft] = _tasks(drafted, "sign_agreement")
    [sign_confirming] = _tasks(confirming, "sign_agreement")
    [track] = _tasks(in_effect, "track_performance")
    [follow_up] = _tasks(settled, "follow_up_visit")
    officer = users[demo.CITY_OFFICER]
    _code_asked(confirming, officer, "刘德胜")

    common = [
        Visit("queue", "/queue/?view=mine"),
        Visit("queue-team", "/queue/?view=team"),
        Visit("queue-watching", "/queue/?view=watching"),
        Visit("queue-finished", "/queue/?view=finished"),
        Visit("cases", "/cases/"),
        Visit("case", case.get_absolute_url()),
        Visit("settings", "/cases/my-settings/"),
        Visit("404", "/cases/999999/", 404),
    ]
    staff = [Visit("register", "/cases/new/")]
    committee = reverse("review:committee")
    return {
        "city_officer": [
            *common,
            *staff,
            Visit("task", _task_url(own)),
            Visit("assign", _task_url(assign)),
            Visit("convene", _task_url(convene)),
            Visit("minutes", _task_url(minutes)),
            Visit("agreement-effective", _agreement_url(in_effect)),
            Visit("agreement-confirming", _agreement_url(confirming)),
            Visit("agreement-settled", _agreement_url(settled)),
            Visit("track-performance", _task_url(track)),
            Visit("follow-up-visit", _task_url(follow_up)),
        ],
        "officer": [
            Visit("zijin", zijin.get_absolute_url()),
            Visit("zijin-meeting", zijin_meeting),
            Visit("zijin-mediation", zijin_mediation),
            Visit("agreement-closed", _agreement_url(zijin)),
        ],
        "justice": [Visit("reply", _task_url(reply))],
        "supervisor": [
            *common,
            *staff,
            Visit("task", _task_url(decide)),
            Visit("committee", committee),
        ],
        "adviser": [Visit("declare", _task_url(declare))],
        "adviser2": [*common, Visit("consolidate", _task_url(consolidate))],
        "adviser3": [Visit("review", _task_url(review))],
        "liaison": [
            *common,
            Visit("403", committee, 403),
            Visit("zijin-meeting", zijin_meeting),
            items,
            Visit("act", _task_url(act)),
        ],
        "mediator": [
            *common,
            Visit("zijin-mediation-mediator", zijin_mediation),
            Visit("mine", reverse("sessions:mine")),
            Visit("record", reverse("sessions:record", args=[first_round.pk])),
            Visit("outcome", _task_url(outcome)),
            Visit("declare-mediator", _task_url(declare_mediator)),
            Visit("agreement-draft", _agreement_url(drafted)),
            Visit("agreement-resolve", _agreement_url(in_effect)),
            Visit("sign-draft", _task_url(sign_draft)),
            Visit("sign-confirming", _task_url(sign_confirming)),
        ],
        "admin": [*common, Visit("admin", "/admin/")],
        PARTY: [
            Visit("portal-zh-hans", _party_page(zijin, users["officer"], "谭永康", "zh-hans")),
            Visit("portal-en", _party_page(zijin, users["officer"], "谭丽珍", "en", confirms=True)),
            Visit(
                "portal-agreement-zh-hans",
                lambda: _agreement_link(confirming, officer, "刘德胜", "zh-hans"),
            ),
            Visit(
                "portal-agreement-en",
                lambda: _agreement_link(confirming, officer, "刘德胜", "en"),
            ),
            Visit(
                "portal-effective-en", lambda: _agreement_link(in_effect, officer, "古月娥", "en")
            ),
            Visit(
                "portal-follow-up", lambda: _agreement_link(settled, officer, "黄启明", "zh-hans")
            ),
        ],
    }


def _party_page(case: Case, officer, name: str, language: str, confirms: bool = False) -> str:
    """The page a representative's link opens (they consented to data going abroad); one
    who ``confirms`` has confirmed the record of round one through it (its answer folded
    away under 重新答复)."""
    party = case.parties.get(role=Party.Role.REPRESENTATIVE, person__name_zh=name)
    link, token = links.issue_link(case=case, actor=officer, party=party, language=language)
    if confirms:
        record = SessionRecord.objects.get(session__case=case, session__round=1)
        records.respond(record_pk=record.pk, party=party, link=link, confirmed=True, comment="")
    return reverse("portal:home", args=[token])


def _agreement_url(case: Case) -> str:
    return reverse("agreements:case", args=[case.pk])


def _agreement_link(case: Case, officer, name: str, language: str) -> str:
    """The page a party's link opens, the link issued now (their earlier one revoked)."""
    party = case.parties.get(person__name_zh=name)
    _link, token = links.issue_link(case=case, actor=officer, party=party, language=language)
    return reverse("portal:home", args=[token])


def _code_asked(case: Case, officer, name: str) -> None:
    """The party, their e-mail address recorded, asks for the code that confirms the
    agreement: their page shows both steps (the code lives 15 minutes)."""
    party = case.parties.get(person__name_zh=name)
    case_services.correct_party(
        case=case, actor=officer, party=party, role=party.role, email="liu.desheng@example.cn"
    )
    link, _token = links.issue_link(case=case, actor=officer, party=party, language="zh-hans")
    agreement_services.request_code(
        link=link,
        sha256=agreement_of(case).document.sha256,
        ip="203.0.113.9",
        user_agent="Mozilla/5.0 (X11; Linux x86_64)",
    )


# Two more complaints of the city, sent to the committee: the lead (adviser) has not
# declared; the two reviewers (adviser2 leading) have both submitted.
DECLARING = demo.DemoCase(
    title="旅泰华侨祖屋租赁纠纷",
    category=Case.Category.HOUSES,
    channel=Case.Channel.LETTER,
    days_ago=9,
    organisation=demo.CITY,
    officer=demo.CITY_OFFICER,
    summary="旅泰华侨黄美玲反映其祖屋租户拖欠租金并拒绝腾退。",
    claims="请求协调租户腾退房屋并支付欠租。",
    location="广东省河源市源城区",
    claimants=["黄美玲"],
    steps=[demo.SCREEN, demo.ACCEPT, demo.to_review("adviser")],
)
CONSOLIDATING = demo.DemoCase(
    title="侨眷宅基地继承份额争议",
    category=Case.Category.INHERITANCE,
    channel=Case.Channel.VISIT,
    days_ago=15,
    organisation=demo.CITY,
    officer=demo.CITY_OFFICER,
    summary="侨眷吴美华与兄弟就父亲遗留宅基地上房屋的继承份额发生争议。",
    claims="请求确认继承份额。",
    location="广东省河源市紫金县",
    claimants=["吴美华"],
    steps=[
        demo.SCREEN,
        demo.ACCEPT,
        demo.to_review("adviser2", "adviser3"),
        ("declare", "adviser2", {}),
        ("declare", "adviser3", {}),
        ("review", "adviser3", demo.opinion("mediation")),
        ("review", "adviser2", demo.opinion("both")),
    ],
)


def _reviewed_city_case(title: str, route: str, summary: str, claims: str, *more):
    """A city case through adviser3's review to ``route``, then ``more``."""
    return demo.DemoCase(
        title=title,
        category=Case.Category.HOUSES,
        channel=Case.Channel.LETTER,
        days_ago=20,
        organisation=demo.CITY,
        officer=demo.CITY_OFFICER,
        summary=summary,
        claims=claims,
        location="广东省河源市源城区",
        claimants=["黄美玲"],
        steps=[
            demo.SCREEN,
            demo.ACCEPT,
            *demo.reviewed(route, "adviser3"),
            demo.route(route),
            *more,
        ],
    )


def _routed_to_mediation(title: str, *more) -> demo.DemoCase:
    """A city case to mediation, the county mediator assigned; then ``more``."""
    return _reviewed_city_case(
        title,
        "mediation",
        "侨房与邻居之间的通道被堵塞。",
        "请求调解恢复通行。",
        ("assign_mediator", demo.CITY_OFFICER, {"mediator": "mediator"}),
        *more,
    )


# A city case whose assigned mediator is yet to declare; one whose mediator declared no
# conflict and is to record the outcome (the Zijin case's mediation ended in its agreement).
MEDIATOR_DECLARING = _routed_to_mediation("侨房相邻通道纠纷")
MEDIATING = _routed_to_mediation(
    "侨房排水沟相邻纠纷",
    ("declare_mediator", "mediator", {"has_conflict": "no", "conflict": ""}),
)


def _reviewed_to_coordination(title: str, *more) -> demo.DemoCase:
    """A city case to the coordination route, then ``more``."""
    return _reviewed_city_case(
        title, "coordination", "侨房修缮涉及多个部门职责。", "请求协调相关部门。", *more
    )


def _convene(*departments: str) -> tuple[str, str, dict]:
    return (
        "convene",
        demo.CITY_OFFICER,
        {
            "title": "侨房修缮协调会",
            "agenda": "修缮审批\n费用分担",
            "day": 2,
            "time": "14:30",
            "duration_minutes": 90,
            "place": "市侨联会议室",
            "departments": list(departments),
        },
    )


CONVENING = _reviewed_to_coordination("侨房修缮审批协调")
REPLYING = _reviewed_to_coordination(
    "侨房修缮费用协调",
    _convene("紫金县信访局", "紫金县司法局"),
    ("reply", "petitions", {"answer": "confirm", "attendees": "曾静"}),
)
MINUTING = _reviewed_to_coordination(
    "侨房修缮进度协调",
    _convene("紫金县信访局"),
    ("reply", "petitions", {"answer": "confirm", "attendees": "曾静"}),
    ("meeting_held", demo.CITY_OFFICER, {"days_ago": 1}),
)
# Minuted with an action item of the natural resources bureau's, for its liaison to act on
# (the Zijin case's items are settled: it went on to mediation).
ACTING = _reviewed_to_coordination(
    "侨房修缮用地协调",
    _convene("紫金县自然资源局"),
    ("reply", "liaison", {"answer": "confirm", "attendees": "钟伟"}),
    ("meeting_held", demo.CITY_OFFICER, {"days_ago": 1}),
    (
        "minutes",
        demo.CITY_OFFICER,
        {
            "attended": "钟伟，紫金县自然资源局，副局长",
            "non_voting": "",
            "excused": "",
            "agenda_minutes": [
                ("自然资源局介绍了用地审批情况。", "修缮用地由自然资源局核实。"),
                ("各方就费用分担交换了意见。", "费用分担另行协商。"),
            ],
            "actions": [("紫金县自然资源局", "核实侨房修缮用地权属", 5, demo.CITY_OFFICER)],
        },
    ),
)


def _tasks(case: Case, name: str) -> list:
    return [t for t in open_tasks_of(case) if t.flow_task.name == name]


def _play(spec: demo.DemoCase, users: dict) -> Case:
    """A demo case played through its steps as its people would on the screens."""
    people = demo._people()
    return demo._case(spec, demo._organisations(), users, people, demo._association(people))


def _overflow(page) -> list[str]:
    """What sticks out: the page wider than the window, or a table wider than its card."""
    return page.evaluate(
        """() => {
        const found = [];
        const root = document.documentElement;
        if (root.scrollWidth > window.innerWidth) {
            // Name the innermost elements that reach past the window's right edge.
            const out = [...document.body.querySelectorAll('*')].filter(
                (e) => e.getBoundingClientRect().right > window.innerWidth + 1);
            const names = out.filter((e) => !out.some((o) => o !== e && e.contains(o)))
                .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
            found.push(`page ${root.scrollWidth}px wide in a ${window.innerWidth}px window`
                + ` (${names.join(', ')})`);
        }
        for (const table of document.querySelectorAll('main table')) {
            const box = table.closest('.card, main');
            const right = table.getBoundingClientRect().right;
            const limit = box.getBoundingClientRect().right;
            if (right > limit + 1)
                found.push(`table ${table.className} ends at ${right}px, its card at ${limit}px`);
        }
        return found;
    }"""
    )


def _new_context(browser, **options):
    """A browser context whose pages load axe-core as they open, as a script of their own
    (the same axe-core that axe-playwright-python sends, without sending its 570 kB again
    for each check)."""
    context = browser.new_context(**options)
    context.add_init_script(script=Axe().axe_script)
    return context


def _axe(page) -> list[str]:
    """Every violation axe-core finds, whatever its impact (axe-playwright-python's
    ``Axe.run`` on a page of ``_new_context``)."""
    violations = page.evaluate("axe.run({resultTypes: ['violations']}).then(r => r.violations)")
    return [
        f"{v['impact']} {v['id']}: {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:4])
        for v in violations
    ]


def _small_targets(page) -> list[str]:
    """On a phone, every link, button, field, summary and tab stop that shows is at least
    44 × 44 px. A radio button or checkbox counts by its label (its whole row is the
    target); a text link inside a sentence of a paragraph is exempt (WCAG 2.5.8, inline)."""
    return page.evaluate(
        """(min) => {
        const found = [];
        const shown = (e) => {
            const box = e.getBoundingClientRect();
            return box.width > 0 && box.height > 0 && !e.closest('[hidden]')
                && getComputedStyle(e).visibility !== 'hidden';
        };
        const inSentence = (e) => {
            if (e.tagName !== 'A' || getComputedStyle(e).display !== 'inline') return false;
            let block = e.parentElement;
            while (block && getComputedStyle(block).display.startsWith('inline'))
                block = block.parentElement;
            return !!block && block.tagName === 'P'
                && block.textContent.replace(e.textContent, '').trim().length > 0;
        };
        const target = (e) => {
            if (e.matches('input[type=radio], input[type=checkbox]')) {
                const label = e.closest('label')
                    || (e.id && document.querySelector(`label[for="${e.id}"]`));
                if (label) return label;
            }
            return e;
        };
        const name = (e) => {
            const classes = typeof e.className === 'string' ? e.className.trim() : '';
            return `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}`
                + `${classes ? '.' + classes.replace(/\\s+/g, '.') : ''}`
                + ` "${(e.textContent || e.value || e.name || '').trim().slice(0, 20)}"`;
        };
        const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
            + ' [tabindex]:not([tabindex="-1"])';
        for (const e of document.querySelectorAll(selector)) {
            if (!shown(e) || inSentence(e)) continue;
            const box = target(e).getBoundingClientRect();
            if (box.width < min - 0.5 || box.height < min - 0.5)
                found.push(`${name(e)} is ${Math.round(box.width)}×${Math.round(box.height)} px`);
        }
        return found;
    }""",
        TARGET,
    )


def _broken_dates(page) -> list[str]:
    """Dates (2026-12-03) that the page breaks over two lines."""
    return page.evaluate(
        """() => {
        const found = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode;
            for (const match of node.data.matchAll(/\\d{4}-\\d{2}-\\d{2}/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const lines = new Set([...range.getClientRects()]
                    .filter((r) => r.width > 0).map((r) => Math.round(r.top)));
                if (lines.size > 1) {
                    const where = node.parentElement.closest('[data-label], [id]');
                    found.push(`the date ${match[0]} is broken over ${lines.size} lines`
                        + ` (${node.parentElement.tagName.toLowerCase()} in`
                        + ` ${where ? where.dataset.label || '#' + where.id : 'the page'})`);
                }
            }
        }
        return found;
    }"""
    )


# A half-width colon, semicolon, comma, full stop or mark beside Chinese text: a Chinese
# sentence stitched from fragments, or a label's half-width suffix.
HALF_WIDTH = re.compile(r"[\u4e00-\u9fff][:;,.!?](?![\w/])|[\u4e00-\u9fff] ?: ")


def _half_width(page) -> list[str]:
    text = page.evaluate("() => document.body.innerText")
    return [
        f"half-width punctuation in Chinese: …{text[max(m.start() - 12, 0) : m.end() + 12]!r}…"
        for m in HALF_WIDTH.finditer(text)
    ]


def _log_in(page, base: str, username: str) -> list[dict]:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/queue/")
    return page.context.cookies()


def _menu(page) -> list[str]:
    """On a phone the header is one line, the brand and the Menu button; the button opens
    the menu, whose every item (the language switch, the settings, 退出) is on screen, and
    Escape closes it. On the office screen the menu is simply there."""
    toggle, logout = page.locator(".menu-toggle"), page.locator("header button:has-text('退出')")
    width = page.viewport_size["width"]
    if width > 700:
        return [] if logout.is_visible() and not toggle.is_visible() else ["desktop: no menu"]
    found = []
    if logout.is_visible() or toggle.get_attribute("aria-expanded") != "false":
        found.append("phone: the menu is open before the button is pressed")
    toggle.click()
    box = logout.bounding_box()
    if toggle.get_attribute("aria-expanded") != "true" or not logout.is_visible():
        found.append("phone: the Menu button does not open the menu")
    elif box["x"] + box["width"] > width:
        found.append(f"phone: 退出 ends at {box['x'] + box['width']}px, off the screen")
    page.screenshot(path=str(SHOTS / "screens-phone-menu.png"))
    found += [f"phone menu open: {p}" for p in _overflow(page)]
    page.keyboard.press("Escape")
    if logout.is_visible() or not toggle.evaluate("b => b === document.activeElement"):
        found.append("phone: Escape does not close the menu and return to its button")
    return found


def _skip_link(page) -> list[str]:
    """The first Tab reaches 跳到正文, shown on screen; following it lands in <main>."""
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.className, document.activeElement.textContent,"
        " document.activeElement.getBoundingClientRect().top]"
    )
    if focused[:2] != ["skip-link", "跳到正文"] or focused[2] < 0:
        return [f"the first Tab stop is {focused}, not a visible 跳到正文"]
    page.keyboard.press("Enter")
    if page.evaluate("() => document.activeElement.id") != "main":
        return ["跳到正文 does not move the focus to the page's content"]
    return []


@pytest.mark.parametrize("part", ["staff", "mediation", "agreement"])
def test_every_screen_fits_a_phone_and_passes_axe(live_server, world, monkeypatch, part):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop
    SHOTS.mkdir(parents=True, exist_ok=True)
    base, problems = live_server.url, []
    walked = {
        username: [v for v in visits if _part(v.name) == part] for username, visits in world.items()
    }

    def check(page, where: str) -> None:
        found = _overflow(page) + _axe(page) + _broken_dates(page)
        if page.viewport_size["width"] < 700:
            found += _small_targets(page)
        if page.evaluate("() => document.documentElement.lang") == "zh-CN":
            found += _half_width(page)
        problems.extend(f"{where}: {p}" for p in found)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        sessions: dict[str, list[dict]] = {}
        for size, viewport in SIZES.items():
            context = _new_context(browser, locale="zh-CN", viewport=viewport)
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            check(page, f"{size} login")
            for username, visits in walked.items():
                if not visits:
                    continue
                if username not in sessions:
                    sessions[username] = [] if username == PARTY else _log_in(page, base, username)
                languages = ["zh-hans", "en"] if username == IN_ENGLISH else ["zh-hans"]
                for language in languages:
                    context.clear_cookies()
                    context.add_cookies(
                        [
                            *sessions[username],
                            {"name": "django_language", "value": language, "url": base},
                        ]
                    )
                    for visit in visits:
                        url = visit.address
                        response = page.goto(base + url)
                        assert response.status == visit.status, (username, url)
                        where = f"{size} {language} {username} {visit.name}"
                        check(page, where)
                        if visit.name in SHOT_OTHERS:
                            page.screenshot(
                                path=str(SHOTS / f"screens-{size}-{visit.name}.png"),
                                full_page=True,
                            )
                        if username != IN_ENGLISH:
                            continue
                        if visit.name == "queue" and language == "zh-hans":
                            problems.extend(f"{where}: {p}" for p in _skip_link(page))
                            problems.extend(f"{where}: {p}" for p in _menu(page))
                        if visit.name in SHOT_PAGES:
                            suffix = "" if language == "zh-hans" else f"-{language}"
                            page.screenshot(
                                path=str(SHOTS / f"screens-{size}-{visit.name}{suffix}.png"),
                                full_page=True,
                            )
            context.close()
        browser.close()
    assert problems == [], "\n".join(problems)


# Forms sent with errors ([Q6c] 8) ----------------------------------------------------------


def _summary_has_focus(page) -> list[str]:
    """The page's title says there are errors, and its error summary, at the top, has the
    focus (the page opens on it)."""
    found = []
    if not page.title().startswith("错误："):
        found.append(f"the title is {page.title()!r}, not 错误：…")
    summary = page.locator("[data-error-summary]")
    if summary.count() != 1:
        return [*found, "no error summary"]
    if not summary.evaluate("e => e === document.activeElement"):
        focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")
        found.append(f"the focus is on {focused}, not on the error summary")
    box = summary.bounding_box()
    if box["y"] < 0 or box["y"] + 40 > page.viewport_size["height"]:
        found.append(f"the error summary is at y={box['y']}, not on screen")
    return found


def _follow(page, text: str, field: str) -> list[str]:
    """The summary's link to the field moves the focus there, on screen."""
    page.locator("[data-error-summary] a", has_text=text).click()
    target = page.locator(field)
    if not target.evaluate("e => e === document.activeElement"):
        return [f"the link “{text}” does not take the focus to {field}"]
    box = target.bounding_box()
    if box["y"] < 0 or box["y"] > page.viewport_size["height"]:
        return [f"{field} has the focus at y={box['y']}, off the screen"]
    return []


def _links(page) -> list[tuple[str, str]]:
    return page.eval_on_selector_all(
        "[data-error-summary] a", "links => links.map(a => [a.getAttribute('href'), a.textContent])"
    )


@pytest.mark.parametrize("size", [{"width": 768, "height": 1024}, SIZES["phone"]], ids=str)
def test_a_form_sent_with_errors_opens_on_a_summary_that_links_to_each_field(
    live_server, world, monkeypatch, size
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    base, problems = live_server.url, []
    width = size["width"]
    review = next(v for v in world["adviser3"] if v.name == "review")
    assign = next(v for v in world["city_officer"] if v.name == "assign")
    case = next(v for v in world["city_officer"] if v.name == "case")

    def check(page, where: str) -> None:
        found = _summary_has_focus(page) + _axe(page)
        if width < 700:
            found += _small_targets(page)
        problems.extend(f"{where}: {p}" for p in found)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = _new_context(browser, locale="zh-CN", viewport=size).new_page()

        # The lawyer submits an opinion with analysis, route and risk left empty.
        _log_in(page, base, "adviser3")
        page.goto(base + review.url)
        page.fill("#id_analysis", "")
        page.select_option("#id_route", "")
        page.select_option("#id_risk", "")
        page.click("button[name=submit]")
        page.wait_for_load_state()
        check(page, f"{width} opinion")
        page.screenshot(path=str(SHOTS / f"screens-{width}-opinion-errors.png"))
        links = _links(page)
        if [href for href, _text in links] != ["#id_analysis", "#id_route", "#id_risk"]:
            problems.append(f"{width} opinion: the summary's links are {links}")
        problems.extend(f"{width} opinion: {p}" for p in _follow(page, "风险", "#id_risk"))

        # The officer sends the case to review without choosing anybody.
        _log_in(page, base, "city_officer")
        page.goto(base + assign.url)
        page.click("button.primary:has-text('完成此任务')")
        page.wait_for_load_state()
        check(page, f"{width} assign")
        problems.extend(f"{width} assign: {p}" for p in _follow(page, "牵头", "#id_lead_0"))

        # A lifecycle form of the case page, posted without the claimant's statement: the
        # case page comes back with the summary; its link opens the form's <details>.
        page.goto(base + case.url)
        page.locator("#lifecycle summary", has_text="撤回").click()
        page.locator("#lifecycle form[action$='/withdraw/'] button.primary").click()
        page.wait_for_load_state()
        check(page, f"{width} withdraw")
        page.screenshot(path=str(SHOTS / f"screens-{width}-withdraw-errors.png"))
        problems.extend(
            f"{width} withdraw: {p}" for p in _follow(page, "陈述", "#id_withdraw_statement")
        )

        # A wrong password.
        page.context.clear_cookies()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "city_officer")
        page.fill("input[name=password]", "not-the-password")
        page.click("button.primary")
        page.wait_for_load_state()
        check(page, f"{width} login")
        browser.close()
    assert problems == [], "\n".join(problems)
