"""The agreement stage's documents as printed: the 人民调解协议书 (each version, the effective
copy), the 司法确认申请书 and the 回访记录, rendered through the real path (issued by the
stage's services, rendered by ``documents.services.render_document``) and read back from the
PDF with ``pdftotext``; the agreement's page measured against GB/T 9704 as the other
documents are (``test_print_layout``, ``test_session_record_print``)."""

from __future__ import annotations

import datetime
import io
import itertools
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from cases import links
from cases.models import Party
from cases.services import PartyInput
from documents.models import Document
from documents.services import render_document
from mediation.agreements import services
from mediation.agreements.models import SettlementAgreement
from mediation.agreements.services import TermInput

from .conftest import agreement_draft
from .factories import PersonFactory
from .test_print_layout import BLOCK_BOTTOM, BLOCK_RIGHT, BLOCK_TOP, MM_PER_PT, Page

LEFT = 28.0
CHAR = 16 * MM_PER_PT  # a 3号 character, 5.644 mm
LINE = 225 / 22  # the line pitch, 10.227 mm
PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$", re.MULTILINE)

FACTS = (
    "谭氏祖坟建于清代，位于义容镇某村集体山地。2022年起被申请人扩建果园，占用墓地周边土地约"
    "二百平方米，宗亲回乡祭扫无路可走。被申请人称果园用地系向村集体承包，扩建时不知道墓地范围。"
)
FACTS_EN = (
    "The Tham family graves, built in the Qing dynasty, lie on collective hill land of a "
    "village in Yirong. Since 2022 the respondent has extended his orchard onto some 200 "
    "square metres around them."
)
PATH = "在果园东侧让出宽一点五米的祭扫通道，清除通道上的果树和堆放物"
PAY = "向被申请人一次性补偿果树损失人民币三千元。"
COURT = "广东省紫金县人民法院"


# The case --------------------------------------------------------------------------------


@pytest.fixture
def respondent(city):
    """In mainland China, reads Chinese; an e-mail address and a phone that no document the
    parties read may print."""
    return PersonFactory(
        name_zh="谭伯华", name_latin="", residence_country="CN", time_zone="Asia/Shanghai",
        preferred_language="zh-hans", email="tan.bohua@example.cn", phone="13800000000",
        registered_by=city,
    )  # fmt: skip


def _terms(case) -> list[TermInput]:
    claimant = case.parties.get(role=Party.Role.CLAIMANT)
    respondent = case.parties.get(role=Party.Role.RESPONDENT)
    return [
        TermInput(
            obligor_pk=respondent.pk,
            text=PATH,
            method="现场清理，村民委员会派员见证",
            due_on=datetime.date(2026, 12, 31),
            text_en="Open a path 1.5 metres wide east of the orchard and clear it",
            method_en="On site, witnessed by the village committee",
        ),
        TermInput(
            obligor_pk=claimant.pk,
            text=PAY,
            method="银行转账",
            due_on=datetime.date(2027, 1, 15),
            text_en="Pay the respondent RMB 3,000 once for the trees lost.",
            method_en="Bank transfer",
        ),
    ]


@pytest.fixture
def two_sided(mediated, respondent):
    """A case of a claimant and a respondent, its mediation ended in a written agreement."""

    def make(claimant: PartyInput):
        return mediated(
            parties=[claimant, PartyInput(role=Party.Role.RESPONDENT, person=respondent)]
        )

    return make


@pytest.fixture
def sent(two_sided, claimant, roster_mediator):
    """The agreement drafted and its first version sent and rendered; every party reads
    Chinese (unless a test says otherwise)."""

    def make(claimant_party: PartyInput | None = None) -> SettlementAgreement:
        case = two_sided(claimant_party or PartyInput(role=Party.Role.CLAIMANT, person=claimant))
        draft = agreement_draft(case, terms=_terms(case), facts=FACTS, facts_en=FACTS_EN)
        services.save_draft(case=case, actor=roster_mediator.user, draft=draft)
        services.send_for_confirmation(case=case, actor=roster_mediator.user)
        agreement = SettlementAgreement.objects.get(case=case)
        ready(agreement.document)
        return agreement

    return make


