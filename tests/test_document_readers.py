"""Each document holds only what its reader may see (PIPL Art. 6, the minimum necessary):
a notice to the claimant carries no other party's contact details, in its printed text
or in its attached snapshot.json; a letter to another body carries none at all; the
office's own records keep them, never an ID-document number. The database keeps the full
snapshot. And a document is dated on the issuing organisation's day, names its issuer
as its author, and lists its attachment once."""

import datetime
import io
import json
from zoneinfo import ZoneInfo

import pikepdf
import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Party
from cases.services import PartyInput
from documents import services
from documents.kinds import KINDS
from workflows import lifecycle
from workflows import services as workflow_services

from .factories import OrganisationFactory, PersonFactory
from .test_documents import content, pdf_text, rendered

# The details of the parties, written here by hand. The claimant's own:
CLAIMANT_PHONE = "13800002222"
CLAIMANT_EMAIL = "tan@example.my"
# The other parties': a person on the opposing side and a village committee.
RESPONDENT = {
    "phone": "13900001111",
    "email": "x@example.cn",
    "wechat": "tanbohua_wx",
    "address": "义容镇上村东巷1号",
}
RESPONDENT_ID_NUMBER = "441622195001011234"
BODY_PHONE = "0762-7000002"
BODY_ADDRESS = "义容镇上村村委大院"
# How each detail may be written in the PDF's text (pdf_text drops white space).
OTHERS_DETAILS = [*RESPONDENT.values(), BODY_PHONE, BODY_ADDRESS]
# What the snapshot keeps of each party's contact details (cases' own choice: a person's
# phone, e-mail and WeChat; a body's phone and address).
OTHERS_IN_SNAPSHOT = [RESPONDENT["phone"], RESPONDENT["email"], BODY_PHONE, BODY_ADDRESS]


@pytest.fixture
def parties(city):
    claimant = PersonFactory(
        name_zh="谭永康",
        name_latin="Tham Weng Hong",
        phone=CLAIMANT_PHONE,
        email=CLAIMANT_EMAIL,
        registered_by=city,
    )
    respondent = PersonFactory(
        name_zh="谭伯华",
        name_latin="",
        identity="other",
        nationality="CN",
        residence_country="CN",
        time_zone="Asia/Shanghai",
        id_document_type="resident_id",
        id_document_number=RESPONDENT_ID_NUMBER,
        registered_by=city,
        **RESPONDENT,
    )
    village = OrganisationFactory(
        name="义容镇上村村民委员会",
        kind="village_committee",
        level="village",
        phone=BODY_PHONE,
        address=BODY_ADDRESS,
    )
    return [
        PartyInput(role=Party.Role.CLAIMANT, person=claimant),
        PartyInput(role=Party.Role.RESPONDENT, person=respondent),
        PartyInput(role=Party.Role.THIRD_PARTY, organisation=village),
    ]


@pytest.fixture
def screened(intake, parties, do):
    def make(title="祖坟墓地纠纷"):
        return do(intake(title=title, parties=parties), "screen", {"notes": "事实清楚"})

    return make


@pytest.fixture
def full_case(screened, do, officer, supervisor, legal_review):
    """Accepted, suspended and resumed, extended, reviewed by the committee, closed, its
    case file exported: every document a case that is taken on can have."""
    case = do(screened(), "decide", {"decision": "accept"})
    lifecycle.suspend_case(case=case, actor=officer, reason="等待当事人从马来西亚回国")
    lifecycle.resume_case(case=case, actor=officer, reason="当事人已回国")
    workflow_services.extend_handling_deadline(
        case=case, actor=supervisor, days=20, reason="需要多个部门现场核查"
    )
    case = legal_review(case, "close")
    case = do(case, "route", {"route": "close", "notes": ""})
    case = do(case, "close_approval", {"reason": "当事人表示接受。"})
    for document in case.documents.all():
        rendered(document)
    rendered(services.export_case_file(case=case, actor=officer))
    return case


def attachment(document) -> str:
    """The snapshot.json attached to the document's PDF, as its text."""
    with pikepdf.open(io.BytesIO(content(document))) as pdf:
        return pdf.attachments["snapshot.json"].get_file().read_bytes().decode()


def of_reader(case, reader: str) -> list:
    return [d for d in case.documents.all() if KINDS[d.kind].reader == reader]


def test_it_gives_each_kind_the_reader_it_goes_to(full_case):
    readers = {d.kind: KINDS[d.kind].reader for d in full_case.documents.all()}
    assert readers == {
        "registration_form": "office",
        "acceptance_notice": "party",
        "rights_notice": "party",
        "suspension_notice": "party",
        "extension_notice": "party",
        "legal_opinion": "body",
        "closing_report": "office",
        "case_file": "office",
    }


def test_it_tells_the_claimant_no_other_party_s_contact_details(full_case):
    notices = of_reader(full_case, "party")
    assert len(notices) == 4

    for notice in notices:
        text, attached = pdf_text(content(notice)), attachment(notice)
        for detail in OTHERS_DETAILS:
            assert detail not in text, (notice.kind, detail)
            assert detail not in attached, (notice.kind, detail)
        assert RESPONDENT_ID_NUMBER not in attached
        # The addressee's own details, and who the other parties are, stay.
        assert CLAIMANT_PHONE in attached and CLAIMANT_EMAIL in attached
        assert "谭伯华" in attached and "义容镇上村村民委员会" in attached
        # The office keeps everything it was given.
        stored = json.dumps(notice.snapshot, ensure_ascii=False)
        for detail in OTHERS_IN_SNAPSHOT:
            assert detail in stored, (notice.kind, detail)


