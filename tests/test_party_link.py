"""The party's own link ([Q8]): a signed, expiring, revocable token that opens one party's
page of one case (``cases.links``, ``workflows.portal``). Expiry, revocation, tampering,
the rate limits, scope (nothing of another case, nothing another party sent), uploads
through the link, the log of every use, the language, and who may send or revoke one."""

from __future__ import annotations

import datetime
import io
import re

import pikepdf
import pytest
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import links
from cases.models import CaseEvent, Consent, LinkUse, Message, Party, PartyLink
from cases.services import PartyInput, record_consent
from documents.models import Document, DocumentKind, Evidence, Submission
from documents.services import issue_document
from workflows import stages
from workflows.stages import PortalSection, Stage

from .factories import PersonFactory
from .test_security import active_parts, booby_trapped_pdf

Outcome = LinkUse.Outcome


def a_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture
def respondent(city):
    """A person in mainland China: no consent to data going abroad is needed."""
    return PersonFactory(
        name_zh="李德明", name_latin="", residence_country="CN", time_zone="Asia/Shanghai",
        registered_by=city,
    )  # fmt: skip


@pytest.fixture
def two_sided(intake, claimant, respondent):
    return intake(
        parties=[
            PartyInput(role=Party.Role.CLAIMANT, person=claimant),
            PartyInput(role=Party.Role.RESPONDENT, person=respondent),
        ]
    )


def party_of(case, role: str) -> Party:
    return case.parties.get(role=role)


def consents(case, party, *purposes, officer) -> None:
    for purpose in purposes:
        record_consent(
            case=case,
            actor=officer,
            party=party,
            purpose=purpose,
            given=True,
            how=Consent.How.SIGNED_FORM,
            given_by=str(party.subject),
        )


@pytest.fixture
def send_link(officer):
    """Send a party a link as the officer does; a party abroad consented first."""

    def send(case, role=Party.Role.CLAIMANT, language="en", **kwargs):
        party = party_of(case, role)
        if party.person.residence_country.code != "CN":
            consents(case, party, Consent.Purpose.CROSS_BORDER, officer=officer)
        return links.issue_link(case=case, actor=officer, party=party, language=language, **kwargs)

    return send


def page(client, token: str, **extra):
    return client.get(reverse("portal:home", args=[token]), **extra)


def uses() -> list[tuple]:
    return list(LinkUse.objects.order_by("pk").values_list("link", "action", "outcome", "ip"))


def msgids(case) -> list[str]:
    """What the case's timeline says, as written (the msgids: the reader's language aside)."""
    return [event.message[0]["msgid"] for event in case.events.all() if event.message]


def ready(document: Document) -> Document:
    """The document as a worker leaves it once rendered (the tests' transaction never
    commits, so no worker renders it)."""
    name = f"documents/{document.case_id}/{document.pk}-v1.pdf"
    stored = document.file.storage.save(name, ContentFile(a_pdf()))
    Document.objects.filter(pk=document.pk).update(rendering="ready", file=stored)
    return Document.objects.get(pk=document.pk)


# Opening a link -----------------------------------------------------------------------


def test_a_link_opens_its_party_s_page_in_their_language(client, case, send_link):
    link, token = send_link(case)
    response = page(client, token)
    assert response.status_code == 200
    text = response.content.decode()
    assert case.number in text and case.title in text
    assert '<html lang="en">' in text
    # Where the case stands and what happens next, in words a party reads.
    assert "We are checking" in text or "We have received your request" in text
    assert "Send us a statement or evidence" in text
    # Private: no cache keeps it, no other site is told the address; no login, no session.
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert "sessionid" not in response.cookies
    assert uses() == [(link.pk, "page", Outcome.OK, "127.0.0.1")]


def test_an_expired_link_opens_nothing(client, case, send_link):
    link, token = send_link(case, days=1)
    PartyLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = page(client, token)
    assert response.status_code == 410
    text = response.content.decode()
    assert "This link has expired" in text
    assert case.number not in text and case.title not in text
    assert uses() == [(link.pk, "page", Outcome.EXPIRED, "127.0.0.1")]


def test_a_revoked_link_opens_nothing_and_the_new_one_works(client, case, send_link, officer):
    old, old_token = send_link(case)
    links.revoke_link(link_pk=old.pk, actor=officer)
    assert page(client, old_token).status_code == 410
    # A new link revokes the party's earlier ones: this one, if still live, and opens.
    _new, new_token = send_link(case)
    assert new_token != old_token
    assert page(client, new_token).status_code == 200
    assert page(client, old_token).status_code == 410
    assert [outcome for _link, _action, outcome, _ip in uses()] == [
        Outcome.REVOKED,
        Outcome.OK,
        Outcome.REVOKED,
    ]
    assert "Personal link of %(who)s revoked." in msgids(case)
    entries = " ".join(case.events.values_list("summary", flat=True)) + str(msgids(case))
    assert old_token not in entries and new_token not in entries


