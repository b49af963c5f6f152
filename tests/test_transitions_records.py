"""States change through transitions, results are records ([Q6b] item 5).

A document's rendering and a message's sending status are protected FSM fields: only the
declared transitions move them, and none leaves ready/sent or failed. The outcome step
stores an ``Outcome`` record (the case's status change stays on its timeline).
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from cases import mail
from cases.models import Case, CaseStatus, Message
from documents import services as document_services
from documents.models import Document
from workflows import steps
from workflows.models import CaseProcess, Outcome

# Document.rendering ----------------------------------------------------------------------


def test_it_refuses_a_direct_assignment_of_a_document_s_rendering(case):
    document = case.documents.get()

    with pytest.raises(AttributeError):
        document.rendering = Document.Rendering.READY


def test_it_renders_a_pending_document_through_its_transition(case):
    document = document_services.render_document(document_id=case.documents.get().pk)

    assert document.rendering == Document.Rendering.READY
    assert document.rendered_at is not None and document.failure == ""


def test_it_lets_nothing_take_a_ready_document_back(case):
    document = document_services.render_document(document_id=case.documents.get().pk)

    assert list(document.get_available_rendering_transitions()) == []
    with pytest.raises(TransitionNotAllowed):
        document.mark_failed("late")
    with pytest.raises(TransitionNotAllowed):
        document.mark_ready()


def test_it_reloads_a_document_whose_rendering_changed_elsewhere(case):
    stale = case.documents.get()
    document_services.render_document(document_id=stale.pk)

    stale.refresh_from_db()  # the protected field is reloaded, not refused

    assert stale.rendering == Document.Rendering.READY


def test_it_keeps_a_ready_document_ready_when_a_late_failure_comes(case):
    document = document_services.render_document(document_id=case.documents.get().pk)

    document_services.mark_render_failed(document_id=document.pk, reason="worker lost")

    document.refresh_from_db()
    assert (document.rendering, document.failure) == (Document.Rendering.READY, "")


def test_it_keeps_the_first_reason_a_render_failed(case):
    document = case.documents.get()

    document_services.mark_render_failed(document_id=document.pk, reason="ValueError: first")
    document_services.mark_render_failed(document_id=document.pk, reason="OSError: second")

    document.refresh_from_db()
    assert (document.rendering, document.failure) == (
        Document.Rendering.FAILED,
        "ValueError: first",
    )


def test_it_leaves_a_document_given_up_on_failed_when_woken_again(case):
    document = case.documents.get()
    Document.objects.filter(pk=document.pk).update(attempts=document_services.MAX_RENDER_ATTEMPTS)
    assert document_services.begin_render(document_id=document.pk) is False

    rendered = document_services.render_document(document_id=document.pk)

    assert rendered.rendering == Document.Rendering.FAILED
    assert not rendered.file


# Message.status --------------------------------------------------------------------------


def _message(case, officer) -> Message:
    # Queued inside the test's transaction, which never commits: no worker sends it.
    officer.email = "officer@example.cn"
    officer.save(update_fields=["email"])
    return mail.queue_message(
        recipient=officer, kind="test", subject="新任务", body="请处理。", case=case
    )


def test_it_refuses_a_direct_assignment_of_a_message_s_status(case, officer):
    message = _message(case, officer)

    with pytest.raises(AttributeError):
        message.status = Message.Status.SENT


def test_it_sends_a_message_through_its_transition_and_never_again(case, officer, mailoutbox):
    sent = mail.send_message(message_id=_message(case, officer).pk)

    assert sent.status == Message.Status.SENT and sent.sent_at is not None
    assert list(sent.get_available_status_transitions()) == []
    with pytest.raises(TransitionNotAllowed):
        sent.mark_failed("late")
    assert mail.send_message(message_id=sent.pk).status == Message.Status.SENT
    assert len(mailoutbox) == 1


def test_it_reloads_a_message_whose_status_changed_elsewhere(case, officer):
    stale = _message(case, officer)
    mail.send_message(message_id=stale.pk)

    stale.refresh_from_db()

    assert stale.status == Message.Status.SENT


def test_it_fails_a_message_only_from_pending(case, officer):
    message = _message(case, officer)
    message.mark_failed("SMTPServerDisconnected: gone")

    assert message.status == Message.Status.FAILED
    with pytest.raises(TransitionNotAllowed):
        message.mark_sent()


# The outcome record ----------------------------------------------------------------------


@pytest.fixture
def at_outcome(case, do):
    """An accepted case in mediation, where the outcome is recorded. Put there directly:
    the route to the outcome is the flow's, and these tests are about the completion."""
    do(case, "screen", {"notes": "事实清楚，属本会职责"})
    do(case, "decide", {"decision": "accept", "reason": ""})
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.MEDIATING)
    case = Case.objects.get(pk=case.pk)
    return case, CaseProcess.objects.get(case=case)


def test_it_refuses_an_outcome_without_its_form_s_data(at_outcome, officer):
    case, process = at_outcome

    with pytest.raises(ValidationError) as error:
        steps.outcome(case, officer, {}, process)

    assert error.value.error_list[0].code == "result_required"
    assert "请登记办理结果" in error.value.messages[0]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.MEDIATING
    assert not Outcome.objects.exists()


def test_it_refuses_an_unresolved_outcome_without_its_route_forward(at_outcome, officer):
    case, process = at_outcome

    with pytest.raises(ValidationError) as error:
        steps.outcome(case, officer, {"result": "unresolved"}, process)

    assert error.value.error_list[0].code == "route_forward_required"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.MEDIATING
    assert not Outcome.objects.exists()


def test_it_shows_the_completion_s_refusal_next_to_the_field(at_outcome, officer):
    case, process = at_outcome
    form = steps.OutcomeForm({}, case=case, user=officer)
    form.is_valid()
    with pytest.raises(ValidationError) as error:
        steps.outcome(case, officer, {}, process)

    form.add_service_error(error.value)

    assert "请登记办理结果：已化解或未化解。" in form.errors["result"]


def test_it_records_a_settled_outcome(at_outcome, officer):
    case, process = at_outcome
    yesterday = timezone.localdate() - timedelta(days=1)

    steps.outcome(
        case,
        officer,
        {
            "result": "settled",
            "agreement_on": yesterday,
            "route_forward": "",
            "notes": " 已签协议 ",
        },
        process,
    )

    record = Outcome.objects.get(process=process)
    assert (record.case, record.result, record.agreement_on, record.route_forward) == (
        case,
        Outcome.Result.SETTLED,
        yesterday,
        "",
    )
    assert (record.notes, record.recorded_by) == ("已签协议", officer)
    assert record.recorded_at is not None
    # The status change stays the case's timeline entry.
    assert case.events.get(transition="settle").reason == "已签协议"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SETTLED


def test_it_records_an_unresolved_outcome_with_its_route_forward(at_outcome, officer):
    case, process = at_outcome

    steps.outcome(
        case,
        officer,
        {"result": "unresolved", "agreement_on": None, "route_forward": "arbitration"},
        process,
    )

    record = process.outcome
    assert (record.result, record.route_forward, record.agreement_on) == (
        Outcome.Result.UNRESOLVED,
        Outcome.RouteForward.ARBITRATION,
        None,
    )
    assert case.events.get(transition="mark_unresolved").reason == "申请仲裁。"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.UNRESOLVED
