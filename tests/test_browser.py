"""A person at the keyboard: Debian's chromium driven by Playwright against the live site.

An officer registers the Zijin letter with the clan association as claimant, screens it, the
supervisor accepts it, the acceptance notice is ready, the officer adds a photo and sends
the case to two advisers of the committee; the lead lawyer finds it in their queue,
declares no conflict, reads the photo in the page, writes a draft that survives a reload,
and submits; the lead signs off the committee's opinion with the other's dissent; the
officer sees the recommended route chosen on the route screen; the supervisor approves an
extension. Screenshots land in test-artifacts/.

A township officer registers a 华侨 in Canada against the township government, suspends the
case while a court decides and resumes it, screens it; the township's head declines it (the
refusal notice carries English for the claimant) and, on new facts, reopens it.
"""

import datetime
import io
import re
import zoneinfo
from urllib.parse import unquote

import pikepdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright
from pypdf import PdfReader

from workflows.demo import DEMO_PASSWORD
from workflows.review.services import seed_catalogue

from .conftest import ARTEFACTS, CHROMIUM
from .factories import (
    AssociationFactory,
    OrganisationFactory,
    PersonFactory,
    adviser_of,
    officer_of,
)

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
    # In the city's registry, so its officers may pick him and the association he represents.
    association.representatives.add(
        PersonFactory(name_zh="谭永康", preferred_language="en", registered_by=city)
    )
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


def _evidence_pdf() -> dict:
    """A one-page PDF with some text, as a scanned photo's caption would be."""
    pdf, out = pikepdf.new(), io.BytesIO()
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Contents = pdf.make_stream(b"0 0 1 rg 100 600 300 150 re f")
    pdf.save(out)
    return {"name": "photos.pdf", "mimeType": "application/pdf", "buffer": out.getvalue()}


def _submit_as(case_url: str, adviser) -> None:
    from cases.models import Case
    from workflows.review import selectors, services
    from workflows.services import complete_task

    from .factories import opinion_data

    case = Case.objects.get(pk=int(case_url.rstrip("/").rsplit("/", 1)[1]))
    seat = selectors.seat_in(case, adviser)
    services.declare(seat_pk=seat.pk, actor=adviser, has_conflict=False)
    complete_task(task_id=seat.task_id, user=adviser, data=opinion_data("mediation"))


