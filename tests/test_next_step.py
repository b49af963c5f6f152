"""The next step, always, and task screens with context ([Q5b] 2 and 3).

After every action the page says what happens next, who does it (the person holding the
task, else the roles of its organisation that may) and by when, or that the process ended.
A task's screen shows what the steps before it recorded, the running clocks and the
parties; its errors come from the server, in Chinese, next to their fields."""

import html
import itertools
import re
from datetime import date, timedelta

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

from cases.calendar import WorkingCalendar, organisation_today
from cases.models import Case, Role
from cases.services import PartyInput
from workflows.flows import DisputeFlow
from workflows.progress import next_running_clock
from workflows.review.selectors import default_due_on, seat_in

from .conftest import held, meeting_data, minutes_data, open_tasks
from .factories import PersonFactory, officer_of, opinion_data

RECEIVING = "梅州市侨联 的 承办人、分管领导或部门联络人"
CITY_SUPERVISORS = "河源市侨联 的 分管领导"


def task_named(case, name):
    [task] = [t for t in open_tasks(case) if t.flow_task.name == name]
    return task


def text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def said(response) -> str:
    """The messages shown on the page, as text."""
    return " ".join(text(str(m)) for m in response.context["messages"])


def panel(response) -> str:
    """The next step on the case page's tasks panel, as text."""
    found = re.search(r'<p class="next-step">(.*?)</p>', response.content.decode(), re.S)
    assert found, "the tasks panel says no next step"
    return text(found.group(1))


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def finish(client, officer, supervisor):
    """Complete the case's open task of that name on its screen, as the person the step
    needs, and follow to the page it leads to."""

    def post(case, name, data, user=None, back_to=None):
        task = task_named(case, name)
        user = user or (supervisor if name in ("decide", "close_approval") else officer)
        client.force_login(user)
        response = client.post(reverse("workflows:task", args=[task.pk]), data, follow=True)
        back_to = back_to or case.get_absolute_url()
        assert response.redirect_chain == [(back_to, 302)], response.content
        return response

    return post


def next_is(response, case, task: str, who: str) -> None:
    """The message and the tasks panel both name the next task, who does it and when."""
    case = fresh(case)
    clock = next_running_clock(case)
    expected = f"下一步：{task} — 由 {who} 办理"
    message = said(response)
    assert expected in message, message
    assert expected in panel(response)
    if clock is not None:
        assert clock.deadline.due_on.isoformat() in message


def ended(response, why: str) -> None:
    assert why in said(response)
    assert why in panel(response)


SETTLED = {"result": "settled", "agreement_on": date.today(), "route_forward": "", "notes": "签约"}
UNRESOLVED = {"result": "unresolved", "route_forward": "litigation", "notes": ""}

# route → the tasks it leads to before the outcome, each with the next task's label
# ("coordination": a meeting through the coordination stage, ``coordinate`` below; a
# mediation's written agreement goes on to the agreement stage, ``agree`` below)
ROUTES = {
    "coordination": [("召集协调会", "coordination"), ("登记办理结果", "outcome")],
    "mediation": [("指派调解员", "mediation"), (None, "agreement")],
    "both": [
        ("召集协调会", "coordination"),
        ("指派调解员", "mediation"),
        (None, "agreement"),
    ],
    "advice": [("登记办理结果", "outcome")],
}
DEPARTMENT_LIAISONS = "紫金县自然资源局 的 承办人、分管领导或部门联络人"


@pytest.fixture
def coordinate(finish, department, liaison):
    """A meeting through the coordination stage's screens: convened with one department,
    whose liaison confirms from their own queue; held; minuted, with no action item."""

    def run(case):
        page = finish(case, "convene", meeting_data(department))
        next_is(page, case, label_of("reply"), DEPARTMENT_LIAISONS)
        finish(case, "reply", {"answer": "confirm", "attendees": "张伟"}, user=liaison)
        held(case)
        page = finish(case, "minutes", minutes_data(case))
        return page

    return run


