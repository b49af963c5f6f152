import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases.selectors import case_for
from cases.views import say_form_errors

from . import pages, selectors, services
from .forms import EvidenceForm
from .models import Document

logger = logging.getLogger(__name__)


@login_required
@require_safe
def download(request, pk: int):
    document = get_object_or_404(
        selectors.visible_documents(request.user), pk=pk, rendering=Document.Rendering.READY
    )
    name = f"{document.case.number} {document.get_kind_display()} v{document.version}.pdf"
    return FileResponse(document.file.open("rb"), filename=name, content_type="application/pdf")


@login_required
@require_POST
def export_case_file(request, case_pk: int):
    case = case_for(request.user, case_pk, "cases.export_case_file")
    services.export_case_file(case=case, actor=request.user)
    messages.success(request, _("The case file is being assembled; it appears below when ready."))
    return redirect(case)


@login_required
@require_POST
def upload_evidence(request, case_pk: int):
    case = case_for(request.user, case_pk, "cases.upload_evidence")
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        say_form_errors(request, form)
        return redirect(case)
    try:
        services.add_evidence(case=case, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The PDF was added to the case file."))
    return redirect(case)


# Viewing a PDF inside the page, as page images (documents/pages.py) --------------------


def _wants_fragment(request) -> bool:
    """Only the viewer's contents: asked for by static/js/viewer.js (header and flag)."""
    return request.GET.get("fragment") == "1" or request.headers.get("X-Requested-With") == "fetch"


def _page_numbers(count: int | None, field_file) -> int:
    if count:
        return count
    try:
        return pages.page_count(field_file)
    except Exception:  # an unreadable file shows no pages rather than an error page
        logger.exception("could not count the pages of %s", field_file.name)
        return 0


def _viewer(request, *, subject, kind: str, title: str, subtitle: str, ready: bool, count: int):
    """The viewer of a PDF: its pages as lazily loaded images, each with its text beside it
    and a zoomed version."""
    page_route = f"documents:{kind}_page"
    sizes: list[tuple[float, float]] = []
    texts: list[str] | None = None
    if ready and count:
        try:
            sizes = pages.page_sizes(subject.file)
        except Exception:
            logger.exception("could not measure the pages of %s", subject.file.name)
        try:
            texts = pages.page_texts(subject.file, count=count)
        except Exception:  # the pages are still shown, without their text
            logger.exception("could not read the text of %s", subject.file.name)
    if len(sizes) != count:
        sizes = [pages.A4] * count
    width = pages.DEFAULT_WIDTH
    page_list = [
        {
            "number": number,
            "src": reverse(page_route, args=[subject.pk, number]),
            "zoom_width": pages.ZOOM_WIDTH,
            "width": width,
            "height": max(1, round(width * page_height / page_width)),
            "text": texts[number - 1] if texts else "",
        }
        for number, (page_width, page_height) in enumerate(sizes, start=1)
    ]
    download_url = None
    if kind == "document" and ready:
        download_url = reverse("documents:download", args=[subject.pk])
    context = {
        "subject": subject,
        "kind": kind,
        "case": subject.case,
        "title": title,
        "subtitle": subtitle,
        "ready": ready,
        "failed": kind == "document" and subject.rendering == Document.Rendering.FAILED,
        "page_count": count,
        "pages": page_list,
        "texts_read": texts is not None,
        "download_url": download_url,
    }
    if _wants_fragment(request):
        response = render(request, "documents/viewer/pages.html", context)
    else:
        context["case_files"] = _case_files(request.user, subject.case)
        response = render(request, "documents/viewer/viewer.html", context)
    # The same address answers with the fragment or the page, by the header too.
    patch_vary_headers(response, ["X-Requested-With"])
    return response


def _case_files(user, case) -> list[dict]:
    """The case's viewable files, for the full page's list (opened in place by
    static/js/viewer.js)."""
    documents = selectors.visible_documents(user).filter(
        case=case, rendering=Document.Rendering.READY
    )
    files = [
        {
            "url": reverse("documents:view_document", args=[d.pk]),
            "kind": "document",
            "pk": d.pk,
            "label": f"{d.get_kind_display()} {d.number}".strip(),
            "detail": _("Version %(version)s") % {"version": d.version},
        }
        for d in documents.order_by("issued_at", "id")
    ]
    files += [
        {
            "url": reverse("documents:view_evidence", args=[e.pk]),
            "kind": "evidence",
            "pk": e.pk,
            "label": e.title,
            "detail": e.get_item_display(),
        }
        for e in selectors.visible_evidence(user).filter(case=case)
    ]
    return files


@login_required
@require_safe
def view_evidence(request, pk: int):
    evidence = get_object_or_404(
        selectors.visible_evidence(request.user).select_related("case"), pk=pk
    )
    return _viewer(
        request,
        subject=evidence,
        kind="evidence",
        title=evidence.title,
        subtitle=evidence.get_item_display(),
        ready=True,
        count=_page_numbers(evidence.page_count, evidence.file),
    )


@login_required
@require_safe
def view_document(request, pk: int):
    document = get_object_or_404(
        selectors.visible_documents(request.user).select_related("case"), pk=pk
    )
    ready = document.rendering == Document.Rendering.READY and bool(document.file)
    subtitle = _("Version %(version)s") % {"version": document.version}
    if document.number:
        subtitle = f"{document.number} · {subtitle}"
    return _viewer(
        request,
        subject=document,
        kind="document",
        title=document.get_kind_display(),
        subtitle=subtitle,
        ready=ready,
        count=_page_numbers(document.page_count, document.file) if ready else 0,
    )


def _page_image(request, field_file, *, page: int, count: int | None):
    """One page as a PNG: 404 for a page the file does not have."""
    if page < 1 or (count and page > count):
        raise Http404
    try:
        png = pages.page_png(field_file, page=page, width=pages.width_for(request.GET.get("w")))
    except pages.PageOutOfRange as error:
        raise Http404 from error
    except pages.RenderError as error:
        # A page too heavy or broken to render shows as the placeholder, its text beside
        # it; the failure is remembered (documents/pages.py), so the next request is quick.
        logger.warning("could not render page %s of %s: %s", page, field_file.name, error)
        png = pages.placeholder_png()
    response = HttpResponse(png, content_type="image/png")
    # Never kept by a browser or a proxy, as every page a logged-in user gets: a page may
    # be a scanned ID document, opened on a shared computer.
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_safe
def evidence_page(request, pk: int, page: int):
    evidence = get_object_or_404(selectors.visible_evidence(request.user), pk=pk)
    return _page_image(request, evidence.file, page=page, count=evidence.page_count)


@login_required
@require_safe
def document_page(request, pk: int, page: int):
    document = get_object_or_404(
        selectors.visible_documents(request.user), pk=pk, rendering=Document.Rendering.READY
    )
    if not document.file:
        raise Http404
    return _page_image(request, document.file, page=page, count=document.page_count)
