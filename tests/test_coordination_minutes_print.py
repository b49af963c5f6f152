"""The 会议纪要 of a coordination meeting against GB/T 9704-2012 §10.3, measured on real PDFs.

The template is rendered by the project's renderer from a snapshot shaped as the coordination
stage takes it (``mediation.coordination.snapshots``); words and their places come from
``pdftotext`` and the page rasterised as in ``test_print_layout``. The stage registers its
templates folder itself; these tests put it first in the template dirs so they do not depend
on that.
"""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from pypdf import PdfReader

from documents.rendering import render_html, render_pdf

from .test_print_layout import BLOCK_RIGHT, BLOCK_TOP, MM_PER_PT, Box, Page

TEMPLATE = "coordination/print/meeting_minutes.html"
TEMPLATE_DIR = Path(settings.BASE_DIR) / "mediation" / "coordination" / "templates"
CHAR = 16 * MM_PER_PT  # a 3号 character, 5.644 mm
LINE = 225 / 22  # the line pitch, 10.227 mm
PAGE_HEIGHT_PT = 297 / MM_PER_PT
PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$", re.MULTILINE)

CASE_TITLE = "马来西亚谭氏宗亲会反映紫金县义容镇祖坟墓地纠纷"
DEPARTMENTS = [
    "中共紫金县委统战部",
    "紫金县侨联",
    "紫金县自然资源局",
    "紫金县住房和城乡建设局",
    "义容镇人民政府",
]
MEETING = {
    "title": "谭氏祖坟纠纷多部门协调会",
    "held_on": "2026年12月8日",
    "time": "上午9时30分",
    "place": "紫金县侨联三楼会议室",
    "online_link": "",
    "chair": "刘晓梅",
    "agenda": [
        {
            "number": "一",
            "title": "果园扩建是否侵害墓地及通行",
            "discussion": [
                "县自然资源局通报了现场核查情况：谭氏祖坟位于义容镇某村集体山地，建于清代；"
                "2022年起村民谭伯华扩建果园，占用墓地周边土地约二百平方米。",
                "与会部门认为，依《民法典》相邻关系的规定，果园经营者应当为祭扫通行提供必要的便利。",
            ],
            "decisions": [
                "由义容镇人民政府牵头，恢复原有祭扫通道。",
                "果园不再向墓地方向扩建。",
            ],
        },
        {
            "number": "二",
            "title": "祖坟修缮的审批主体和规模",
            "discussion": [],
            "decisions": ["修缮方案由义容镇人民政府按原有规模审批。"],
        },
    ],
    "actions": [
        {
            "organisation": "紫金县自然资源局",
            "description": "核实墓地周边土地权属并出具书面意见",
            "working_days": 10,
            "due_on": "2026年12月22日",
            "follow_up_by": "刘晓梅",
        },
        {
            "organisation": "义容镇人民政府",
            "description": "组织双方协商恢复祭扫通道，并书面告知宗亲会。",
            "working_days": 15,
            "due_on": "2026年12月29日",
            "follow_up_by": "刘晓梅",
        },
    ],
    "attended": [
        {"name": "张三", "organisation": "中共紫金县委统战部", "title": "副部长"},
        {"name": "刘晓梅", "organisation": "紫金县侨联", "title": "副主席"},
        {"name": "陈国强", "organisation": "紫金县自然资源局", "title": "副局长"},
        {"name": "黄丽华", "organisation": "义容镇人民政府", "title": "副镇长"},
    ],
    "non_voting": [{"name": "李明", "organisation": "河源市侨联法律顾问委员会", "title": "律师"}],
    "excused": [{"name": "王五", "organisation": "紫金县住房和城乡建设局", "title": ""}],
    "departments": DEPARTMENTS,
}
SNAPSHOT = {
    "kind": "meeting_minutes",
    "title": "会议纪要",
    "title_en": "Minutes",
    "number": "义侨维纪〔2026〕1号",
    "version": 1,
    "organisation": "紫金县义容镇侨胞之家",
    "organisation_en": "Overseas Chinese Home of Yirong Township",
    "organisation_phone": "0762-7800100",
    "issuer": "紫金县义容镇侨胞之家",
    "issued_on": "2026年12月9日",
    "issued_on_en": "9 December 2026",
    "bilingual": False,
    "subject": f"会议纪要：{CASE_TITLE}",
    "keywords": "会议纪要, 协调会",
    "officer": "刘晓梅",
    "addressee": "中共紫金县委统战部",
    "addressee_en": "United Front Work Department of Zijin County",
    "case": {
        "number": "义侨维案〔2026〕1号",
        "title": CASE_TITLE,
        "category": "祖坟（墓地）",
        "channel": "侨团来函",
        "received_on": "2026年12月3日",
        "received_on_en": "3 December 2026",
        "summary": "马来西亚谭氏宗亲会来函，反映其宗亲位于紫金县义容镇的祖坟墓地与当地村民"
        "发生纠纷。",
        "claims": "保护祖坟现状，停止占用墓地周边土地；保障宗亲回乡祭扫。",
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
    "meeting": MEETING,
}


def _templates() -> list[dict]:
    """The project's template settings with the stage's folder searched first."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [str(TEMPLATE_DIR), *templates[0]["DIRS"]]
    return templates


def _with_meeting(**changes) -> dict:
    return SNAPSHOT | {"meeting": MEETING | changes}


def _pdf(snapshot: dict, folder: Path) -> tuple[Path, int]:
    with override_settings(TEMPLATES=_templates()):
        rendered = render_pdf(TEMPLATE, snapshot)
    pdf = folder / "minutes.pdf"
    pdf.write_bytes(rendered.content)
    return pdf, rendered.page_count


def _text(pdf: Path) -> str:
    """The document's text, lines joined and page numbers left out: a sentence reads whole
    across a line or a page break."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True)
    return "".join(PAGE_NUMBER.sub("", out.stdout).split())


@pytest.fixture(scope="module")
def minutes(tmp_path_factory) -> tuple[Path, int]:
    """The realistic example, rendered once for the tests that only read it."""
    return _pdf(SNAPSHOT, tmp_path_factory.mktemp("minutes"))


def test_it_sets_the_red_mark_35_mm_below_the_top_of_the_text_block(minutes, tmp_path):
    pdf, _ = minutes
    page = Page(pdf, 1, tmp_path)
    word = page.word("协调会议纪要")
    red = page.ink(word, red=True)
    assert red.top - BLOCK_TOP == pytest.approx(35.0, abs=1.0)
    # All of the mark is red: its red ink is all of its ink.
    assert page.ink(word) == red


def test_it_reads_the_mark_as_the_organisations_coordination_minutes(minutes):
    pdf, _ = minutes
    assert _text(pdf).startswith("紫金县义容镇侨胞之家协调会议纪要义侨维纪〔2026〕1号")


def test_it_keeps_a_long_mark_on_one_line_inside_the_block(tmp_path):
    snapshot = SNAPSHOT | {"organisation": "广东省河源市紫金县归国华侨联合会"}
    pdf, _ = _pdf(snapshot, tmp_path)
    page = Page(pdf, 1, tmp_path)
    word = page.word("协调会议纪要")
    assert word.left > 28.0 and word.right < BLOCK_RIGHT  # nothing runs past the block
    mark = page.ink(word, red=True)
    assert mark.top - BLOCK_TOP == pytest.approx(35.0, abs=1.0)
    assert mark.bottom - mark.top < 12  # one line


def test_it_draws_the_number_and_one_red_rule_under_the_mark(minutes, tmp_path):
    pdf, _ = minutes
    page = Page(pdf, 1, tmp_path)
    mark = page.ink(page.word("协调会议纪要"), red=True)
    number = page.word_ink("1号")
    assert number.top - mark.bottom == pytest.approx(25.04, abs=1.5)  # two blank lines
    rules = page.red_rules(number.bottom, number.bottom + 15)
    assert len(rules) == 1, rules
    assert rules[0].top - number.bottom == pytest.approx(4.0, abs=1.0)


def test_it_opens_with_when_where_who_and_the_case(minutes):
    pdf, _ = minutes
    assert (
        "2026年12月8日上午9时30分，刘晓梅在紫金县侨联三楼会议室主持召开谭氏祖坟纠纷多部门协调会，"
        "中共紫金县委统战部、紫金县侨联、紫金县自然资源局、紫金县住房和城乡建设局、"
        "义容镇人民政府参加会议。会议就“马来西亚谭氏宗亲会反映紫金县义容镇祖坟墓地纠纷”一案"
        "（案件编号义侨维案〔2026〕1号）进行了研究协调。现将会议议定事项纪要如下："
    ) in _text(pdf)


def test_it_prints_no_title_block_under_the_rule(minutes):
    pdf, _ = minutes
    text = _text(pdf)
    # The mark names the document: the snapshot's title "会议纪要" is not set again as a title.
    assert "1号2026年12月8日" in text
    assert text.count("会议纪要") == 1


def test_it_heads_each_agenda_item_and_gives_its_decisions(minutes):
    pdf, _ = minutes
    text = _text(pdf)
    first = text.index("一、果园扩建是否侵害墓地及通行")
    second = text.index("二、祖坟修缮的审批主体和规模")
    assert first < text.index("相邻关系") < second
    # Several decisions are numbered under "会议议定："; a single one follows it.
    assert (
        "会议议定：（一）由义容镇人民政府牵头，恢复原有祭扫通道。"
        "（二）果园不再向墓地方向扩建。" in text
    )
    assert "会议议定：修缮方案由义容镇人民政府按原有规模审批。" in text
    assert text.index("（二）果园") < second


def test_it_lists_the_action_items_under_the_next_heading(minutes):
    pdf, _ = minutes
    text = _text(pdf)
    assert (
        "三、工作任务（一）紫金县自然资源局：核实墓地周边土地权属并出具书面意见，"
        "于2026年12月22日前完成（10个工作日），由刘晓梅跟踪督办。"
        "（二）义容镇人民政府：组织双方协商恢复祭扫通道，并书面告知宗亲会，"
        "于2026年12月29日前完成（15个工作日），由刘晓梅跟踪督办。"
    ) in text


def test_it_lists_attended_excused_and_non_voting_in_that_order(minutes):
    pdf, _ = minutes
    text = _text(pdf)
    attended = text.index("出席：中共紫金县委统战部张三（副部长）、紫金县侨联刘晓梅（副主席）")
    excused = text.index("请假：紫金县住房和城乡建设局王五")
    non_voting = text.index("列席：河源市侨联法律顾问委员会李明（律师）")
    assert attended < excused < non_voting
    assert text.index("义容镇人民政府黄丽华（副镇长）") < excused
    assert text.index("工作任务") < attended


def _runs(pdf: Path, number: int) -> list[tuple[str, float, float]]:
    """The text runs of a page as drawn: (text, left, baseline) in millimetres from the top left.

    pdftotext merges the 黑体 label and the names after it into one word; the PDF draws them
    as two runs, the names' starting where the label's box ends."""
    runs = []

    def visit(text, cm, tm, font, size) -> None:
        if text.strip():
            # WeasyPrint draws in CSS pixels (cm scales them to points) from the page's top.
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            runs.append((text.strip(), x * MM_PER_PT, (PAGE_HEIGHT_PT - y) * MM_PER_PT))

    PdfReader(pdf).pages[number - 1].extract_text(visitor_text=visit)
    return runs


def test_it_sets_the_attendance_lists_with_a_hanging_indent(minutes):
    pdf, pages = minutes
    runs = _runs(pdf, pages)
    labels = {
        text: (left, line) for text, left, line in runs if text in ("出席：", "请假：", "列席：")
    }
    assert list(labels) == ["出席：", "请假：", "列席："]
    label_left, first_line = labels["出席："]
    names = [(left, line) for _, left, line in runs if first_line <= line < labels["请假："][1]]
    after_colon = [left for left, line in names if line == first_line and left > label_left]
    continued = [left for left, line in names if line > first_line]
    assert len(continued) >= 2, "the list is long enough to wrap"
    # "出席" two characters in; the names start right after the colon, and every continued
    # line under their first character.
    assert label_left - 28.0 == pytest.approx(2 * CHAR, abs=1.0)
    assert after_colon[0] - label_left == pytest.approx(3 * CHAR, abs=1.0)
    for left in continued:
        assert left == pytest.approx(after_colon[0], abs=1.0)
    # 请假 and 列席 on lines of their own, two characters in like 出席.
    for left, line in (labels["请假："], labels["列席："]):
        assert left == pytest.approx(label_left, abs=0.5)
        assert line > first_line


def test_it_sets_the_lists_one_blank_line_under_the_body(minutes, tmp_path):
    pdf, pages = minutes
    page = Page(pdf, pages, tmp_path)
    label = page.word_ink("出席")
    above = max(b.bottom for _, b in page.words if b.bottom < label.top)
    body_line = page.ink(Box(28.0, above - CHAR, BLOCK_RIGHT, above + 0.5))
    # One blank line (10.227 mm) and the gap between two lines' characters (4.583 mm).
    assert label.top - body_line.bottom == pytest.approx(LINE + LINE - CHAR, abs=1.0)


def test_it_dates_the_minutes_four_characters_in_without_a_seal(minutes, tmp_path):
    pdf, pages = minutes
    page = Page(pdf, pages, tmp_path)
    dated = [b for w, b in page.words if w == "2026年12月9日"]
    assert dated, "the date is printed"
    day = page.ink(dated[-1])
    assert BLOCK_RIGHT - day.right == pytest.approx(4 * CHAR, abs=2.0)
    assert day.top > page.word("列席").bottom  # after the lists
    with override_settings(TEMPLATES=_templates()):
        html = render_html(TEMPLATE, SNAPSHOT)
    assert "seal-area" not in html
    # No issuer's signature: the organisation's name is only in the mark.
    assert _text(pdf).count("紫金县义容镇侨胞之家") == 1


def test_it_runs_to_two_pages_with_the_mark_on_the_first_only(minutes, tmp_path):
    pdf, pages = minutes
    assert pages == 2
    assert not [w for w, _ in Page(pdf, 2, tmp_path).words if "纪要" in w and "协调会议" in w]


def test_it_says_an_online_meeting_was_held_online_and_names_no_place(tmp_path):
    snapshot = _with_meeting(place="", online_link="https://meeting.example.cn/j/123?pwd=9")
    pdf, _ = _pdf(snapshot, tmp_path)
    text = _text(pdf)
    assert "刘晓梅以线上方式主持召开谭氏祖坟纠纷多部门协调会" in text
    assert "在主持" not in text and "在以" not in text
    assert "pwd" not in text  # the meeting's link, with its passcode, is not printed


def test_it_says_a_meeting_held_on_site_and_online_was_both(tmp_path):
    snapshot = _with_meeting(online_link="https://meeting.example.cn/j/123")
    pdf, _ = _pdf(snapshot, tmp_path)
    assert "在紫金县侨联三楼会议室以现场结合线上方式主持召开" in _text(pdf)


def test_it_leaves_out_the_action_items_section_when_there_are_none(tmp_path):
    pdf, _ = _pdf(_with_meeting(actions=[]), tmp_path)
    text = _text(pdf)
    assert "工作任务" not in text
    assert "三、" not in text
    assert "出席：" in text


def test_it_leaves_out_empty_lists_and_empty_decisions(tmp_path):
    agenda = [MEETING["agenda"][0] | {"decisions": []}, MEETING["agenda"][1]]
    pdf, _ = _pdf(_with_meeting(agenda=agenda, excused=[], non_voting=[]), tmp_path)
    text = _text(pdf)
    assert "请假" not in text and "列席" not in text
    assert text.count("会议议定：") == 1
    assert "出席：" in text


def test_it_numbers_the_action_items_past_ten_as_chinese_counts(tmp_path):
    # Eleven agenda items: the action items are 十二、; the eleventh action is （十一）.
    agenda = [
        {"number": n, "title": f"议题{n}", "discussion": [], "decisions": []}
        for n in "一二三四五六七八九十"
    ] + [{"number": "十一", "title": "议题十一", "discussion": [], "decisions": []}]
    actions = [MEETING["actions"][0] | {"description": f"任务{i}"} for i in range(1, 12)]
    pdf, _ = _pdf(_with_meeting(agenda=agenda, actions=actions), tmp_path)
    text = _text(pdf)
    assert "十二、工作任务（一）紫金县自然资源局：任务1，" in text
    assert "（十）紫金县自然资源局：任务10，" in text
    assert "（十一）紫金县自然资源局：任务11，" in text