def test_an_officer_takes_the_zijin_letter_to_legal_review(live_server, browser_page, people, city):
    page, base = browser_page, live_server.url
    seed_catalogue()  # a live-server test starts from an emptied database
    lawyer = adviser_of(city, "lawyer", expertise=("ancestral_graves",))
    lawyer2 = adviser_of(city, "lawyer2", expertise=("inheritance_law",))
    for user, name in ((lawyer, "李律师"), (lawyer2, "张律师")):
        user.display_name = name
        user.set_password(DEMO_PASSWORD)
        user.save()

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
    page.check("input[name=party-0-kind][value=association]")
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
    page.click("button:has-text('领取')")  # claiming opens the task
    page.check("input[name=decision][value=accept]")
    shot(page, "04-decide")
    page.click("text=完成此任务")
    expect(page.locator(".case-head .status")).to_have_text("已受理")
    expect(page.locator("#documents")).to_contain_text("受理通知书")
    expect(page.locator("#documents tr:has-text('受理通知书') .render")).to_have_text("已生成")
    shot(page, "05-accepted")

    # The officer adds a piece of evidence and sends the case to two advisers, the graves
    # expert ranked first, as lead.
    log_in(page, base, "city_officer")
    page.goto(case_url)
    page.select_option("#id_item", "06")
    page.fill("#id_title", "祖坟现状照片")
    page.set_input_files("#id_upload", files=[_evidence_pdf()])
    page.click("text=上传PDF材料")
    expect(page.locator("#documents")).to_contain_text("祖坟现状照片")
    page.click("a.button.primary:has-text('提交法律审查')")
    expect(page.locator("table.ranking tbody tr").first).to_contain_text("李律师")
    expect(page.locator("table.ranking tbody tr").first).to_contain_text("擅长")
    page.check(f"input[name=lead][value='{lawyer.pk}']")
    page.check(f"input[name=members][value='{lawyer2.pk}']")
    shot(page, "q6-01-assign")
    page.click("text=完成此任务")
    expect(page.locator(".case-head .status")).to_have_text("法律审查")
    expect(page.locator("#legal-review")).to_contain_text("李律师")
    shot(page, "06-legal-review")

    # The lawyer finds the case in their queue, declares no conflict, reads the evidence
    # in the page, writes, reloads (the draft is there), and submits.
    log_in(page, base, "lawyer")
    page.click("table.queue tr:has-text('法律审查') a.button.primary")
    expect(page.locator("h1")).to_contain_text("声明")
    page.check("input[name=has_conflict][value=no]")
    shot(page, "q6-02-declare")
    page.click("button:has-text('提交声明')")
    expect(page.locator("#opinion-form")).to_be_visible()
    page.click("#file-viewer >> xpath=.. >> a:has-text('祖坟现状照片')")
    expect(page.locator("#file-viewer img").first).to_be_visible()
    page.fill("#id_facts", "祖坟位于村集体山地，周边土地被扩建果园占用。")
    page.fill("#id_issues", "占用是否妨碍祭扫；修缮须经何部门批准。")
    expect(page.locator("[data-draft-status]")).to_contain_text("草稿已于", timeout=10_000)
    page.reload()
    expect(page.locator("#id_facts")).to_have_value("祖坟位于村集体山地，周边土地被扩建果园占用。")
    page.fill("[data-law-filter]", "二百八十八")
    page.locator("label:has-text('第二百八十八条') input").check()
    page.fill("#id_analysis", "依相邻关系规定应提供通行便利，宜先协调后调解。")
    page.select_option("#id_route", "both")
    page.select_option("#id_risk", "medium")
    page.fill("#id_risk_notes", "邻村可能拒绝调解：先由镇政府组织协调，再行调解。")
    shot(page, "q6-03-review")
    page.click("button:has-text('提交我的意见')")
    expect(page.locator(".messages")).to_contain_text("完成")

    # The second reviewer submits too (through the services, as their screen would).
    _submit_as(case_url, lawyer2)

    # The lead sees both opinions side by side, writes the committee's and signs it off.
    page.goto(f"{base}/queue/")
    page.click("table.queue tr:has-text('法顾委法律意见') a.button.primary")
    expect(page.locator(".opinion-column")).to_have_count(2)
    shot(page, "q6-04-consolidate")
    page.fill(f"#id_dissent_{lawyer2.pk}", "可直接调解。")
    page.click("button:has-text('签发法律意见书')")
    expect(page.locator(".messages")).to_contain_text("完成")

    # The officer sees the recommendation, chosen already on the route screen.
    log_in(page, base, "city_officer")
    page.goto(case_url)
    expect(page.locator("#legal-review")).to_contain_text("先召开协调会，再调解")
    expect(page.locator("#documents")).to_contain_text("法律意见书")
    page.click("a.button.primary:has-text('确定办理路径')")
    expect(page.locator("input[name=route][value=both]")).to_be_checked()
    expect(page.locator("form.task-form")).to_contain_text("法顾委建议")
    shot(page, "q6-05-route")

    log_in(page, base, "supervisor")
    page.goto(case_url)
    page.click("text=批准延长办理期限")
    page.fill("#id_days", "20")
    page.fill("#id_reason", "涉及多个部门现场核查，情况复杂")
    # The association's representatives read English: the notice gives the reason in it too.
    page.fill("#id_reason_en", "Several departments must inspect the site; the case is complex.")
    page.click("text=批准延期")
    expect(page.locator(".timeline")).to_contain_text("涉及多个部门现场核查，情况复杂")
    expect(page.locator("#documents")).to_contain_text("延期告知书")
    shot(page, "07-extended")


# [Q6c] The registration form on a phone ---------------------------------------------------

# document.body.scrollHeight of the registration form at 390 px before [Q6c]: four party
# blocks of every field (7,185 px in the issue, 7,166 px measured on the demo data).
REGISTRATION_HEIGHT_BEFORE = 7166


