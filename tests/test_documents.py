"""Documents: each kind renders as an official PDF, fonts, integrity, idempotent rendering."""

import io
import json
import re
import subprocess

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from cases.calendar import WorkingCalendar
from cases.deadlines import due_date
from cases.models import Party
from cases.services import PartyInput
from documents import services
from documents.models import Document
from documents.snapshots import zh_date
from workflows import services as workflow_services

from .factories import PersonFactory


def pdf_text(content: bytes) -> str:
    """The PDF's text without white space (line breaks fall anywhere in justified CJK)."""
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"\s+", "", text)


def pdf_fonts(path: str) -> list[list[str]]:
    out = subprocess.run(["pdffonts", path], capture_output=True, check=True).stdout.decode()
    return [line.split() for line in out.splitlines()[2:]]


def rendered(document: Document) -> Document:
    services.render_document(document_id=document.pk)
    document.refresh_from_db()
    return document


def content(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def step(do, other_city):
    """The steps that issue documents, taken through the process's tasks."""
    tasks = {
        "start_screening": ("screen", {"notes": "事实清楚"}),
        "accept": ("decide", {"decision": "accept", "reason": ""}),
        "decline": ("decide", {"decision": "decline"}),
        "refer": ("decide", {"decision": "refer", "refer_to": other_city}),
    }

    def perform(case, name, reason=""):
        task, data = tasks[name]
        return do(case, task, {**data, "reason": reason} if reason else data)

    return perform


@pytest.fixture
def closed_case(case, step, do, supervisor, legal_review):
    """A case that has passed every step that issues a document."""
    case = step(step(case, "start_screening"), "accept")
    workflow_services.extend_handling_deadline(
        case=case, actor=supervisor, days=20, reason="需要多个部门现场核查"
    )
    case = legal_review(case, "close")
    case = do(case, "route", {"route": "close", "notes": ""})
    return do(case, "close_approval", {"reason": "经法顾委出具书面意见，当事人表示接受。"})


def test_it_issues_the_documents_of_each_step(closed_case):
    kinds = list(closed_case.documents.values_list("kind", flat=True))
    assert kinds == [
        "registration_form",
        "acceptance_notice",
        "rights_notice",
        "extension_notice",
        "legal_opinion",
        "closing_report",
    ]
    numbers = dict(closed_case.documents.values_list("kind", "number"))
    assert numbers["acceptance_notice"] == "河侨维〔2026〕1号"
    assert numbers["rights_notice"] == "河侨维〔2026〕2号"  # sent to a party: numbered too
    assert numbers["extension_notice"] == "河侨维〔2026〕3号"
    assert numbers["legal_opinion"] == "河侨维法意〔2026〕1号"  # the committee's own series


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("registration_form", ["受理登记表", "河侨维案〔2026〕1号", "谭永康", "2026年11月2日"]),
        ("acceptance_notice", ["受理通知书", "河侨维〔2026〕1号", "谭永康"]),
        ("rights_notice", ["权利义务告知书", "河侨维〔2026〕2号", "谭永康", "司法确认"]),
        (
            "extension_notice",
            ["延期告知书", "河侨维〔2026〕3号", "延长20日", "需要多个部门现场核查"],
        ),
        ("closing_report", ["结案报告", "经法顾委出具书面意见", "受理", "谭永康"]),
    ],
)
def test_it_renders_each_kind(closed_case, kind, expected):
    document = rendered(closed_case.documents.get(kind=kind))

    text = pdf_text(content(document))
    for words in expected:
        assert words in text
    if kind in ("acceptance_notice", "extension_notice"):
        # Both state the handling deadline as the calendar gave it at acceptance.
        clock = closed_case.deadlines.get(kind="handling")
        assert zh_date(due_date("handling", clock.starts_on, WorkingCalendar.load())) in text
    assert "—1—" in text
    assert document.rendering == "ready"
    assert document.page_count == len(PdfReader(document.file.path).pages)
    assert document.size == len(content(document))


def test_it_renders_refusal_and_referral(intake, step):
    declined = step(step(intake(), "start_screening"), "decline", reason="属法院受理范围")
    referred = step(step(intake(title="转办案"), "start_screening"), "refer", reason="属信访局")

    refusal = pdf_text(content(rendered(declined.documents.get(kind="refusal_notice"))))
    letter = pdf_text(content(rendered(referred.documents.get(kind="referral_letter"))))

    assert "不予受理告知书" in refusal and "属法院受理范围" in refusal and "复查" in refusal
    assert "转办函" in letter and "河侨维函〔2026〕1号" in letter and "梅州市侨联" in letter
    assert "五个工作日" in letter


