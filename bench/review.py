"""The lawyer's review screen on a case with a full file: 40 evidence PDFs, 200 timeline
entries (notes and communications) and the documents its steps issued; server time (p50,
p95, max) of the lead adviser's task screen and of the draft save, queries a request and
bytes a response.

    .venv/bin/python bench/review.py         # needs PostgreSQL on 127.0.0.1; ~1 minute
    .venv/bin/python bench/review.py --smoke # small mode: 4 evidence items, 20 entries,
                                             # 5 requests each, in a throwaway database

The case is built once, the way the screens build it (intake, screening, acceptance,
evidence, notes and communications, legal review with two advisers, the lead's
declaration and draft), in the `qiaowei_bench` database; a second run reuses it. Prints
one line per figure and, last, all figures as one JSON object.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where queue.py would shadow the
# standard library's queue module: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
from bench.common import arguments, parse, percentile, setup_django  # noqa: E402

ORGANISATION = "基准法律审查侨联"
TITLE = "基准法律审查：谭氏祖坟墓地纠纷"
EVIDENCE = 40
NOTES = 120
COMMUNICATIONS = 80  # NOTES + COMMUNICATIONS = 200 timeline entries typed by the officer
LAWS = 5
SCREEN_REQUESTS = 200
DRAFT_REQUESTS = 50
SMALL = {
    "EVIDENCE": 4,
    "NOTES": 12,
    "COMMUNICATIONS": 8,
    "SCREEN_REQUESTS": 5,
    "DRAFT_REQUESTS": 5,
}


def small_pdf() -> bytes:
    """One small real PDF (2 A4 pages), made once and uploaded 40 times."""
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(2):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def people():
    """The city 侨联, its officer and supervisor, two advisers of its 法顾委 (the lead an
    expert in the case's category) and the claimant: created once."""
    from cases.models import Membership, Organisation, Person, Role, User
    from workflows.review.models import Adviser, ExpertiseArea

    city, _ = Organisation.objects.get_or_create(
        name=ORGANISATION,
        defaults={"kind": "federation", "level": "city", "number_prefix": "基审"},
    )

    def user(username: str, role: str, display_name: str) -> User:
        found, _ = User.objects.get_or_create(
            username=username,
            defaults={"display_name": display_name, "email": f"{username}@example.org"},
        )
        Membership.objects.get_or_create(user=found, organisation=city, role=role)
        return found

    officer = user("bench_review_officer", Role.CASE_OFFICER, "黄建国")
    supervisor = user("bench_review_supervisor", Role.SUPERVISOR, "李芳")
    lawyers = []
    for username, name, expertise in [
        ("bench_review_lead", "王律师", ("ancestral_graves", "neighbouring_relations")),
        ("bench_review_lawyer2", "陈律师", ("inheritance_law",)),
    ]:
        lawyer = user(username, Role.LEGAL_ADVISER, name)
        adviser, created = Adviser.objects.get_or_create(
            user=lawyer,
            defaults={
                "committee": city,
                "employer_kind": "law_firm",
                "employer": "广东某律师事务所",
            },
        )
        if created:
            adviser.expertise.set(ExpertiseArea.objects.filter(code__in=expertise))
        lawyers.append(lawyer)
    claimant = Person.objects.filter(registered_by=city).first() or Person.objects.create(
        name_zh="谭永康",
        name_latin="Tham Weng Hong",
        identity="foreign_chinese",
        nationality="MY",
        residence_country="MY",
        time_zone="Asia/Kuala_Lumpur",
        registered_by=city,
    )
    return city, officer, supervisor, lawyers, claimant


def open_task(case, name: str):
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    return Task.objects.get(
        process__caseprocess__case=case,
        flow_task__endswith=f".{name}",
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    )


def complete(case, name: str, user, data: dict, form: bool = False):
    """Complete the case's open task as its screen does (``form``: through its form)."""
    from workflows.services import complete_task

    task = open_task(case, name)
    if form:
        bound = task.flow_task.form_class(data, case=case, user=user)
        assert bound.is_valid(), bound.errors
        data = bound.cleaned_data
    complete_task(task_id=task.pk, user=user, data=data)
    return type(case).objects.get(pk=case.pk)


def build():
    """The bench case, built once (in one transaction: a run that fails half-way leaves
    nothing), then its pending documents rendered as the worker renders them."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.utils import timezone

    from cases import services as case_services
    from cases.calendar import WorkingCalendar
    from cases.models import Case, CaseEvent, Party
    from cases.services import PartyInput
    from documents.models import Document, Evidence
    from documents.services import add_evidence
    from documents.tasks import render_document
    from workflows.review import selectors, services
    from workflows.review.forms import DraftForm
    from workflows.review.models import LawArticle
    from workflows.services import register_case

    city, officer, supervisor, (lead, lawyer2), claimant = people()
    case = Case.objects.filter(handling_organisation=city, title=TITLE).first()
    if case is None:
        started = time.perf_counter()
        with transaction.atomic():
            case = register_case(
                actor=officer,
                handling_organisation=city,
                title=TITLE,
                category="ancestral_graves",
                channel="association_letter",
                received_on=timezone.localdate() - datetime.timedelta(days=3),
                summary="马来西亚谭氏宗亲会来函反映紫金县义容镇祖坟墓地被占用。" * 3,
                claims="保护祖坟现状；恢复被占墓地；查明迁移是否经批准。",
                parties=[PartyInput(role=Party.Role.CLAIMANT, person=claimant)],
            )
            case = complete(case, "screen", officer, {"notes": "事实清楚，属本会职责"})
            case = complete(case, "decide", supervisor, {"decision": "accept", "reason": ""})
            pdf = small_pdf()
            items = list(Evidence.Item.values)
            for n in range(EVIDENCE):
                add_evidence(
                    case=case,
                    actor=officer,
                    item=items[n % len(items)],
                    title=f"证据材料第{n + 1}份",
                    upload=SimpleUploadedFile(f"e{n}.pdf", pdf, "application/pdf"),
                )
            now = timezone.now()
            channels = list(CaseEvent.Channel.values)
            for n in range(COMMUNICATIONS):
                case_services.record_communication(
                    case=case,
                    actor=officer,
                    channel=channels[n % len(channels)],
                    counterpart="谭永康（宗亲会会长）",
                    summary=f"第{n + 1}次联系：通报墓地核查进展，当事人表示理解。",
                    occurred_at=now - datetime.timedelta(hours=COMMUNICATIONS - n),
                )
            for n in range(NOTES):
                case_services.add_note(
                    case=case,
                    actor=officer,
                    text=f"工作记录{n + 1}：已与义容镇政府核实墓地四至，待自然资源局书面意见。",
                )
            due = selectors.default_due_on(case, timezone.localdate(), WorkingCalendar.load())
            case = complete(
                case,
                "send_to_review",
                officer,
                {
                    "lead": lead.pk,
                    "members": [lawyer2.pk],
                    f"due_{lead.pk}": due,
                    f"due_{lawyer2.pk}": due,
                    "notes": "请重点审查墓地权属。",
                },
                form=True,
            )
            seat = selectors.seat_in(case, lead)
            services.declare(seat_pk=seat.pk, actor=lead, has_conflict=False)
            laws = list(LawArticle.objects.filter(is_active=True)[:LAWS])
            draft = DraftForm(draft_data(laws, revision=0))
            assert draft.is_valid(), draft.errors
            services.save_draft(seat_pk=seat.pk, actor=lead, data=draft.cleaned_data, revision=0)
        print(f"built the case in {time.perf_counter() - started:.1f} s")
    # The documents its steps issued: rendered here, as the worker does (the bench runs no
    # worker). A run stopped half-way renders the rest.
    for pk in case.documents.filter(rendering=Document.Rendering.PENDING).values_list(
        "pk", flat=True
    ):
        render_document.apply(args=[pk], throw=True)
    return case, lead


def draft_data(laws, revision: int) -> dict:
    return {
        "facts": "祖坟位于义容镇某村山地，宗亲会持有1950年代照片；镇政府称该地块已出让。",
        "issues": "墓地是否被占用；迁移是否经批准；出让是否合法。",
        "laws": [law.pk for law in laws],
        "analysis": "依《民法典》相邻关系及《殡葬管理条例》的规定，应先行协商解决。" * 4,
        "route": "coordination",
        "risk": "medium",
        "risk_notes": "邻村可能拒绝调解：先由镇政府协调。",
        "questions": "",
        "revision": revision,
    }


def shape(sql: str) -> str:
    """A statement without its values, to count repeats of the same query."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    return re.sub(r"\b\d+\b", "?", sql)


def captured(client, method: str, url: str, data=None):
    """The response and the SQL it ran."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data)
    return response, [q["sql"] for q in queries.captured_queries]


def repeats(statements: list[str]) -> list[tuple[int, str]]:
    """Statements run more than 3 times in one request: an N+1 shows here."""
    return [(n, sql) for sql, n in Counter(map(shape, statements)).most_common() if n > 3]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def summary(times: list[float], statements: list, response) -> dict:
    """The figures of one request timed ``len(times)`` times, and of its last response."""
    return {
        "requests": len(times),
        "p50_ms": ms(percentile(times, 0.5)),
        "p95_ms": ms(percentile(times, 0.95)),
        "max_ms": ms(max(times)),
        "queries": len(statements),
        "bytes": len(response.content),
    }


def main() -> None:
    # Wake-ups (documents, e-mails) go to an in-process broker: nothing left behind in Redis.
    os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost/")
    args = parse(arguments(__doc__))
    if args.smoke:
        globals().update(SMALL)
    setup_django(small=args.smoke)
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from cases.models import CaseEvent
    from documents.models import Document
    from workflows.review.models import Reviewer

    settings.ALLOWED_HOSTS = ["testserver"]
    case, lead = build()
    seat = Reviewer.objects.select_related("opinion").get(review__case=case, adviser=lead)
    laws = list(seat.opinion.laws.all())
    ready = case.documents.filter(rendering=Document.Rendering.READY).count()
    print(
        f"case {case.number}: {case.evidence.count()} evidence items, "
        f"{CaseEvent.objects.filter(case=case).count()} timeline entries "
        f"({NOTES} notes, {COMMUNICATIONS} communications and the steps' own), "
        f"{ready} documents, draft citing {len(laws)} articles"
    )
    client = Client()
    client.force_login(lead)
    figures = {}

    screen = reverse("workflows:task", args=[seat.task_id])
    response = client.get(screen)  # warm
    assert response.status_code == 200, response.status_code
    assert b'id="opinion-form"' in response.content, "not the review screen"
    times = []
    for _ in range(SCREEN_REQUESTS):
        start = time.perf_counter()
        response = client.get(screen)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    response, statements = captured(client, "get", screen)
    figures["review_screen"] = summary(times, statements, response)
    screen_repeats = repeats(statements)

    draft = reverse("review:save_draft", args=[seat.pk])
    revision = Reviewer.objects.get(pk=seat.pk).opinion.revision
    times = []
    for n in range(DRAFT_REQUESTS + 1):  # the first one warms
        start = time.perf_counter()
        response = client.post(draft, draft_data(laws, revision))
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.content
        revision = response.json()["revision"]
        if n:
            times.append(elapsed)
    response, draft_statements = captured(client, "post", draft, draft_data(laws, revision))
    assert response.status_code == 200, response.content
    figures["draft_save"] = summary(times, draft_statements, response)

    for name, f in figures.items():
        print(
            f"{name}: p50 {f['p50_ms']:.0f} ms, p95 {f['p95_ms']:.0f} ms, "
            f"max {f['max_ms']:.0f} ms over {f['requests']} requests; "
            f"{f['queries']} queries, {f['bytes']} bytes"
        )
    found = {"review_screen": screen_repeats, "draft_save": repeats(draft_statements)}
    for label, statements in found.items():
        for n, sql in statements:
            print(f"{label}: repeated {n}× in one request: {sql[:300]}")
        if not statements:
            print(f"{label}: no statement repeated in a request (no N+1)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