@pytest.fixture
def effective(sent, officer, do, roster_mediator, monkeypatch):
    """The agreement in effect: the respondent confirmed online with the code e-mailed to
    them, the claimant on paper, and the mediator signed last."""
    agreement = sent()
    case = agreement.case
    respondent = case.parties.get(role=Party.Role.RESPONDENT)
    link, _token = links.issue_link(case=case, actor=officer, party=respondent, language="zh-hans")
    sha256 = agreement.document.sha256
    monkeypatch.setattr(services.secrets, "randbelow", lambda _n: 246810)
    services.request_code(link=link, sha256=sha256, ip="203.0.113.7", user_agent="Firefox")
    services.confirm_with_code(
        link=link, code="246810", sha256=sha256, ip="203.0.113.7", user_agent="Firefox"
    )
    claimant = case.parties.get(role=Party.Role.CLAIMANT)
    services.file_paper_copy(
        case=case, actor=officer, party_pk=claimant.pk, upload=_upload(), sha256=sha256
    )
    do(case, "sign_agreement", {"sign": True}, user=roster_mediator.user, form=True)
    agreement.refresh_from_db()
    ready(agreement.effective_document)
    return agreement


def _upload() -> SimpleUploadedFile:
    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out)
    return SimpleUploadedFile("签署件.pdf", out.getvalue(), content_type="application/pdf")


def english_reading(association) -> PartyInput:
    """An association whose representative reads English: the agreement is bilingual."""
    representative = association.representatives.get()
    representative.preferred_language = "en"
    representative.save()
    return PartyInput(role=Party.Role.CLAIMANT, association=association)


def ready(document: Document) -> Document:
    """Rendered, as the worker renders it after commit."""
    render_document(document_id=document.pk)
    document.refresh_from_db()
    assert document.rendering == Document.Rendering.READY, document.failure
    return document


def text(document: Document) -> str:
    """The PDF's text in the order it is drawn, lines joined, page numbers left out."""
    out = subprocess.run(
        ["pdftotext", "-raw", document.file.path, "-"], capture_output=True, check=True, text=True
    )
    return "".join(PAGE_NUMBER.sub("", out.stdout).split())


def sizes(document: Document) -> dict[str, float]:
    """Each text run's size in points, as drawn (the page's matrix scales CSS pixels)."""
    found: dict[str, float] = {}
    for page in PdfReader(document.file.path).pages:

        def visit(run, cm, tm, font, size) -> None:
            if run.strip():
                found.setdefault(run.strip(), round(size * tm[0] * cm[0], 1))

        page.extract_text(visitor_text=visit)
    return found


def size_of(document: Document, start: str) -> float:
    found = [size for run, size in sizes(document).items() if run.startswith(start)]
    assert found, f"{start!r} not drawn"
    return found[0]


# The agreement ---------------------------------------------------------------------------


def test_it_prints_its_number_the_parties_and_every_term_with_who_how_and_by_when(sent):
    agreement = sent()
    printed = text(agreement.document)
    assert printed.startswith("人民调解协议书河侨维调〔2026〕1号申请人：谭永康(ThamWengHong)")
    assert "被申请人：谭伯华，中国。" in printed
    assert "经测试人民调解委员会主持调解，各方当事人在平等自愿的基础上达成如下协议" in printed
    sections = [
        printed.index(heading)
        for heading in ("一、纠纷的主要事实", "二、争议事项", "三、各方责任", "四、协议内容")
    ]
    assert sections == sorted(sections)
    assert FACTS in printed
    # Who, by when, what, how: each term numbered, its full stop added where none was typed.
    assert (
        f"（一）由谭伯华于2026年12月31日前履行：{PATH}。履行方式：现场清理，村民委员会派员见证。"
        in printed
    )
    assert (
        f"（二）由谭永康(ThamWengHong)于2027年1月15日前履行：{PAY}履行方式：银行转账。" in printed
    )


def test_it_closes_with_performance_effect_copies_and_judicial_confirmation(sent):
    printed = text(sent().document)
    assert "本协议书自各方当事人确认、调解员签名并加盖人民调解委员会印章之日起生效" in printed
    assert "本协议书一式3份，当事人各执一份，人民调解委员会留存一份。" in printed
    assert "自本协议书生效之日起三十日内，依照《中华人民共和国人民调解法》第三十三条" in printed
    assert "共同向人民法院申请司法确认" in printed


def test_it_ends_with_a_row_to_sign_for_each_party_the_mediator_and_the_committees_seal(sent):
    printed = text(sent().document)
    rows = printed[printed.index("当事人签名（盖章）日期") :]
    order = [rows.index(who) for who in ("申请人谭永康", "被申请人谭伯华", "调解员调解员甲")]
    assert order == sorted(order)
    assert rows.count("年月日") == 4  # a date for each row, and the committee's under its seal
    assert rows.endswith("测试人民调解委员会（印章）年月日")


def test_it_prints_no_english_and_no_contact_details_when_every_party_reads_chinese(sent):
    document = sent().document
    printed = text(document)
    assert "Settlement" not in printed
    assert "Openapath" not in printed and "中文文本为准" not in printed
    assert "@" not in printed and "13800000000" not in printed
    assert "Method" not in printed


