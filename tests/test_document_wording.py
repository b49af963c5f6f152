"""[Q6e] What each document says: the wording an office would send back."""

import re

from cases.models import Party
from cases.services import PartyInput
from documents import services

from .factories import PersonFactory
from .test_documents import closed_case, content, pdf_text, rendered, step  # noqa: F401


def _running_text(document) -> str:
    """The document's text with its page numbers ("—1—") taken out of the sentences
    that run across a page."""
    return re.sub(r"—\d+—", "", pdf_text(content(rendered(document))))


def test_it_tells_the_closing_reason_once(closed_case):  # noqa: F811
    text = _running_text(closed_case.documents.get(kind="closing_report"))
    assert text.count("经法顾委出具书面意见，当事人表示接受") == 1
    assert "四、办理结果经法顾委出具书面意见，当事人表示接受。" in text
    assert "结案。" in text  # the closing step itself is still among the steps


def test_it_offers_review_by_the_federation_above_not_administrative_review(closed_case):  # noqa: F811
    text = _running_text(closed_case.documents.get(kind="rights_notice"))
    # A 侨联 is a people's organisation, not an administrative organ: its result is reviewed
    # by the federation at the next level up (信访工作条例 Arts. 35 and 36).
    assert "行政复议" not in text
    assert "三十日内请求上一级侨联复查" in text
    assert "请求复查机关的上一级侨联复核" in text
    assert "《信访工作条例》第三十五条、第三十六条" in text


def test_it_prints_a_latin_name_once_on_the_registration_form(closed_case):  # noqa: F811
    text = _running_text(closed_case.documents.get(kind="registration_form"))
    assert "谭永康(ThamWengHong)" in text
    assert text.count("ThamWengHong") == 1


def test_it_grounds_the_acceptance_notices_time_limit_in_the_petition_regulations(closed_case):  # noqa: F811
    text = _running_text(closed_case.documents.get(kind="acceptance_notice"))
    # The 60 days and the one extension of at most 30 are 《信访工作条例》(2022) Art. 34;
    # the law on returned overseas Chinese sets no time limit.
    assert "依照《信访工作条例》第三十四条，本会将自受理之日起六十日内办结" in text
    assert "延长期限不超过三十日" in text
    assert "归侨侨眷权益保护法" not in text


def test_it_names_the_officer_without_the_unit_the_page_is_headed_by(closed_case, officer):  # noqa: F811
    officer.last_name, officer.first_name = "刘", "晓梅"
    officer.display_name = "刘晓梅（义容镇侨胞之家）"
    officer.save()
    notice = services.issue_document(case=closed_case, kind="acceptance_notice")
    text = _running_text(notice)
    assert "承办人：刘晓梅；" in text
    assert "义容镇侨胞之家）" not in text


def test_it_leaves_out_an_identity_that_says_nothing(closed_case):  # noqa: F811
    # A villager on the other side is no 侨: "其他" (other) would be printed as if it said who.
    respondent = PersonFactory(
        name_zh="林村民", name_latin="", identity="other", residence_country="CN"
    )
    Party.objects.create(case=closed_case, role="respondent", person=respondent)
    form = services.issue_document(case=closed_case, kind="registration_form")
    text = _running_text(form)
    assert "被申请人林村民；中国" in text
    assert "其他" not in text


def test_it_names_an_associations_representatives_on_the_registration_form(
    intake, association, claimant, city
):
    # An association acts through its registered representatives: registered with it, they
    # are on the 受理登记表 issued at registration, each saying for whom they act.
    second = PersonFactory(name_zh="谭丽珍", name_latin="Tham Lai Chin", registered_by=None)
    association.representatives.add(second)
    respondent = PersonFactory(name_zh="谭伯华", name_latin="", registered_by=city)
    case = intake(
        parties=[
            PartyInput(role=Party.Role.RESPONDENT, person=respondent),
            PartyInput(role=Party.Role.CLAIMANT, association=association),
        ]
    )

    text = _running_text(case.documents.get(kind="registration_form"))
    # Claimant first, each followed by whoever acts for it, then the respondent.
    order = [text.index(n) for n in ("马来西亚谭氏宗亲会", "谭永康", "谭丽珍", "被申请人谭伯华")]
    assert order == sorted(order)
    assert text.count("受马来西亚谭氏宗亲会委托") == 2
    assert "谭永康(ThamWengHong)，受马来西亚谭氏宗亲会委托" in text
    assert "谭丽珍(ThamLaiChin)，受马来西亚谭氏宗亲会委托" in text
    acting = case.parties.filter(role=Party.Role.REPRESENTATIVE)
    assert {p.person for p in acting} == {claimant, second}
    assert {p.on_behalf_of.association for p in acting} == {association}
