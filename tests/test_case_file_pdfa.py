"""The case file (卷宗) is a PDF/A-3b like the single documents: output intent, XMP marker,
document ID, its manifest as an associated file; its catalogue dates each item and its
back cover names missing items without their slot numbers."""

import datetime
import hashlib
import io
import json
import re
import subprocess
from zoneinfo import ZoneInfo

import pikepdf
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from documents import services
from documents.management.commands.verify_documents import pdfa_problems
from documents.models import Document

from .test_documents import closed_case, content, rendered, step  # noqa: F401 (fixtures)

# The closed case's items in the Ministry's order, by kind, with the 文号 each carries.
ITEMS = [
    ("registration_form", ""),
    ("acceptance_notice", "河侨维〔2026〕1号"),
    ("rights_notice", "河侨维〔2026〕2号"),
    ("legal_opinion", "河侨维法意〔2026〕1号"),
    ("extension_notice", "河侨维〔2026〕3号"),
    ("closing_report", ""),
]


@pytest.fixture
def case_file(closed_case, officer):  # noqa: F811 (the fixture imported above)
    for document in closed_case.documents.all():
        rendered(document)
    return rendered(services.export_case_file(case=closed_case, actor=officer))


def _open(document: Document) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(content(document)))


def _page_text(document: Document, page: int, layout: bool = False) -> str:
    options = ["-layout"] if layout else []
    return subprocess.run(
        ["pdftotext", *options, "-f", str(page), "-l", str(page), "-", "-"],
        input=content(document),
        capture_output=True,
        check=True,
    ).stdout.decode()


def _font_programs(pdf: pikepdf.Pdf) -> int:
    return sum(
        1
        for obj in pdf.objects
        if isinstance(obj, pikepdf.Dictionary)
        and obj.get("/Type") == "/FontDescriptor"
        and any(key in obj for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    )


def test_it_marks_the_case_file_pdfa_3b_with_an_srgb_output_intent(case_file):
    with _open(case_file) as pdf:
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1"
        profile = intent.DestOutputProfile.read_bytes()
        assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB "  # an RGB ICC profile
        assert intent.DestOutputProfile.N == 3
        with pdf.open_metadata() as meta:
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "B")
            assert meta["dc:title"] == f"卷宗 {case_file.case.number}"
        first, second = pdf.trailer.ID
        assert len(bytes(first)) >= 16 and len(bytes(second)) >= 16  # the file's identifier
        assert str(pdf.docinfo.Title) == f"卷宗 {case_file.case.number}"


def test_it_attaches_its_manifest_once_as_data(case_file):
    with _open(case_file) as pdf:
        assert list(pdf.attachments) == ["manifest.json"]
        spec = pdf.attachments["manifest.json"].obj
        assert spec.AFRelationship == "/Data"
        assert [entry.objgen for entry in pdf.Root.AF] == [spec.objgen]
        assert spec.EF.F.Subtype == "/application/json"


def test_it_lists_each_item_with_its_number_and_the_hash_of_its_pdf(case_file):
    with _open(case_file) as pdf:
        manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
    documents = {d.kind: d for d in case_file.case.documents.exclude(kind="case_file")}
    stored = [hashlib.sha256(content(documents[kind])).hexdigest() for kind, _ in ITEMS]
    assert [item["number"] for item in manifest] == [number for _, number in ITEMS]
    assert [item["sha256"] for item in manifest] == stored
    assert manifest[1]["title"] == "受理通知书 河侨维〔2026〕1号"
    assert manifest[0]["first_page"] == 3  # after the cover and the one-page catalogue
    assert [item["pages"] for item in manifest] == [documents[k].page_count for k, _ in ITEMS]


def _store_with_its_hash(document: Document, pdf: pikepdf.Pdf) -> None:
    """The changed file stored in place of the document's, its hash brought up to date:
    only verify_documents' own checks can tell."""
    out = io.BytesIO()
    pdf.save(out)
    with open(document.file.path, "wb") as handle:
        handle.write(out.getvalue())
    Document.objects.filter(pk=document.pk).update(
        sha256=hashlib.sha256(out.getvalue()).hexdigest()
    )


def test_it_passes_verify_documents_and_fails_it_without_its_marks(case_file, capsys):
    call_command("verify_documents")
    assert "verified" in capsys.readouterr().out

    # The same file without its output intent, its hash brought up to date: only the
    # PDF/A check can tell.
    with _open(case_file) as pdf:
        del pdf.Root["/OutputIntents"]
        _store_with_its_hash(case_file, pdf)
    with pytest.raises(CommandError):
        call_command("verify_documents")
    assert f"no PDF/A output intent with an ICC profile: 文书 {case_file.pk}" in (
        capsys.readouterr().out
    )


