"""Chinese is the first language of the interface, in both scripts: the catalogues have no
gaps, and the Traditional one is the Simplified one converted
(cases/management/commands/traditional_catalogue.py), but where a person edited it."""

import io
import subprocess
from pathlib import Path

import polib
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases.management.commands.traditional_catalogue import (
    catalogue_path,
    converter,
    make_traditional,
)

CATALOGUES = ["zh_Hans", "zh_Hant"]


def _texts(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


@pytest.mark.parametrize("locale", CATALOGUES)
def test_it_translates_every_message(locale):
    po = catalogue_path(locale)
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "msgid" not in untranslated, untranslated
    assert "msgid" not in fuzzy, fuzzy


@pytest.mark.parametrize("locale", CATALOGUES)
def test_it_compiles_without_errors(locale):
    subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(catalogue_path(locale))], check=True
    )


def _messages(locale: str) -> set[tuple]:
    po = polib.pofile(str(catalogue_path(locale)))
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in po if not e.obsolete and e.msgid}


def test_the_traditional_catalogue_has_the_messages_of_the_simplified_one():
    """Both are collected together (`make messages`): a message only in zh_Hans would show
    in Simplified characters on a Traditional page (Django falls back to the site's
    language)."""
    assert _messages("zh_Hant") == _messages("zh_Hans")


def test_the_traditional_catalogue_follows_the_simplified_one():
    """Converting again changes nothing: no zh_Hans translation changed since."""
    simplified = polib.pofile(str(catalogue_path("zh_Hans")))
    traditional = polib.pofile(str(catalogue_path("zh_Hant")))

    def key(entry):  # a message is its context, its text and its plural
        return (entry.msgctxt, entry.msgid, entry.msgid_plural)

    before = {key(entry): _texts(entry) for entry in traditional}
    make_traditional(simplified, traditional)
    changed = [e.msgid for e in traditional if _texts(e) != before[key(e)]]
    assert not changed, "run `manage.py traditional_catalogue` for: " + ", ".join(changed)


def test_the_traditional_catalogue_has_no_character_left_to_convert():
    """Also what a person wrote there is in traditional characters (in the forms of the
    conversion: 為, 説)."""
    convert = converter()
    left = [
        text
        for entry in polib.pofile(str(catalogue_path("zh_Hant")))
        if not entry.obsolete
        for text in _texts(entry)
        if convert(text) != text
    ]
    assert not left, left


@pytest.mark.parametrize(
    ("cookie", "accept_language"),
    [("zh-hant", "zh-CN"), ("", "zh-HK,zh;q=0.8")],
    ids=["chosen-in-the-menu", "browser-in-hong-kong"],
)
def test_a_page_reads_in_traditional_characters(client, settings, db, cookie, accept_language):
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept_language).content.decode()

    assert "<h1>登錄</h1>" in page  # "Log in", 登录 in Simplified
    assert "登录" not in page
    assert '<option value="zh-hant" lang="zh-hant" selected>繁體中文</option>' in page


# The rule of the command, on small catalogues of its own.