@pytest.fixture
def mediate(finish, roster_mediator):
    """Mediation through the stage's screens: the officer assigns the mediator, who
    declares no conflict and records a written agreement; the mediator signs it next."""

    def run(case):
        user = roster_mediator.user
        page = finish(case, "assign_mediator", {"mediator": roster_mediator.pk})
        next_is(page, case, label_of("declare_mediator"), str(user))
        page = finish(case, "declare_mediator", {"has_conflict": "no"}, user=user)
        next_is(page, case, label_of("mediate"), f"{user}（您）")
        outcome = {"kind": "written", "reason": "双方同意按新界址修坟。"}
        page = finish(case, "mediate", outcome, user=user)
        next_is(page, case, label_of("sign_agreement"), f"{user}（您）")
        return page

    return run


@pytest.fixture
def agree(finish, confirm_agreement, perform_terms, roster_mediator, claimant):
    """The agreement stage's tasks on their screens (drafted, confirmed and performed
    through its page's services): the mediator signs last, the officer ends the tracking
    of its performance and records the follow-up visit; the supervisor's closure is next."""

    def run(case):
        user = roster_mediator.user
        confirm_agreement(case)
        page = finish(case, "sign_agreement", {"sign": "on"}, user=user)
        next_is(page, case, label_of("track_performance"), "officer")
        perform_terms(case)
        page = finish(case, "track_performance", {"notes": "各项条款均已履行"})
        next_is(page, case, label_of("follow_up_visit"), "officer（您）")
        visit = {
            "party": case.parties.get(person=claimant).pk,
            "method": "phone",
            "reason": "协议履行情况回访",
            "performance": "协议已履行完毕",
            "satisfaction": "5",
            "visited_on": organisation_today().isoformat(),
        }
        return finish(case, "follow_up_visit", visit)

    return run


def label_of(name: str) -> str:
    """A task's label as the (Chinese) screens say it."""
    with translation.override("zh-hans"):
        return str(getattr(DisputeFlow, name).label)


def due_for(case) -> str:
    """The reviewers' default due date, as the send-to-review screen offers it."""
    return default_due_on(case, date.today(), WorkingCalendar.load()).isoformat()


@pytest.mark.parametrize("route", [*ROUTES, "close"])
def test_it_names_the_next_step_after_each_task(
    client, intake, finish, coordinate, mediate, agree, complete_case_file, officer, lawyer, route
):
    case = intake()
    me = "officer（您）"

    page = finish(case, "screen", {"notes": "事实清楚，属本会职责"})
    next_is(page, case, "受理决定", CITY_SUPERVISORS)

    page = finish(case, "decide", {"decision": "accept", "reason": ""})
    next_is(page, case, "提交法律审查", "officer")  # the supervisor reads who holds it

    page = finish(
        case,
        "send_to_review",
        {"lead": lawyer.pk, f"due_{lawyer.pk}": due_for(case), "notes": "请法顾委审查"},
    )
    next_is(page, case, "法律审查", "lawyer")  # the seat is the adviser's
    # The officer may not open an adviser's seat: the message does not link to it.
    review = task_named(case, "review")
    link = reverse("workflows:task", args=[review.pk])
    assert not any(link in str(m) for m in page.context["messages"])

    client.force_login(lawyer)
    seat = seat_in(case, lawyer)
    client.post(reverse("review:declare", args=[seat.pk]), {"has_conflict": "no"})
    page = finish(case, "review", opinion_data(route), user=lawyer)
    next_is(page, case, label_of("consolidate"), "lawyer（您）")
    # The lead may open the sign-off: the message links to it.
    consolidate = task_named(case, "consolidate")
    link = reverse("workflows:task", args=[consolidate.pk])
    assert any(link in str(m) for m in page.context["messages"])

    page = finish(case, "consolidate", opinion_data(route), user=lawyer)
    next_is(page, case, "确定办理路径", "officer")

    page = finish(case, "route", {"route": route, "notes": "依法律意见"})
    if route == "close":
        next_is(page, case, "结案审批", CITY_SUPERVISORS)
    else:
        steps = ROUTES[route]
        next_is(page, case, steps[0][0], me)
        for (_label, name), (next_label, _next) in itertools.pairwise(steps):
            if name == "coordination":
                page = coordinate(case)
            else:  # the mediator's steps, then the mediator's signature
                mediate(case)
                continue
            next_is(page, case, next_label, me)
        if steps[-1][1] == "outcome":
            page = finish(case, "outcome", UNRESOLVED if route == "advice" else SETTLED)
            next_is(page, case, "回访", me)
            page = finish(case, "follow_up", {"visit": "回访谭永康，满意"})
        else:  # the agreement stage, then the case file a mediated case closes with
            page = agree(case)
            complete_case_file(case)
        next_is(page, case, "结案审批", CITY_SUPERVISORS)

    page = finish(case, "close_approval", {"reason": "办结"})
    ended(page, "办理流程已结束：已结案。")


