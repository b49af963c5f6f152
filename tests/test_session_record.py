"""[Q8] item 5, the 调解笔录: the mediator writes the record of a session (who attended, the
statements, the proposals and the answers to them, a summary), issues it as a PDF rendered for
real, and the attendees confirm it or comment on it through their own links, each answer with
the SHA-256 of the PDF they saw. Proposals are one thread per case: round two starts where
round one ended. The issued record fills the case file's "7 调解记录"."""

from __future__ import annotations

import datetime
import hashlib
import re
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import links
from cases.models import CaseEvent, Deadline, Party, PartyLink, Role
from documents.casefile import contents
from documents.models import Document
from documents.services import render_document
from mediation.sessions import kinds, portal, record_selectors, records
from mediation.sessions.models import (
    Assignment,
    Attendee,
    MediationSession,
    Mediator,
    Proposal,
    RecordResponse,
    SessionRecord,
)
from workflows import stages

from .factories import PersonFactory, UserFactory
from .test_session_record_print import PAGE_NUMBER

STATEMENTS = (
    "申请人代理人谭永康陈述：谭氏祖坟建于清代，2022年起被申请人扩建果园，占用墓地周边土地。\n"
    "被申请人谭伯华陈述：愿意让出通道，但要求对已种果树给予适当补偿。"
)
OFFER = "被申请人让出宽一点五米的祭扫通道，申请人补偿果树损失人民币三千元。"


# The people and the sessions -----------------------------------------------------------


@pytest.fixture
def mediator(city):
    user = UserFactory(
        username="mediator",
        display_name="黄志明",
        first_name="志明",
        last_name="黄",
        roles=[(city, Role.MEDIATOR)],
    )
    return Mediator.objects.create(user=user, organisation=city, languages=["zh-hans"])


@pytest.fixture
def serving(case, mediator, officer):
    assignment = Assignment.objects.create(case=case, mediator=mediator, assigned_by=officer)
    assignment.declare_no_conflict()
    assignment.save()
    return mediator.user


@pytest.fixture
def applicant(case):
    """The claimant of conftest's case, a party."""
    return case.parties.get(role=Party.Role.CLAIMANT)


@pytest.fixture
def respondent(case, city):
    person = PersonFactory(
        name_zh="谭伯华",
        name_latin="",
        nationality="CN",
        residence_country="CN",
        time_zone="Asia/Shanghai",
        registered_by=city,
    )
    return Party.objects.create(case=case, role=Party.Role.RESPONDENT, person=person)


@pytest.fixture
def third_party(case, city):
    """A party of the case invited to no session."""
    person = PersonFactory(name_zh="谭某", registered_by=city)
    return Party.objects.create(case=case, role=Party.Role.THIRD_PARTY, person=person)


@pytest.fixture
def session(case, serving, applicant, respondent):
    """Round ``round`` in person, begun an hour ago, with both parties and an interpreter."""

    def make(round: int = 1, **fields) -> MediationSession:
        held = MediationSession.objects.create(
            case=case,
            round=round,
            mode=fields.pop("mode", MediationSession.Mode.IN_PERSON),
            place=fields.pop("place", "紫金县侨联三楼调解室"),
            starts_at=fields.pop("starts_at", timezone.now() - datetime.timedelta(hours=1)),
            scheduled_by=serving,
            **fields,
        )
        for party in (applicant, respondent):
            Attendee.objects.create(session=held, role=Attendee.Role.PARTY, party=party)
        Attendee.objects.create(session=held, role=Attendee.Role.INTERPRETER, name="陈美玲")
        return held

    return make


def everyone(held: MediationSession, *, but: tuple = ()) -> dict[int, bool]:
    return {a.pk: a.party not in but for a in held.attendees.all()}


def write(held, actor, *, proposals=(), **fields) -> SessionRecord:
    return records.write_record(
        session_pk=held.pk,
        actor=actor,
        statements=fields.pop("statements", STATEMENTS),
        summary=fields.pop("summary", "双方同意恢复祭扫通道，分歧在于补偿数额。"),
        attended=fields.pop("attended", everyone(held)),
        proposals=list(proposals),
    )


def issued(held, actor, **fields) -> SessionRecord:
    """Written, issued and its PDF rendered, as the worker renders it."""
    write(held, actor, **fields)
    record = records.issue_record(session_pk=held.pk, actor=actor)
    render_document(document_id=record.document_id)
    record.refresh_from_db()
    return record


