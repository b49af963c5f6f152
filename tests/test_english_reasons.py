"""[Q6e]: the notices to a party who reads no Chinese give the officer's reason in English
too, asked for on the form that issues the notice."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cases.models import Case, Party
from cases.selectors import reads_no_chinese
from cases.services import PartyInput
from documents.services import render_document
from workflows import services
from workflows.forms import ExtensionForm, SuspendForm
from workflows.steps import DecideForm

from .conftest import open_tasks
from .factories import PersonFactory
from .test_documents import content, pdf_text

ZH_REASON = "投诉事项不属于本会职责范围"
EN_REASON = "The complaint is outside this federation's remit"


def english_passage(text: str) -> str:
    """The notice's text from its English passage on (pdf_text has no white space)."""
    return text[text.index("To") :]


def page_says(response, message: str) -> bool:
    with translation.override("zh-hans"):
        return translation.gettext(message) in response.content.decode()


@pytest.fixture
def abroad(intake, city) -> Case:
    """A case whose claimant reads English, screened and waiting for the decision."""
    person = PersonFactory(
        name_zh="谭丽珍", name_latin="Tham Lai Chin", preferred_language="en", registered_by=city
    )
    return intake(parties=[PartyInput(role=Party.Role.CLAIMANT, person=person)])


@pytest.fixture
def screened(do):
    return lambda case: do(case, "screen", {"notes": "事实清楚"})


@pytest.fixture
def accepted(do, screened):
    return lambda case: do(screened(case), "decide", {"decision": "accept", "reason": ""})


def test_it_knows_who_reads_no_chinese(abroad, case):
    assert reads_no_chinese(abroad) is True
    assert reads_no_chinese(case) is False  # the conftest claimant reads Chinese


# 不予受理告知书 ---------------------------------------------------------------------------


def test_it_refuses_a_decline_without_the_english_reason(abroad, screened, supervisor):
    case = screened(abroad)
    form = DecideForm({"decision": "decline", "reason": ZH_REASON}, case=case, user=supervisor)

    assert not form.is_valid()
    assert form.errors["reason_en"] == ["请同时填写英文理由。"]


def test_it_shows_the_missing_english_reason_on_the_task_page(client, abroad, screened, supervisor):
    case = screened(abroad)
    [decide] = open_tasks(case)
    client.force_login(supervisor)
    services.claim_task(task_id=decide.pk, user=supervisor)

    page = client.post(
        reverse("workflows:task", args=[decide.pk]),
        {"decision": "decline", "reason": ZH_REASON},
        follow=True,
    )

    assert page_says(page, "请同时填写英文理由。")
    assert Case.objects.get(pk=case.pk).status == "screening"


def test_it_prints_the_english_reason_in_the_refusal_notice(abroad, screened, do):
    data = {"decision": "decline", "reason": ZH_REASON, "reason_en": EN_REASON}
    case = do(screened(abroad), "decide", data, form=True)

    notice = case.documents.get(kind="refusal_notice")
    text = pdf_text(content(render_document(document_id=notice.pk)))

    english = english_passage(text)
    assert "forthefollowingreason:Thecomplaintisoutsidethisfederation" in english
    assert ZH_REASON not in english
    assert ZH_REASON in text[: text.index("To")]


def test_it_asks_no_english_reason_when_the_parties_read_chinese(case, screened, supervisor):
    form = DecideForm(
        {"decision": "decline", "reason": ZH_REASON}, case=screened(case), user=supervisor
    )

    assert "reason_en" not in form.fields
    assert form.is_valid(), form.errors


# 延期告知书 -------------------------------------------------------------------------------


def test_it_refuses_an_extension_without_the_english_reason(abroad, accepted, supervisor):
    case = accepted(abroad)
    form = ExtensionForm({"days": 10, "reason": "需补充材料"}, case=case)

    assert not form.is_valid()
    assert "reason_en" in form.errors
    with pytest.raises(ValidationError) as error:
        services.extend_handling_deadline(
            case=case, actor=supervisor, days=10, reason="需补充材料", reason_en=" "
        )
    assert error.value.code == "reason_en_required"
    assert case.deadlines.get(kind="handling").extension_days == 0


def test_it_prints_the_english_reason_in_the_extension_notice(abroad, accepted, supervisor):
    case = accepted(abroad)
    data = {"days": 10, "reason": "需补充材料", "reason_en": "More evidence is needed."}
    form = ExtensionForm(data, case=case)
    assert form.is_valid(), form.errors

    services.extend_handling_deadline(case=case, actor=supervisor, **form.cleaned_data)

    notice = case.documents.get(kind="extension_notice")
    text = pdf_text(content(render_document(document_id=notice.pk)))
    english = english_passage(text)
    assert "forthefollowingreason:Moreevidenceisneeded.Wewillkeepyouinformed" in english
    assert "需补充材料" not in english
    assert "因需补充材料，经本会批准" in text


def test_it_asks_no_english_reason_to_extend_when_the_parties_read_chinese(case, accepted):
    form = ExtensionForm({"days": 10, "reason": "需补充材料"}, case=accepted(case))

    assert "reason_en" not in form.fields
    assert form.is_valid(), form.errors


# 中止办理告知书 -----------------------------------------------------------------------------


def post_suspension(client, officer, case, data: dict):
    client.force_login(officer)
    return client.post(reverse("workflows:suspend", args=[case.pk]), data, follow=True)


def test_it_refuses_a_suspension_without_the_english_reason(client, abroad, officer):
    form = SuspendForm({"reason": "等待法院判决"}, case=abroad)
    assert not form.is_valid() and "reason_en" in form.errors

    page = post_suspension(client, officer, abroad, {"reason": "等待法院判决"})

    assert page_says(page, "请同时填写英文理由：本案有当事人不通晓中文。")
    assert Case.objects.get(pk=abroad.pk).status != "suspended"


def test_it_prints_the_english_reason_in_the_suspension_notice(client, abroad, officer):
    post_suspension(
        client,
        officer,
        abroad,
        {"reason": "等待法院判决", "reason_en": "We are waiting for the court's ruling."},
    )

    case = Case.objects.get(pk=abroad.pk)
    assert case.status == "suspended"
    notice = case.documents.get(kind="suspension_notice")
    text = pdf_text(content(render_document(document_id=notice.pk)))
    english = english_passage(text)
    assert "forthefollowingreason:Wearewaitingforthecourt’sruling.Thetime" in english.replace(
        "'", "’"
    )
    assert "等待法院判决" not in english
    assert "因等待法院判决，本会决定" in text


def test_it_shows_the_english_reason_field_only_for_a_party_abroad(client, abroad, case, officer):
    client.force_login(officer)
    label = "id_suspend_reason_en"

    assert label in client.get(abroad.get_absolute_url()).content.decode()
    assert label not in client.get(case.get_absolute_url()).content.decode()
    form = SuspendForm({"reason": "等待法院判决"}, case=case)
    assert "reason_en" not in form.fields and form.is_valid()
