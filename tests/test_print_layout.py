"""The printed layout against GB/T 9704-2012, measured on real PDFs.

Every document is rendered by the project's renderer; words are found with
``pdftotext -bbox`` and their ink (and the red rule's) measured on the page rasterised at
10 pixels a millimetre, as a person with a ruler would. Expected distances are written by
hand from the standard:

- the text block starts 37 mm from the top of the A4 page and is 225 mm high (§5.2.1), so
  it ends 262 mm from the top; its right edge is 26 mm from the right of the page;
- 22 lines a page: the line pitch is 225 / 22 = 10.227 mm; a 3号 character is 16 pt =
  5.644 mm high, so the gap between two lines' characters is 10.227 − 5.644 = 4.583 mm.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image

from documents.rendering import render_pdf

MM_PER_PT = 25.4 / 72
PX_PER_MM = 10  # pdftoppm at 254 dpi
PAGE_WIDTH = 210.0
BLOCK_TOP = 37.0
BLOCK_BOTTOM = 262.0
BLOCK_RIGHT = 184.0  # 210 − 26

ORGANISATION = "紫金县义容镇侨胞之家"
COMMITTEE = "河源市归国华侨联合会法律顾问委员会"

CASE = {
    "number": "义侨维案〔2026〕1号",
    "title": "马来西亚谭氏宗亲会反映紫金县义容镇祖坟墓地纠纷",
    "category": "祖坟（墓地）",
    "channel": "侨团来函",
    "received_on": "2026年12月3日",
    "received_on_en": "3 December 2026",
    "summary": "马来西亚谭氏宗亲会来函，反映其宗亲位于紫金县义容镇的祖坟墓地与当地村民"
    "发生纠纷，墓地周边土地被占用，祖坟安全与祭扫受到影响，请求侨联协调处理。",
    "claims": "保护祖坟现状，停止占用墓地周边土地；按原规模修缮祖坟；保障宗亲回乡祭扫。",
    "location": "广东省河源市紫金县义容镇",
    "risk": "中",
}
PARTIES = [
    {"role": "被申请人", "name": "谭伯华", "country": "中国", "identity": "其他"},
    {"role": "申请人", "name": "马来西亚谭氏宗亲会", "country": "马来西亚", "identity": "侨团"},
]
COMMON = {
    "version": 1,
    "organisation_en": "Overseas Chinese Home of Yirong Township",
    "organisation_phone": "0762-7800100",
    "issued_on": "2026年12月4日",
    "issued_on_en": "4 December 2026",
    "bilingual": False,
    "subject": "",
    "keywords": "",
    "officer": "刘晓梅（义容镇侨胞之家）",
    "case": CASE,
    "parties": PARTIES,
}
ACCEPTANCE_NOTICE = COMMON | {
    "kind": "acceptance_notice",
    "title": "受理通知书",
    "number": "义侨维〔2026〕1号",
    "organisation": ORGANISATION,
    "addressee": "马来西亚谭氏宗亲会",
    "accepted_on": "2026年12月4日",
    "handling_due": "2027年2月2日",
}
REFERRAL_LETTER = COMMON | {
    "kind": "referral_letter",
    "title": "转办函",
    "number": "河侨维函〔2026〕1号",
    "organisation": "河源市归国华侨联合会",
    "reason": "属县级信访和农业农村部门职责。",
    "receiver": {"name": "紫金县信访局", "phone": "0762-7323000"},
    "objection_due": "2026年12月11日",
}
LEGAL_OPINION = COMMON | {
    "kind": "legal_opinion",
    "title": "法律意见书",
    "number": "河侨维法意〔2026〕1号",
    "organisation": "河源市归国华侨联合会",
    "review": {
        "requested_on": "2026年12月4日",
        "committee": COMMITTEE,
        "addressee": ORGANISATION,
        "reviewers": [
            {
                "name": "李明",
                "employer": "广东河源公益律师事务所",
                "title": "律师",
                "is_lead": True,
            },
            {"name": "张慧", "employer": "河源市司法局", "title": "公职律师", "is_lead": False},
        ],
        "facts": "祖坟位于义容镇某村集体山地，建于清代；2022年起村民谭伯华扩建果园，"
        "占用墓地周边土地约二百平方米，妨碍通行和祭扫。",
        "issues": "一、果园扩建是否侵害墓地及通行；二、祖坟修缮的审批主体和规模。",
        "analysis": "依《民法典》相邻关系规定，谭伯华应为祭扫通行提供必要便利；"
        "祖坟修缮须经当地政府批准并保持原有规模。\n建议先召开协调会，明确职责，再组织双方调解。",
        "questions": "",
        "laws": [
            {"law": "《中华人民共和国民法典》", "article": "第二百九十一条", "gist": ""},
        ],
        "route": "先召开协调会，再调解",
        "risk": "中",
        "dissents": [],
        "signed_by": "李明",
        "signed_on": "2026年12月4日",
    },
}

ACCEPTANCE_TEMPLATE = "documents/print/acceptance_notice.html"
LEGAL_OPINION_TEMPLATE = "review/print/legal_opinion.html"
REFERRAL_TEMPLATE = "documents/print/referral_letter.html"


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in millimetres from the top left corner."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


class Page:
    """One page of a rendered PDF: its words (pdftotext) and its pixels (pdftoppm)."""

    def __init__(self, pdf: Path, number: int, tmp: Path) -> None:
        self.words = _words(pdf, number)
        prefix = tmp / f"page{number}"
        dpi = str(round(PX_PER_MM * 25.4))
        pages = ["-f", str(number), "-l", str(number)]
        subprocess.run(
            ["pdftoppm", "-r", dpi, *pages, "-singlefile", "-png", str(pdf), str(prefix)],
            check=True,
        )
        self.image = Image.open(f"{prefix}.png").convert("RGB")

    def word(self, text: str) -> Box:
        """The box pdftotext gives the first word containing ``text``."""
        found = [box for word, box in self.words if text in word]
        assert found, f"{text!r} not on the page: {[w for w, _ in self.words]}"
        return found[0]

    def ink(self, box: Box, *, red: bool = False) -> Box:
        """The rows and columns inside ``box`` that carry ink (or red ink only)."""
        left, top = round(box.left * PX_PER_MM), round(box.top * PX_PER_MM)
        right, bottom = round(box.right * PX_PER_MM), round(box.bottom * PX_PER_MM)
        crop = self.image.crop((left, top, right, bottom))
        pixels = crop.load()
        rows, columns = set(), set()
        for y in range(crop.height):
            for x in range(crop.width):
                r, g, b = pixels[x, y]
                inked = (r > 150 and g < 90 and b < 90) if red else (r + g + b < 3 * 160)
                if inked:
                    rows.add(y)
                    columns.add(x)
        assert rows, f"no ink in {box}"
        return Box(
            (left + min(columns)) / PX_PER_MM,
            (top + min(rows)) / PX_PER_MM,
            (left + max(columns) + 1) / PX_PER_MM,
            (top + max(rows) + 1) / PX_PER_MM,
        )

    def word_ink(self, text: str) -> Box:
        return self.ink(self.word(text))

    def red_rules(self, top: float, bottom: float) -> list[Box]:
        """The red horizontal rules between two heights: runs of rows red across 100 mm."""
        rows = []
        for y in range(round(top * PX_PER_MM), round(bottom * PX_PER_MM)):
            red = 0
            for x in range(0, self.image.width, PX_PER_MM):  # one sample a millimetre
                r, g, b = self.image.getpixel((x, y))
                red += r > 150 and g < 90 and b < 90
            if red > 100:
                rows.append(y)
        rules: list[list[int]] = []
        for y in rows:
            if rules and y == rules[-1][-1] + 1:
                rules[-1].append(y)
            else:
                rules.append([y])
        return [Box(0, r[0] / PX_PER_MM, PAGE_WIDTH, (r[-1] + 1) / PX_PER_MM) for r in rules]


def _words(pdf: Path, number: int) -> list[tuple[str, Box]]:
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(number), "-l", str(number), str(pdf), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    root = ElementTree.fromstring(out.replace('xmlns="http://www.w3.org/1999/xhtml"', ""))
    return [
        (
            w.text or "",
            Box(*(float(w.get(k)) * MM_PER_PT for k in ("xMin", "yMin", "xMax", "yMax"))),
        )
        for w in root.iter("word")
    ]


def _render(template: str, snapshot: dict, tmp_path: Path) -> tuple[Path, int]:
    rendered = render_pdf(template, snapshot)
    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(rendered.content)
    return pdf, rendered.page_count


@pytest.fixture(
    params=[(ACCEPTANCE_TEMPLATE, ACCEPTANCE_NOTICE), (LEGAL_OPINION_TEMPLATE, LEGAL_OPINION)],
    ids=["acceptance_notice", "legal_opinion"],
)
def first_page(request, tmp_path) -> tuple[Page, dict]:
    template, snapshot = request.param
    pdf, _ = _render(template, snapshot, tmp_path)
    return Page(pdf, 1, tmp_path), snapshot


def _mark_number_rule_title(page: Page, snapshot: dict) -> tuple[Box, Box, Box, Box]:
    issuer = snapshot.get("review", {}).get("committee") or snapshot["organisation"]
    number = page.word_ink(snapshot["number"][-4:])
    mark_words = [b for w, b in page.words if w and w in issuer and b.bottom < number.top]
    mark = Box(
        min(b.left for b in mark_words),
        min(b.top for b in mark_words),
        max(b.right for b in mark_words),
        max(b.bottom for b in mark_words),
    )
    mark = page.ink(mark)
    rules = page.red_rules(number.bottom, number.bottom + 15)
    assert len(rules) == 1, rules
    title = page.word_ink(snapshot["title"])
    return mark, number, rules[0], title


def test_it_sets_the_issuers_mark_35_mm_below_the_top_of_the_text_block(first_page):
    page, snapshot = first_page
    mark, _, _, _ = _mark_number_rule_title(page, snapshot)
    assert mark.top - BLOCK_TOP == pytest.approx(35.0, abs=1.0)


def test_it_sets_the_document_number_two_blank_lines_under_the_mark(first_page):
    page, snapshot = first_page
    mark, number, _, _ = _mark_number_rule_title(page, snapshot)
    # Two empty lines (2 × 10.227) and the gap between any two lines (4.583).
    assert number.top - mark.bottom == pytest.approx(25.04, abs=1.0)


def test_it_draws_the_red_rule_4_mm_under_the_document_number(first_page):
    page, snapshot = first_page
    _, number, rule, _ = _mark_number_rule_title(page, snapshot)
    assert rule.top - number.bottom == pytest.approx(4.0, abs=1.0)
    assert rule.bottom - rule.top < 1.0  # one thin rule


def test_it_sets_the_title_two_blank_lines_under_the_rule(first_page):
    page, snapshot = first_page
    _, _, rule, title = _mark_number_rule_title(page, snapshot)
    assert title.top - rule.bottom == pytest.approx(20.45, abs=1.0)


def test_it_sets_the_page_numbers_dash_7_mm_under_the_text_block(first_page):
    page, _ = first_page
    dash = page.word_ink("—")
    assert dash.top - BLOCK_BOTTOM == pytest.approx(7.0, abs=1.0)
    assert dash.bottom - dash.top < 1.0  # the ink is the dash, not a digit


def _signature_page(template: str, snapshot: dict, tmp_path: Path) -> Page:
    pdf, pages = _render(template, snapshot, tmp_path)
    return Page(pdf, pages, tmp_path)


def _signature(template: str, snapshot: dict, issuer: str, tmp_path: Path) -> tuple[Box, Box]:
    page = _signature_page(template, snapshot, tmp_path)
    signed = [b for w, b in page.words if w == issuer]
    assert signed, f"the issuer's name is broken: {[w for w, _ in page.words]}"
    dated = [b for w, b in page.words if w == "2026年12月4日"]
    name, day = page.ink(signed[-1]), page.ink(dated[-1])
    assert day.top > name.bottom  # the date is under the name
    return name, day


def test_it_centres_the_issuer_over_the_date_four_characters_in(tmp_path):
    name, day = _signature(ACCEPTANCE_TEMPLATE, ACCEPTANCE_NOTICE, ORGANISATION, tmp_path)
    assert name.centre == pytest.approx(day.centre, abs=2.0)
    assert BLOCK_RIGHT - day.right == pytest.approx(4 * 16 * MM_PER_PT, abs=2.0)  # 22.58 mm


def test_it_keeps_a_committees_long_name_centred_and_inside_the_block(tmp_path):
    # Seventeen characters (96 mm) centred over a date four characters in would run 10 mm
    # past the block: the name ends at the block's edge and the date moves in under it.
    name, day = _signature(LEGAL_OPINION_TEMPLATE, LEGAL_OPINION, COMMITTEE, tmp_path)
    assert name.centre == pytest.approx(day.centre, abs=2.0)
    assert BLOCK_RIGHT - name.right == pytest.approx(0.0, abs=2.0)
    assert BLOCK_RIGHT - day.right > 4 * 16 * MM_PER_PT


def test_it_sets_a_letters_mark_30_mm_from_the_top_of_the_page(tmp_path):
    pdf, _ = _render(REFERRAL_TEMPLATE, REFERRAL_LETTER, tmp_path)
    page = Page(pdf, 1, tmp_path)
    mark = page.word_ink("河源市归国华侨联合会")
    assert mark.top == pytest.approx(30.0, abs=1.0)


def test_it_rules_a_letter_with_red_double_rules_and_no_first_page_number(tmp_path):
    pdf, _ = _render(REFERRAL_TEMPLATE, REFERRAL_LETTER, tmp_path)
    page = Page(pdf, 1, tmp_path)
    mark = page.word_ink("河源市归国华侨联合会")
    head = page.red_rules(mark.bottom, mark.bottom + 10)
    foot = page.red_rules(260, 297)
    assert len(head) == 2 and len(foot) == 2, (head, foot)  # double rules
    assert head[0].top - mark.bottom == pytest.approx(4.0, abs=1.0)
    assert head[0].bottom - head[0].top > foot[0].bottom - foot[0].top  # thick over thin
    assert 297 - foot[-1].bottom == pytest.approx(20.0, abs=1.0)
    assert not [w for w, _ in page.words if "—" in w]


def test_it_prints_no_page_number_on_the_case_files_cover(tmp_path):
    cover = COMMON | {"title": "卷宗", "organisation": ORGANISATION, "number": ""}
    pdf, _ = _render("documents/print/case_file_cover.html", cover, tmp_path)
    assert not [w for w, _ in Page(pdf, 1, tmp_path).words if "—" in w]


@pytest.mark.parametrize("extra", [0, 2, 4, 6])
def test_it_takes_two_lines_of_text_along_with_the_signature(extra, tmp_path):
    # Longer case titles push the signature of the acceptance notice to the next page.
    snapshot = ACCEPTANCE_NOTICE | {
        "case": CASE | {"title": CASE["title"] + "，涉及祖坟周边山地占用和祭扫通道" * extra}
    }
    pdf, pages = _render(ACCEPTANCE_TEMPLATE, snapshot, tmp_path)
    page = Page(pdf, pages, tmp_path)
    signature = page.word(ORGANISATION)
    text_lines = {round(b.top) for w, b in page.words if b.bottom < signature.top and w != "—"}
    assert pages == 1 or len(text_lines) >= 2, text_lines
