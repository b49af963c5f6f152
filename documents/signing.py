"""The organisation's seal on rendered PDFs: a PAdES signature (baseline B-B) added by an
incremental update, so the PDF/A-3b file as rendered stays byte for byte inside it, and
checked again by ``verify_documents``.

The key and certificate come from settings (``QIAOWEI_SIGNING_KEY``, ``QIAOWEI_SIGNING_CERT``,
optionally ``QIAOWEI_SIGNING_CHAIN`` and ``QIAOWEI_SIGNING_PASSPHRASE``). Without them (the
demo, the tests) a demo certificate signs: made once in ``SIGNING_DEMO_DIR`` so that every
run signs with the same one. No timestamp server is asked (this machine may reach none):
the signing time is the one the signature states. The certificate that signs is the one
verification trusts.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD_NAME = "QiaoweiSeal"
DEMO_FILE = "demo-seal.pem"  # its key and certificate together: one file, made whole at once
DEMO_NAME = "侨维演示印章（非正式）Qiaowei demo seal"  # a CN holds at most 64 characters
DEMO_YEARS = 10
# What may follow a signature without changing what it signed: nothing, or the validation
# data a later long-term signature would add.
UNCHANGED = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


class UnreadableSignature(ValueError):
    """The file, or a signature in it, cannot be read: nothing can be said of it."""


@dataclass(frozen=True)
class SignatureCheck:
    field: str
    signer: str  # the signing certificate's subject
    signed_at: datetime.datetime | None  # as the signature states it (no timestamp)
    intact: bool  # the bytes it signed are unchanged
    covers_whole_file: bool  # nothing changed after it but what a signature may add
    valid: bool  # intact, cryptographically valid, by the trusted certificate
    problem: str  # empty when all is well


@dataclass(frozen=True)
class _Credentials:
    key_pem: bytes
    cert_pem: bytes
    chain_pem: bytes
    passphrase: bytes | None


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


def _configured() -> _Credentials | None:
    key, cert = settings.SIGNING_KEY, settings.SIGNING_CERT
    if not key and not cert:
        return None
    if not (key and cert):
        raise ImproperlyConfigured(
            "QIAOWEI_SIGNING_KEY and QIAOWEI_SIGNING_CERT must be set together."
        )
    return _Credentials(
        key_pem=_read(key),
        cert_pem=_read(cert),
        chain_pem=_read(settings.SIGNING_CHAIN) if settings.SIGNING_CHAIN else b"",
        passphrase=settings.SIGNING_PASSPHRASE.encode() or None,
    )


def _make_demo_seal() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DEMO_NAME)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * DEMO_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # Non-repudiation (content commitment): what a validator asks of a signing key.
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem + certificate.public_bytes(serialization.Encoding.PEM)


def _demo_seal() -> bytes:
    """The demo seal, made by the first process that needs it. It is written whole to a
    file of its own and then linked into place, which fails if another process got there
    first: that one's seal is kept, so no document is ever signed with a seal that is then
    replaced."""
    folder = Path(settings.SIGNING_DEMO_DIR)
    path = folder / DEMO_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".seal-") as draft:
            os.fchmod(draft.fileno(), 0o600)  # a private key, demo or not
            draft.write(_make_demo_seal())
            draft.flush()
            with contextlib.suppress(FileExistsError):
                os.link(draft.name, path)
    return path.read_bytes()


def _credentials() -> _Credentials:
    configured = _configured()
    if configured:
        return configured
    seal = _demo_seal()
    return _Credentials(key_pem=seal, cert_pem=seal, chain_pem=b"", passphrase=None)


def _certificate(credentials: _Credentials) -> asn1_x509.Certificate:
    certificates = list(load_certs_from_pemder_data(credentials.cert_pem))
    if len(certificates) != 1:
        raise ImproperlyConfigured("The signing certificate file must hold one certificate.")
    return certificates[0]


def _signer(credentials: _Credentials) -> signers.SimpleSigner:
    return signers.SimpleSigner(
        signing_cert=_certificate(credentials),
        signing_key=load_private_key_from_pemder_data(
            credentials.key_pem, passphrase=credentials.passphrase
        ),
        cert_registry=SimpleCertificateStore.from_certs(
            list(load_certs_from_pemder_data(credentials.chain_pem))
            if credentials.chain_pem
            else []
        ),
    )


def _same_producer_in_both(writer: IncrementalPdfFileWriter) -> None:
    """pyHanko names itself the producer in the XMP metadata, but after the old producer in
    the document information; PDF/A wants the two the same, so the information says what
    the XMP will say."""
    if "/Info" in writer.trailer:
        info = writer.trailer["/Info"]
        info["/Producer"] = generic.TextStringObject(VENDOR)
        writer.update_container(info)


def sign_pdf(content: bytes, *, reason: str, location: str, name: str) -> bytes:
    """The PDF with the organisation's seal (an invisible signature field) appended."""
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    _same_producer_in_both(writer)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=name,
    )
    output = signers.sign_pdf(writer, metadata, signer=_signer(_credentials()))
    return output.getvalue()


def _problem(status: PdfSignatureStatus, covers_whole_file: bool) -> str:
    if not status.intact:
        return "signed bytes changed"
    if not status.valid:
        return "signature does not match its certificate"
    if not status.trusted:
        return f"not signed with the organisation's certificate ({status.trust_problem_indic})"
    if not covers_whole_file:
        return "file changed after signing"
    return ""


def _check(embedded: EmbeddedPdfSignature, context: ValidationContext) -> SignatureCheck:
    status = validate_pdf_signature(embedded, signer_validation_context=context)
    covers_whole_file = status.modification_level in UNCHANGED
    return SignatureCheck(
        field=embedded.field_name,
        signer=embedded.signer_cert.subject.human_friendly,
        signed_at=embedded.self_reported_timestamp,
        intact=status.intact,
        covers_whole_file=covers_whole_file,
        valid=status.intact and status.valid and status.trusted,
        problem=_problem(status, covers_whole_file),
    )


def _embedded(content: bytes) -> list[EmbeddedPdfSignature]:
    try:
        return PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures
    except (PdfError, ValueError) as error:
        raise UnreadableSignature(str(error)) from error


def verify_pdf(content: bytes) -> list[SignatureCheck]:
    """Each signature of the PDF, checked against the organisation's certificate; none for
    an unsigned file. Raises ``UnreadableSignature`` for a file or a signature that cannot
    be read."""
    signatures = _embedded(content)
    if not signatures:
        return []
    context = ValidationContext(trust_roots=[_certificate(_credentials())])
    try:
        return [_check(embedded, context) for embedded in signatures]
    except ValueError as error:  # a signature that is no CMS, or has no certificate
        raise UnreadableSignature(str(error)) from error


def is_signed(content: bytes) -> bool:
    return bool(_embedded(content))
