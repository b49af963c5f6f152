"""The agreement's page of a case: the draft and its versions, the confirmations, the
mediator's signature, judicial confirmation, each term's performance and the follow-up
visits; each form posts to its own small view, which calls one service."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases.selectors import case_for


def case_page(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for(request.user, case_pk)
    return render(request, "agreements/case.html", {"case": case})
