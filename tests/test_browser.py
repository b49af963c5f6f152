"""A person at the keyboard: Debian's chromium driven by Playwright against the live site.

An officer registers the Zijin letter with the clan association as claimant, screens it, the
supervisor accepts it, the acceptance notice is ready, the officer sends it to legal
review, and the supervisor approves an extension. Screenshots land in test-artifacts/.
"""

import pytest
from playwright.sync_api import expect, sync_playwright

from workflows.demo import DEMO_PASSWORD

from .conftest import ARTEFACTS, CHROMIUM
from .factories import AssociationFactory, PersonFactory, officer_of

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SHOTS = ARTEFACTS / "browser"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def browser_page(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


@pytest.fixture
def people(city):
    officer = officer_of(city, "city_officer")
    supervisor = officer_of(city, "supervisor", "supervisor")
    for user in (officer, supervisor):
        user.set_password(DEMO_PASSWORD)
        user.save()
    association = AssociationFactory(name="马来西亚谭氏宗亲会", name_latin="Persatuan Tham")
    association.representatives.add(PersonFactory(name_zh="谭永康", preferred_language="en"))
    return officer, supervisor


def log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button.primary")
    expect(page.locator("h1")).to_have_text("工作台")


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_officer_takes_the_zijin_letter_to_legal_review(live_server, browser_page, people):
    page, base = browser_page, live_server.url

    log_in(page, base, "city_officer")
    shot(page, "01-queue")
    page.click("text=登记案件")
    page.fill("#id_title", "马来西亚谭氏宗亲会反映紫金县义容镇祖坟墓地纠纷")
    page.select_option("#id_category", "ancestral_graves")
    page.select_option("#id_channel", "association_letter")
    page.fill("#id_received_on", "2026-11-20")
    page.fill("#id_location", "广东省河源市紫金县义容镇")
    page.fill("#id_summary", "宗亲会来函（《紫金祖坟墓地函》）反映祖坟墓地被占用。")
    page.fill("#id_claims", "保护祖坟现状，按原规模修缮。")
    page.select_option("#id_party-0-role", "claimant")
    page.select_option("#id_party-0-association", label="马来西亚谭氏宗亲会")
    shot(page, "02-register")
    page.click("button.primary")
    expect(page.locator(".messages")).to_contain_text("已登记")
    case_url = page.url
    shot(page, "03-registered")

    page.click("a.button.primary:has-text('受理审查')")
    page.fill("textarea[name=notes]", "来函事实清楚，涉及归侨侨眷权益，属本会受理范围。")
    page.click("text=完成此任务")
    expect(page.locator(".case-head .status")).to_have_text("受理审查")

    log_in(page, base, "supervisor")
    page.click("text=待领取")
    expect(page.locator("table.queue")).to_contain_text("受理决定")
    page.click("button:has-text('领取')")
    page.click("text=我的任务")
    page.click("a.button.primary:has-text('办理')")
    page.check("input[name=decision][value=accept]")
    shot(page, "04-decide")
    page.click("text=完成此任务")
    expect(page.locator(".case-head .status")).to_have_text("已受理")
    expect(page.locator("#documents")).to_contain_text("受理通知书")
    expect(page.locator("#documents tr:has-text('受理通知书') .render")).to_have_text("已生成")
    shot(page, "05-accepted")

    log_in(page, base, "city_officer")
    page.goto(case_url)
    page.click("a.button.primary:has-text('提交法律审查')")
    page.click("text=完成此任务")
    expect(page.locator(".case-head .status")).to_have_text("法律审查")
    shot(page, "06-legal-review")

    log_in(page, base, "supervisor")
    page.goto(case_url)
    page.click("text=批准延长办理期限")
    page.fill("#id_days", "20")
    page.fill("#id_reason", "涉及多个部门现场核查，情况复杂")
    page.click("text=批准延期")
    expect(page.locator(".timeline")).to_contain_text("涉及多个部门现场核查，情况复杂")
    expect(page.locator("#documents")).to_contain_text("延期告知书")
    shot(page, "07-extended")
