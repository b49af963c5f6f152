"""The screens' words in each language ([Q6c] 13), and the send-to-review screen's labels
([Q6c] 11).

English shows the committee's data in English (areas of expertise, titles) and counts in
the singular when there is one; Chinese is whole sentences with full-width punctuation
(labels end in "："); the header names the reader's time zone as people read it; a draft
says when it was saved in one format; the settings say which language is which; a refusal
says why and whom to ask. Each due date of the send-to-review screen has a label that names
its adviser, and each choice sits in a label of its own."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from workflows.review.models import ExpertiseArea

from .conftest import open_tasks
from .factories import adviser_of, officer_of
from .test_review import declare, seat_of, submit, task_of, task_url


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text_of(page: str) -> str:
    """The page's words, without its tags."""
    body = page.split("<body>", 1)[-1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def assign_url(case) -> str:
    [task] = [t for t in open_tasks(case) if t.flow_task.name == "send_to_review"]
    return task_url(task)


# 11. The send-to-review screen -------------------------------------------------------


def test_every_due_date_of_the_send_to_review_screen_is_labelled_with_its_adviser(
    client, accepted, officer, lawyer, lawyer2
):
    client.force_login(officer)
    page = client.get(assign_url(accepted)).content.decode()

    inputs = re.findall(r'<input type="date" name="due_(\d+)"[^>]*id="(id_due_\d+)"', page)
    assert len(inputs) == 2
    for pk, input_id in inputs:
        label = re.search(rf'<label for="{input_id}"[^>]*>(.*?)</label>', page)
        assert label, f"{input_id} has no label"
        name = str(lawyer if int(pk) == lawyer.pk else lawyer2)
        assert name in label.group(1)
    # Each radio button and checkbox is in a label (its target) that names it.
    for kind in ("radio", "checkbox"):
        choices = re.findall(rf'<label class="check-target"><input type="{kind}"[^>]*>', page)
        assert len(choices) == 2, kind
    assert 'id="id_lead_0"' in page and 'id="id_members_0"' in page


# 13. English --------------------------------------------------------------------------


def test_the_ranking_reads_in_english_with_one_review_in_the_singular(
    english, accepted, officer, city, intake
):
    from workflows.review.models import LegalReview, Reviewer

    busy = adviser_of(city, "busy", expertise=("neighbouring_relations",))
    review = LegalReview.objects.create(case=intake(title="另一宗纠纷"), requested_by=officer)
    Reviewer.objects.create(review=review, adviser=busy, assigned_by=officer)
    english.force_login(officer)

    words = text_of(english.get(assign_url(accepted)).content.decode())

    area = ExpertiseArea.objects.get(code="neighbouring_relations")
    assert f"knows {area.name_en}" in words
    assert area.name not in words
    assert "1 open review " in words and "1 open reviews" not in words


def test_the_committee_list_shows_areas_and_titles_in_the_readers_language(client, city, settings):
    supervisor = officer_of(city, "chief", "supervisor")
    lawyer = adviser_of(city, "lawyer", expertise=("ancestral_graves",))
    lawyer.adviser.title, lawyer.adviser.title_en = "公职律师", "Public-sector lawyer"
    lawyer.adviser.save()
    area = ExpertiseArea.objects.get(code="ancestral_graves")
    client.force_login(supervisor)
    url = reverse("review:committee")

    chinese = text_of(client.get(url).content.decode())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = text_of(client.get(url).content.decode())

    assert "公职律师" in chinese and area.name in chinese
    assert "Public-sector lawyer" in english and area.name_en in english
    assert "公职律师" not in english and area.name not in english


def test_the_consolidation_names_the_legal_opinion_in_english(
    english, accepted, send, lawyer, lawyer2
):
    case = send(accepted, lawyer, lawyer2)
    declare(case, lawyer)
    declare(case, lawyer2)
    submit(case, lawyer2)
    case = submit(case, lawyer)
    english.force_login(lawyer)

    page = english.get(task_url(task_of(case, "consolidate", lawyer))).content.decode()

    assert "Sign off and issue the legal opinion" in page
    assert "the 法律意见书" not in page


def test_my_settings_say_which_language_is_which(english, officer):
    english.force_login(officer)
    words = text_of(english.get(reverse("cases:preferences")).content.decode())

    assert "This browser shows the pages in English" in words
    assert "Your language" in words and "Language of messages" not in words
    assert "e-mails to you" in words


# 13. Chinese --------------------------------------------------------------------------

# A half-width colon, comma or full stop beside Chinese text.
HALF_WIDTH = re.compile(r"[\u4e00-\u9fff][:;,.](?![\w/])|[\u4e00-\u9fff] ?: ")


def test_the_declaration_asks_in_whole_chinese_sentences(client, accepted, send, lawyer):
    case = send(accepted, lawyer)
    client.force_login(lawyer)

    page = client.get(task_url(task_of(case, "review", lawyer))).content.decode()

    intro = re.search(r'<p class="next-step">(.*?)</p>', page, re.S).group(1)
    assert "请您作为<strong>牵头委员</strong>审查本案。您的意见须于" in intro
    assert not HALF_WIDTH.search(text_of(intro)), intro


def test_chinese_labels_end_in_a_full_width_colon(client, officer):
    client.force_login(officer)
    page = client.get(reverse("cases:preferences")).content.decode()
    labels = re.findall(r"<label[^>]*>(.*?)</label>", page, re.S)
    assert labels and all(not label.rstrip().endswith(":") for label in labels), labels
    assert any(label.rstrip().endswith("：") for label in labels)


def test_the_reviewer_screen_stitches_no_half_width_punctuation(client, reviewing, lawyer):
    from workflows.review import services

    services.ask_question(
        seat_pk=seat_of(reviewing, lawyer).pk, actor=lawyer, text="请补充山地权属资料。"
    )
    client.force_login(lawyer)

    page = client.get(task_url(task_of(reviewing, "review", lawyer))).content.decode()

    main = page.split('<main id="main"', 1)[1]
    assert not HALF_WIDTH.findall(text_of(main))


# 13. Times and zones ------------------------------------------------------------------


def test_the_header_names_the_time_zone_as_people_read_it(client, officer):
    client.force_login(officer)
    page = client.get(reverse("workflows:queue")).content.decode()
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert "Asia/Shanghai" not in header
    assert "上海（亚洲，UTC+8）" in header


def test_a_draft_says_when_it_was_saved_as_the_page_does(client, reviewing, lawyer):
    seat = seat_of(reviewing, lawyer)
    client.force_login(lawyer)

    said = client.post(
        reverse("review:save_draft", args=[seat.pk]), {"facts": "初稿", "revision": 0}
    ).json()["message"]
    page = client.get(task_url(task_of(reviewing, "review", lawyer))).content.decode()

    at = re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?", said).group(0)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", at), said
    with translation.override("zh-hans"):
        assert said == translation.gettext("Draft saved at %s") % at
    assert said in page


def test_the_deadlines_table_keeps_each_date_whole(client, intake, officer):
    case = intake()
    [screen] = open_tasks(case)
    client.force_login(officer)
    page = client.get(task_url(screen)).content.decode()
    clocks = page.split('id="task-clocks"', 1)[1].split("</table>", 1)[0]
    dates = re.findall(r"<td[^>]*>(.*?)</td>", clocks, re.S)
    assert any("<time" in cell for cell in dates)  # time { white-space: nowrap }


# 13. The refusal ----------------------------------------------------------------------


def test_the_refusal_says_why_and_whom_to_ask(client, city, officer):
    chief = officer_of(city, "chief", "supervisor")
    chief.display_name = "王主任"
    chief.save()
    client.force_login(officer)

    response = client.get(reverse("review:committee"))

    assert response.status_code == 403
    words = text_of(response.content.decode())
    with translation.override("zh-hans"):
        why = translation.gettext("The committee list is for supervisors.")
    assert why in words
    assert "王主任（河源市侨联）" in words
