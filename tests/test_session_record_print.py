"""The 调解笔录 against the GB/T 9704-2012 page every document prints on, measured on real PDFs.

The template is rendered by the project's renderer from a snapshot shaped as the mediation
stage takes it (``mediation.sessions.snapshots``); words and their places come from
``pdftotext`` and the page rasterised as in ``test_print_layout``. The template is found in
the app's own folder, with or without the stage's registration.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from documents.rendering import render_html, render_pdf

from .test_print_layout import BLOCK_BOTTOM, BLOCK_RIGHT, BLOCK_TOP, MM_PER_PT, Page

TEMPLATE = "sessions/print/session_record.html"
LEFT = 28.0
CHAR = 16 * MM_PER_PT  # a 3号 character, 5.644 mm
LINE = 225 / 22  # the line pitch, 10.227 mm
PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$", re.MULTILINE)

CASE_TITLE = "马来西亚谭氏宗亲会反映紫金县义容镇祖坟墓地纠纷"
RECORD = {
    "round": "一",
    "online": True,
    "place": "",
    "time": "2026年12月15日上午9时30分至11时",
    "zone_time": "吉隆坡时间2026年12月15日上午9时30分至11时",
    "mediator": "黄志明",
    "mediator_organisation": "紫金县人民调解委员会",
    "recorder": "刘晓梅",
    "attended": [
        {
            "role": "代理人",
            "name": "谭永康 (Tham Weng Hong)",
            "acting_for": "受马来西亚谭氏宗亲会委托",
        },
        {"role": "被申请人", "name": "谭伯华", "acting_for": ""},
        {"role": "翻译人员", "name": "陈美玲", "acting_for": ""},
    ],
    "absent": [{"role": "第三人", "name": "义容镇某村村民委员会", "acting_for": ""}],
    "statements": [
        "申请人代理人谭永康陈述：谭氏祖坟建于清代，位于义容镇某村集体山地。2022年起被申请人"
        "扩建果园，占用墓地周边土地约二百平方米，宗亲回乡祭扫无路可走。请求恢复祭扫通道，"
        "果园不再向墓地方向扩建，并按原有规模修缮祖坟。",
        "被申请人谭伯华陈述：果园所用土地系向村集体承包，有承包合同；扩建时不知道墓地范围，"
        "愿意让出通道，但要求对已种果树给予适当补偿。",
    ],
    "proposals": [
        {
            "number": "一",
            "by": "调解员",
            "stance": "proposal",
            "text": "被申请人在果园东侧让出宽一点五米的祭扫通道，申请人补偿通道上果树损失人民币"
            "三千元。",
            "answers": "",
        },
        {
            "number": "二",
            "by": "被申请人谭伯华",
            "stance": "counter",
            "text": "通道宽一米，补偿五千元",
            "answers": "第（一）项",
        },
        {
            "number": "三",
            "by": "代理人谭永康 (Tham Weng Hong)",
            "stance": "rejected",
            "text": "补偿过高，愿意回去与宗亲会商量后再答复。",
            "answers": "第（二）项",
        },
    ],
    "summary": [
        "双方均同意恢复祭扫通道，分歧在于通道宽度和补偿数额。申请人代理人将与宗亲会商量，"
        "定于下一次调解时答复。",
    ],
}
SNAPSHOT = {
    "kind": "session_record",
    "title": "调解笔录",
    "title_en": "Record of mediation session",
    "number": "",
    "version": 1,
    "organisation": "紫金县义容镇侨胞之家",
    "organisation_en": "Overseas Chinese Home of Yirong Township",
    "organisation_phone": "0762-7800100",
    "issuer": "紫金县义容镇侨胞之家",
    "issued_on": "2026年12月15日",
    "issued_on_en": "15 December 2026",
    "bilingual": False,
    "subject": f"调解笔录：{CASE_TITLE}",
    "keywords": "调解笔录, 义侨维案〔2026〕1号",
    "officer": "刘晓梅",
    "addressee": "马来西亚谭氏宗亲会",
    "addressee_en": "Tan Clan Association of Malaysia",
    "case": {
        "number": "义侨维案〔2026〕1号",
        "title": CASE_TITLE,
        "category": "祖坟（墓地）",
        "channel": "侨团来函",
        "received_on": "2026年12月3日",
        "received_on_en": "3 December 2026",
        "summary": "宗亲会来函反映祖坟墓地被占用。",
        "claims": "保护祖坟现状。",
        "location": "广东省河源市紫金县义容镇",
        "risk": "中",
    },
    "parties": [
        {
            "role": "申请人",
            "name": "马来西亚谭氏宗亲会",
            "name_en": "Tan Clan Association of Malaysia",
            "addressee": True,
            "acting_for": "",
        }
    ],
    "record": RECORD,
}


def _with_record(**changes) -> dict:
    return SNAPSHOT | {"record": RECORD | changes}


def _pdf(snapshot: dict, folder: Path) -> tuple[Path, int]:
    rendered = render_pdf(TEMPLATE, snapshot)
    pdf = folder / "record.pdf"
    pdf.write_bytes(rendered.content)
    return pdf, rendered.page_count


def _text(pdf: Path) -> str:
    """The document's text in the order it is drawn (a table row by row), lines joined and
    page numbers left out."""
    out = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True, text=True
    )
    return "".join(PAGE_NUMBER.sub("", out.stdout).split())


@pytest.fixture(scope="module")
def record(tmp_path_factory) -> tuple[Path, int]:
    """The realistic example, rendered once for the tests that only read it."""
    return _pdf(SNAPSHOT, tmp_path_factory.mktemp("record"))


def _sizes(pdf: Path, number: int) -> list[tuple[str, float, str]]:
    """The text runs of a page as drawn: (text, size in points, font name). WeasyPrint
    draws in CSS pixels, which the page's matrix scales to points."""
    runs = []

    def visit(text, cm, tm, font, size) -> None:
        if text.strip():
            name = str(font.get("/BaseFont", "")) if font else ""
            runs.append((text.strip(), round(size * tm[0] * cm[0], 1), name))

    PdfReader(pdf).pages[number - 1].extract_text(visitor_text=visit)
    return runs