def pdf_text(document: Document) -> str:
    out = subprocess.run(
        ["pdftotext", "-raw", document.file.path, "-"], capture_output=True, check=True, text=True
    )
    return "".join(PAGE_NUMBER.sub("", out.stdout).split())


@pytest.fixture
def link_for(case, officer):
    def make(party: Party) -> PartyLink:
        return PartyLink.objects.create(
            case=case,
            party=party,
            language=PartyLink.Language.ZH_HANS,
            created_by=officer,
            expires_at=timezone.now() + datetime.timedelta(days=30),
        )

    return make


# Writing and issuing ----------------------------------------------------------------------


def test_the_mediator_writes_a_draft_and_saves_it_again(session, serving, respondent):
    held = session()
    record = write(held, serving, attended=everyone(held, but=(respondent,)))
    assert record.status == SessionRecord.Status.DRAFT and record.written_by == serving
    again = write(held, serving, statements="改写后的陈述。", attended=everyone(held))
    assert again.pk == record.pk and again.statements == "改写后的陈述。"
    assert all(a.attended for a in held.attendees.all())
    # The draft is on the timeline once, not at every save.
    assert CaseEvent.objects.filter(case=held.case, kind=kinds.RECORD).count() == 1


def test_only_the_serving_mediator_writes_the_record(session, officer, mediator):
    held = session()
    with pytest.raises(PermissionDenied):
        write(held, officer)
    Assignment.objects.filter(mediator=mediator).update(status=Assignment.Status.RECUSED)
    with pytest.raises(PermissionDenied):
        write(held, mediator.user)


def test_a_record_is_written_once_the_session_has_begun(session, serving):
    held = session(starts_at=timezone.now() + datetime.timedelta(hours=2))
    with pytest.raises(ValidationError) as refused:
        write(held, serving)
    assert refused.value.code == "not_begun"


def test_attendance_is_recorded_only_for_those_invited(session, serving):
    held = session()
    other = session(round=2)
    with pytest.raises(ValidationError) as refused:
        write(held, serving, attended={other.attendees.first().pk: True})
    assert refused.value.code == "attendee"


def test_issuing_needs_the_statements_and_everyones_attendance(session, serving):
    held = session()
    write(held, serving, statements="", attended={})
    with pytest.raises(ValidationError) as refused:
        records.issue_record(session_pk=held.pk, actor=serving)
    assert refused.value.code == "statements"
    write(held, serving, attended={held.attendees.first().pk: True})
    with pytest.raises(ValidationError) as refused:
        records.issue_record(session_pk=held.pk, actor=serving)
    assert refused.value.code == "attended"


def test_issuing_marks_the_session_held_starts_the_month_and_renders_the_pdf(
    session, serving, respondent
):
    held = session()
    offer = {"stance": "proposal", "text": OFFER, "party_pk": None}
    record = issued(held, serving, attended=everyone(held, but=(respondent,)), proposals=[offer])
    held.refresh_from_db()
    assert held.status == MediationSession.Status.HELD
    assert record.status == SessionRecord.Status.ISSUED
    document = record.document
    assert document.kind == kinds.SESSION_RECORD and document.number == ""  # a 笔录: no 文号
    assert document.rendering == Document.Rendering.READY
    assert document.sha256 == hashlib.sha256(document.file.read()).hexdigest()
    assert held.case.deadlines.filter(kind=Deadline.Kind.MEDIATION).exists()
    text = pdf_text(document)
    assert text.startswith("调解笔录案件名称祖坟墓地纠纷")
    assert "调解次数第一次" in text and "调解方式现场调解，地点：紫金县侨联三楼调解室" in text
    assert "调解员黄志明（河源市侨联）记录人黄志明" in text
    assert "到场人员申请人谭永康(ThamWengHong)翻译人员陈美玲未到场人员被申请人谭伯华" in text
    assert "一、当事人陈述申请人代理人谭永康陈述：谭氏祖坟建于清代" in text
    assert f"二、调解方案及各方意见（一）调解员提出调解方案：{OFFER}三、调解员小结" in text
    # Read by every participant: nobody's contact details.
    snapshot = document.snapshot
    assert "contact" not in str(snapshot["record"]) and "@" not in text
    # Written, then issued; the offer on the timeline too.
    assert CaseEvent.objects.filter(case=held.case, kind=kinds.RECORD).count() == 2
    assert CaseEvent.objects.filter(case=held.case, kind=kinds.PROPOSAL).count() == 1


