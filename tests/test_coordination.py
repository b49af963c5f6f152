"""[Q7] Coordination meetings: convening, the departments' replies and hand-overs, the
iCalendar invitations, the minutes and their 会议纪要, action items with their clocks, the
join and the supervisor's override, and what each department may see."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import CaseEvent, Deadline, Message, Organisation, Role
from mediation.coordination import services
from mediation.coordination.models import ActionItem, Invitation, Meeting
from workflows.services import fire_clocks

from .conftest import held, meeting_data, minutes_data, open_tasks
from .factories import OrganisationFactory, UserFactory


@pytest.fixture
def bureau(db):
    return OrganisationFactory(name="紫金县信访局", kind=Organisation.Kind.DEPARTMENT)


@pytest.fixture
def clerk(bureau):
    return UserFactory(
        username="clerk", email="clerk@example.cn", roles=[(bureau, Role.DEPARTMENT_LIAISON)]
    )


@pytest.fixture
def colleague(department):
    return UserFactory(
        username="colleague",
        email="colleague@example.cn",
        roles=[(department, Role.DEPARTMENT_LIAISON)],
    )


@pytest.fixture
def head(department):
    return UserFactory(
        username="head", email="head@example.cn", roles=[(department, Role.SUPERVISOR)]
    )


@pytest.fixture
def coordinating(accepted, do, legal_review):
    case = legal_review(accepted)
    return do(case, "route", {"route": "coordination", "notes": ""})


@pytest.fixture
def convened(coordinating, do, department, bureau, liaison, clerk):
    return do(coordinating, "convene", meeting_data(department, bureau), form=True)


def _task(case, name, organisation=None):
    tasks = [t for t in open_tasks(case) if t.flow_task.name == name]
    if organisation is not None:
        tasks = [t for t in tasks if t.data.get("organisation") == organisation.pk]
    [task] = tasks
    return task


def _calendar(message: Message) -> icalendar.Calendar:
    assert message.attachment_type.startswith("text/calendar")
    return icalendar.Calendar.from_ical(message.attachment)


# Convening, invitations and replies ------------------------------------------------------


def test_it_gives_each_invited_department_a_reply_task_in_its_own_queue(
    convened, department, bureau, liaison, clerk
):
    reply = _task(convened, "reply", department)
    other = _task(convened, "reply", bureau)

    assert reply.owner_id is None and other.owner_id is None  # team tasks, nobody's yet
    assert reply.flow_task.is_for(liaison, reply)
    assert not reply.flow_task.is_for(clerk, reply)  # another department's
    assert other.flow_task.is_for(clerk, other)
    meeting = Meeting.objects.get(case=convened)
    assert {i.task_id for i in meeting.invitations.all()} == {reply.pk, other.pk}
    # Each department now takes part in the case, and its reply clock runs.
    assert convened.participants.filter(organisation=department).exists()
    clocks = Deadline.objects.filter(case=convened, kind="meeting_reply", stopped_on=None)
    assert {c.holder_organisation for c in clocks} == {department, bureau}


def test_it_mails_each_liaison_an_icalendar_invitation_in_beijing_time(convened, liaison):
    message = Message.objects.get(recipient=liaison, kind="coordination_invitation")
    event = _calendar(message).walk("VEVENT")[0]
    meeting = Meeting.objects.get(case=convened)

    assert b"METHOD:REQUEST" in message.attachment.encode()
    assert "DTSTART;TZID=Asia/Shanghai:" in message.attachment
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTSTART").hour == 9 and event["SEQUENCE"] == 0
    assert str(event["UID"]) == f"meeting-{meeting.pk}@qiaowei.invalid"
    assert "09:30" in message.body  # Beijing time, the liaison's own zone


def test_it_sends_an_update_with_the_same_uid_when_the_meeting_moves(convened, officer, liaison):
    meeting = Meeting.objects.get(case=convened)
    later = meeting.starts_at + datetime.timedelta(days=1, hours=5)  # 14:30 the next day

    services.move_meeting(
        meeting_pk=meeting.pk,
        actor=officer,
        starts_at=later,
        duration_minutes=90,
        place="",
        online_link="https://meeting.example.cn/abc",
    )

    update = Message.objects.get(recipient=liaison, kind="coordination_update")
    event = _calendar(update).walk("VEVENT")[0]
    assert event["SEQUENCE"] == 1
    assert str(event["UID"]) == f"meeting-{meeting.pk}@qiaowei.invalid"
    assert event.decoded("DTSTART") == later
    assert "T143000" in update.attachment
    assert str(event["LOCATION"]) == "https://meeting.example.cn/abc"


def test_it_shows_a_guest_abroad_the_time_in_their_own_zone_beside_beijing_time(convened, liaison):
    liaison.time_zone = "America/Toronto"
    liaison.save()
    from cases.notifications import render_message

    meeting = Meeting.objects.get(case=convened)
    _subject, body = render_message(
        liaison,
        "coordination_invitation",
        {"case": convened, "meeting": meeting, "department": "", "beijing": "Asia/Shanghai"},
    )
    toronto = meeting.starts_at.astimezone(ZoneInfo("America/Toronto"))
    assert f"{toronto:%Y-%m-%d %H:%M}" in body  # their time
    assert "09:30" in body  # and Beijing time beside it


def test_it_records_a_confirmation_and_stops_the_reply_clock(convened, do, liaison, department):
    case = do(
        convened,
        "reply",
        {"answer": "confirm", "attendees": "张伟 副局长", "position": "同意现场勘界。"},
        user=liaison,
        form=True,
    )

    invitation = Invitation.objects.get(organisation=department)
    assert invitation.status == "confirmed"
    assert invitation.attendees == "张伟 副局长" and invitation.position == "同意现场勘界。"
    assert invitation.answered_by == liaison
    clock = Deadline.objects.get(case=case, kind="meeting_reply", holder_organisation=department)
    assert clock.stopped_on is not None
    assert case.events.filter(kind="meeting_replies").exists()


def test_it_asks_a_decline_for_its_reason(convened, department, liaison):
    invitation = Invitation.objects.get(organisation=department)
    with pytest.raises(ValidationError, match=r"reason|原因"):
        services.reply(invitation_pk=invitation.pk, actor=liaison, answer="decline")


def test_it_refuses_a_reply_from_another_department(convened, department, clerk):
    invitation = Invitation.objects.get(organisation=department)
    with pytest.raises(PermissionDenied):
        services.reply(invitation_pk=invitation.pk, actor=clerk, answer="confirm", attendees="冒名")


def test_it_hands_the_reply_to_a_colleague(convened, do, department, liaison, colleague):
    invitation = Invitation.objects.get(organisation=department)
    services.delegate_reply(invitation_pk=invitation.pk, actor=liaison, to=colleague)

    task = _task(convened, "reply", department)
    assert task.owner == colleague
    assert Invitation.objects.get(pk=invitation.pk).delegated_to == colleague
    do(convened, "reply", {"answer": "decline", "reason": "另有公务"}, user=colleague, form=True)
    assert Invitation.objects.get(pk=invitation.pk).status == "declined"


def test_it_hands_a_reply_only_to_a_liaison_of_the_same_department(
    convened, department, liaison, clerk
):
    invitation = Invitation.objects.get(organisation=department)
    with pytest.raises(ValidationError):
        services.delegate_reply(invitation_pk=invitation.pk, actor=liaison, to=clerk)


def test_it_refuses_a_meeting_in_the_past_or_without_a_place(coordinating, do, department):
    from workflows.services import complete_task

    task = _task(coordinating, "convene")
    from mediation.coordination.forms import ConveneForm

    past = ConveneForm(meeting_data(department, days_ahead=-3), case=coordinating, user=task.owner)
    assert past.is_valid()
    with pytest.raises(ValidationError):
        complete_task(task_id=task.pk, user=task.owner, data=past.cleaned_data)
    nowhere = ConveneForm(meeting_data(department, place=""), case=coordinating, user=task.owner)
    assert not nowhere.is_valid()
    assert nowhere.non_field_errors()


# The minutes and the 会议纪要 --------------------------------------------------------------


@pytest.fixture
def replied(convened, do, liaison, clerk, department, bureau):
    case = do(
        convened, "reply", {"answer": "confirm", "attendees": "张伟"}, user=liaison, form=True
    )
    case = do(case, "reply", {"answer": "decline", "reason": "另有公务"}, user=clerk, form=True)
    held(case)
    return case


def test_it_waits_for_every_reply_before_the_minutes(convened, do, liaison):
    case = do(
        convened, "reply", {"answer": "confirm", "attendees": "张伟"}, user=liaison, form=True
    )
    names = [t.flow_task.name for t in open_tasks(case)]
    assert names == ["reply"]  # the bureau's; the minutes wait for the join


def test_it_issues_the_minutes_with_their_lists_and_decisions(replied, do, department, officer):
    data = minutes_data(
        replied,
        (department, "核实墓地周边土地权属", 10, officer),
        attended="张伟，紫金县自然资源局，副局长\n李芳，紫金县侨联",
    )
    data["non_voting"] = "李明，河源市侨联法律顾问委员会，律师"
    data["excused"] = "赵敏，紫金县信访局"
    case = do(replied, "minutes", data, form=True)

    meeting = Meeting.objects.get(case=case)
    assert meeting.status == "finalised"
    minutes = meeting.minutes
    assert minutes.kind == "meeting_minutes" and "纪〔" in minutes.number
    snapshot = minutes.snapshot["meeting"]
    assert [p["name"] for p in snapshot["attended"]] == ["张伟", "李芳"]
    assert snapshot["attended"][0] == {
        "name": "张伟",
        "organisation": "紫金县自然资源局",
        "title": "副局长",
    }
    assert [p["name"] for p in snapshot["non_voting"]] == ["李明"]
    assert [p["name"] for p in snapshot["excused"]] == ["赵敏"]
    assert snapshot["agenda"][0]["number"] == "一"
    assert snapshot["agenda"][0]["decisions"] == [
        "果园扩建是否侵害墓地及通行：由相关部门依职责处理。"
    ]
    [action] = snapshot["actions"]
    item = ActionItem.objects.get()
    assert (
        action["due_on"]
        == f"{item.clock.due_on.year}年{item.clock.due_on.month}月{item.clock.due_on.day}日"
    )
    assert item.clock.holder_organisation == department


def test_it_refuses_minutes_without_a_decision_on_every_item(replied, do):
    data = minutes_data(replied)
    first = next(k for k in data if k.startswith("decisions_"))
    data[first] = ""
    with pytest.raises(ValidationError):
        do(replied, "minutes", data, form=True)
    assert Meeting.objects.get(case=replied).status == "convened"


def test_it_takes_corrections_to_the_draft_and_reissues_final_minutes(
    replied, do, officer, liaison, department
):
    meeting = Meeting.objects.get(case=replied)
    form_data = minutes_data(replied)
    from mediation.coordination.forms import MinutesForm

    form = MinutesForm(form_data, case=replied, user=officer)
    assert form.is_valid(), form.errors
    services.save_minutes(
        meeting_pk=meeting.pk,
        actor=officer,
        sign_in=form.cleaned_data["sign_in"],
        items=form.cleaned_data["items"],
        actions=[],
    )
    services.send_draft(meeting_pk=meeting.pk, actor=officer)
    assert Message.objects.filter(recipient=liaison, kind="coordination_draft").exists()
    services.note_correction(
        meeting_pk=meeting.pk, actor=liaison, organisation=department, text="张伟职务为副局长"
    )
    case = do(replied, "minutes", form_data, form=True)
    first = Meeting.objects.get(case=case).minutes
    services.note_correction(
        meeting_pk=meeting.pk, actor=liaison, organisation=department, text="补充列席人员"
    )

    services.reissue_minutes(meeting_pk=meeting.pk, actor=officer)

    second = Meeting.objects.get(pk=meeting.pk).minutes
    assert second.version == 2 and second.number == first.number
    assert second.replaces_id == first.pk
    assert "补充列席人员" in second.snapshot["correction_reason"]


# Action items: state machine, clocks, join, override --------------------------------------


@pytest.fixture
def with_actions(replied, do, department, bureau, officer):
    data = minutes_data(
        replied,
        (department, "核实墓地周边土地权属", 5, officer),
        (bureau, "向宗亲会书面答复信访事项", 3, officer),
    )
    return do(replied, "minutes", data, form=True)


def test_it_gives_each_action_item_to_its_department_and_waits_for_all(
    with_actions, do, liaison, clerk, department, bureau
):
    acts = [t for t in open_tasks(with_actions) if t.flow_task.name == "act"]
    assert {t.data["organisation"] for t in acts} == {department.pk, bureau.pk}
    assert with_actions.status == "coordinating"

    case = do(with_actions, "act", {"text": "已核实"}, user=liaison, form=True)
    assert [t.flow_task.name for t in open_tasks(case)] == ["act"]  # the bureau's still
    assert case.status == "coordinating"


def test_it_moves_an_item_through_its_states(with_actions, do, liaison, department, officer):
    item = ActionItem.objects.get(organisation=department)
    assert item.status == "open"
    services.report_action(item_pk=item.pk, actor=liaison, text="已安排现场勘界")
    assert ActionItem.objects.get(pk=item.pk).status == "in_progress"
    do(with_actions, "act", {"text": "已核实并出具意见"}, user=liaison, form=True)
    item = ActionItem.objects.get(pk=item.pk)
    assert item.status == "done" and item.accepted_at is None
    assert [r.done for r in item.reports.all()] == [False, True]


def test_it_escalates_an_overdue_item_to_the_departments_head_and_the_supervisor(
    with_actions, department, head, supervisor, django_capture_on_commit_callbacks
):
    item = ActionItem.objects.get(organisation=department)
    supervisor.email = "supervisor@example.cn"
    supervisor.save()
    after = item.clock.due_on + datetime.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        fired = fire_clocks(today=after)

    assert fired["escalations"] >= 1
    item = ActionItem.objects.get(pk=item.pk)
    assert item.status == "overdue"
    told = set(
        Message.objects.filter(kind="escalation").values_list("recipient__username", flat=True)
    )
    assert {"head", supervisor.username} <= told


def test_it_sends_back_an_item_the_officer_rejects(
    with_actions, do, liaison, clerk, department, bureau
):
    case = do(with_actions, "act", {"text": "已核实"}, user=liaison, form=True)
    case = do(case, "act", {"text": "已答复"}, user=clerk, form=True)
    rejected = ActionItem.objects.get(organisation=department)
    accepted = ActionItem.objects.get(organisation=bureau)
    data = {
        f"verdict_{rejected.pk}": "reject",
        f"reason_{rejected.pk}": "未附勘界图",
        f"verdict_{accepted.pk}": "accept",
    }
    case = do(case, "check_actions", data, form=True)

    rejected, accepted = (
        ActionItem.objects.get(pk=rejected.pk),
        ActionItem.objects.get(pk=accepted.pk),
    )
    assert rejected.status == "open" and rejected.reason == "未附勘界图"
    assert accepted.is_settled
    [act] = [t for t in open_tasks(case) if t.flow_task.name == "act"]
    assert act.data["organisation"] == department.pk  # back with its department only
    case = do(case, "act", {"text": "补附勘界图"}, user=liaison, form=True)
    case = do(case, "check_actions", {f"verdict_{rejected.pk}": "accept"}, form=True)
    assert case.status == "coordinating"
    assert [t.flow_task.name for t in open_tasks(case)] == ["outcome"]


def test_it_lets_the_supervisor_go_on_without_open_items(
    with_actions, do, supervisor, officer, department
):
    with pytest.raises(PermissionDenied):
        services.override(case=with_actions, actor=officer, reason="时间紧")

    count = services.override(case=with_actions, actor=supervisor, reason="部门逾期，先行调解")

    assert count == 2
    assert set(ActionItem.objects.values_list("status", flat=True)) == {"overridden"}
    entry = with_actions.events.filter(kind="action_item").latest("pk")
    assert "部门逾期，先行调解" in entry.text
    assert [t.flow_task.name for t in open_tasks(with_actions)] == ["check_actions"]
    case = do(with_actions, "check_actions", {}, form=True)
    assert [t.flow_task.name for t in open_tasks(case)] == ["outcome"]


def test_it_convenes_another_meeting_when_the_officer_asks(replied, do, department):
    data = {**minutes_data(replied), "another_meeting": True}
    case = do(replied, "minutes", data, form=True)
    assert [t.flow_task.name for t in open_tasks(case)] == ["convene"]


# What each department sees ----------------------------------------------------------------


def test_it_shows_a_department_only_its_own_meeting_reply_and_items(
    with_actions, client, liaison, department, bureau
):
    meeting = Meeting.objects.get(case=with_actions)
    client.force_login(liaison)

    page = client.get(reverse("coordination:meeting", args=[meeting.pk]))
    assert page.status_code == 200
    assert [i.organisation for i in page.context["meeting"].shown_invitations] == [department]
    assert {a.organisation for a in page.context["meeting"].shown_actions} == {department}
    items = client.get(reverse("coordination:items"))
    assert {i.organisation for i in items.context["open_items"]} == {department}


def test_it_hides_the_meeting_from_a_department_not_invited(convened, client):
    outsider_department = OrganisationFactory(
        name="紫金县住房和城乡建设局", kind=Organisation.Kind.DEPARTMENT
    )
    stranger = UserFactory(
        username="stranger", roles=[(outsider_department, Role.DEPARTMENT_LIAISON)]
    )
    meeting = Meeting.objects.get(case=convened)
    client.force_login(stranger)
    assert client.get(reverse("coordination:meeting", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("coordination:calendar", args=[meeting.pk])).status_code == 404
    invitation = meeting.invitations.first()
    response = client.post(reverse("coordination:position", args=[invitation.pk]), {"text": "冒名"})
    assert response.status_code == 404


def test_it_records_the_meeting_on_the_timeline(convened):
    entry = CaseEvent.objects.filter(case=convened, kind="meeting").latest("pk")
    assert "谭氏祖坟纠纷多部门协调会" in entry.text
    assert "紫金县信访局" in entry.text


def test_it_cancels_a_meeting_not_yet_held_when_the_case_is_withdrawn(convened, officer, liaison):
    from workflows import lifecycle

    lifecycle.withdraw_case(
        case=convened, actor=officer, channel="letter", statement="宗亲会来函撤回"
    )

    meeting = Meeting.objects.get(case=convened)
    assert meeting.status == "cancelled" and meeting.sequence == 1
    cancellation = Message.objects.get(recipient=liaison, kind="coordination_cancelled")
    event = _calendar(cancellation).walk("VEVENT")[0]
    assert "METHOD:CANCEL" in cancellation.attachment
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 1
    assert not [t for t in open_tasks(convened) if t.flow_task.name == "reply"]


def test_it_offers_the_meeting_as_a_calendar_file_to_whoever_may_open_it(convened, client, liaison):
    meeting = Meeting.objects.get(case=convened)
    client.force_login(liaison)

    response = client.get(reverse("coordination:calendar", args=[meeting.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == meeting.starts_at


def test_it_answers_a_draft_for_final_minutes_with_a_message(with_actions, client, officer):
    meeting = Meeting.objects.get(case=with_actions)
    client.force_login(officer)

    response = client.post(reverse("coordination:draft", args=[meeting.pk]), {"attended": "张伟"})

    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == "finalised"
    assert [str(m) for m in response.wsgi_request._messages] == ["本次会议的纪要已定稿。"]