def test_sending_a_new_link_revokes_the_earlier_live_one(client, case, send_link):
    first, first_token = send_link(case)
    second, second_token = send_link(case)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.is_live
    assert page(client, first_token).status_code == 410
    assert page(client, second_token).status_code == 200


def test_a_tampered_token_opens_nothing(client, two_sided, send_link):
    link_a, token_a = send_link(two_sided)
    link_b, _token_b = send_link(two_sided, role=Party.Role.RESPONDENT)
    payload, signature = token_a.rsplit(":", 1)
    changed = payload + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    # B's key with A's nonce: signed by someone without the site's key…
    forged = signing.Signer(key="not-the-site-key", salt=links.SALT).sign_object(
        [link_b.pk, link_a.nonce]
    )
    # …or even with it (a leaked key): the nonce is not B's.
    with_key = signing.Signer(salt=links.SALT).sign_object([link_b.pk, link_a.nonce])
    for token in (changed, token_a[:-1], forged, with_key, "nothing", token_a + "x"):
        response = page(client, token)
        assert response.status_code == 404, token
        assert "This link is not valid" in response.content.decode()
        assert two_sided.number not in response.content.decode()
    assert uses() == [(None, "page", Outcome.INVALID, "127.0.0.1")] * 6


def test_a_link_is_limited_to_so_many_uses_a_minute(client, case, send_link, settings):
    settings.PARTY_LINK_RATE = 3
    _link, token = send_link(case)
    assert [page(client, token).status_code for _ in range(3)] == [200, 200, 200]
    limited = page(client, token)
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert "Too many requests" in limited.content.decode()
    # A minute later it opens again.
    LinkUse.objects.update(at=timezone.now() - datetime.timedelta(seconds=61))
    assert page(client, token).status_code == 200
    outcomes = [outcome for _link, _action, outcome, _ip in uses()]
    assert outcomes == [Outcome.OK] * 3 + [Outcome.LIMITED, Outcome.OK]


def test_an_address_that_keeps_failing_is_refused_for_a_while(client, case, send_link, settings):
    settings.PARTY_LINK_FAILURES = 5
    _link, token = send_link(case)
    for n in range(5):
        assert page(client, f"guess{n}").status_code == 404
    # Even the right token, from that address: it is not even read.
    limited = page(client, token)
    assert limited.status_code == 429 and limited["Retry-After"] == "600"
    assert uses()[-1] == (None, "page", Outcome.LIMITED, "127.0.0.1")
    # From another address it opens.
    assert page(client, token, REMOTE_ADDR="10.0.0.7").status_code == 200
    # Ten minutes after the failures, the first address may try again.
    LinkUse.objects.update(at=timezone.now() - datetime.timedelta(minutes=11))
    assert page(client, token).status_code == 200