def test_it_tells_another_body_no_party_s_contact_details(full_case):
    [opinion] = of_reader(full_case, "body")
    text, attached = pdf_text(content(opinion)), attachment(opinion)

    for detail in [*OTHERS_DETAILS, CLAIMANT_PHONE, CLAIMANT_EMAIL]:
        assert detail not in text and detail not in attached, detail
    # Who the parties are, as the opinion states them.
    assert "被申请人：谭伯华" in text
    assert '"identity": "外籍华人"' in attached
    assert RESPONDENT["phone"] in json.dumps(opinion.snapshot, ensure_ascii=False)


def test_it_keeps_contact_details_in_the_office_s_records_without_id_numbers(full_case):
    records = of_reader(full_case, "office")
    assert sorted(d.kind for d in records) == ["case_file", "closing_report", "registration_form"]

    form = next(d for d in records if d.kind == "registration_form")
    assert RESPONDENT["phone"] in pdf_text(content(form))
    assert RESPONDENT["phone"] in attachment(form) and BODY_ADDRESS in attachment(form)
    for record in records:
        assert RESPONDENT_ID_NUMBER not in pdf_text(content(record)), record.kind
        with pikepdf.open(io.BytesIO(content(record))) as pdf:
            for name, spec in pdf.attachments.items():
                data = spec.get_file().read_bytes().decode()
                assert RESPONDENT_ID_NUMBER not in data, (record.kind, name)
        assert RESPONDENT_ID_NUMBER not in json.dumps(record.snapshot)


@pytest.mark.parametrize(
    ("decision", "kind"),
    [({"decision": "decline"}, "refusal_notice"), ({"decision": "refer"}, "referral_letter")],
)
def test_it_keeps_them_out_of_refusals_and_referrals(screened, do, other_city, decision, kind):
    data = {**decision, "reason": "不属本会受理范围"}
    if decision["decision"] == "refer":
        data["refer_to"] = other_city
    case = do(screened(), "decide", data)
    document = rendered(case.documents.get(kind=kind))
    text, attached = pdf_text(content(document)), attachment(document)

    for detail in [*OTHERS_DETAILS, RESPONDENT_ID_NUMBER]:
        assert detail not in text and detail not in attached, detail
    # A refusal goes to the claimant, who keeps their own details; a referral goes to
    # another body, which gets none.
    assert (CLAIMANT_PHONE in attached) == (kind == "refusal_notice")
    assert RESPONDENT["email"] in json.dumps(document.snapshot, ensure_ascii=False)


# The issuing organisation's date, the issuer as author, the attachment listed once ------


def test_it_dates_a_document_on_the_issuing_organisation_s_day(case, do, monkeypatch):
    """Issued from a screen in Los Angeles at 07:56 UTC on 3 December 2026: 23:56 on the
    2nd there, 15:56 on the 3rd in China, where the 侨联 issues it."""
    moment = datetime.datetime(2026, 12, 3, 7, 56, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    # The supervisor's screen is in Los Angeles, where it is still 2 December: the case is
    # accepted, and its notice issued, on the organisation's date.
    with timezone.override(ZoneInfo("America/Los_Angeles")):
        accepted = do(do(case, "screen", {"notes": "事实清楚"}), "decide", {"decision": "accept"})
        notice = services.issue_document(case=accepted, kind="acceptance_notice")
    assert accepted.accepted_on == datetime.date(2026, 12, 3)
    assert accepted.deadlines.get(kind="handling").starts_on == datetime.date(2026, 12, 3)

    assert notice.snapshot["issued_on"] == "2026年12月3日"
    assert notice.snapshot["issued_on_en"] == "3 December 2026"
    assert notice.snapshot["accepted_on"] == notice.snapshot["issued_on"]
    text = pdf_text(content(rendered(notice)))
    assert "2026年12月3日" in text and "2026年12月2日" not in text


def test_it_names_the_body_that_issues_it_as_the_author(full_case):
    opinion = full_case.documents.get(kind="legal_opinion")
    notice = full_case.documents.get(kind="acceptance_notice")

    with pikepdf.open(opinion.file.path) as pdf:
        assert str(pdf.docinfo["/Author"]) == "河源市侨联法律顾问委员会"
        assert pdf.open_metadata()["dc:creator"] == ["河源市侨联法律顾问委员会"]
    with pikepdf.open(notice.file.path) as pdf:
        assert str(pdf.docinfo["/Author"]) == "河源市侨联"


def test_it_lists_the_attached_snapshot_once(full_case, capsys):
    # The case file is assembled from the others (``documents.casefile``), not rendered.
    documents = full_case.documents.exclude(kind="case_file")
    assert documents.count() == 7

    for document in documents:
        with pikepdf.open(document.file.path) as pdf:
            names = list(pdf.Root.Names.EmbeddedFiles.Names)
            listed = list(pdf.Root.AF)
            assert [str(n) for n in names[::2]] == ["snapshot.json"], document.kind
            assert [f.objgen for f in listed] == [names[1].objgen], document.kind
            assert list(pdf.attachments) == ["snapshot.json"]
    call_command("verify_documents")
    # None of them asks for the organisation's signature (an agreement in effect does).
    assert "All 8 files verified (0 signatures checked)." in capsys.readouterr().out