def test_it_says_the_process_ended_when_declined(intake, finish):
    case = intake()
    finish(case, "screen", {"notes": "不属本会职责"})
    page = finish(case, "decide", {"decision": "decline", "reason": "属法院受理范围"})
    ended(page, "办理流程已结束：不予受理。")


@pytest.fixture
def referred(intake, finish, other_city):
    case = intake()
    finish(case, "screen", {"notes": "属外市"})
    page = finish(
        case, "decide", {"decision": "refer", "refer_to": other_city.pk, "reason": "属梅州"}
    )
    next_is(page, case, "转办接收", RECEIVING)
    assert fresh(case).deadlines.get(kind="referral_objection").due_on.isoformat() in said(page)
    return case


def test_it_says_the_process_ended_when_the_referral_is_taken(referred, finish, other_city):
    receiver = officer_of(other_city, "receiver")
    page = finish(referred, "referral_response", {"response": "accept"}, user=receiver)
    ended(page, "办理流程已结束：案件已转办至 梅州市侨联，对方已接收。")


def test_it_returns_an_objected_referral_to_the_decision(
    client, referred, finish, other_city, supervisor
):
    receiver = officer_of(other_city, "receiver")
    # Returned, the case is no longer the receiver's to read: back to their queue.
    page = finish(
        referred,
        "referral_response",
        {"response": "object", "reason": "不属我市"},
        user=receiver,
        back_to=reverse("workflows:queue"),
    )
    assert f"下一步：受理决定 — 由 {CITY_SUPERVISORS} 办理" in said(page)

    client.force_login(supervisor)
    screen = client.get(reverse("workflows:task", args=[task_named(referred, "decide").pk]))
    context = earlier(screen)
    assert "不属我市" in context and "属外市" in context  # the objection and the screening


def test_it_screens_again_after_a_reopening(client, intake, finish, supervisor):
    case = intake()
    finish(case, "screen", {"notes": "不属本会职责"})
    finish(case, "decide", {"decision": "decline", "reason": "证据不足"})

    client.force_login(supervisor)
    page = client.post(
        reverse("workflows:reopen", args=[case.pk]), {"reason": "当事人补充了新的地契"}, follow=True
    )
    next_is(page, case, "重新受理审查", "officer")

    client.force_login(task_named(case, "rescreen").owner)
    screen = client.get(reverse("workflows:task", args=[task_named(case, "rescreen").pk]))
    assert "当事人补充了新的地契" in earlier(screen)  # the new facts it was reopened on

    page = finish(case, "rescreen", {"notes": "新证据属实"})
    next_is(page, case, "受理决定", CITY_SUPERVISORS)


# The other actions ---------------------------------------------------------------------


def test_it_opens_a_claimed_task(client, intake, finish, supervisor):
    case = intake()
    finish(case, "screen", {"notes": "可受理"})
    decide = task_named(case, "decide")
    client.force_login(supervisor)

    response = client.post(reverse("workflows:claim", args=[decide.pk]))
    assert response.status_code == 302
    assert response.url == reverse("workflows:task", args=[decide.pk])
    page = client.get(response.url)
    assert "您已领取“受理决定”。" in said(page)
    assert "下一步：受理决定 — 由 supervisor（您） 办理" in said(page)

    page = client.post(reverse("workflows:release", args=[decide.pk]), follow=True)
    next_is(page, case, "受理决定", CITY_SUPERVISORS)

    # A page of this site given as next is still where the button goes.
    response = client.post(
        reverse("workflows:claim", args=[decide.pk]), {"next": "/queue/?view=mine"}
    )
    assert response.url == "/queue/?view=mine"


