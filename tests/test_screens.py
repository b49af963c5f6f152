"""Every screen at a phone's size (390×844) and an office screen's (1366×768), for each kind
of person who uses them: no page scrolls sideways, no table runs out of its card, and
axe-core finds nothing serious or critical (contrast, labels, names, landmarks).

The records come from the demo data (played through intake and the process's tasks) with a
mediator and a department brought in through the case services on one case, whose legal
review seated an adviser (an adviser is named on a case only through its review).
One browser; one context per size; each person logs in once through the login form and
their session is reused in both contexts. The officer's pages are walked again in English;
on the officer's queue the first Tab stop is 跳到正文 and, on a phone, the 菜单 button opens
and closes the header's menu. Screenshots of the queue (and its 关注 tab, with due-soon
rows), the case page, the registration page and a task screen, and of the open phone menu,
land in test-artifacts/browser/screens-*.png.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import sync_playwright

from cases import services as case_services
from cases.models import Case, CaseParticipant, Organisation
from workflows import demo
from workflows import services as workflow_services
from workflows.selectors import open_tasks_of

from .conftest import CHROMIUM
from .test_browser import ARGS, SHOTS

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
# Pages whose screenshots a person looks at (see the module docstring).
SHOT_PAGES = {"queue", "queue-watching", "case", "register", "task"}
SERIOUS = ("serious", "critical")
# Named in the accessibility review: failed whatever impact axe gives them.
ALWAYS = {"empty-table-header", "landmark-unique", "select-name", "label", "skip-link"}
# The officer's pages are also walked in English, whose words are longer.
IN_ENGLISH = "city_officer"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@dataclass
class Visit:
    name: str
    url: str
    status: int = 200


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
    case_services.invite_participant(
        case=case, actor=city_officer, relation=Relation.MEDIATOR, user=users["mediator"]
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
    return {
        "city_officer": [*common, *staff, Visit("task", _task_url(own))],
        "supervisor": [*common, *staff, Visit("task", _task_url(decide))],
        "adviser2": common,
        "liaison": common,
        "mediator": common,
        "admin": [*common, Visit("admin", "/admin/")],
    }


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


def _axe(axe, page) -> list[str]:
    results = axe.run(page)
    return [
        f"{v['impact']} {v['id']}: {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:4])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS or v["id"] in ALWAYS
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


def test_every_screen_fits_a_phone_and_passes_axe(live_server, world, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop
    SHOTS.mkdir(parents=True, exist_ok=True)
    base, axe, problems = live_server.url, Axe(), []

    def check(page, where: str) -> None:
        problems.extend(f"{where}: {p}" for p in _overflow(page))
        problems.extend(f"{where}: {p}" for p in _axe(axe, page))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        sessions: dict[str, list[dict]] = {}
        for size, viewport in SIZES.items():
            context = browser.new_context(locale="zh-CN", viewport=viewport)
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            check(page, f"{size} login")
            for username, visits in world.items():
                if username not in sessions:
                    sessions[username] = _log_in(page, base, username)
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
                        response = page.goto(base + visit.url)
                        assert response.status == visit.status, (username, visit.url)
                        where = f"{size} {language} {username} {visit.name}"
                        check(page, where)
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
