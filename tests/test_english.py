"""English that reads as English, Chinese that reads as Chinese: country lists, system
notes on the timeline, the case file's missing items, list separators, a party's local
time and the time zones of the settings page, each in the reader's language."""

import datetime
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from cases import services as case_services
from cases import zones
from cases.models import CaseEvent, Party
from cases.services import PartyInput
from workflows.services import extend_handling_deadline

PRIORITY = ["MY", "ID", "SG", "TH", "PH", "US", "CA", "AU", "GB"]
COMMON = ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "Asia/Kuala_Lumpur"]


class _Options(HTMLParser):
    """The (value, label) options of one <select>, in order."""

    def __init__(self, name: str):
        super().__init__()
        self.name, self.inside, self.options = name, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.inside = attrs.get("name") == self.name
        elif tag == "option" and self.inside:
            self.options.append([attrs.get("value"), ""])

    def handle_endtag(self, tag):
        if tag == "select":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self.options:
            self.options[-1][1] += data.strip()


def options(page: str, name: str) -> list[tuple[str, str]]:
    parser = _Options(name)
    parser.feed(page)
    return [tuple(option) for option in parser.options]


@pytest.fixture
def english(officer_client, settings):
    """The officer reading the English interface (the language menu's cookie)."""
    officer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return officer_client


def _countries(client) -> list[tuple[str, str]]:
    page = client.get(reverse("workflows:register")).content.decode()
    return options(page, "party-0-new_residence_country")


# (a) Countries ----------------------------------------------------------------------


def test_the_registration_form_offers_countries_in_english_priority_first(english):
    offered = _countries(english)
    assert offered[0] == ("", "---------")
    assert [code for code, _name in offered[1:10]] == PRIORITY
    assert [name for _code, name in offered[1:4]] == ["Malaysia", "Indonesia", "Singapore"]
    assert offered[10][0] == ""  # the line under the usual countries
    rest = [name for code, name in offered[11:]]
    assert rest[0] == "Afghanistan" and "China" in rest and "Germany" in rest
    assert rest.index("Brazil") < rest.index("China") < rest.index("Germany")  # by name
    assert not any("\u4e00" <= char <= "\u9fff" for name in rest for char in name)
    assert len(rest) == 240 and "Malaysia" not in rest  # each country once


def test_the_registration_form_offers_countries_in_chinese_by_pinyin(officer_client):
    offered = _countries(officer_client)
    assert [name for _code, name in offered[1:10]] == [
        "马来西亚",
        "印度尼西亚",
        "新加坡",
        "泰国",
        "菲律宾",
        "美国",
        "加拿大",
        "澳大利亚",
        "英国",
    ]
    rest = [name for _code, name in offered[11:]]
    assert rest[0].startswith("阿")  # a-: 阿尔巴尼亚 …
    assert rest.index("巴西") < rest.index("德国") < rest.index("日本") < rest.index("中国")


def test_the_correction_form_offers_countries_in_the_reader_s_language(english, case):
    party = case.parties.get()
    page = english.get(reverse("cases:correct_party", args=[case.pk, party.pk])).content
    offered = options(page.decode(), "residence_country")
    assert [code for code, _name in offered[1:10]] == PRIORITY
    assert ("MY", "Malaysia") in offered and ("CN", "China") in offered


# (b) System notes and the missing items ---------------------------------------------


@pytest.fixture
def party_added(case, officer):
    """A representative added in the Chinese interface: its note is written in Chinese."""
    with translation.override("zh-hans"):
        case_services.add_case_party(
            case=case,
            actor=officer,
            item=PartyInput(
                role=Party.Role.REPRESENTATIVE,
                new_person={"name_zh": "谭代理", "residence_country": "MY"},
                on_behalf_of=case.parties.get(),
            ),
        )
    return case.events.get(transition="add_party")