def test_it_names_the_unit_a_task_was_sent_down_to(client, intake, officer, township):
    case = intake()
    client.force_login(officer)
    page = client.post(
        reverse("workflows:send_down", args=[task_named(case, "screen").pk]),
        {"organisation": township.pk},
        follow=True,
    )
    next_is(page, case, "受理审查", "义容镇侨胞之家 的 承办人或分管领导")


def test_it_names_the_level_a_case_was_reported_up_to(client, intake, township):
    local = officer_of(township, "local")
    case = intake(
        actor=local,
        handling_organisation=township,
        parties=[PartyInput(role="claimant", person=PersonFactory(registered_by=township))],
    )
    client.force_login(local)
    page = client.post(
        reverse("workflows:report_up", args=[case.pk]), {"reason": "涉外"}, follow=True
    )
    assert "已上报至河源市侨联。" in said(page)
    assert "下一步：受理审查 — 由 河源市侨联 的 承办人或分管领导 办理" in said(page)


def test_it_says_what_follows_each_lifecycle_step(client, intake, finish, officer):
    case = intake()
    finish(case, "screen", {"notes": "可受理"})
    client.force_login(officer)

    page = client.post(
        reverse("workflows:suspend", args=[case.pk]), {"reason": "等待法院判决"}, follow=True
    )
    assert "案件已中止办理：其任务须待恢复办理后方可继续。" in said(page)
    assert f"下一步：受理决定 — 由 {CITY_SUPERVISORS} 办理。" in said(page)  # no clock runs

    page = client.post(reverse("workflows:resume", args=[case.pk]), {"reason": ""}, follow=True)
    next_is(page, case, "受理决定", CITY_SUPERVISORS)

    page = client.post(
        reverse("workflows:withdraw", args=[case.pk]),
        {"channel": "letter", "statement": "当事人来函撤回"},
        follow=True,
    )
    ended(page, "办理流程已结束：当事人已撤回。")


# Task screens --------------------------------------------------------------------------


def earlier(response) -> str:
    """What the task screen shows of the steps before it, as text."""
    found = re.search(
        r'<section class="card" id="earlier-steps">(.*?)</section>',
        response.content.decode(),
        re.S,
    )
    assert found, "the task screen shows no earlier steps"
    return text(found.group(1))


def screen_of(client, case, name, user):
    client.force_login(user)
    return client.get(reverse("workflows:task", args=[task_named(case, name).pk]))


def test_it_shows_what_the_steps_before_produced(
    client, intake, finish, coordinate, mediate, conclude, officer, supervisor, lawyer
):
    case = intake()
    finish(case, "screen", {"notes": "事实清楚，属本会职责"})
    assert "受理审查意见：事实清楚，属本会职责" in earlier(
        screen_of(client, case, "decide", supervisor)
    )

    finish(case, "decide", {"decision": "accept", "reason": ""})
    finish(
        case,
        "send_to_review",
        {"lead": lawyer.pk, f"due_{lawyer.pk}": due_for(case), "notes": "请法顾委审查"},
    )
    client.force_login(lawyer)
    client.post(reverse("review:declare", args=[seat_in(case, lawyer).pk]), {"has_conflict": "no"})
    opinion = opinion_data("both", analysis="建议先协调再调解")
    finish(case, "review", opinion, user=lawyer)
    finish(case, "consolidate", opinion, user=lawyer)
    page = screen_of(client, case, "route", officer)
    route = earlier(page)
    assert "请法顾委审查" in route  # the officer's notes for the reviewers
    assert f"{label_of('consolidate')} lawyer" in route  # the lead's sign-off
    # What the review produced: the committee's recommendation, chosen already.
    markup = page.content.decode()
    helptext = re.search(r'<div class="helptext" id="id_route_helptext">(.*?)</div>', markup)
    assert "先召开协调会，再调解" in text(helptext.group(1))
    assert re.search(r'<input type="radio" name="route" value="both"[^>]* checked>', markup)

    finish(case, "route", {"route": "both", "notes": ""})
    coordinate(case)
    mediate(case)  # a written agreement: the agreement stage's tasks follow
    conclude(case, until="track_performance")
    visit = earlier(screen_of(client, case, "follow_up_visit", officer))
    # The signature's step (the case settled as the agreement took effect), then the
    # performance's (each term performed).
    signed = "调解协议书经各方当事人确认、调解员签署后生效"
    assert signed in visit
    assert label_of("track_performance") in visit
    assert visit.index(signed) < visit.index(label_of("track_performance"))  # oldest first


