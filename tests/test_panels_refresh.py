"""The case page refreshes only its documents panel while documents render, so nothing
typed on the page is lost: no meta refresh, a fragment view of the panel for
static/js/panels.js, a Refresh link without JavaScript."""

from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from .test_documents import rendered


class _Element(HTMLParser):
    """The inner HTML of the first element that has an attribute, as text."""

    def __init__(self, attribute: str):
        super().__init__(convert_charrefs=False)
        self.attribute, self.depth, self.found = attribute, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in {"input", "br", "img", "meta", "link"}
            self.found.append(self.get_starttag_text())
        elif self.attribute in dict(attrs) and not self.found:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if self.depth:
                self.found.append(f"</{tag}>")

    def handle_data(self, data):
        if self.depth:
            self.found.append(data)


def inner(page: str, attribute: str) -> str:
    parser = _Element(attribute)
    parser.feed(page)
    return "".join(parser.found)


def panel_url(case, name: str = "documents") -> str:
    return reverse("workflows:case_panel", args=[case.pk, name])


def test_the_case_page_has_no_meta_refresh_and_loads_the_panel_script(officer_client, case):
    response = officer_client.get(case.get_absolute_url())
    page = response.content.decode()
    assert case.documents.get().rendering == "pending"
    assert "http-equiv" not in page
    assert '<script src="/static/js/panels.js" defer></script>' in page
    assert f'data-refresh-url="{panel_url(case)}"' in page and 'data-pending="true"' in page
    # The CSP still allows only the site's own scripts: the file, no inline code.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in page and " onload=" not in page and " onclick=" not in page


def test_what_is_refreshed_holds_no_form(officer_client, case):
    """The forms on the page (a half-typed note, the evidence upload) lie outside the part
    the script replaces."""
    page = officer_client.get(case.get_absolute_url()).content.decode()
    part = inner(page, "data-refresh-part")
    assert "受理登记表" in part and "尚缺必备材料" in part
    assert "<form" not in part and "<textarea" not in part and "<input" not in part
    assert reverse("cases:add_note", args=[case.pk]) in page  # the note form is on the page


def test_the_fragment_is_the_documents_panel_alone(officer_client, case):
    response = officer_client.get(panel_url(case))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section class="card" id="documents"')
    assert "<html" not in fragment and "<body" not in fragment
    assert 'data-pending="true"' in fragment and "受理登记表" in fragment
    # Without JavaScript: a Refresh link back to the case page.
    assert f'<a href="{case.get_absolute_url()}#documents">刷新</a>' in fragment
    assert 'id="parties"' not in fragment and "timeline" not in fragment
    assert finders.find("js/panels.js")


def test_the_fragment_stops_the_polling_once_documents_are_ready(officer_client, case):
    document = rendered(case.documents.get())
    fragment = officer_client.get(panel_url(case)).content.decode()
    assert 'data-pending="false"' in fragment and "刷新" not in fragment
    assert reverse("documents:download", args=[document.pk]) in fragment

    page = officer_client.get(case.get_absolute_url()).content.decode()
    assert 'data-pending="false"' in page and "http-equiv" not in page


def test_the_fragment_follows_the_case_page_s_scope(client, case, officer, outsider):
    url = panel_url(case)
    assert client.get(url).status_code == 302  # to the login page

    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(case.get_absolute_url()).status_code == 404

    client.force_login(officer)
    assert client.get(url).status_code == 200
    assert client.get(panel_url(case, "no-such-panel")).status_code == 404
    assert client.post(url).status_code == 405


def test_the_fragment_speaks_the_reader_s_language(officer_client, case, settings):
    officer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fragment = officer_client.get(panel_url(case)).content.decode()
    assert "Some documents are still being generated." in fragment and ">Refresh</a>" in fragment


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_panel_refreshes_and_the_typed_note_stays(
    live_server, monkeypatch, intake, officer
):
    """Chromium: the registration form is pending (no worker woken); the officer starts a
    note; the document is rendered meanwhile; the documents panel shows it without the
    page reloading, and the half-typed note is still there."""
    from playwright.sync_api import expect

    import documents.services

    from .test_browser import ARGS, CHROMIUM, DEMO_PASSWORD, log_in, shot, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop
    monkeypatch.setattr(documents.services, "wake_after_commit", lambda task, *args: None)
    officer.set_password(DEMO_PASSWORD)
    officer.save()
    case = intake()
    document = case.documents.get()
    assert document.rendering == "pending"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
        errors = []  # script errors, and what the Content-Security-Policy refused
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: "Content Security Policy" in m.text and errors.append(m.text))
        log_in(page, live_server.url, "officer")
        page.goto(live_server.url + case.get_absolute_url())
        panel = page.locator("#documents")
        expect(panel).to_have_attribute("data-pending", "true")
        expect(panel.locator("a:has-text('刷新')")).to_be_visible()
        note = page.locator("textarea[name=text]")
        note.fill("电话联系谭先生，他说下周")  # half-typed

        rendered(document)

        row = panel.locator("tr:has-text('受理登记表') .render")
        expect(row).to_have_text("已生成", timeout=20_000)
        expect(panel).to_have_attribute("data-pending", "false")
        expect(panel.locator("a:has-text('刷新')")).to_have_count(0)
        expect(note).to_have_value("电话联系谭先生，他说下周")
        shot(page, "q5b-documents-panel-refreshed")
        browser.close()
    assert errors == []  # no CSP violation, no script error