def test_an_issued_record_is_not_written_again(session, serving):
    held = session()
    issued(held, serving)
    with pytest.raises(ValidationError) as refused:
        write(held, serving)
    assert refused.value.code == "issued"
    with pytest.raises(ValidationError):
        records.issue_record(session_pk=held.pk, actor=serving)


def test_a_cancelled_session_has_no_record(session, serving):
    held = session()
    held.cancel("当事人未能到场")
    held.save()
    with pytest.raises(ValidationError) as refused:
        write(held, serving)
    assert refused.value.code == "cancelled"


# The thread of proposals --------------------------------------------------------------------


def test_answers_in_the_same_record_name_what_they_answer(session, serving, respondent, applicant):
    held = session()
    entries = [
        {"stance": "proposal", "text": OFFER, "party_pk": None},
        {
            "stance": "counter",
            "text": "通道宽一米，补偿五千元",
            "party_pk": respondent.pk,
            "answers_index": 0,
        },
        {"stance": "rejected", "text": "补偿过高。", "party_pk": applicant.pk, "answers_index": 1},
    ]
    record = issued(held, serving, proposals=entries)
    [root] = record_selectors.thread(held.case)
    assert root.proposal.text == OFFER
    [counter] = root.answers
    assert counter.proposal.party == respondent
    assert [a.proposal.stance for a in counter.answers] == ["rejected"]
    # The rejected counter closed; the mediator's offer it countered closed too.
    assert record_selectors.open_proposals(held.case) == []
    text = pdf_text(record.document)
    assert "（二）被申请人谭伯华针对第（一）项提出反建议：通道宽一米，补偿五千元。" in text
    assert "（三）申请人谭永康(ThamWengHong)对第（二）项表示不同意：补偿过高。" in text


def test_round_two_starts_from_round_ones_open_proposal(session, serving, respondent):
    first = session()
    issued(first, serving, proposals=[{"stance": "proposal", "text": OFFER, "party_pk": None}])
    [open_offer] = record_selectors.open_proposals(first.case)
    assert open_offer.text == OFFER and open_offer.session == first
    second = session(round=2)
    answer = {
        "stance": "accepted",
        "text": "同意。",
        "party_pk": respondent.pk,
        "answers_pk": open_offer.pk,
    }
    record = issued(second, serving, proposals=[answer])
    [root] = record_selectors.thread(first.case)
    assert [a.proposal.session for a in root.answers] == [second]
    # Accepted by one party, it still stands for the others.
    assert record_selectors.open_proposals(first.case) == [open_offer]
    text = pdf_text(record.document)
    assert "调解次数第二次" in text
    assert "（一）被申请人谭伯华对第一次调解中调解员提出的“被申请人让出宽一点五米的祭扫通道" in text
    assert "表示同意：同意。" in text


def test_an_answer_to_another_cases_proposal_is_refused(session, serving, intake, officer):
    held = session()
    other_case = intake(title="另一案件")
    elsewhere = Proposal.objects.create(
        case=other_case, stance="proposal", text="另案方案", recorded_by=officer
    )
    answer = {"stance": "accepted", "text": "同意", "party_pk": None, "answers_pk": elsewhere.pk}
    with pytest.raises(ValidationError) as refused:
        write(held, serving, proposals=[answer])
    assert refused.value.code == "answers_other_case"
    assert not Proposal.objects.filter(case=held.case).exists()


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ({"stance": "accepted", "text": "同意"}, "answers"),  # an answer to nothing
        ({"stance": "maybe", "text": "再想想"}, "stance"),
        ({"stance": "proposal", "text": "  "}, "text"),
        ({"stance": "proposal", "text": "x" * 2001}, "too_long"),
        ({"stance": "counter", "text": "反建议", "answers_index": 0}, "answers"),  # not above
        ({"stance": "counter", "text": "反建议", "answers_pk": "1; DROP"}, "invalid_choice"),
        ({"stance": "proposal", "text": "方案", "party_pk": "abc"}, "invalid_choice"),
    ],
)
def test_a_thread_entry_that_makes_no_sense_is_refused(session, serving, entry, code):
    held = session()
    with pytest.raises(ValidationError) as refused:
        write(held, serving, proposals=[entry])
    assert refused.value.code == code


def test_a_proposal_is_made_by_a_party_of_the_case_and_answered_by_someone_else(
    session, serving, intake
):
    held = session()
    stranger = intake(title="另一案件").parties.first()
    with pytest.raises(ValidationError) as refused:
        write(
            held, serving, proposals=[{"stance": "proposal", "text": "x", "party_pk": stranger.pk}]
        )
    assert refused.value.code == "party"
    own = [
        {"stance": "proposal", "text": OFFER},
        {"stance": "accepted", "text": "同意", "answers_index": 0},
    ]
    with pytest.raises(ValidationError) as refused:
        write(held, serving, proposals=own)
    assert refused.value.code == "own"


