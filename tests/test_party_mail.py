"""[Q8] item 7, reaching parties abroad: a party who gave an e-mail address and consented
is sent each notice meant for them by e-mail, in their language, its PDF attached; nobody
else is sent anything. Intake records a complaint that came by e-mail as such."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cases import selectors
from cases.mail import MessageAttachment, queue_message
from cases.models import Case, CaseEvent, Consent, Message, Party
from cases.notifications import notify_party
from cases.services import PartyInput, record_consent
from documents import delivery
from documents.models import Document, DocumentKind
from documents.services import render_document

from .factories import PersonFactory
from .test_registration_form import REGISTER, _registration

E_SERVICE = Consent.Purpose.ELECTRONIC_SERVICE
ABROAD = Consent.Purpose.CROSS_BORDER
ADDRESS = "wong.meiling@example.ca"


@pytest.fixture
def vancouver(city):
    """The claimant in Vancouver who asked to be answered by e-mail; she reads English."""
    return PersonFactory(
        name_zh="黄美玲",
        name_latin="Wong Mei Ling",
        identity="huaqiao",
        nationality="CN",
        residence_country="CA",
        time_zone="America/Vancouver",
        preferred_language="en",
        email=ADDRESS,
        registered_by=city,
    )


@pytest.fixture
def complaint(intake, vancouver):
    """Her complaint, which came by e-mail."""
    return intake(
        channel=Case.Channel.EMAIL,
        parties=[PartyInput(role=Party.Role.CLAIMANT, person=vancouver)],
    )


@pytest.fixture
def consent(officer):
    def record(party, *purposes, given=True):
        for purpose in purposes:
            record_consent(
                case=party.case,
                actor=officer,
                party=party,
                purpose=purpose,
                given=given,
                how=Consent.How.EMAIL,
                given_by=str(party.subject),
            )

    return record


@pytest.fixture
def accept(do):
    """Accept the case: its 受理通知书 and 权利义务告知书 are issued, still to render."""

    def accept(case):
        case = do(case, "screen", {"notes": "事实清楚"})
        return do(case, "decide", {"decision": "accept", "reason": ""})

    return accept


@pytest.fixture
def render(django_capture_on_commit_callbacks):
    """Render a document as the worker does; what it queued in the outbox is sent."""

    def render(case, kind=DocumentKind.ACCEPTANCE_NOTICE):
        document = case.documents.get(kind=kind)
        with django_capture_on_commit_callbacks(execute=True):
            return render_document(document_id=document.pk)

    return render


def claimant_of(case) -> Party:
    return case.parties.get(role=Party.Role.CLAIMANT)


def sent_entries(case) -> list[CaseEvent]:
    return list(
        case.events.filter(kind=CaseEvent.Kind.COMMUNICATION, channel=CaseEvent.Channel.EMAIL)
    )


# A party abroad who consented ---------------------------------------------------------


def test_a_party_abroad_is_sent_the_acceptance_notice_in_english_with_its_pdf(
    complaint, consent, accept, render
):
    party = claimant_of(complaint)
    consent(party, E_SERVICE, ABROAD)
    case = accept(complaint)

    notice = render(case)

    [email] = mail.outbox
    assert email.to == [ADDRESS]
    assert (
        email.subject == f"Notice of acceptance (受理通知书) {notice.number} of case {case.number}"
    )
    assert email.body.startswith("Dear Wong Mei Ling,")
    assert f"sends you the Notice of acceptance (受理通知书) {notice.number}" in email.body
    [(name, content, content_type)] = email.attachments
    assert name == f"Notice of acceptance (受理通知书) {notice.number}.pdf"
    assert content_type == "application/pdf"
    assert content.startswith(b"%PDF")
    with notice.file.open("rb") as file:
        assert content == file.read()
    message = Message.objects.get(party=party)
    assert (message.recipient, message.status) == (None, Message.Status.SENT)
    assert message.reference == f"document:{notice.pk}"


def test_the_timeline_says_what_was_sent_to_whom_by_name_only(complaint, consent, accept, render):
    consent(claimant_of(complaint), E_SERVICE, ABROAD)
    case = accept(complaint)

    notice = render(case)

    [entry] = sent_entries(case)
    assert entry.actor is None
    assert entry.counterpart == "黄美玲 (Wong Mei Ling)"
    with translation.override("en"):
        assert entry.text == (
            f"Acceptance notice (受理通知书) {notice.number} sent by e-mail to "
            "黄美玲 (Wong Mei Ling), its PDF attached."
        )
    assert ADDRESS not in entry.summary and ADDRESS not in entry.counterpart


def test_the_case_page_lists_the_notice_to_the_party(
    complaint, consent, accept, render, officer_client
):
    consent(claimant_of(complaint), E_SERVICE, ABROAD)
    case = accept(complaint)
    render(case)

    page = officer_client.get(reverse("workflows:case", args=[case.pk])).content.decode()

    assert "黄美玲 (Wong Mei Ling)" in page and ADDRESS in page


def test_the_admin_shows_a_notice_to_a_party(complaint, consent, accept, render, admin_client):
    consent(claimant_of(complaint), E_SERVICE, ABROAD)
    render(accept(complaint))
    message = Message.objects.get()

    listing = admin_client.get(reverse("admin:cases_message_changelist"))
    page = admin_client.get(reverse("admin:cases_message_change", args=[message.pk]))

    assert listing.status_code == page.status_code == 200
    assert ADDRESS in page.content.decode()


# Nobody is sent anything without their consent -----------------------------------------


def test_nothing_is_sent_to_a_party_who_did_not_consent_to_notices_by_email(
    complaint, consent, accept, render
):
    party = claimant_of(complaint)
    consent(party, ABROAD)  # documents may go abroad, but not by e-mail
    case = accept(complaint)

    render(case)

    assert mail.outbox == [] and not Message.objects.filter(party=party).exists()
    assert sent_entries(case) == []
    with translation.override("en"):
        assert selectors.why_not_by_email(party) == "No consent to notices by e-mail."


def test_nothing_goes_abroad_without_consent_to_sending_documents_there(
    complaint, consent, accept, render
):
    party = claimant_of(complaint)
    consent(party, E_SERVICE)
    case = accept(complaint)

    render(case)

    assert mail.outbox == [] and sent_entries(case) == []
    with translation.override("en"):
        assert selectors.why_not_by_email(party) == (
            "Lives outside mainland China, with no consent to documents being sent there."
        )


def test_a_party_in_china_needs_no_consent_to_sending_documents_abroad(city, intake, consent):
    person = PersonFactory(
        residence_country="CN", time_zone="Asia/Shanghai", email="a@example.cn", registered_by=city
    )
    case = intake(parties=[PartyInput(role=Party.Role.CLAIMANT, person=person)])
    party = claimant_of(case)

    consent(party, E_SERVICE)

    assert selectors.reachable_by_email(party)


def test_a_party_without_an_address_is_sent_nothing(complaint, consent, vancouver):
    vancouver.email = ""
    vancouver.save()
    party = claimant_of(complaint)
    consent(party, E_SERVICE, ABROAD)

    assert notify_party(party=party, name=delivery.NOTICE, context={}) is None
    assert selectors.why_not_by_email(party) != ""


def test_a_withdrawn_consent_stops_the_later_notices(complaint, consent, accept, render):
    party = claimant_of(complaint)
    consent(party, E_SERVICE, ABROAD)
    case = accept(complaint)
    render(case)

    consent(party, E_SERVICE, given=False)
    render(case, DocumentKind.RIGHTS_NOTICE)

    assert [email.subject.split(" (")[0] for email in mail.outbox] == ["Notice of acceptance"]
    assert Message.objects.filter(party=party).count() == 1


# Once only ------------------------------------------------------------------------------


def test_a_second_render_sends_nothing_again(complaint, consent, accept, render):
    consent(claimant_of(complaint), E_SERVICE, ABROAD)
    case = accept(complaint)
    notice = render(case)

    render(case)  # the wake-up delivered twice: the document is ready, nothing is done
    assert delivery.send_to_parties(notice) == []  # and sent, were it asked again

    assert len(mail.outbox) == 1 and len(sent_entries(case)) == 1


def test_a_stage_sends_its_document_to_one_party_once(complaint, consent, accept, render, officer):
    party = claimant_of(complaint)
    case = accept(complaint)
    notice = render(case)  # nobody consented yet: nothing was sent
    consent(party, E_SERVICE, ABROAD)

    [message] = delivery.send_to_party(notice, party, actor=officer)
    again = delivery.send_to_party(notice, party, actor=officer)

    assert (
        message.attachment_name.endswith(".pdf") and bytes(message.attachment_data)[:4] == b"%PDF"
    )
    assert again == []
    [entry] = sent_entries(case)
    assert entry.actor == officer


def test_a_stage_cannot_send_a_document_still_being_prepared(complaint, consent, accept):
    party = claimant_of(complaint)
    consent(party, E_SERVICE, ABROAD)
    case = accept(complaint)
    pending = case.documents.get(kind=DocumentKind.ACCEPTANCE_NOTICE)

    with pytest.raises(ValidationError):
        delivery.send_to_party(pending, party)
    assert pending.rendering == Document.Rendering.PENDING


# Languages and who acts for whom ------------------------------------------------------


def test_a_reader_of_chinese_is_sent_the_email_in_chinese(intake, city, consent, accept, render):
    person = PersonFactory(
        name_zh="曾秀英",
        name_latin="",
        residence_country="CN",
        time_zone="Asia/Shanghai",
        preferred_language="zh-hans",
        email="zeng@example.cn",
        registered_by=city,
    )
    case = intake(parties=[PartyInput(role=Party.Role.CLAIMANT, person=person)])
    consent(claimant_of(case), E_SERVICE)
    case = accept(case)

    notice = render(case)

    [email] = mail.outbox
    assert f"受理通知书 {notice.number}" in email.subject
    assert "Notice of acceptance" not in email.subject + email.body
    assert email.body.startswith("曾秀英：")
    [(name, _content, _type)] = email.attachments
    assert name == f"受理通知书 {notice.number}.pdf"


def test_a_reader_of_traditional_chinese_is_sent_the_email_without_error(
    complaint, consent, vancouver
):
    vancouver.preferred_language = "zh-hant"
    vancouver.save()
    party = claimant_of(complaint)
    consent(party, E_SERVICE, ABROAD)

    message = notify_party(
        party=party,
        name=delivery.NOTICE,
        context={"document_title": "受理通知书", "case_number": complaint.number},
    )

    assert message is not None and "受理通知书" in message.subject


def test_an_association_is_sent_the_notice_through_its_representative(
    intake, association, claimant, consent, accept, render
):
    claimant.email = "tham@example.my"
    claimant.save()
    case = intake(parties=[PartyInput(role=Party.Role.CLAIMANT, association=association)])
    body = claimant_of(case)
    agent = case.parties.get(on_behalf_of=body)
    consent(agent, E_SERVICE, ABROAD)
    case = accept(case)

    render(case)

    assert [email.to for email in mail.outbox] == [["tham@example.my"]]
    assert Message.objects.get().party == agent
    assert selectors.reachable_by_email(body)
    assert selectors.email_recipients(body) == [agent]


def test_an_association_whose_representatives_did_not_consent_is_sent_nothing(
    intake, association, claimant, consent
):
    claimant.email = "tham@example.my"
    claimant.save()
    case = intake(parties=[PartyInput(role=Party.Role.CLAIMANT, association=association)])
    body = claimant_of(case)
    consent(body, E_SERVICE, ABROAD)  # the association's own: no address of a person

    assert notify_party(party=body, name=delivery.NOTICE, context={}) is None
    assert not selectors.reachable_by_email(body)


# The outbox -------------------------------------------------------------------------------


def test_a_message_goes_to_a_user_or_to_a_party(complaint, officer):
    party = claimant_of(complaint)
    for to in ({}, {"recipient": officer, "party": party}):
        with pytest.raises(ValueError):
            queue_message(kind="x", subject="s", body="b", **to)

    text = queue_message(
        recipient=officer,
        kind="x",
        subject="s",
        body="b",
        attachment=MessageAttachment("invite.ics", "BEGIN:VCALENDAR", "text/calendar"),
    )
    assert (text.attachment, bytes(text.attachment_data)) == ("BEGIN:VCALENDAR", b"")


# Intake -----------------------------------------------------------------------------------


def test_intake_records_a_complaint_that_came_by_email(officer_client, city):
    form = officer_client.get(reverse(REGISTER)).content.decode()
    assert '<option value="email">' in form

    response = officer_client.post(reverse(REGISTER), _registration(city, channel="email"))

    assert response.status_code == 302
    assert Case.objects.get().channel == Case.Channel.EMAIL
