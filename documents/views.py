from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases.selectors import case_for

from . import selectors, services
from .forms import EvidenceForm
from .models import Document


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
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(case)
    try:
        services.add_evidence(case=case, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The PDF was added to the case file."))
    return redirect(case)