# The parties' answers -----------------------------------------------------------------------


def test_a_party_confirms_through_their_link_with_the_pdfs_hash(
    session, serving, applicant, link_for
):
    held = session()
    record = issued(held, serving)
    answer = records.respond(
        record_pk=record.pk,
        party=applicant,
        link=link_for(applicant),
        confirmed=True,
        comment="",
        seen_sha256=record.document.sha256,
    )
    assert answer.confirmed and answer.document_sha256 == record.document.sha256
    assert answer.document_sha256 == hashlib.sha256(record.document.file.read()).hexdigest()
    assert CaseEvent.objects.filter(case=held.case, kind=kinds.RECORD_ANSWER).count() == 1
    [mine] = record_selectors.records_for_party(applicant)
    assert mine.record == record and mine.answer == answer


def test_a_comment_needs_its_text(session, serving, respondent, link_for):
    held = session()
    record = issued(held, serving)
    link = link_for(respondent)
    with pytest.raises(ValidationError) as refused:
        records.respond(
            record_pk=record.pk, party=respondent, link=link, confirmed=False, comment=" "
        )
    assert refused.value.code == "comment"
    answer = records.respond(
        record_pk=record.pk,
        party=respondent,
        link=link,
        confirmed=False,
        comment="补偿数额记错了。",
    )
    assert not answer.confirmed and answer.comment == "补偿数额记错了。"


def test_a_party_not_invited_cannot_answer(session, serving, third_party, link_for, applicant):
    held = session()
    record = issued(held, serving)
    with pytest.raises(PermissionDenied):
        records.respond(
            record_pk=record.pk,
            party=third_party,
            link=link_for(third_party),
            confirmed=True,
            comment="",
        )
    # Nor with another party's link.
    with pytest.raises(PermissionDenied):
        records.respond(
            record_pk=record.pk,
            party=third_party,
            link=link_for(applicant),
            confirmed=True,
            comment="",
        )
    assert not RecordResponse.objects.exists()
    assert record_selectors.records_for_party(third_party) == []


def test_one_acting_for_an_invited_party_may_answer(session, serving, applicant, link_for, city):
    held = session()
    record = issued(held, serving)
    relative = Party.objects.create(
        case=held.case,
        role=Party.Role.RELATIVE,
        on_behalf_of=applicant,
        person=PersonFactory(name_zh="谭永福", registered_by=city),
    )
    answer = records.respond(
        record_pk=record.pk, party=relative, link=link_for(relative), confirmed=True, comment=""
    )
    assert answer.party == relative


def test_an_answer_to_a_pdf_that_changed_or_is_not_ready_is_refused(
    session, serving, applicant, link_for
):
    held = session()
    write(held, serving)
    record = records.issue_record(session_pk=held.pk, actor=serving)
    link = link_for(applicant)
    with pytest.raises(ValidationError) as refused:
        records.respond(record_pk=record.pk, party=applicant, link=link, confirmed=True, comment="")
    assert refused.value.code == "pending"
    render_document(document_id=record.document_id)
    with pytest.raises(ValidationError) as refused:
        records.respond(
            record_pk=record.pk,
            party=applicant,
            link=link,
            confirmed=True,
            comment="",
            seen_sha256="0" * 64,
        )
    assert refused.value.code == "changed"


def test_a_revoked_link_answers_nothing(session, serving, applicant, link_for, officer):
    held = session()
    record = issued(held, serving)
    link = link_for(applicant)
    link.revoked_at, link.revoked_by = timezone.now(), officer
    link.save()
    with pytest.raises(PermissionDenied):
        records.respond(record_pk=record.pk, party=applicant, link=link, confirmed=True, comment="")


# The party's page ---------------------------------------------------------------------------


@pytest.fixture
def records_section():
    """The section on the party's page, registered by the stage (or here, until it is)."""
    if portal.NAME in stages.PORTAL_SECTIONS:
        yield
        return
    stage = stages.Stage(name="session_records_test", portal=(portal.SECTION,))
    stages.register_stage(stage)
    yield
    stages.unregister_stage(stage.name)