def test_every_use_is_logged_once_refused_or_not(client, case, send_link):
    link, token = send_link(case)
    page(client, token, HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    client.post(reverse("portal:language", args=[token]), {"language": "zh-hant"})
    client.get(reverse("portal:document", args=[token, 999_999]))
    page(client, "bad-token")
    assert uses() == [
        (link.pk, "page", Outcome.OK, "127.0.0.1"),
        (link.pk, "language", Outcome.OK, "127.0.0.1"),
        (link.pk, "document:999999", Outcome.REFUSED, "127.0.0.1"),
        (None, "page", Outcome.INVALID, "127.0.0.1"),
    ]
    assert LinkUse.objects.filter(user_agent="Mozilla/5.0 (iPhone)").count() == 1


# Scope --------------------------------------------------------------------------------


def test_a_link_reaches_its_own_case_s_documents_for_the_party_and_no_other(
    client, intake, case, send_link, officer, city, caplog
):
    notice = ready(issue_document(case=case, kind=DocumentKind.ACCEPTANCE_NOTICE, actor=officer))
    # The 受理登记表 is the office's own record: never shown to a party.
    office = ready(case.documents.get(kind=DocumentKind.REGISTRATION_FORM))
    other_case = intake(title="另一宗案件", person=PersonFactory(registered_by=city))
    elsewhere = ready(
        issue_document(case=other_case, kind=DocumentKind.ACCEPTANCE_NOTICE, actor=officer)
    )
    _link, token = send_link(case)
    text = page(client, token).content.decode()
    assert reverse("portal:document", args=[token, notice.pk]) in text
    assert reverse("portal:document", args=[token, office.pk]) not in text
    response = client.get(reverse("portal:document", args=[token, notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # Another case's document, the office's record and no document at all: one answer.
    for pk in (elsewhere.pk, office.pk, 999_999):
        refused = client.get(reverse("portal:document", args=[token, pk]))
        assert refused.status_code == 404
        assert "There is nothing here that is shared with you" in refused.content.decode()
        assert "另一宗案件" not in refused.content.decode()
    # The refusals are in the link's own log, not in the site's log with the token.
    assert token not in caplog.text
    assert LinkUse.objects.filter(outcome=Outcome.REFUSED).count() == 3


def test_the_claimant_s_notices_are_not_the_respondent_s(client, two_sided, send_link, officer):
    notice = ready(
        issue_document(case=two_sided, kind=DocumentKind.ACCEPTANCE_NOTICE, actor=officer)
    )
    _link, token = send_link(two_sided, role=Party.Role.RESPONDENT)
    assert (
        reverse("portal:document", args=[token, notice.pk])
        not in page(client, token).content.decode()
    )
    assert client.get(reverse("portal:document", args=[token, notice.pk])).status_code == 404


def test_one_party_does_not_see_what_the_other_sent(client, two_sided, send_link):
    _a, claimant_token = send_link(two_sided)
    _b, respondent_token = send_link(two_sided, role=Party.Role.RESPONDENT)
    client.post(
        reverse("portal:send", args=[claimant_token]), {"text": "墓地东侧围墙为被申请人所建。"}
    )
    client.post(reverse("portal:send", args=[respondent_token]), {"text": "围墙早在十年前已建成。"})
    claimant_page = page(client, claimant_token).content.decode()
    respondent_page = page(client, respondent_token).content.decode()
    assert "墓地东侧围墙为被申请人所建。" in claimant_page
    assert "围墙早在十年前已建成。" not in claimant_page
    assert "围墙早在十年前已建成。" in respondent_page
    assert "墓地东侧围墙为被申请人所建。" not in respondent_page


# Sending through the link -------------------------------------------------------------


def test_a_party_sends_a_statement(client, case, send_link, officer):
    officer.email = "officer@example.cn"
    officer.save()
    link, token = send_link(case)
    response = client.post(reverse("portal:send", args=[token]), {"text": "请尽快安排调解。"})
    assert response.status_code == 302
    assert response.url == reverse("portal:home", args=[token]) + "?sent=1#send"
    [submission] = Submission.objects.all()
    assert (submission.party, submission.link, submission.kind) == (
        link.party,
        link,
        Submission.Kind.STATEMENT,
    )
    assert "we have received it" in client.get(response.url).content.decode()
    entry = case.events.get(transition="submission")
    assert entry.kind == CaseEvent.Kind.COMMUNICATION and entry.actor is None
    assert entry.message[0]["msgid"] == "%(who)s sent a statement through their own link."
    # The officer is told.
    assert Message.objects.filter(recipient=officer, kind="party_submission").exists()


def test_a_pdf_sent_through_the_link_is_cleaned_and_kept_with_the_evidence(client, case, send_link):
    _link, token = send_link(case)
    upload = SimpleUploadedFile("地契.pdf", booby_trapped_pdf(), "application/pdf")
    response = client.post(
        reverse("portal:send", args=[token]),
        {"text": "附上地契复印件。", "upload": upload, "title": "地契"},
    )
    assert response.status_code == 302
    [submission] = Submission.objects.select_related("evidence")
    evidence = submission.evidence
    assert submission.kind == Submission.Kind.EVIDENCE and submission.text == "附上地契复印件。"
    assert evidence.case == case and evidence.item == Evidence.Item.EVIDENCE
    assert evidence.title.endswith("地契")
    assert active_parts(evidence.file.read()) == []
    assert "地契" in page(client, token).content.decode()


def test_a_file_that_is_not_a_pdf_is_refused_with_a_message(client, case, send_link):
    _link, token = send_link(case)
    program = SimpleUploadedFile("setup.exe", b"MZ\x90\x00 program", "application/octet-stream")
    response = client.post(reverse("portal:send", args=[token]), {"upload": program})
    assert response.status_code == 200
    assert "Send the file as a PDF" in response.content.decode()
    # A program named like a PDF is no better.
    disguised = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 program", "application/pdf")
    response = client.post(reverse("portal:send", args=[token]), {"upload": disguised})
    assert "Send the file as a PDF" in response.content.decode()
    assert not Submission.objects.exists() and not Evidence.objects.exists()


def test_a_file_too_big_is_refused(client, case, send_link, monkeypatch):
    monkeypatch.setattr("workflows.portal.MAX_EVIDENCE_BYTES", 1000)
    _link, token = send_link(case)
    big = SimpleUploadedFile("big.pdf", a_pdf() + b"%" * 1000, "application/pdf")
    response = client.post(reverse("portal:send", args=[token]), {"upload": big})
    assert response.status_code == 200
    assert "larger than 20 MB" in response.content.decode()
    assert not Submission.objects.exists()


def test_an_empty_form_says_what_to_send(client, case, send_link):
    _link, token = send_link(case)
    response = client.post(reverse("portal:send", args=[token]), {"text": "  "})
    assert "Write a statement or choose a file to send." in response.content.decode()
    assert not Submission.objects.exists()


def test_the_form_posts_with_django_s_csrf_check_and_no_session(case, send_link):
    """As a browser does: the page gives the CSRF cookie and token, and the form posts
    from the same origin (with ``Referrer-Policy: no-referrer`` it would send ``Origin:
    null``, which the check refuses)."""
    _link, token = send_link(case)
    browser = Client(enforce_csrf_checks=True)
    text = page(browser, token).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)
    url = reverse("portal:send", args=[token])
    response = browser.post(
        url,
        {"text": "同意线上调解。", "csrfmiddlewaretoken": csrf},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 302
    assert Submission.objects.count() == 1
    assert "sessionid" not in browser.cookies
    assert browser.post(url, {"text": "再一次"}).status_code == 403  # no token: refused


def test_a_link_revoked_while_its_file_was_cleaned_keeps_nothing(case, send_link, officer):
    link, _token = send_link(case)
    links.revoke_link(link_pk=link.pk, actor=officer)
    from documents.submissions import send_submission

    with pytest.raises(ValidationError):
        send_submission(link=link, text="迟到的陈述")
    assert not Submission.objects.exists()


# Language -----------------------------------------------------------------------------


def test_the_party_switches_the_page_s_language(client, case, send_link):
    link, token = send_link(case, language="zh-hans")
    assert '<html lang="zh-CN">' in page(client, token).content.decode()
    response = client.post(reverse("portal:language", args=[token]), {"language": "en"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.language == "en"
    assert "Where your case stands" in page(client, token).content.decode()
    client.post(reverse("portal:language", args=[token]), {"language": "zh-hant"})
    assert '<html lang="zh-Hant">' in page(client, token).content.decode()
    # A language the page does not offer changes nothing.
    client.post(reverse("portal:language", args=[token]), {"language": "fr"})
    link.refresh_from_db()
    assert link.language == "zh-hant"


# Sending and revoking -----------------------------------------------------------------


def test_a_party_abroad_gets_no_link_without_consent_to_data_going_abroad(case, officer):
    party = party_of(case, Party.Role.CLAIMANT)
    with pytest.raises(ValidationError) as refused:
        links.issue_link(case=case, actor=officer, party=party, language="en")
    assert refused.value.code == "cross_border"
    assert not PartyLink.objects.exists()


def test_a_link_is_for_a_person_of_the_case(intake, case, officer, association, city):
    other = intake(title="另一宗", person=PersonFactory(residence_country="CN", registered_by=city))
    with pytest.raises(ValidationError) as refused:
        links.issue_link(case=case, actor=officer, party=party_of(other, "claimant"), language="en")
    assert refused.value.code == "party"
    by_association = intake(parties=[PartyInput(role=Party.Role.CLAIMANT, association=association)])
    body = by_association.parties.get(association=association)
    with pytest.raises(ValidationError) as refused:
        links.issue_link(case=by_association, actor=officer, party=body, language="en")
    assert refused.value.code == "not_a_person"


def test_a_stranger_may_not_send_or_revoke_a_link(client, case, send_link, outsider):
    link, _token = send_link(case)
    party = party_of(case, Party.Role.CLAIMANT)
    with pytest.raises(PermissionDenied):
        links.issue_link(case=case, actor=outsider, party=party, language="en")
    with pytest.raises(PermissionDenied):
        links.revoke_link(link_pk=link.pk, actor=outsider)
    client.force_login(outsider)
    data = {"party": party.pk, "language": "en", "days": 30}
    assert client.post(reverse("workflows:issue_link", args=[case.pk]), data).status_code == 404
    revoke = reverse("workflows:revoke_link", args=[case.pk, link.pk])
    assert client.post(revoke).status_code == 404
    link.refresh_from_db()
    assert link.is_live and PartyLink.objects.count() == 1


def test_the_link_is_e_mailed_to_a_party_who_consented(case, send_link, officer):
    party = party_of(case, Party.Role.CLAIMANT)
    party.person.email = "tham@example.my"
    party.person.save()
    consents(case, party, Consent.Purpose.ELECTRONIC_SERVICE, officer=officer)
    link, token = send_link(case)
    [message] = Message.objects.filter(party=party, kind="party_link")
    assert reverse("portal:home", args=[token]) in message.body
    entry = case.events.get(transition="party_link")
    assert entry.message[0]["msgid"].startswith("Personal link e-mailed to")
    assert token not in f"{entry.summary}{entry.message}" and link.nonce not in entry.summary


def test_the_officer_sends_revokes_and_sees_links_on_the_case_page(
    client, officer_client, case, officer
):
    party = party_of(case, Party.Role.CLAIMANT)
    consents(case, party, Consent.Purpose.CROSS_BORDER, officer=officer)
    url = reverse("workflows:issue_link", args=[case.pk])
    # Not reachable by e-mail: the link is shown this once, to hand over.
    response = officer_client.post(url, {"party": party.pk, "language": "en", "days": 30})
    assert response.status_code == 200
    [link] = PartyLink.objects.all()
    handed = re.search(r'value="(http[^"]+/p/([^/"]+)/)"', response.content.decode())
    assert handed and handed.group(2) == links.token_for(link)
    assert page(client, handed.group(2)).status_code == 200
    case_page = officer_client.get(case.get_absolute_url()).content.decode()
    assert 'id="party-links"' in case_page
    assert reverse("workflows:revoke_link", args=[case.pk, link.pk]) in case_page
    response = officer_client.post(reverse("workflows:revoke_link", args=[case.pk, link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_by == officer
    # Abroad, the consent withdrawn: said, nothing made.
    record_consent(
        case=case,
        actor=officer,
        party=party,
        purpose=Consent.Purpose.CROSS_BORDER,
        given=False,
        how=Consent.How.PHONE,
        given_by=str(party.subject),
    )
    response = officer_client.post(url, {"party": party.pk, "language": "en", "days": 30})
    assert response.status_code == 302 and PartyLink.objects.count() == 1


# The stages' sections -----------------------------------------------------------------


def _section_view(request, link):
    if request.method == "POST":
        return redirect(stages.portal_page(request))
    return HttpResponse(f"section of {link.party_id}")


SECTION = PortalSection(
    name="sample_session",
    template="workflows/portal/test_section.html",
    context=lambda link: {"greeting": "Next session soon"} if link.case.title else None,
    views={"ics": _section_view},
    order=5,
)


@pytest.fixture
def portal_stage(tmp_path, settings):
    folder = tmp_path / "templates"
    (folder / "workflows" / "portal").mkdir(parents=True)
    (folder / "workflows" / "portal" / "test_section.html").write_text(
        '<section class="card" id="sample"><h2>{{ greeting }}</h2>'
        "<a href=\"{% url 'portal:section' token section 'ics' %}\">ics</a></section>"
    )
    stage = Stage(name="portal_sample", templates=folder, portal=(SECTION,))
    stages.register_stage(stage)
    yield stage
    stages.unregister_stage(stage.name)


def test_a_stage_adds_its_section_and_its_views_to_the_party_s_page(
    client, case, send_link, portal_stage
):
    link, token = send_link(case)
    text = page(client, token).content.decode()
    assert "Next session soon" in text
    # In order: before the documents (the core's own parts come after the stage).
    assert text.index("Next session soon") < text.index("Documents sent to you")
    view = reverse("portal:section", args=[token, "sample_session", "ics"])
    assert view in text
    response = client.get(view)
    assert response.content == f"section of {link.party_id}".encode()
    assert response["Cache-Control"] == "no-store"
    assert client.post(view).url == reverse("portal:home", args=[token])
    assert (
        client.get(reverse("portal:section", args=[token, "sample_session", "nope"])).status_code
        == 404
    )
    assert (
        client.get(reverse("portal:section", args=["bad", "sample_session", "ics"])).status_code
        == 404
    )
    assert [action for _l, action, _o, _ip in uses()][1:] == [
        "sample_session:ics",
        "sample_session:ics",
        "sample_session:nope",
        "sample_session:ics",
    ]


def test_a_portal_section_is_registered_once(portal_stage):
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        stages.register_stage(Stage(name="another", portal=(SECTION,)))
    assert "another" not in stages.STAGES
    assert [s.name for s in stages.portal_sections()].count("sample_session") == 1