def test_it_prints_each_parts_english_under_it_smaller_when_a_party_reads_english(
    sent, association
):
    document = sent(english_reading(association)).document
    printed = text(document)
    assert printed.startswith("人民调解协议书Settlementagreement河侨维调〔2026〕1号")
    # The association, and the representative who acts (and signs) for it.
    assert "申请人：马来西亚谭氏宗亲会，马来西亚。Claimant:" in printed
    assert "代理人：谭永康(ThamWengHong)，受马来西亚谭氏宗亲会委托。" in printed
    assert "Representative:ThamWengHong,actingfor" in printed
    facts = printed.index(FACTS)
    english = printed.index("".join(FACTS_EN.split()))
    assert facts < english < printed.index("二、争议事项")
    term = printed.index(f"（一）由谭伯华于2026年12月31日前履行：{PATH}")
    term_en = printed.index("(1)Tobeperformedby谭伯华by31December2026:Openapath")
    assert term < term_en < printed.index("（二）由马来西亚谭氏宗亲会")
    assert "（五）本协议以中文文本为准。(5)TheChinesetextprevails." in printed
    rows = printed[printed.index("当事人Party签名（盖章）Signature日期Date") :]
    assert "申请人马来西亚谭氏宗亲会代理人谭永康" in rows
    # Smaller than the Chinese above it.
    assert size_of(document, "The Tham family graves") == 11.0
    assert size_of(document, "谭氏祖坟建于清代") == 16.0


def test_a_second_version_prints_its_version_and_what_it_replaces(sent, roster_mediator):
    agreement = sent()
    case = agreement.case
    draft = agreement_draft(case, terms=_terms(case), facts=FACTS, disputes="通道宽度和补偿数额。")
    services.save_draft(case=case, actor=roster_mediator.user, draft=draft)
    agreement.refresh_from_db()
    second = ready(agreement.document)
    printed = text(second)
    assert second.version == 2
    assert printed.startswith("人民调解协议书河侨维调〔2026〕1号（第2版）")
    assert "本协议书第2版取代第1版，各方当事人对此前版本所作的确认不再有效。" in printed
    assert "二、争议事项通道宽度和补偿数额。" in printed
    assert "（第1版）" not in text(Document.objects.get(number=second.number, version=1))


# The effective copy (the mediator's signature, the PAdES seal) ----------------------------


def test_the_effective_copy_lists_the_confirmations_and_no_address_or_ip(effective):
    document = effective.effective_document
    printed = text(document)
    assert document.snapshot["signed"] and document.snapshot["effective"]
    # Signed rows: who confirmed, how and on which day.
    rows = printed[printed.index("当事人签名（盖章）日期") : printed.index("确认记录")]
    assert "申请人谭永康(ThamWengHong)已签署纸质文本2026年" in rows
    assert "被申请人谭伯华已在线确认2026年" in rows
    assert "调解员调解员甲已签名：电子签名" in rows
    assert "年月日" not in rows and "（第" not in printed[: printed.index("申请人：")]
    record = printed[printed.index("确认记录") :]
    assert "确认人时间（北京时间）方式" in record
    # In the order given: the respondent online first, then the claimant's paper copy.
    order = [record.index(who) for who in ("被申请人谭伯华", "申请人谭永康", "调解员调解员甲")]
    assert order == sorted(order)
    assert re.search(r"被申请人谭伯华\d{4}-\d{2}-\d{2}\d{2}:\d{2}在线确认", record)
    assert f"生效日期：{document.snapshot['effective_on']}" in record
    confirmed = Document.objects.get(number=document.number, version=1)
    assert f"各方确认的文本：第1版，SHA-256：{confirmed.sha256}" in record
    assert "本协议书生效文本载有河源市侨联的电子签名" in record
    # Kept with the online confirmation; neither printed nor in the PDF's snapshot.json.
    assert "@" not in printed and "203.0.113.7" not in printed and "Firefox" not in printed
    carried = PdfReader(document.file.path).attachments["snapshot.json"][0].decode()
    assert "tan.bohua" not in carried and "203.0.113" not in carried and "Firefox" not in carried
    assert '"confirmations"' in carried


