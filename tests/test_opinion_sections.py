"""The 法律意见书's risk assessment and its analysis of each issue in dispute: what the
opinion forms ask for, what the snapshot keeps and what the print template prints."""

from __future__ import annotations

import re

import pytest

from documents.rendering import render_html
from workflows import demo
from workflows.review.forms import DraftForm, check_complete_opinion
from workflows.review.models import LegalOpinion
from workflows.review.snapshots import _analysis_by_issue, _issue_list

TEMPLATE = "review/print/legal_opinion.html"

ISSUES = (
    "一、果园扩建是否侵害墓地及通行；\n二、祖坟修缮的审批主体和规模；\n三、由哪些部门协同处理。"
)


def _checked(**fields) -> dict:
    """The errors of a complete opinion with ``fields`` changed, as submitting checks it."""
    data = {
        "facts": "事实",
        "issues": ISSUES,
        "analysis": "甲\n乙\n丙",
        "route": "mediation",
        "risk": "low",
        "risk_notes": "",
        "questions": "",
        "revision": 0,
        **fields,
    }
    form = DraftForm(data)
    assert form.is_valid(), form.errors
    check_complete_opinion(form, form.cleaned_data)
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def test_it_names_the_first_issue_the_analysis_leaves_out():
    errors = _checked(analysis="相邻关系的分析。\n\n")

    assert list(errors) == ["analysis"]
    assert "第2个争议焦点（二、祖坟修缮的审批主体和规模；）尚无分析" in errors["analysis"][0]


def test_it_takes_an_analysis_with_a_paragraph_per_issue_and_a_conclusion():
    assert _checked(analysis="甲\n乙\n丙\n结论") == {}


@pytest.mark.parametrize("risk", ["medium", "high"])
def test_it_needs_a_risk_assessment_unless_the_risk_is_low(risk):
    errors = _checked(risk=risk, risk_notes="  ")

    assert list(errors) == ["risk_notes"]
    assert "请说明可能出现的风险及防范措施" in errors["risk_notes"][0]
    assert _checked(risk=risk, risk_notes="可能引发信访。") == {}
    assert _checked(risk="low", risk_notes="") == {}


def test_it_pairs_each_issue_with_its_paragraph_and_heads_the_rest():
    opinion = LegalOpinion(issues=ISSUES, analysis="甲\n\n乙\n丙\n丁", risk_notes="")

    assert _analysis_by_issue(opinion) == [
        {"number": "一", "heading": "果园扩建是否侵害墓地及通行", "paragraphs": ["甲"]},
        {"number": "二", "heading": "祖坟修缮的审批主体和规模", "paragraphs": ["乙"]},
        {"number": "三", "heading": "由哪些部门协同处理", "paragraphs": ["丙"]},
        {"number": "四", "heading": "综合分析", "paragraphs": ["丁"]},
    ]


def test_it_leaves_an_opinion_stored_before_the_risk_assessment_as_written():
    stored_before = LegalOpinion(issues=ISSUES, analysis="甲\n乙\n丙", risk_notes=None)
    too_short = LegalOpinion(issues=ISSUES, analysis="甲", risk_notes="")

    assert _analysis_by_issue(stored_before) == []
    assert _analysis_by_issue(too_short) == []


def _snapshot(**review) -> dict:
    return {
        "title": "法律意见书",
        "case": {"title": "祖坟纠纷", "number": "2026-001", "summary": "", "claims": ""},
        "parties": [],
        "review": {
            "committee": "河源市归国华侨联合会法律顾问委员会",
            "addressee": "紫金县归国华侨联合会",
            "requested_on": "二〇二六年十二月三日",
            "reviewers": [],
            "facts": "事实",
            "issues": ISSUES,
            "laws": [],
            "analysis": "甲\n乙\n丙",
            "analysis_by_issue": [],
            "route": "调解",
            "risk": "中",
            "risk_notes": "",
            "questions": "",
            "dissents": [],
            "materials": [],
            "signed_by": "李律师",
            "signed_on": "二〇二六年十二月三日",
            **review,
        },
    }


def _text(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def test_it_prints_each_issue_under_its_own_heading_in_section_five():
    by_issue = [
        {"number": "一", "heading": "果园扩建是否侵害墓地及通行", "paragraphs": ["甲析"]},
        {"number": "二", "heading": "祖坟修缮的审批主体和规模", "paragraphs": ["乙析"]},
    ]
    text = _text(render_html(TEMPLATE, _snapshot(analysis_by_issue=by_issue)))

    section = text.split("五、法律分析")[1].split("六、处理建议")[0]
    assert section == "（一）果园扩建是否侵害墓地及通行甲析（二）祖坟修缮的审批主体和规模乙析"


def test_it_numbers_the_issues_in_dispute_one_level_below_their_section():
    # Under 三 the issues are （一）（二）(GB/T 9704's second level), whatever numbering the
    # writer typed: "一、" there read as a section of its own.
    issues = (
        "一、果园扩建是否侵害墓地及通行；\n2. 祖坟修缮的审批主体和规模\n（三）由哪些部门协同处理"
    )
    snapshot = _snapshot(issues=issues)
    snapshot["review"]["issue_list"] = _issue_list(issues)
    text = _text(render_html(TEMPLATE, snapshot))

    section = text.split("三、争议焦点")[1].split("四、适用的法律依据")[0]
    assert section == (
        "（一）果园扩建是否侵害墓地及通行；（二）祖坟修缮的审批主体和规模；（三）由哪些部门协同处理。"
    )


def test_it_prints_the_issues_of_an_opinion_signed_before_they_were_numbered_as_written():
    text = _text(render_html(TEMPLATE, _snapshot()))

    section = text.split("三、争议焦点")[1].split("四、适用的法律依据")[0]
    assert section == ISSUES.replace("\n", "")


def test_it_prints_an_analysis_not_written_per_issue_as_before():
    text = _text(render_html(TEMPLATE, _snapshot(analysis="只有一段。")))

    assert text.split("五、法律分析")[1].split("六、处理建议")[0] == "只有一段。"


def test_it_prints_the_risk_level_and_assessment_in_their_own_section():
    notes = "调解不成可能引发集体信访。\n应先固定证据。"
    text = _text(render_html(TEMPLATE, _snapshot(risk_notes=notes)))

    section = text.split("（二）风险评估")[1].split("本意见经审查委员一致同意")[0]
    assert section == "经评估，本案风险等级为“中”。调解不成可能引发集体信访。应先固定证据。"
    assert "（一）办理方式本委员会建议本案采取“调解”的方式办理。" in text
    assert "七、保留事项" in text  # the numbering after 六 is unchanged


def _zijin_consolidation() -> dict:
    [data] = [data for step, _user, data in demo.ZIJIN.steps if step == "consolidate"]
    return data


def test_it_analyses_every_issue_of_the_demos_zijin_opinion_including_who_approves():
    data = _zijin_consolidation()
    paragraphs = [line for line in data["analysis"].splitlines() if line.strip()]

    assert len(data["issues"].splitlines()) == 3
    assert len(paragraphs) == 3
    assert "审批主体为祖墓所在地的人民政府" in paragraphs[1]
    assert data["risk"] == "medium" and "信访" in data["risk_notes"]