def test_it_shows_the_clocks_and_the_parties_on_a_task_screen(client, intake, officer):
    case = intake(received_on=date.today())
    page = screen_of(client, case, "screen", officer).content.decode()
    clocks = re.search(r'id="task-clocks">(.*?)</section>', page, re.S).group(1)
    acceptance = case.deadlines.get(kind="acceptance")
    assert acceptance.due_on.isoformat() in clocks
    assert "剩余工作日" in clocks
    left = next_running_clock(case).working_days_left
    assert f">{left}</td>" in clocks
    assert "申请人 谭永康" in text(clocks)  # the claimant


def test_it_returns_an_empty_form_with_errors_next_to_the_fields(
    client, intake, finish, supervisor
):
    case = intake()
    finish(case, "screen", {"notes": "可受理"})
    client.force_login(supervisor)
    url = reverse("workflows:task", args=[task_named(case, "decide").pk])

    page = client.get(url).content.decode()
    assert re.search(r"<form [^>]*novalidate", page)  # the browser's own bubbles stay away
    assert 'role="radiogroup" aria-required="true"' in page  # the decision is required
    assert 'class="required-mark" aria-hidden="true">*</span>' in page

    response = client.post(url, {})
    assert response.status_code == 200
    page = response.content.decode()
    # The decision's error sits in its group, which points to it.
    group = re.search(r'<fieldset role="radiogroup"[^>]*>.*?</fieldset>', page, re.S).group(0)
    assert 'aria-invalid="true"' in group and 'aria-describedby="id_decision_error"' in group
    assert '<ul class="errorlist" id="id_decision_error"><li>这个字段是必填项。</li></ul>' in group
    assert fresh(case).status == "screening"

    # Referring needs the organisation: said next to that field, which shows for "refer".
    response = client.post(url, {"decision": "refer", "reason": "属外市"})
    page = response.content.decode()
    row = re.search(
        r'<div class="field invalid" data-show-when="decision"[^>]*>(.*?)</div>\s', page, re.S
    )
    assert 'data-show-value="refer"' in row.group(0)
    assert "请选择转办单位。" in row.group(1)


def test_it_marks_a_required_text_field_and_says_its_error_there(client, intake, officer):
    case = intake()
    client.force_login(officer)
    url = reverse("workflows:task", args=[task_named(case, "screen").pk])
    page = client.post(url, {"notes": "  "}).content.decode()
    textarea = re.search(r"<textarea [^>]*>", page).group(0)
    assert 'aria-required="true"' in textarea and 'aria-invalid="true"' in textarea
    assert 'aria-describedby="id_notes_error"' in textarea
    assert '<ul class="errorlist" id="id_notes_error"><li>这个字段是必填项。</li></ul>' in page


@pytest.fixture
def at_outcome(intake, finish, legal_review, coordinate):
    """Coordinated: the officer records the outcome (a mediation's written agreement goes
    to the agreement stage instead)."""
    case = intake()
    finish(case, "screen", {"notes": "可受理"})
    finish(case, "decide", {"decision": "accept", "reason": ""})
    legal_review(case, "coordination")
    finish(case, "route", {"route": "coordination", "notes": ""})
    coordinate(case)
    return case