def test_it_lays_out_a4_with_the_snapshot_attached(closed_case):
    document = rendered(closed_case.documents.get(kind="acceptance_notice"))
    reader = PdfReader(document.file.path)

    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert json.loads(reader.attachments["snapshot.json"][0]) == document.snapshot
    xmp = reader.xmp_metadata
    assert xmp is not None
    xml = xmp.stream.get_data().decode()
    assert "pdfaid:part" in xml and "3" in xml
    assert reader.metadata.title.startswith("受理通知书")
    assert reader.metadata.author == "河源市侨联"
    assert "河侨维案〔2026〕1号" in reader.metadata["/Keywords"]


def test_it_embeds_subset_fonts_and_keeps_them_small(closed_case):
    document = rendered(closed_case.documents.get(kind="rights_notice"))
    fonts = pdf_fonts(document.file.path)

    assert fonts, "no fonts listed"
    assert all(row[-5:-3] == ["yes", "yes"] for row in fonts), fonts  # embedded, subset
    assert any("Qiaowei-Song" in row[0] for row in fonts)
    assert document.size < 150_000


def test_it_keeps_rare_characters(intake, city):
    person = PersonFactory(name_zh="陈喆堃𠮷", name_latin="", registered_by=city)
    case = intake(parties=[PartyInput(role=Party.Role.CLAIMANT, person=person)])

    document = rendered(case.documents.get(kind="registration_form"))

    assert "陈喆堃𠮷" in pdf_text(content(document))


def test_it_shows_user_markup_as_text(intake, city):
    person = PersonFactory(name_zh='谭<img src="file:///etc/passwd">', registered_by=city)
    case = intake(
        title='<link rel="attachment" href="file:///etc/passwd">祖坟',
        parties=[PartyInput(role=Party.Role.CLAIMANT, person=person)],
    )

    document = rendered(case.documents.get(kind="registration_form"))
    reader = PdfReader(document.file.path)

    text = pdf_text(content(document))
    assert '<imgsrc="file:///etc/passwd">' in text
    assert list(reader.attachments) == ["snapshot.json"]
    assert "root:" not in text


def test_it_renders_bilingual_for_parties_abroad(intake, step, city):
    person = PersonFactory(
        name_zh="谭丽珍", name_latin="Tham Lai Chin", preferred_language="en", registered_by=city
    )
    case = intake(parties=[PartyInput(role=Party.Role.CLAIMANT, person=person)])
    case = step(step(case, "start_screening"), "accept")

    text = pdf_text(content(rendered(case.documents.get(kind="acceptance_notice"))))

    assert "受理通知书" in text
    assert "Noticeofacceptance" in text
    # The Chinese notice ends with its closing formula, the issuer and the date; the English
    # translation follows it, set apart, never between the formula and the seal.
    closing = text.index("特此通知")
    signature = text.index(case.handling_organisation.name, closing)
    translation = text.index("Englishtranslation,forreference")
    assert closing < signature < translation < text.index("ToThamLaiChin")


def test_it_renders_a_document_once_however_often_the_task_runs(case):
    document = case.documents.get()
    first = rendered(document)
    second = rendered(document)

    assert (first.file.name, first.sha256) == (second.file.name, second.sha256)
    folder = f"documents/{case.pk}"
    assert default_storage.listdir(folder)[1] == [first.file.name.rsplit("/", 1)[1]]
    assert Document.objects.filter(case=case).count() == 1


