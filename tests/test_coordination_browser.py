"""[Q7] A coordination meeting at the keyboard (Debian's chromium driven by Playwright):
the natural resources bureau's liaison finds the invitation in the department's queue and
accepts it; after the meeting the officer records the minutes with an action item of the
bureau's and finalises them; the liaison later reports the item done with an attachment.
Screenshots land in test-artifacts/browser/."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mediation.coordination.models import ActionItem, Invitation, Meeting
from workflows.demo import DEMO_PASSWORD

from .conftest import held, meeting_data, open_tasks
from .test_browser import _evidence_pdf, browser_page, log_in, shot  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_liaison_accepts_the_officer_minutes_and_the_liaison_closes_an_item(
    live_server,
    browser_page,  # noqa: F811 (the fixture, imported)
    accepted,
    do,
    legal_review,
    department,
    liaison,
    officer,
):
    page, base = browser_page, live_server.url
    for user in (officer, liaison):
        user.set_password(DEMO_PASSWORD)
        user.save()
    case = do(legal_review(accepted), "route", {"route": "coordination", "notes": ""})
    case = do(case, "convene", meeting_data(department), form=True)

    # The liaison: the invitation waits in the bureau's queue; taking it opens the reply.
    log_in(page, base, "liaison")
    page.click("text=待领取")
    expect(page.locator("table.queue")).to_contain_text("答复会议邀请")
    shot(page, "q7-01-liaison-queue")
    page.click("button:has-text('领取')")
    expect(page.locator("h1")).to_have_text("答复会议邀请")
    expect(page.locator(".meeting-summary")).to_contain_text("谭氏祖坟纠纷多部门协调会")
    page.check("input[name=answer][value=confirm]")
    page.fill("textarea[name=attendees]", "张伟 副局长")
    page.fill("textarea[name=position]", "建议先行勘界，再议修缮。")
    shot(page, "q7-02-reply")
    page.click("text=完成此任务")
    expect(page.locator(".messages")).to_contain_text("答复会议邀请")
    invitation = Invitation.objects.get(organisation=department)
    assert (invitation.status, invitation.answered_by) == ("confirmed", liaison)

    # The meeting took place; the officer records the minutes and finalises them.
    held(case)
    [minutes] = [t for t in open_tasks(case) if t.flow_task.name == "minutes"]
    log_in(page, base, "officer")
    page.goto(base + reverse("workflows:task", args=[minutes.pk]))
    expect(page.locator("h1")).to_have_text("协调会会议纪要")
    page.fill("textarea[name=attended]", "张伟，紫金县自然资源局，副局长")
    for item in Meeting.objects.get(case=case).agenda.all():
        page.fill(f"textarea[name=discussion_{item.pk}]", f"就{item.title}交换了意见。")
        page.fill(f"textarea[name=decisions_{item.pk}]", f"{item.title}由相关部门依职责办理。")
    page.select_option("select[name=action_0_organisation]", label="紫金县自然资源局")
    page.fill("input[name=action_0_description]", "核实墓地周边土地权属")
    page.fill("input[name=action_0_working_days]", "5")
    page.select_option("select[name=action_0_follow_up_by]", str(officer.pk))
    shot(page, "q7-03-minutes")
    page.click("text=完成此任务")
    expect(page.locator(".messages")).to_contain_text("协调会会议纪要")
    meeting = Meeting.objects.get(case=case)
    assert meeting.status == "finalised" and "纪〔" in meeting.minutes.number

    # The liaison reports the bureau's action item done, with the survey attached.
    log_in(page, base, "liaison")
    page.goto(f"{base}/coordination/items/")
    expect(page.locator("main")).to_contain_text("核实墓地周边土地权属")
    shot(page, "q7-04-items")
    page.click("a:has-text('报告办结')")
    page.fill("textarea[name=text]", "已现场核实，墓地周边土地属村集体所有，附勘界图。")
    page.set_input_files("input[name=upload]", _evidence_pdf())
    shot(page, "q7-05-report-done")
    page.click("text=完成此任务")
    expect(page.locator(".messages")).to_contain_text("工作任务")
    item = ActionItem.objects.get(meeting=meeting)
    assert item.status == "done"
    [report] = item.reports.all()
    assert report.done and report.attachment.page_count == 1