def test_it_shows_only_the_chosen_kind_of_party_on_a_phone(live_server, browser_page, people):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, base, "city_officer")
    page.goto(f"{base}/cases/new/")
    block = page.locator("fieldset.party")
    expect(block).to_have_count(1)

    # A new person by default: only a new person's fields show.
    expect(page.locator("input[name=party-0-kind][value=new_person]")).to_be_checked()
    expect(page.locator("#id_party-0-new_name_zh")).to_be_visible()
    for hidden in ("person", "association", "organisation", "new_body_name", "contact_name"):
        expect(page.locator(f"#id_party-0-{hidden}")).to_be_hidden()
    shown = block.locator("input:visible, select:visible, textarea:visible")
    expect(shown).to_have_count(1 + 5 + 9)  # the role, the kinds, a new person's fields
    # Required fields carry a visible *.
    expect(page.locator("label[for=id_title] .required-mark")).to_be_visible()
    expect(page.locator("label[for=id_party-0-role] .required-mark")).to_be_visible()
    height = page.evaluate("document.body.scrollHeight")
    shot(page, "q6c-01-register-390")
    assert height < REGISTRATION_HEIGHT_BEFORE / 2, height

    # An association: its list alone; the new person's fields are hidden and not sent.
    page.check("input[name=party-0-kind][value=association]")
    expect(page.locator("#id_party-0-association")).to_be_visible()
    expect(page.locator("#id_party-0-new_name_zh")).to_be_hidden()
    expect(page.locator("#id_party-0-new_identity")).to_be_disabled()
    expect(shown).to_have_count(1 + 5 + 1)
    assert page.evaluate("document.body.scrollHeight") < height
    shot(page, "q6c-02-register-association-390")

    page.fill("#id_title", "马来西亚谭氏宗亲会来函")
    page.select_option("#id_category", "ancestral_graves")
    page.select_option("#id_channel", "association_letter")
    page.fill("#id_received_on", "2026-11-20")
    page.fill("#id_summary", "宗亲会来函反映祖坟墓地被占用。")
    page.fill("#id_claims", "保护祖坟现状。")
    page.select_option("#id_party-0-role", "claimant")
    page.select_option("#id_party-0-association", label="马来西亚谭氏宗亲会")
    page.click("button.primary")
    expect(page.locator(".messages")).to_contain_text("已登记")
    expect(page.locator("#parties")).to_contain_text("马来西亚谭氏宗亲会")


# [Q5] A party abroad: suspended, declined, reopened --------------------------------------


@pytest.fixture
def yirong(township):
    """The Yirong 侨胞之家's officer and head, and the township government on the
    administrators' list of departments."""
    officer = officer_of(township, "officer")
    head = officer_of(township, "yirong_head", "supervisor")
    for user in (officer, head):
        user.set_password(DEMO_PASSWORD)
        user.save()
    OrganisationFactory(
        name="紫金县义容镇人民政府",
        kind="department",
        level="township",
        number_prefix="",
        name_en="People's Government of Yirong Township",
    )
    return officer, head


def local_times(zone: str) -> set[str]:
    """The clock time a page rendered now shows in the zone (a minute may pass)."""
    now = timezone.now()
    return {
        (now + datetime.timedelta(minutes=m)).astimezone(zoneinfo.ZoneInfo(zone)).strftime("%H:%M")
        for m in (0, 1)
    }


def lifecycle_step(page, label, step, reason, reason_en=""):
    """Open a control of the lifecycle panel, give the reason (and in English, for a case
    with a party who reads no Chinese) and send it."""
    page.click(f"#lifecycle summary:text-is('{label}')")
    page.fill(f"#id_{step}_reason", reason)
    if reason_en:
        page.fill(f"#id_{step}_reason_en", reason_en)
    page.click(f"#lifecycle form[action$='/{step}/'] button.primary")