def _size_of(pdf: Path, number: int, start: str) -> tuple[float, str]:
    found = [(size, font) for text, size, font in _sizes(pdf, number) if text.startswith(start)]
    assert found, f"{start!r} not drawn on page {number}"
    return found[0]


# The page ---------------------------------------------------------------------------------


def test_it_heads_the_first_page_with_the_title_in_22_pt_centred_on_the_block(record, tmp_path):
    pdf, _ = record
    page = Page(pdf, 1, tmp_path)
    title = page.word_ink("调解笔录")
    assert _size_of(pdf, 1, "调解笔录")[0] == 22.0
    assert title.centre == pytest.approx((LEFT + BLOCK_RIGHT) / 2, abs=1.0)
    # At the top of the text block: no red mark, no number, no rule above it.
    assert title.top - BLOCK_TOP == pytest.approx(2.5, abs=1.5)
    assert not page.red_rules(BLOCK_TOP - 10, BLOCK_BOTTOM)


def test_it_sets_the_record_in_16_pt_and_the_head_and_confirmations_in_14_pt(record):
    pdf, pages = record
    assert _size_of(pdf, 1, "申请人代理人谭永康陈述")[0] == 16.0
    assert _size_of(pdf, 1, "一、当事人陈述") == (16.0, _size_of(pdf, 1, "案件名称")[1])
    assert "Hei" in _size_of(pdf, 1, "一、当事人陈述")[1]  # first-level headings in 黑体
    assert _size_of(pdf, 1, "案件名称")[0] == 14.0
    assert _size_of(pdf, pages, "到场人员")[0] == 14.0


def test_it_keeps_every_word_inside_the_text_block(record, tmp_path):
    pdf, pages = record
    for number in range(1, pages + 1):
        page = Page(pdf, number, tmp_path)
        for word, box in page.words:
            if word.strip("—0123456789 "):
                assert box.left >= LEFT - 0.5 and box.right <= BLOCK_RIGHT + 0.5, (word, box)
                assert box.top >= BLOCK_TOP - 0.5 and box.bottom <= BLOCK_BOTTOM + 0.5, (word, box)


def test_it_sets_the_record_on_the_22_line_grid_28_characters_wide(record, tmp_path):
    pdf, _ = record
    page = Page(pdf, 1, tmp_path)
    lines = sorted(
        {
            round(box.top, 1)
            for word, box in page.words
            if page.word("一、当事人陈述").top < box.top < BLOCK_BOTTOM
        }
    )
    assert len(lines) >= 5
    for above, below in itertools.pairwise(lines):
        assert below - above == pytest.approx(LINE, abs=0.2)
    # A full line of a paragraph runs from the block's left edge to its right edge: 28
    # characters of 5.57 mm; a first line starts two characters in.
    full = page.word("承包合同；扩建时不知道墓地范围")
    assert full.left == pytest.approx(LEFT, abs=0.3)
    assert full.right == pytest.approx(BLOCK_RIGHT, abs=1.0)
    first = page.word("申请人代理人谭永康陈述")
    assert first.left - LEFT == pytest.approx(2 * CHAR, abs=0.5)


def test_it_numbers_the_pages_7_mm_under_the_text_block(record, tmp_path):
    pdf, _ = record
    dash = Page(pdf, 1, tmp_path).word_ink("—")
    assert dash.top - BLOCK_BOTTOM == pytest.approx(7.0, abs=1.0)