def test_it_puts_a_service_error_on_the_form_next_to_its_field(client, at_outcome, officer):
    client.force_login(officer)
    url = reverse("workflows:task", args=[task_named(at_outcome, "outcome").pk])
    tomorrow = (date.today() + timedelta(days=1)).isoformat()

    response = client.post(url, {"result": "settled", "agreement_on": tomorrow, "notes": ""})

    assert response.status_code == 200  # the form again, not a redirect
    page = response.content.decode()
    row = re.search(r'data-show-value="settled">(.*?)</div>\s', page, re.S).group(1)
    assert "协议生效日期不能晚于今天。" in row
    assert 'aria-invalid="true"' in row
    assert f'value="{tomorrow}"' in row  # what was entered stays
    assert fresh(at_outcome).status == "coordinating"
    assert task_named(at_outcome, "outcome")


def test_it_puts_a_late_objection_next_to_the_answer(client, referred, other_city):
    receiver = officer_of(other_city, "receiver", Role.CASE_OFFICER)
    referred.deadlines.filter(kind="referral_objection").update(due_on=date(2026, 1, 5))
    client.force_login(receiver)
    url = reverse("workflows:task", args=[task_named(referred, "referral_response").pk])

    response = client.post(url, {"response": "object", "reason": "不属我市"})

    assert response.status_code == 200
    group = re.search(
        r'<fieldset role="radiogroup"[^>]*>.*?</fieldset>', response.content.decode(), re.S
    ).group(0)
    assert "提出异议的5个工作日已于2026-01-05届满，转办决定维持。" in group
    assert fresh(referred).status == "referred"


def test_it_toggles_fields_with_a_script_of_its_own(client, at_outcome, officer):
    page = screen_of(client, at_outcome, "outcome", officer).content.decode()
    assert '<script src="/static/js/task-form.js" defer></script>' in page
    assert "<script>" not in page and " style=" not in page  # CSP: nothing inline
    assert 'data-show-when="result" data-show-value="settled"' in page
    assert 'data-show-when="result" data-show-value="unresolved"' in page
    assert finders.find("js/task-form.js")


# In the browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_shows_a_field_only_when_it_applies_in_the_browser(
    live_server, monkeypatch, intake, officer, supervisor
):
    from playwright.sync_api import expect, sync_playwright

    from workflows.demo import DEMO_PASSWORD

    from .conftest import ARTEFACTS, CHROMIUM

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop
    supervisor.set_password(DEMO_PASSWORD)
    supervisor.save()
    case = intake()
    from workflows.services import complete_task

    complete_task(task_id=task_named(case, "screen").pk, user=officer, data={"notes": "属外市"})
    shots = ARTEFACTS / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "supervisor")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button.primary")
        page.goto(
            f"{live_server.url}{reverse('workflows:task', args=[task_named(case, 'decide').pk])}"
        )

        refer_to = page.locator("[data-show-when=decision]")
        expect(refer_to).to_be_hidden()
        expect(page.locator("#earlier-steps")).to_contain_text("受理审查意见：属外市")
        page.check("input[name=decision][value=refer]")
        expect(refer_to).to_be_visible()
        page.fill("textarea[name=reason]", "属梅州")
        page.click("text=完成此任务")  # no organisation chosen: the server says so
        expect(refer_to).to_be_visible()
        expect(refer_to.locator(".errorlist")).to_have_text("请选择转办单位。")
        page.screenshot(path=str(shots / "next-step-decide-errors.png"), full_page=True)

        page.check("input[name=decision][value=accept]")
        expect(refer_to).to_be_hidden()
        page.click("text=完成此任务")
        expect(page.locator(".messages")).to_contain_text("下一步：提交法律审查 — 由 officer 办理")
        expect(page.locator(".next-step")).to_contain_text("下一步：提交法律审查")
        page.screenshot(path=str(shots / "next-step-case.png"), full_page=True)
        browser.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