def _catalogue(*entries: polib.POEntry) -> polib.POFile:
    po = polib.POFile()
    po.metadata = {
        "Project-Id-Version": "qiaowei",
        "PO-Revision-Date": "2026-12-03 18:00+0800",
        "Last-Translator": "Qiaowei developers",
        "Language-Team": "Qiaowei",
        "Language": "zh_Hans",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    for entry in entries:
        po.append(entry)
    return po


def _entry(msgid: str, msgstr: str = "", **fields) -> polib.POEntry:
    return polib.POEntry(msgid=msgid, msgstr=msgstr, **fields)


def test_it_converts_the_untranslated_and_marks_them():
    simplified = _catalogue(_entry("Log in", "登录"))
    traditional = _catalogue(_entry("Log in"))

    counts = make_traditional(simplified, traditional)

    [entry] = traditional
    assert entry.msgstr == "登錄"
    assert entry.tcomment.startswith("opencc ")
    assert counts == {"converted": 1, "kept": 0, "waiting": 0}


def test_a_converted_entry_follows_a_changed_simplified_one():
    simplified = _catalogue(_entry("Log in", "登录"))
    traditional = _catalogue(_entry("Log in"))
    make_traditional(simplified, traditional)

    simplified[0].msgstr = "登录系统"
    make_traditional(simplified, traditional)

    assert traditional[0].msgstr == "登錄系統"


def test_it_keeps_what_a_person_wrote():
    simplified = _catalogue(_entry("Log in", "登录"), _entry("Save", "保存"))
    traditional = _catalogue(_entry("Log in", "登入"), _entry("Save"))
    make_traditional(simplified, traditional)

    traditional[1].msgstr = "儲存"  # edited, the machine's mark left in place
    counts = make_traditional(simplified, traditional)

    assert [entry.msgstr for entry in traditional] == ["登入", "儲存"]
    assert [entry.tcomment for entry in traditional] == ["", ""]  # a person's: no mark
    assert counts == {"converted": 0, "kept": 2, "waiting": 0}


def test_it_converts_a_fuzzy_entry_again():
    """msgmerge guessed it from a message that changed: it is stale, whoever wrote it."""
    simplified = _catalogue(_entry("Log in now", "立即登录"))
    stale = _entry("Log in now", "登入", flags=["fuzzy"], previous_msgid="Log in")
    traditional = _catalogue(stale)

    make_traditional(simplified, traditional)

    assert (stale.msgstr, stale.fuzzy, stale.previous_msgid) == ("立即登錄", False, None)


def test_it_waits_for_a_simplified_translation():
    simplified = _catalogue(_entry("Log in"), _entry("Save", "保存", flags=["fuzzy"]))
    traditional = _catalogue(_entry("Log in"), _entry("Save"))

    counts = make_traditional(simplified, traditional)

    assert [entry.msgstr for entry in traditional] == ["", ""]
    assert counts == {"converted": 0, "kept": 0, "waiting": 2}


def test_it_converts_each_plural_form():
    plural = {"msgid_plural": "%(count)d cases"}
    simplified = _catalogue(
        _entry("%(count)d case", msgstr_plural={0: "%(count)d件案件"}, **plural)
    )
    traditional = _catalogue(_entry("%(count)d case", msgstr_plural={0: ""}, **plural))

    make_traditional(simplified, traditional)

    assert traditional[0].msgstr_plural == {0: "%(count)d件案件"}  # 件 is the same in both
    simplified[0].msgstr_plural = {0: "%(count)d条记录"}
    make_traditional(simplified, traditional)
    assert traditional[0].msgstr_plural == {0: "%(count)d條記錄"}


def test_it_reads_the_product_name_before_system_right():
    """OpenCC alone reads 侨维系统 as 维系 (to maintain) + 统."""
    assert converter()("请向侨维系统管理员申请") == "請向僑維系統管理員申請"


def _locale(root: Path, locale: str, po: polib.POFile) -> None:
    path = root / locale / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    po.save(str(path))


def test_the_command_fills_the_header_and_changes_nothing_the_second_time(settings, tmp_path):
    settings.LOCALE_PATHS = [tmp_path]
    _locale(tmp_path, "zh_Hans", _catalogue(_entry("Log in", "登录")))
    new = _catalogue(_entry("Log in"))  # as makemessages makes it: its header fuzzy
    new.metadata.update({"Language": "", "Last-Translator": "FULL NAME <EMAIL@ADDRESS>"})
    new.metadata_is_fuzzy = ["fuzzy"]
    _locale(tmp_path, "zh_Hant", new)

    call_command("traditional_catalogue", stdout=io.StringIO())
    first = catalogue_path("zh_Hant").read_text()
    call_command("traditional_catalogue", stdout=io.StringIO())

    assert catalogue_path("zh_Hant").read_text() == first
    po = polib.pofile(first)
    assert (po.metadata["Language"], po.metadata["Last-Translator"]) == (
        "zh_Hant",
        "Qiaowei developers",
    )
    assert not po.metadata_is_fuzzy
    assert po[0].msgstr == "登錄"
    subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", "-"], input=first, text=True, check=True
    )


def test_the_command_asks_for_makemessages_first(settings, tmp_path):
    settings.LOCALE_PATHS = [tmp_path]
    _locale(tmp_path, "zh_Hans", _catalogue(_entry("Log in", "登录")))

    with pytest.raises(CommandError, match="makemessages -l zh_Hant"):
        call_command("traditional_catalogue")