def test_it_keeps_the_confirmations_with_the_last_lines_of_the_record(record, tmp_path):
    pdf, pages = record
    page = Page(pdf, pages, tmp_path)
    table = page.word("签名或在线确认")
    above = [w for w, box in page.words if box.bottom < table.top and not w.startswith("—")]
    # The summary's lines and the sentence that asks for the signatures, never a table alone.
    assert any("下一次调解时答复" in w for w in above)
    assert [w for w, _ in page.words if w == "记录人"], "the table is not split across pages"


# What it says -----------------------------------------------------------------------------


def test_it_gives_the_case_the_round_the_time_in_both_zones_and_how(record):
    text = _text(record[0])
    assert text.startswith(
        "调解笔录案件名称" + CASE_TITLE + "案件编号义侨维案〔2026〕1号调解次数第一次"
    )
    assert "调解时间2026年12月15日上午9时30分至11时（北京时间）吉隆坡时间2026年12月15日" in text
    assert "调解方式线上视频调解" in text
    assert "调解员黄志明（紫金县人民调解委员会）记录人刘晓梅" in text


def test_it_lists_who_attended_and_who_did_not(record):
    text = _text(record[0])
    assert (
        "到场人员代理人谭永康(ThamWengHong)（受马来西亚谭氏宗亲会委托）被申请人谭伯华"
        "翻译人员陈美玲未到场人员第三人义容镇某村村民委员会" in text
    )


def test_it_records_the_statements_the_proposals_in_order_and_the_summary(record):
    text = _text(record[0])
    statements = text.index("一、当事人陈述申请人代理人谭永康陈述：谭氏祖坟建于清代")
    proposals = text.index(
        "二、调解方案及各方意见（一）调解员提出调解方案：被申请人在果园东侧让出宽一点五米的祭扫通道"
    )
    counter = text.index("（二）被申请人谭伯华针对第（一）项提出反建议：通道宽一米，补偿五千元。")
    rejected = text.index(
        "（三）代理人谭永康(ThamWengHong)对第（二）项表示不同意：补偿过高，愿意回去与宗亲会商量后再答复。"
    )
    summary = text.index("三、调解员小结双方均同意恢复祭扫通道")
    assert statements < proposals < counter < rejected < summary


def test_it_ends_with_a_row_to_sign_for_each_attendee_the_mediator_and_the_recorder(record):
    text = _text(record[0])
    confirmations = text.index("以上笔录已交到场人员阅看")
    assert "在线确认" in text[confirmations:] and "SHA-256" in text[confirmations:]
    rows = text[text.index("到场人员签名或在线确认日期") :]
    order = [
        rows.index(who)
        for who in (
            "代理人谭永康",
            "被申请人谭伯华",
            "翻译人员陈美玲",
            "调解员黄志明",
            "记录人刘晓梅",
        )
    ]
    assert order == sorted(order)
    assert rows.count("年月日") == 5
    assert "义容镇某村村民委员会" not in rows  # who did not attend signs nothing


def test_it_prints_no_number_no_seal_and_no_issuers_signature(record):
    html = render_html(TEMPLATE, SNAPSHOT)
    assert "seal-area" not in html and "red-rule" not in html
    assert "紫金县义容镇侨胞之家" not in _text(record[0])


def test_it_answers_an_earlier_rounds_proposal_by_its_round_and_first_words(tmp_path):
    earlier = "第一次调解中调解员提出的“被申请人在果园东侧让出宽一点五米的祭扫通道，申请人……”"
    entry = {
        "number": "一",
        "by": "被申请人谭伯华",
        "stance": "accepted",
        "text": "同意",
        "answers": earlier,
    }
    pdf, _ = _pdf(_with_record(round="二", proposals=[entry]), tmp_path)
    text = _text(pdf)
    assert f"（一）被申请人谭伯华对{earlier}表示同意：同意。" in text
    assert "调解次数第二次" in text


def test_it_names_the_place_of_a_session_in_person_and_only_beijing_time(tmp_path):
    pdf, _ = _pdf(_with_record(online=False, place="紫金县侨联三楼调解室", zone_time=""), tmp_path)
    text = _text(pdf)
    assert "调解方式现场调解，地点：紫金县侨联三楼调解室" in text
    assert "（北京时间）调解方式" in text


def test_it_leaves_out_empty_sections_and_renumbers_the_summary(tmp_path):
    pdf, _ = _pdf(_with_record(proposals=[], absent=[]), tmp_path)
    text = _text(pdf)
    assert "调解方案及各方意见" not in text and "未到场人员" not in text
    assert "二、调解员小结" in text


def test_it_signs_the_mediator_once_who_recorded_their_own_session(tmp_path):
    pdf, _ = _pdf(_with_record(recorder="黄志明"), tmp_path)
    rows = _text(pdf)
    rows = rows[rows.index("到场人员签名或在线确认日期") :]
    assert "调解员黄志明" in rows and "记录人" not in rows
