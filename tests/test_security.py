"""Security: uploads cleaned of scripts and links, login throttling, headers (CSP, no-store),
sessions, and error pages of our own in the user's language."""

import hashlib
import io
import re

import pikepdf
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import path, reverse
from django.views.defaults import bad_request, server_error
from pikepdf import Array, Dictionary, Name, String

from cases.security import client_ip
from config.urls import urlpatterns as site_urlpatterns
from documents import services as document_services
from documents.models import Document


def _deny(request):
    raise PermissionDenied


# Used by the 403 test (pytest.mark.urls): the site's URLs plus one that always refuses.
urlpatterns = [*site_urlpatterns, path("forbidden/", _deny)]


# Uploaded PDFs ------------------------------------------------------------------------

ACTIVE_NAMES_SET_BY_THE_TEST = ["/JavaScript", "/JS", "/URI", "/OpenAction", "/AA", "/EmbeddedFile"]
ACTIVE_NAMES = [*ACTIVE_NAMES_SET_BY_THE_TEST, "/Launch"]


def booby_trapped_pdf() -> bytes:
    """One page that runs JavaScript on opening the file and the page, links to an outside
    site and carries an attached program."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0].obj
    script = Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String("app.alert('opened')"))
    pdf.Root.OpenAction = pdf.make_indirect(script)
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("init"), pdf.make_indirect(script)]))
    )
    page.AA = Dictionary(O=Dictionary(S=Name.JavaScript, JS=String("this.submitForm('x')")))
    link = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=Array([0, 0, 595, 842]),
        A=Dictionary(S=Name.URI, URI=String("https://evil.example/track")),
    )
    page.Annots = Array([pdf.make_indirect(link)])
    pdf.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 payload")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def active_parts(content: bytes) -> list[str]:
    """The names of active PDF features found in the file, looked for both in its objects
    and in its raw bytes once streams and object streams are unpacked."""
    found = set()
    with pikepdf.open(io.BytesIO(content)) as pdf:
        if "/OpenAction" in pdf.Root or "/AA" in pdf.Root:
            found.add("/OpenAction")
        names = pdf.Root.get("/Names", Dictionary())
        found |= {key for key in ("/JavaScript", "/EmbeddedFiles") if key in names}
        if pdf.attachments:
            found.add("/EmbeddedFile")
        for page in pdf.pages:
            if "/AA" in page.obj:
                found.add("/AA")
            for annotation in page.obj.get("/Annots", Array()):
                if annotation.get("/Subtype") == Name.Link or "/A" in annotation:
                    found.add("/URI")
        unpacked = io.BytesIO()
        pdf.save(
            unpacked,
            qdf=True,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
        )
    raw = unpacked.getvalue()
    for name in ACTIVE_NAMES:
        # A PDF name ends at white space or a delimiter: /AA must not match /AAAAAB+Font.
        if re.search(re.escape(name.encode()) + rb"(?=[\s()<>\[\]{}/%])", raw):
            found.add(name)
    for marker in (b"evil.example", b"app.alert", b"payload"):
        if marker in raw:
            found.add(marker.decode())
    return sorted(found)


def test_it_knows_an_active_pdf_when_it_sees_one():
    """The check the upload test relies on finds every trap the test PDF sets."""
    assert active_parts(booby_trapped_pdf()) == sorted(
        [*ACTIVE_NAMES_SET_BY_THE_TEST, "/EmbeddedFiles", "app.alert", "evil.example", "payload"]
    )


def test_it_strips_scripts_links_and_attachments_from_uploads_and_the_case_file(
    intake, officer, client
):
    case = intake()
    for document in case.documents.all():  # the 受理登记表, for the case file
        document_services.render_document(document_id=document.pk)
    client.force_login(officer)
    upload = io.BytesIO(booby_trapped_pdf())
    upload.name = "宗亲会来函.pdf"

    response = client.post(
        reverse("documents:upload_evidence", args=[case.pk]),
        {"item": "06", "title": "宗亲会来函附件", "upload": upload},
    )

    assert response.status_code == 302
    evidence = case.evidence.get()
    with evidence.file.open("rb") as handle:
        stored = handle.read()
    assert active_parts(stored) == []
    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
    assert evidence.size == len(stored)
    assert evidence.page_count == 1

    export = document_services.export_case_file(case=case, actor=officer)
    export = document_services.render_document(document_id=export.pk)
    assert export.rendering == Document.Rendering.READY
    assert "宗亲会来函附件" in [entry["title"] for entry in export.snapshot["entries"]]
    with export.file.open("rb") as handle:
        exported = handle.read()
    # The case file's attachments are its own manifest and the evidence as stored (the
    # cleaned copy: PDF/A-3 associated files), nothing of the upload's own.
    assert active_parts(exported) == ["/EmbeddedFile", "/EmbeddedFiles"]
    with pikepdf.open(io.BytesIO(exported)) as pdf:
        assert sorted(pdf.attachments) == [f"evidence-{evidence.pk}.pdf", "manifest.json"]
        attached = pdf.attachments[f"evidence-{evidence.pk}.pdf"].get_file().read_bytes()
    assert attached == stored


def test_it_still_refuses_a_file_that_is_not_a_pdf(case, officer):
    upload = io.BytesIO(b"%PDF-1.7\n" + b"\x00" * 64)  # the header, then nothing readable
    upload.name = "broken.pdf"
    upload.size = len(upload.getvalue())
    with pytest.raises(ValidationError, match="不是可读取的PDF"):
        document_services.add_evidence(
            case=case, actor=officer, item="06", title="证据", upload=upload
        )
    assert not case.evidence.exists()


# Login throttling ---------------------------------------------------------------------


def log_in(client, username: str, password: str = "pw", address: str = "203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_it_locks_a_username_out_after_five_wrong_passwords(client, officer):
    for _attempt in range(4):
        assert log_in(client, "officer", "wrong").status_code == 200

    fifth = log_in(client, "officer", "wrong")
    right = log_in(client, "officer")

    assert fifth.status_code == right.status_code == 429
    page = right.content.decode()
    assert "登录已锁定" in page and "30 分钟" in page and "联系管理员" in page
    assert not logged_in(client)
    # from another address too: the username itself is locked
    assert log_in(client, "officer", address="198.51.100.2").status_code == 429


def test_it_locks_out_an_address_that_tries_many_usernames(client, officer, supervisor):
    for name in ["admin", "root", "supervisor", "zhangsan", "lisi"]:
        log_in(client, name, "guess", address="203.0.113.66")

    assert log_in(client, "officer", address="203.0.113.66").status_code == 429
    assert not logged_in(client)
    assert log_in(client, "officer", address="198.51.100.2").status_code == 302


def test_it_forgets_failures_after_a_successful_login(client, officer):
    for _attempt in range(4):
        log_in(client, "officer", "wrong")
    assert log_in(client, "officer").status_code == 302
    client.logout()

    for _attempt in range(4):
        log_in(client, "officer", "wrong")
    assert log_in(client, "officer").status_code == 302


def test_an_administrator_unlocks_a_user(client, officer):
    for _attempt in range(5):
        log_in(client, "officer", "wrong")
    assert log_in(client, "officer").status_code == 429

    call_command("axes_reset_username", "officer")

    assert log_in(client, "officer").status_code == 302
    assert logged_in(client)


def test_it_shows_the_lockout_page_in_english(client, officer):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _attempt in range(5):
        log_in(client, "officer", "wrong")
    page = log_in(client, "officer").content.decode()
    assert "locked for 30 minutes" in page and "administrator" in page


def test_it_trusts_x_forwarded_for_only_behind_the_proxy(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.2"
    settings.BEHIND_PROXY = True
    # the proxy appended the last address; the client may have made up the first
    assert client_ip(request) == "203.0.113.9"


def test_a_forged_x_forwarded_for_does_not_escape_the_lockout(client, officer):
    for hop in range(5):
        client.post(
            reverse("login"),
            {"username": f"guess{hop}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{hop}",
        )
    assert log_in(client, "officer", address="127.0.0.1").status_code == 429


# Headers and sessions -----------------------------------------------------------------

INLINE = re.compile(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_it_sends_a_content_security_policy_that_the_pages_keep(intake, officer, client):
    case = intake()
    client.force_login(officer)

    for url in [case.get_absolute_url(), reverse("workflows:queue"), reverse("cases:list")]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]:
            assert directive in policy
        page = response.content.decode()
        assert INLINE.findall(page) == [], url  # nothing the policy would block
    assert "<svg" in client.get(case.get_absolute_url()).content.decode()  # the flow diagram


def test_it_switches_language_with_a_button(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "切换</button>" in page
    assert "onchange" not in page and "<noscript>" not in page


def test_it_keeps_case_pages_and_pdfs_out_of_caches(intake, officer, client):
    case = intake()
    document = document_services.render_document(document_id=case.documents.get().pk)
    client.force_login(officer)

    for url in [case.get_absolute_url(), reverse("documents:download", args=[document.pk])]:
        response = client.get(url)
        assert response.status_code == 200
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url


def test_it_ends_sessions_with_the_browser_and_after_eight_hours(client, officer):
    response = log_in(client, "officer")

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == 8 * 3600


# Error pages --------------------------------------------------------------------------


def test_it_shows_its_own_404_page_in_chinese(client, officer):
    client.force_login(officer)
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "返回工作台" in page
    assert reverse("workflows:queue") in page
    assert "Material" not in page


def test_it_shows_the_404_page_in_english_to_who_chose_english(client, officer):
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/no-such-page/").content.decode()
    assert "Page not found" in page and "Back to the work queue" in page
    assert 'lang="en"' in page


@pytest.mark.urls(__name__)
def test_it_shows_its_own_403_page(client, officer):
    client.force_login(officer)
    response = client.get("/forbidden/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page and "返回工作台" in page
    assert "Material" not in page


def test_it_renders_500_and_400_pages_without_a_request_context(db):
    request = RequestFactory().get("/cases/1/")

    error = server_error(request)
    bad = bad_request(request, ValueError("bad"))

    assert error.status_code == 500 and "系统出错" in error.content.decode()
    assert bad.status_code == 400 and "请求有误" in bad.content.decode()
    assert "Material" not in error.content.decode() + bad.content.decode()