def test_a_system_note_reads_in_the_reader_s_language(party_added, case, officer_client):
    assert party_added.summary == "已添加当事人：代理人：谭代理"  # as written, for search
    page = officer_client.get(case.get_absolute_url()).content.decode()
    assert "已添加当事人：代理人：谭代理" in page

    officer_client.cookies["django_language"] = "en"
    page = officer_client.get(case.get_absolute_url()).content.decode()
    assert "Party added: Representative: 谭代理" in page
    assert "已添加当事人" not in page


def test_a_correction_lists_the_fields_with_the_language_s_separator(case, officer, client):
    party = case.parties.get()
    person = party.person
    with translation.override("en"):
        case_services.correct_party(
            case=case,
            actor=officer,
            party=party,
            role=party.role,
            phone="+60 12-000 0000",
            email="tan@example.my",
        )
    event = case.events.get(transition="correct_party")
    assert event.summary == f"Party corrected: {person} (phone, e-mail)."
    with translation.override("zh-hans"):
        assert event.text == f"已更正当事人信息：{person}（电话、电子邮箱）。"


def test_an_old_note_stored_as_text_still_reads(case, officer_client):
    """A row from before messages were stored: shown as it was written."""
    CaseEvent.objects.create(case=case, kind="parties", summary="已添加当事人：亲属：谭旧")
    officer_client.cookies["django_language"] = "en"
    assert (
        "已添加当事人：亲属：谭旧" in officer_client.get(case.get_absolute_url()).content.decode()
    )


def test_a_clock_s_note_reads_in_the_reader_s_language(case, supervisor, do):
    case = do(case, "screen", {"notes": "属本会职责"})
    case = do(case, "decide", {"decision": "accept", "reason": ""})
    with translation.override("zh-hans"):
        clock = extend_handling_deadline(case=case, actor=supervisor, days=10, reason="案情复杂")
    event = case.events.get(transition="extend_handling")
    due = clock.due_on.isoformat()
    with translation.override("en"):
        assert event.text == f"Handling deadline extended by 10 days to {due}."
    with translation.override("zh-hans"):
        assert event.text == f"办理时限已延长 10 天，至 {due}。"


def test_a_reminder_written_by_the_clocks_reads_in_the_reader_s_language(intake):
    """Beat writes the note with no reader in sight; each reader gets their language."""
    from workflows.services import fire_clocks

    case = intake(received_on=datetime.date(2026, 11, 2))  # acceptance due 2026-11-17
    fire_clocks(today=datetime.date(2026, 11, 12))
    event = case.events.get(transition="reminder")
    with translation.override("en"):
        assert event.text == "Reminder sent: Acceptance due on 2026-11-17."
    with translation.override("zh-hans"):
        assert event.text.startswith("已发送提醒：") and "2026-11-17" in event.text


def test_the_missing_items_are_named_in_the_reader_s_language(case, officer_client):
    page = officer_client.get(case.get_absolute_url()).content.decode()
    assert "尚缺必备材料： 1 申请书或受理登记表、2 权利义务告知书、3 身份证明" in page

    officer_client.cookies["django_language"] = "en"
    page = officer_client.get(case.get_absolute_url()).content.decode()
    assert (
        "Required items still missing: 1 Application or registration form, "
        "2 Notice of rights and obligations, 3 Proof of identity"
    ) in page
    [missing] = [line for line in page.splitlines() if "Required items still missing" in line]
    assert "身份证明" not in missing and "、" not in missing


# (c) Lists --------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "shown"), [("zh-hans", "甲、乙、丙"), ("en", "甲, 乙, 丙")])
def test_join_list_uses_the_language_s_separator(language, shown):
    template = Template("{% load readable %}{{ items|join_list }}")
    with translation.override(language):
        assert template.render(Context({"items": ["甲", "乙", "丙"]})) == shown


# (d) A party's local time -----------------------------------------------------------