def test_the_party_reads_and_confirms_the_record_on_their_page(
    client, session, serving, applicant, link_for, records_section
):
    held = session()
    record = issued(held, serving)
    link = link_for(applicant)
    token = links.token_for(link)
    page = client.get(reverse("portal:home", args=[token])).content.decode()
    pdf = reverse("portal:document", args=[token, record.document.pk])
    assert pdf in page
    # The PDF's hash, in groups a phone may break between.
    assert record.document.sha256 == "".join(re.findall(r"([0-9a-f]{8})<wbr>", page))
    assert client.get(pdf)["Content-Type"] == "application/pdf"
    confirm = reverse("portal:section", args=[token, portal.NAME, "confirm"])
    assert re.search(rf'action="{re.escape(confirm)}"', page)
    response = client.post(
        confirm, {"record": record.pk, "sha256": record.document.sha256, "answer": "confirm"}
    )
    assert response.status_code == 302
    assert response.url == f"{reverse('portal:home', args=[token])}#record-{record.pk}"
    [answer] = RecordResponse.objects.all()
    assert answer.confirmed and answer.link == link
    assert answer.document_sha256 == record.document.sha256
    page = client.get(reverse("portal:home", args=[token])).content.decode()
    assert "您已于" in page or "You confirmed" in page


def test_a_comment_without_text_comes_back_with_the_error(
    client, session, serving, respondent, link_for, records_section
):
    held = session()
    record = issued(held, serving)
    token = links.token_for(link_for(respondent))
    confirm = reverse("portal:section", args=[token, portal.NAME, "confirm"])
    response = client.post(
        confirm, {"record": record.pk, "sha256": record.document.sha256, "answer": "comment"}
    )
    assert response.status_code == 400
    assert 'class="error-summary' in response.content.decode()
    assert not RecordResponse.objects.exists()


def test_a_party_not_invited_sees_no_record_and_cannot_post_one(
    client, session, serving, third_party, link_for, records_section
):
    held = session()
    record = issued(held, serving)
    token = links.token_for(link_for(third_party))
    page = client.get(reverse("portal:home", args=[token])).content.decode()
    assert 'id="session-records"' not in page
    assert (
        client.get(reverse("portal:document", args=[token, record.document.pk])).status_code == 404
    )
    confirm = reverse("portal:section", args=[token, portal.NAME, "confirm"])
    response = client.post(
        confirm, {"record": record.pk, "sha256": record.document.sha256, "answer": "confirm"}
    )
    assert response.status_code == 404
    assert not RecordResponse.objects.exists()


# The case file ------------------------------------------------------------------------------


def test_the_issued_record_fills_the_case_files_mediation_record(session, serving, officer):
    held = session()
    case = held.case
    # The case went to mediation: slot 7 is required from then on.
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.TRANSITION,
        transition="mediate",
        to_status="mediating",
        actor=officer,
    )
    assert "7 调解记录" in contents(case).missing
    record = issued(held, serving)
    found = contents(case)
    assert "7 调解记录" not in found.missing
    [entry] = [e for e in found.entries if e.source == "document" and e.id == record.document.pk]
    assert entry.title == "调解笔录" and entry.sha256 == record.document.sha256


def test_the_issued_record_is_emailed_to_the_parties_invited_with_their_consent(
    session, serving, applicant, respondent, officer, third_party
):
    """Rendered, the 调解笔录 goes by e-mail with its PDF to each party invited who
    consented (abroad: to documents going abroad too), once; nobody else."""
    from cases.models import Consent, Message
    from cases.services import record_consent

    applicant.person.email, applicant.person.preferred_language = "tham@example.my", "en"
    applicant.person.save()
    respondent.person.email = "tan@example.cn"  # no consent to e-mail: nothing
    respondent.person.save()
    third_party.person.email = "other@example.my"
    third_party.person.save()
    for party in (applicant, third_party):
        for purpose in (Consent.Purpose.ELECTRONIC_SERVICE, Consent.Purpose.CROSS_BORDER):
            record_consent(
                case=applicant.case,
                actor=officer,
                party=party,
                purpose=purpose,
                given=True,
                how=Consent.How.SIGNED_FORM,
                given_by=str(party.subject),
            )
    record = issued(session(), serving)
    sent = Message.objects.filter(reference=f"document:{record.document_id}")
    assert [m.to_address for m in sent] == ["tham@example.my"]  # not invited: the third party
    message = sent.get()
    assert message.kind == "sessions_record" and message.attachment_data[:4] == b"%PDF"
    assert "confirm it" in message.body  # in English, as he reads
    render_document(document_id=record.document_id)  # a second render sends nothing more
    assert sent.count() == 1
