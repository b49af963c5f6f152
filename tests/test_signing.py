"""The organisation's seal: a PAdES signature on a real rendered PDF that keeps it PDF/A-3b,
verified against the organisation's certificate; a changed byte, a later change to a page
or another key are caught, by ``verify_pdf`` and by ``verify_documents``."""

import datetime
import hashlib
import io
import threading

import pikepdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from documents import signing
from documents.management.commands.verify_documents import pdfa_problems
from documents.models import Document
from documents.rendering import render_pdf

from .test_documents import content, rendered
from .test_print_layout import ACCEPTANCE_NOTICE, ACCEPTANCE_TEMPLATE


@pytest.fixture(autouse=True)
def demo_dir(settings, tmp_path):
    """Each test makes its own demo seal, never the project's under var/."""
    settings.SIGNING_DEMO_DIR = tmp_path / "signing"
    return settings.SIGNING_DEMO_DIR


@pytest.fixture(scope="module")
def notice() -> bytes:
    return render_pdf(ACCEPTANCE_TEMPLATE, ACCEPTANCE_NOTICE).content


def _sign(pdf: bytes) -> bytes:
    return signing.sign_pdf(
        pdf, reason="出具文书 Document issued", location="紫金县义容镇", name="紫金县义容镇侨胞之家"
    )


def _changed_byte(pdf: bytes) -> bytes:
    """One byte of the binary comment on the second line, signed like the rest: the file
    still reads as the same PDF."""
    at = pdf.index(b"\n") + 2
    return pdf[:at] + bytes([pdf[at] ^ 1]) + pdf[at + 1 :]


def _page_rotated(pdf: bytes) -> bytes:
    """A second incremental update after the signature that turns the first page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _key_and_certificate(folder, name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(exist_ok=True)
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"seal passphrase"),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


def test_it_signs_a_rendered_pdf_by_an_incremental_update_that_stays_pdfa_3b(notice):
    signed = _sign(notice)

    assert signed.startswith(notice)  # the file as rendered, byte for byte, then the seal
    [check] = signing.verify_pdf(signed)
    assert check.field == "QiaoweiSeal"
    assert (check.intact, check.covers_whole_file, check.valid, check.problem) == (
        True,
        True,
        True,
        "",
    )
    assert signing.DEMO_NAME in check.signer
    assert abs(check.signed_at - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(
        minutes=1
    )
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        assert pdfa_problems(pdf) == []
        with pdf.open_metadata() as meta:
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "B")
            # PDF/A wants the document information and the XMP to agree.
            assert meta["pdf:Producer"] == str(pdf.docinfo.Producer)
        assert list(pdf.attachments) == ["snapshot.json"]
        sig = pdf.Root.AcroForm.Fields[0].V
        assert sig.SubFilter == "/ETSI.CAdES.detached"  # PAdES
        assert str(sig.Reason) == "出具文书 Document issued"


def test_it_finds_no_signature_in_an_unsigned_pdf(notice):
    assert signing.verify_pdf(notice) == []
    assert not signing.is_signed(notice)
    assert signing.is_signed(_sign(notice))


def test_it_says_a_byte_changed_in_the_signed_range_is_not_intact(notice):
    [check] = signing.verify_pdf(_changed_byte(_sign(notice)))

    assert not check.intact and not check.valid
    assert check.problem == "signed bytes changed"


def test_it_says_a_page_changed_after_signing_is_not_covered(notice):
    [check] = signing.verify_pdf(_page_rotated(_sign(notice)))

    assert check.intact  # what it signed is still there, unchanged
    assert not check.covers_whole_file
    assert check.problem == "file changed after signing"


def test_it_refuses_a_file_that_is_not_a_pdf():
    with pytest.raises(signing.UnreadableSignature):
        signing.verify_pdf(b"%PDF-1.7 not really")


def test_it_signs_with_the_certificate_from_the_environment(notice, settings, tmp_path):
    key, cert = _key_and_certificate(tmp_path / "org", "河源市归国华侨联合会")
    settings.SIGNING_KEY, settings.SIGNING_CERT = key, cert
    settings.SIGNING_PASSPHRASE = "seal passphrase"

    signed = _sign(notice)
    [check] = signing.verify_pdf(signed)
    assert check.valid and "河源市归国华侨联合会" in check.signer
    assert not settings.SIGNING_DEMO_DIR.exists()  # no demo seal was made

    # Verified against another certificate (here the demo one): not the organisation's.
    settings.SIGNING_KEY = settings.SIGNING_CERT = ""
    [check] = signing.verify_pdf(signed)
    assert check.intact and not check.valid
    assert check.problem.startswith("not signed with the organisation's certificate")


def test_it_makes_the_demo_seal_once_and_keeps_it(notice, demo_dir):
    first = signing.verify_pdf(_sign(notice))[0].signer
    seal = (demo_dir / signing.DEMO_FILE).read_bytes()

    [check] = signing.verify_pdf(_sign(notice))
    assert check.valid and check.signer == first
    assert (demo_dir / signing.DEMO_FILE).read_bytes() == seal


def test_it_makes_one_demo_seal_when_several_ask_at_once(demo_dir):
    start = threading.Barrier(6)
    seals = []

    def make():
        start.wait()
        seals.append(signing._demo_seal())

    threads = [threading.Thread(target=make) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(seals) == 6 and len(set(seals)) == 1
    assert [p.name for p in demo_dir.iterdir()] == [signing.DEMO_FILE]  # no drafts left


def _store(document: Document, pdf: bytes, **snapshot) -> None:
    """The file stored in place of the document's, its hash brought up to date: only the
    signature check can tell."""
    with open(document.file.path, "wb") as handle:
        handle.write(pdf)
    Document.objects.filter(pk=document.pk).update(
        sha256=hashlib.sha256(pdf).hexdigest(), snapshot={**document.snapshot, **snapshot}
    )


def test_verify_documents_checks_the_signatures(case, capsys):
    document = rendered(case.documents.get())
    signed = _sign(content(document))
    _store(document, signed, signed=True)
    call_command("verify_documents")
    assert "All 1 files verified (1 signatures checked)." in capsys.readouterr().out

    _store(document, _changed_byte(signed))
    with pytest.raises(CommandError, match=r"1 of 1 files failed verification"):
        call_command("verify_documents")
    out = capsys.readouterr().out
    assert f"signature QiaoweiSeal: signed bytes changed: 文书 {document.pk}" in out

    _store(document, _page_rotated(signed))
    with pytest.raises(CommandError):
        call_command("verify_documents")
    assert "signature QiaoweiSeal: file changed after signing" in capsys.readouterr().out


def test_verify_documents_wants_a_signature_on_a_document_issued_signed(case, capsys):
    document = rendered(case.documents.get())
    _store(document, content(document), signed=True)

    with pytest.raises(CommandError, match=r"\(0 signatures checked\)"):
        call_command("verify_documents")
    assert f"issued signed but carries no signature: 文书 {document.pk}" in (
        capsys.readouterr().out
    )