def test_a_huaqiao_in_canada_is_suspended_declined_and_reopened(live_server, browser_page, yirong):
    page, base = browser_page, live_server.url
    received = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    status = page.locator(".case-head .status")
    documents = page.locator("#documents")

    # 1. The officer registers the claimant abroad and the township government.
    log_in(page, base, "officer")
    page.click("text=登记案件")
    page.fill("#id_title", "加拿大华侨黄伟明反映义容镇祖屋被拆除")
    page.select_option("#id_category", "houses")
    page.select_option("#id_channel", "online")
    page.fill("#id_received_on", received)
    page.fill("#id_location", "广东省河源市紫金县义容镇上村")
    page.fill("#id_summary", "黄伟明在线投诉：其祖屋在镇村道路改造中未经告知被拆除。")
    page.fill("#id_claims", "依法补偿，恢复祖屋原貌或另行安置。")
    page.select_option("#id_party-0-role", "claimant")
    page.fill("#id_party-0-new_name_zh", "黄伟明")
    page.fill("#id_party-0-new_name_latin", "Wong Wai Ming")
    page.select_option("#id_party-0-new_identity", "huaqiao")
    page.select_option("#id_party-0-new_residence_country", "CA")
    page.fill("#id_party-0-new_phone", "+1 604 555 0182")
    page.fill("#id_party-0-new_email", "wm.wong@example.ca")
    page.fill("#id_party-0-new_address", "1234 Main Street, Vancouver BC V5V 3N6, Canada")
    page.click("button[name=add_party]")  # one more block; what was typed comes back
    expect(page.locator("#id_party-0-new_name_zh")).to_have_value("黄伟明")
    page.select_option("#id_party-1-role", "respondent")
    page.check("input[name=party-1-kind][value=body]")
    page.select_option("#id_party-1-organisation", label="紫金县义容镇人民政府")
    page.fill("#id_party-1-contact_name", "李建国")
    page.fill("#id_party-1-contact_phone", "0762-7800123")
    shot(page, "q5-01-register")
    page.click("button.primary")
    expect(page.locator(".messages")).to_contain_text("已登记")
    case_url = page.url
    claimant = page.locator("#parties tr:has-text('黄伟明')")
    expect(claimant).to_contain_text("华侨")
    expect(claimant).to_contain_text("加拿大")
    expect(claimant).to_contain_text("English")
    expect(claimant).to_contain_text("wm.wong@example.ca")
    cell = claimant.locator(".local-time")  # the zone is in the text or on hovering
    shown = f"{cell.inner_text()} {cell.get_attribute('title') or ''}"
    assert "America/Vancouver" in shown, shown
    assert any(local in shown for local in local_times("America/Vancouver")), shown
    expect(page.locator("#parties tr:has-text('紫金县义容镇人民政府')").first).to_contain_text(
        "政府部门"
    )
    expect(page.locator("#parties tr:has-text('李建国')")).to_contain_text("紫金县义容镇人民政府")
    shot(page, "q5-02-registered")

    # 2. The case waits for a court, then goes on.
    lifecycle_step(
        page,
        "中止",
        "suspend",
        "等待法院判决：相关土地权属纠纷已诉至紫金县人民法院。",
        "Waiting for the court: the land dispute is before Zijin County People's Court.",
    )
    expect(status).to_have_text("已中止")
    expect(page.locator("#lifecycle")).to_contain_text("等待法院判决")
    expect(page.locator(".card:has(h2:text-is('办理时限'))")).to_contain_text("中止办理")
    expect(documents.locator("tr:has-text('中止办理告知书') .render")).to_have_text("已生成")
    expect(page.locator(".card:has(h2:text-is('待办任务'))")).to_contain_text("须待恢复办理")
    shot(page, "q5-03-suspended")
    lifecycle_step(page, "恢复办理", "resume", "法院已作出判决。")
    expect(page.locator(".messages")).to_contain_text("案件已恢复办理")
    expect(status).to_have_text("已登记")
    expect(page.locator(".card:has(h2:text-is('办理时限'))")).not_to_contain_text("暂停")
    shot(page, "q5-04-resumed")

    # 3. Screened by the officer, declined by the township's head.
    page.click("a.button.primary:has-text('受理审查')")
    page.fill("textarea[name=notes]", "该祖屋拆除事项已由法院判决，属司法程序处理范围。")
    page.click("text=完成此任务")
    expect(status).to_have_text("受理审查")

    log_in(page, base, "yirong_head")
    page.click("text=待领取")
    expect(page.locator("table.queue")).to_contain_text("受理决定")
    page.click("button:has-text('领取')")  # claiming opens the task
    page.check("input[name=decision][value=decline]")
    page.fill("textarea[name=reason]", "该事项已经人民法院判决，不属本会受理范围。")
    page.fill("textarea[name=reason_en]", "A people's court has ruled on the matter.")
    shot(page, "q5-05-decide")
    page.click("text=完成此任务")
    expect(status).to_have_text("不予受理")
    refusal = documents.locator("tr:has-text('不予受理告知书')")
    expect(refusal.locator(".render")).to_have_text("已生成")
    shot(page, "q5-06-declined")
    # The link opens the PDF inline (chromium's viewer, no download event): fetch what it
    # points to with the page's own session.
    response = page.context.request.get(
        base + refusal.locator("a[href$='/pdf/']").get_attribute("href")
    )
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert "不予受理告知书" in unquote(response.headers["content-disposition"])
    (SHOTS / "q5-refusal-notice.pdf").write_bytes(response.body())  # to read it
    reader = PdfReader(io.BytesIO(response.body()))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert "不予受理告知书" in text and "不属本会受理范围" in text
    assert "Noticeofnon-acceptance" in text and "ToWongWaiMing" in text

    # 4. New facts: the head reopens it; the officer screens it again.
    lifecycle_step(page, "重新办理", "reopen", "当事人提交新证据：拆除时未经任何补偿程序。")
    expect(status).to_have_text("受理审查")
    expect(page.locator("#lifecycle")).to_contain_text("办理流程记录")
    declined = page.locator(".timeline li:has-text('不属本会受理范围')")
    expect(declined).to_contain_text("不予受理")
    expect(page.locator(".timeline")).to_contain_text("拆除时未经任何补偿程序")
    shot(page, "q5-07-reopened")

    log_in(page, base, "officer")
    expect(page.locator("table.queue")).to_contain_text("重新受理审查")
    page.goto(case_url)
    expect(page.locator("a.button.primary:has-text('重新受理审查')")).to_be_visible()
    shot(page, "q5-08-rescreening")