def test_the_application_names_the_court_the_agreement_and_every_applicant(effective, officer):
    case = effective.case
    found = services.apply_for_judicial_confirmation(case=case, actor=officer, court=COURT)
    printed = text(ready(found.application))
    number = effective.effective_document.number
    on = effective.effective_document.snapshot["effective_on"]
    assert printed.startswith(
        "司法确认申请书申请人：谭永康(ThamWengHong)，马来西亚。申请人：谭伯华"
    )
    assert (
        f"请求事项确认申请人之间于{on}经测试人民调解委员会调解达成的调解协议（{number}）有效。"
        in printed
    )
    assert (
        f"（一）谭伯华于2026年12月31日前{PATH}；（二）谭永康(ThamWengHong)于2027年1月15日前"
        in printed
    )
    assert "《中华人民共和国人民调解法》第三十三条和《中华人民共和国民事诉讼法》" in printed
    assert "自调解协议生效之日起三十日内共同向贵院提出申请" in printed
    assert f"此致{COURT}附：1.人民调解协议书（{number}）2.当事人身份证明、授权委托书" in printed
    rows = printed[printed.index("申请人签名（盖章）日期") :]
    assert rows.index("谭永康") < rows.index("谭伯华") and rows.count("年月日") == 2
    assert "@" not in printed and "13800000000" not in printed


def test_the_follow_up_record_prints_the_ministrys_fields_and_the_satisfaction(effective, officer):
    case = effective.case
    respondent = case.parties.get(role=Party.Role.RESPONDENT)
    visit = services.record_visit(
        case=case,
        actor=officer,
        visit=services.VisitInput(
            party_pk=respondent.pk,
            method="phone",
            reason="了解协议履行情况。",
            performance="已让出通道并清理完毕。",
            satisfaction=4,
            visited_on=effective.effective_on,
            comment="对调解结果满意。",
        ),
    )
    printed = text(ready(visit.document))
    number = effective.effective_document.number
    assert printed.startswith("回访记录案件名称祖坟墓地纠纷案件编号河侨维案〔2026〕1号")
    assert (
        f"当事人被申请人谭伯华调解协议书编号{number}回访事由了解协议履行情况。回访方式电话回访"
        "履行情况已让出通道并清理完毕。当事人满意度4（满意）当事人意见对调解结果满意。"
        "回访人officer回访日期"
    ) in printed
    assert "1很不满意，2不满意，3一般，4满意，5非常满意" in printed


# The agreement's page --------------------------------------------------------------------


@pytest.fixture
def page_one(sent, tmp_path) -> tuple[Page, Document]:
    document = sent().document
    return Page(Path(document.file.path), 1, tmp_path), document


def test_it_heads_the_page_with_the_title_in_22_pt_and_the_number_flush_right(page_one):
    page, document = page_one
    title = page.word_ink("人民调解协议书")
    assert size_of(document, "人民调解协议书") == 22.0
    assert title.centre == pytest.approx((LEFT + BLOCK_RIGHT) / 2, abs=1.0)
    assert title.top - BLOCK_TOP == pytest.approx(2.5, abs=1.5)
    assert not page.red_rules(BLOCK_TOP - 10, BLOCK_BOTTOM)  # no red mark, no red rule
    assert page.word("1号").right == pytest.approx(BLOCK_RIGHT, abs=1.0)


def test_it_keeps_every_word_inside_the_37_and_28_mm_margins(sent, tmp_path):
    document = sent().document
    for number in range(1, document.page_count + 1):
        page = Page(Path(document.file.path), number, tmp_path)
        for word, box in page.words:
            if word.strip("—0123456789 "):
                assert box.left >= LEFT - 0.5 and box.right <= BLOCK_RIGHT + 0.5, (word, box)
                assert box.top >= BLOCK_TOP - 0.5 and box.bottom <= BLOCK_BOTTOM + 0.5, (word, box)


def test_it_sets_the_body_on_the_22_line_grid_28_characters_wide(page_one):
    page, document = page_one
    start = page.word("申请人：").top
    lines = sorted({round(box.top, 1) for _w, box in page.words if start <= box.top < BLOCK_BOTTOM})
    assert len(lines) >= 10
    for above, below in itertools.pairwise(lines):
        assert below - above == pytest.approx(LINE, abs=0.2)
    assert size_of(document, "谭氏祖坟建于清代") == 16.0
    # A full line of a paragraph fills the block; a first line starts two characters in.
    first = page.word("谭氏祖坟建于清代")
    assert first.left - LEFT == pytest.approx(2 * CHAR, abs=0.5)
    full = [box for _w, box in page.words if box.top == pytest.approx(first.top + LINE, abs=0.2)]
    assert min(b.left for b in full) == pytest.approx(LEFT, abs=0.3)
    assert max(b.right for b in full) == pytest.approx(BLOCK_RIGHT, abs=1.0)


def test_it_numbers_the_pages_7_mm_under_the_text_block(page_one):
    page, _document = page_one
    assert page.word_ink("—").top - BLOCK_BOTTOM == pytest.approx(7.0, abs=1.0)