def test_a_zone_reads_as_its_city_and_offset():
    at = datetime.datetime(2026, 11, 24, 20, 36, tzinfo=datetime.UTC)
    summer = datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert zones.local_time("Asia/Kuala_Lumpur", at) == "2026-11-25 04:36 (Kuala Lumpur, UTC+8)"
        assert (
            zones.local_time("America/Vancouver", summer) == "2026-07-01 05:00 (Vancouver, UTC-7)"
        )
        assert zones.label("Asia/Kolkata", at) == "Kolkata (Asia, UTC+5:30)"
        assert zones.label("America/Argentina/Buenos_Aires", at) == (
            "Buenos Aires, Argentina (America, UTC-3)"
        )
        assert zones.label("UTC", at) == "UTC"
    with translation.override("zh-hans"):
        assert zones.local_time("Asia/Kuala_Lumpur", at) == "2026-11-25 04:36（吉隆坡，UTC+8）"
        assert zones.label("Asia/Kuala_Lumpur", at) == "吉隆坡（亚洲，UTC+8）"


def _shown_now(zone: str, language: str) -> set[str]:
    """What a page rendered now shows (a minute may pass)."""
    now = timezone.now()
    with translation.override(language):
        return {zones.local_time(zone, now + datetime.timedelta(minutes=m)) for m in (0, 1)}


def parties_panel(response) -> str:
    """The case page's parties panel (the panels after it name the parties too)."""
    page = response.content.decode()
    return page[page.index('id="parties"') :].split("</section>")[0]


def test_a_party_s_local_time_shows_date_city_and_offset(case, officer_client):
    page = parties_panel(officer_client.get(case.get_absolute_url()))
    [row] = [r for r in page.split("<tr")[1:] if "谭永康" in r]
    assert any(shown in row for shown in _shown_now("Asia/Kuala_Lumpur", "zh-hans")), row
    assert "（吉隆坡，UTC+8）" in row and ">Asia/Kuala_Lumpur<" not in row

    officer_client.cookies["django_language"] = "en"
    page = parties_panel(officer_client.get(case.get_absolute_url()))
    [row] = [r for r in page.split("<tr")[1:] if "谭永康" in r]
    assert any(shown in row for shown in _shown_now("Asia/Kuala_Lumpur", "en")), row
    assert f"{timezone.now().year}-" in row or f"{timezone.now().year + 1}-" in row


# (e) The settings page's time zones -------------------------------------------------


def test_the_settings_page_offers_readable_zones_common_first(english):
    page = english.get(reverse("cases:preferences")).content.decode()
    offered = options(page, "time_zone")
    values = [value for value, _label in offered]
    assert values[: len(COMMON)] == COMMON
    assert values.index("America/Vancouver") < values.index("Africa/Abidjan")
    assert values.index("Europe/London") < values.index("Africa/Abidjan")
    assert "Zulu" not in values and "localtime" not in values and "US/Pacific" not in values
    assert len(values) == len(set(values)) and "" not in values
    assert dict(offered)["Asia/Shanghai"] == "Shanghai (Asia, UTC+8)"
    assert dict(offered)["Europe/Berlin"].startswith("Berlin (Europe, UTC+")


def test_the_settings_page_names_zones_in_chinese(officer_client, officer):
    page = officer_client.get(reverse("cases:preferences")).content.decode()
    offered = dict(options(page, "time_zone"))
    assert offered["Asia/Kuala_Lumpur"] == "吉隆坡（亚洲，UTC+8）"
    data = {"display_name": "", "email": "", "language": "zh-hans"}
    response = officer_client.post(
        reverse("cases:preferences"), {**data, "time_zone": "America/Vancouver"}
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert str(officer.time_zone) == "America/Vancouver"
    response = officer_client.post(reverse("cases:preferences"), {**data, "time_zone": "Zulu"})
    assert response.status_code == 200  # refused: not offered
    officer.refresh_from_db()
    assert str(officer.time_zone) == "America/Vancouver"


# (f) The language menu --------------------------------------------------------------


def test_the_language_menu_has_a_button(officer_client):
    page = officer_client.get(reverse("cases:preferences")).content.decode()
    menu = page.split(f'action="{reverse("set_language")}"', 1)[1].split("</form>", 1)[0]
    assert '<select name="language"' in menu and "<button" in menu