def test_it_enqueues_rendering_after_commit(intake, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = intake()
    assert case.documents.get().rendering == "ready"


def test_it_marks_a_failed_render_with_the_reason(case, monkeypatch):
    from documents import tasks

    def broken(*args, **kwargs):
        raise ValueError("template broken")

    monkeypatch.setattr(services, "render_pdf", broken)
    document = case.documents.get()
    with pytest.raises(ValueError):
        tasks.render_document.apply(args=[document.pk], throw=True)

    document.refresh_from_db()
    assert document.rendering == "failed"
    assert "template broken" in document.failure


def test_it_corrects_by_issuing_a_new_version(closed_case, supervisor):
    original = rendered(closed_case.documents.get(kind="acceptance_notice"))

    correction = services.issue_correction(
        document=original,
        actor=supervisor,
        changes={"addressee": "谭永康先生"},
        reason="称谓更正",
    )

    original.refresh_from_db()
    assert original.status == "superseded" and original.sha256  # kept as it was
    assert (correction.version, correction.replaces, correction.number) == (
        2,
        original,
        original.number,
    )
    assert "谭永康先生" in pdf_text(content(rendered(correction)))
    with pytest.raises(ValidationError):
        services.issue_correction(document=original, actor=supervisor, changes={}, reason="x")


def test_verify_documents_catches_changed_and_missing_files(closed_case, capsys):
    documents = [rendered(d) for d in closed_case.documents.all()]
    call_command("verify_documents")
    assert "verified" in capsys.readouterr().out

    with open(documents[0].file.path, "r+b") as handle:
        handle.seek(200)
        handle.write(b"tampered")
    default_storage.delete(documents[1].file.name)

    with pytest.raises(CommandError):
        call_command("verify_documents")
    out = capsys.readouterr().out
    assert "hash mismatch" in out and documents[0].file.name in out
    assert "missing file" in out and documents[1].file.name in out


def test_it_exports_the_case_file_with_catalogue_and_missing_items(closed_case, officer):
    for document in closed_case.documents.all():
        rendered(document)
    export = rendered(services.export_case_file(case=closed_case, actor=officer))

    text = pdf_text(content(export))
    assert "卷" in text and "宗" in text
    assert "受理登记表" in text and "权利义务告知书" in text and "结案报告" in text
    assert "尚缺必备材料：身份证明" in text  # the slot's name, not its internal number
    assert export.snapshot["missing"] == ["3 身份证明"]
    catalogue = export.snapshot["entries"]
    assert [e["title"] for e in catalogue] == [
        "受理登记表",
        "受理通知书 河侨维〔2026〕1号",
        "权利义务告知书 河侨维〔2026〕2号",
        "法律意见书 河侨维法意〔2026〕1号",
        "延期告知书 河侨维〔2026〕3号",
        "结案报告",
    ]
    total = sum(e["pages"] for e in catalogue)
    assert export.page_count == total + 3  # cover, catalogue, back cover


def test_it_adds_uploaded_evidence_to_the_case_file(closed_case, officer, client):
    # Any PDF of ours will do as the uploaded scan: the closed case's own 受理登记表.
    scan = rendered(closed_case.documents.get(kind="registration_form"))
    client.force_login(officer)
    upload = io.BytesIO(content(scan))
    upload.name = "护照.pdf"
    response = client.post(
        reverse("documents:upload_evidence", args=[closed_case.pk]),
        {"item": "03", "title": "谭永康护照复印件", "upload": upload},
    )
    assert response.status_code == 302
    assert closed_case.evidence.get().page_count == scan.page_count

    for document in closed_case.documents.all():
        rendered(document)
    export = rendered(services.export_case_file(case=closed_case, actor=officer))
    assert export.snapshot["missing"] == []
    assert "谭永康护照复印件" in pdf_text(content(export))


def test_it_refuses_an_upload_that_is_not_a_pdf(case, officer, client):
    client.force_login(officer)
    upload = io.BytesIO(b"MZ\x90\x00 not a pdf")
    upload.name = "virus.pdf"
    response = client.post(
        reverse("documents:upload_evidence", args=[case.pk]),
        {"item": "06", "title": "证据", "upload": upload},
        follow=True,
    )
    assert len(response.context["messages"]) == 1
    assert not case.evidence.exists()


@pytest.mark.parametrize("password", ["secret", ""], ids=["to-open", "to-change-only"])
def test_it_refuses_a_password_protected_pdf_with_a_message(case, officer, client, password):
    """A PDF that needs a password to open cannot be cleaned or read: refused with a
    message, not a 500. One encrypted only against changes (an empty password opens it)
    is kept, saved without its encryption."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    encrypted = io.BytesIO()
    pdf.save(encrypted, encryption=pikepdf.Encryption(user=password, owner="owner"))
    encrypted.seek(0)
    encrypted.name = "护照.pdf"
    client.force_login(officer)
    response = client.post(
        reverse("documents:upload_evidence", args=[case.pk]),
        {"item": "03", "title": "护照复印件", "upload": encrypted},
        follow=True,
    )
    assert response.status_code == 200
    said = [str(m) for m in response.context["messages"]]
    if password:
        assert said == ["该PDF设有密码保护，无法读取。请上传无需密码即可打开的文件。"]
        assert not case.evidence.exists()
    else:
        assert said == ["PDF材料已入卷。"]
        with case.evidence.get().file.open("rb") as handle:
            assert not pikepdf.open(io.BytesIO(handle.read())).is_encrypted


def test_it_lets_only_the_case_s_organisation_download(case, officer, outsider, client):
    document = rendered(case.documents.get())
    url = reverse("documents:download", args=[document.pk])

    client.force_login(outsider)
    assert client.get(url).status_code == 404

    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == content(document)


def test_it_lists_documents_on_the_case_page(case, officer, client):
    client.force_login(officer)
    page = client.get(case.get_absolute_url()).content.decode()
    # Pending: the documents panel refreshes itself (static/js/panels.js), not the page.
    assert 'data-pending="true"' in page and "http-equiv" not in page

    document = rendered(case.documents.get())
    page = client.get(case.get_absolute_url()).content.decode()
    assert reverse("documents:download", args=[document.pk]) in page
    assert 'data-pending="false"' in page and "http-equiv" not in page


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_it_renders_in_the_worker(intake, celery_worker):
    from .conftest import wait_for

    case = intake()
    document = case.documents.get()

    ready = wait_for(
        lambda: Document.objects.filter(pk=document.pk, rendering="ready").first(), timeout=60
    )
    assert "受理登记表" in pdf_text(content(ready))