def test_it_fails_verify_documents_when_the_manifest_lists_other_items(case_file, capsys):
    snapshot = case_file.snapshot
    snapshot["entries"][0]["sha256"] = "0" * 64
    Document.objects.filter(pk=case_file.pk).update(snapshot=snapshot)
    with pytest.raises(CommandError):
        call_command("verify_documents")
    assert "manifest.json does not list the items filed" in capsys.readouterr().out


def test_it_dates_each_row_of_the_catalogue(case_file):
    today = datetime.datetime.now(ZoneInfo(settings.TIME_ZONE)).date()
    date = f"{today.year}年{today.month}月{today.day}日"  # every item was issued today
    catalogue = _page_text(case_file, 2, layout=True)
    assert "日期" in catalogue
    rows = [line for line in catalogue.splitlines() if re.match(r"\s*\d+\s+\S", line)]
    assert len(rows) == len(ITEMS)
    assert all(date in row for row in rows), rows


def test_it_names_a_missing_item_on_the_back_cover_without_its_number(case_file):
    back = re.sub(r"\s+", "", _page_text(case_file, case_file.page_count))
    assert "尚缺必备材料：身份证明。" in back
    assert "3身份证明" not in back


def test_it_writes_one_set_of_fonts_for_cover_catalogue_back_and_page_numbers(case_file):
    documents = case_file.case.documents.exclude(kind="case_file")
    in_items = 0
    for document in documents:
        with _open(document) as pdf:
            in_items += _font_programs(pdf)
    with _open(case_file) as pdf:
        # Song, Song bold and Hei at most, shared by the generated parts; each item keeps
        # its own subsets (subsets cannot be merged safely).
        assert _font_programs(pdf) <= in_items + 3


def _pdf_with_a_font_not_embedded() -> bytes:
    """A page as a party's own software makes it: Helvetica named, not embedded (PDF/A
    forbids that), so its page cannot join the case file as it is."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 24 Tf 72 700 Td (Deed of the grave plot) Tj ET")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture
def with_evidence(closed_case, officer):  # noqa: F811
    upload = io.BytesIO(_pdf_with_a_font_not_embedded())
    upload.name, upload.size = "deed.pdf", len(upload.getvalue())
    evidence = services.add_evidence(
        case=closed_case, actor=officer, item="06", title="地契复印件", upload=upload
    )
    for document in closed_case.documents.all():
        rendered(document)
    return evidence, rendered(services.export_case_file(case=closed_case, actor=officer))


def test_it_prints_uploaded_evidence_as_images_and_attaches_it_as_filed(with_evidence, capsys):
    evidence, case_file = with_evidence
    with evidence.file.open("rb") as handle:
        filed = handle.read()
    with _open(case_file) as pdf:
        manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
        [item] = [i for i in manifest if i["source"] == "evidence"]
        page = pdf.pages[item["first_page"] - 1]
        # The page is the upload's image (and the stamp of its case-file page number): no
        # font of its own, Helvetica nowhere in the file.
        subtypes = sorted(str(x.Subtype) for x in page.Resources.XObject.values())
        assert subtypes == ["/Form", "/Image"]
        assert len(page.Resources.get("/Font", pikepdf.Dictionary())) == 0
        assert not [
            obj
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/BaseFont") == "/Helvetica"
        ]
        assert pdfa_problems(pdf) == []
        source = pdf.attachments[item["attachment"]]
        assert source.obj.AFRelationship == "/Source"
        assert source.get_file().read_bytes() == filed
        assert item["sha256"] == hashlib.sha256(filed).hexdigest() == evidence.sha256
    call_command("verify_documents")
    assert "verified" in capsys.readouterr().out


def test_it_fails_verify_documents_when_the_attached_evidence_is_not_the_file_filed(
    with_evidence, capsys
):
    _evidence, case_file = with_evidence
    with _open(case_file) as pdf:
        manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
        [item] = [i for i in manifest if i["source"] == "evidence"]
        pdf.attachments[item["attachment"]].obj.EF.F.write(b"%PDF-1.7 another file")
        _store_with_its_hash(case_file, pdf)
    with pytest.raises(CommandError):
        call_command("verify_documents")
    assert f"{item['attachment']} is not the file filed" in capsys.readouterr().out


def test_it_prints_a_page_pdftoppm_did_not_give_as_the_placeholder(tmp_path):
    from documents import pages

    two_pages = pikepdf.new()
    two_pages.add_blank_page()
    two_pages.add_blank_page()
    out = io.BytesIO()
    two_pages.save(out)

    images = pages.print_images(out.getvalue(), count=3, folder=tmp_path)

    assert [image.suffix for image in images] == [".jpg", ".jpg", ".png"]
    assert all(image.parent == tmp_path for image in images)
    assert images[2].read_bytes() == pages.placeholder_png()
