"""The work queue and the case page on a large database: 100,000 cases with about
1,000,000 tasks on PostgreSQL; server time (p50, p95 over 200 requests, the pages in turn)
and queries a page.

    .venv/bin/python bench/queue.py          # needs PostgreSQL on 127.0.0.1; ~2 minutes
    .venv/bin/python bench/queue.py --smoke  # small mode: 1,000 cases, 5 requests a page

The data is generated in SQL (set-based, a few statements) into the `qiaowei_bench`
database, once; a second run reuses it (the small mode: into a throwaway database, dropped
at the end), vacuumed and analysed before the timing. Prints one line per figure and, last,
all figures as one JSON object.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where queue.py would shadow the
# standard library's queue module: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
from bench.common import arguments, parse, percentile, setup_django  # noqa: E402

CASES = 100_000
ORGANISATIONS = 50  # cases spread over 50 federations; the bench officer works for one
PERSONS = 10_000
DONE_TASKS = [
    "screen",
    "decide",
    "send_to_review",
    "consolidate",
    "route",
    "assign_mediator",
    "declare_mediator",
    "mediate",
    "outcome",
    "follow_up",
    "close_approval",
]  # 11 finished + 1 open = 12 a case
REQUESTS = 200
# The small mode: 1,000 cases over 5 organisations (200 visible to the officer, 50 his own).
SMALL = {"CASES": 1_000, "ORGANISATIONS": 5, "PERSONS": 1_000, "REQUESTS": 5}


def generate() -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from cases.models import Case, Membership, Organisation, Role, User

    if Case.objects.count() >= CASES:
        return
    started = time.perf_counter()
    organisations = [
        Organisation.objects.get_or_create(
            name=f"基准侨联{n}",
            defaults={"kind": "federation", "level": "city", "number_prefix": f"基{n}"},
        )[0]
        for n in range(ORGANISATIONS)
    ]
    officer, _ = User.objects.get_or_create(username="bench_officer")
    Membership.objects.get_or_create(
        user=officer, organisation=organisations[0], role=Role.CASE_OFFICER
    )
    org_type = ContentType.objects.get_for_model(Organisation).pk
    first_org = organisations[0].pk
    flow = "workflows/flows.DisputeFlow"
    with transaction.atomic(), connection.cursor() as sql:
        sql.execute(
            """
            INSERT INTO cases_person (name_zh, name_latin, sex, identity, nationality,
                residence_country, time_zone, preferred_language, phone, email, wechat,
                address, id_document_type, id_document_number)
            SELECT '谭' || n, 'Tham ' || n, '', 'foreign_chinese', 'MY',
                (ARRAY['MY','SG','ID','US','CA','GB','AU','TH'])[1 + n %% 8],
                'Asia/Kuala_Lumpur', 'zh-hans', '', '', '', '', '', ''
            FROM generate_series(1, %s) n
            """,
            [PERSONS],
        )
        sql.execute(
            """
            INSERT INTO cases_case (number, title, category, channel, received_on, summary,
                claims, location, handling_organisation_id, officer_id, risk_level, status,
                suspended_from, created_at, updated_at)
            SELECT '基准案〔2026〕' || n || '号', '祖坟墓地纠纷第' || n || '号',
                (ARRAY['ancestral_graves','houses','land','inheritance','investment'])
                    [1 + n %% 5],
                'letter', DATE '2026-06-01' + (n %% 170), '-', '-', '',
                %s + n %% %s, CASE WHEN n %% %s = 0 AND n %% 4 = 0 THEN %s END,
                'low', 'mediating', '', now(), now()
            FROM generate_series(1, %s) n
            """,
            [first_org, ORGANISATIONS, ORGANISATIONS, officer.pk, CASES],
        )
        sql.execute(
            """
            INSERT INTO cases_party (case_id, role, person_id)
            SELECT c.id, 'claimant', (SELECT min(id) FROM cases_person) + c.id %% %s
            FROM cases_case c WHERE c.number LIKE '基准案%%'
            """,
            [PERSONS],
        )
        sql.execute(
            """
            INSERT INTO cases_deadline (case_id, kind, starts_on, due_on, extension_days,
                extension_reason, extension_reason_en, suspended_working_days, held_for_holder)
            SELECT id, 'handling', received_on, received_on + 60, 0, '', '', 0, false
            FROM cases_case WHERE number LIKE '基准案%'
            """
        )
        sql.execute(
            """
            INSERT INTO viewflow_process (flow_class, status, created, data, artifact_object_id)
            SELECT %s, 'NEW', now(), '{}', id FROM cases_case WHERE number LIKE '基准案%%'
            """,
            [flow],
        )
        sql.execute(
            """
            INSERT INTO workflows_caseprocess (process_ptr_id, case_id, route)
            SELECT id, artifact_object_id, 'mediation'
            FROM viewflow_process WHERE flow_class = %s AND artifact_object_id IS NOT NULL
            """,
            [flow],
        )
        sql.execute(
            """
            INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, finished,
                token, owner_id, owner_permission, owner_permission_content_type_id,
                owner_permission_obj_pk, process_id, data)
            SELECT %s || '.' || t.name, 'HUMAN', 'DONE', now(), now(), 'start', NULL,
                'cases.handle_case', %s, c.handling_organisation_id::text, p.process_ptr_id,
                '{}'
            FROM workflows_caseprocess p JOIN cases_case c ON c.id = p.case_id
            CROSS JOIN unnest(%s::text[]) AS t(name)
            """,
            [flow, org_type, DONE_TASKS],
        )
        # The open task: the case officer's own where there is one, else the team's.
        sql.execute(
            """
            INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, token,
                owner_id, owner_permission, owner_permission_content_type_id,
                owner_permission_obj_pk, process_id, data)
            SELECT %s || '.assign_mediator', 'HUMAN',
                CASE WHEN c.officer_id IS NULL THEN 'NEW' ELSE 'ASSIGNED' END, now(),
                'start', c.officer_id, 'sessions.assign', %s,
                c.handling_organisation_id::text, p.process_ptr_id, '{}'
            FROM workflows_caseprocess p JOIN cases_case c ON c.id = p.case_id
            """,
            [flow, org_type],
        )
    print(f"generated {CASES} cases in {time.perf_counter() - started:.0f} s")


def a_colleague_of(officer):
    """A second case officer of the bench officer's organisation, who holds no task."""
    from cases.models import Membership, Role, User

    colleague, _ = User.objects.get_or_create(username="bench_colleague")
    organisation = officer.memberships.get().organisation
    Membership.objects.get_or_create(
        user=colleague, organisation=organisation, role=Role.CASE_OFFICER
    )
    return colleague


def vacuum() -> None:
    """The tables as a server's autovacuum keeps them (this one may run without it): their
    statistics fresh after the rows bench/load.py changed, and their pages marked visible,
    which lets PostgreSQL count and sort from an index alone."""
    from django.db import connection

    with connection.cursor() as sql:
        sql.execute("VACUUM ANALYZE")


def check(client, url: str) -> int:
    """One request of the page, which it checks; its number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # Rows of the generated cases on every page: data the pages no longer list would time
    # an empty page. A queue page's rows are its table, not the search box that repeats
    # the query.
    assert response.status_code == 200, (url, response.status_code)
    shown = response.content.decode().split('<table class="list queue">')[-1]
    assert "基准案〔2026〕" in shown, f"{url}: no generated case on the page"
    return len(queries.captured_queries)


def measure(pages: dict[str, tuple]) -> dict[str, list[float]]:
    """Each page's server times, REQUESTS of each, the pages in turn: a burst of load on a
    shared machine then falls on every page alike, and the ratios between them hold.
    ``pages``: name → (the client of the person who opens it, its address)."""
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(REQUESTS):
        for name, (client, url) in pages.items():
            start = time.perf_counter()
            response = client.get(url)
            times[name].append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
    return times


def main() -> None:
    args = parse(arguments(__doc__))
    if args.smoke:
        globals().update(SMALL)
    setup_django(small=args.smoke)
    generate()
    vacuum()
    from django.conf import settings
    from django.test import Client
    from viewflow.workflow.models import Task

    from cases.models import Case, User

    settings.ALLOWED_HOSTS = ["testserver"]
    officer = User.objects.get(username="bench_officer")
    client = Client()
    client.force_login(officer)
    print(f"tasks in the database: {Task.objects.count()}, cases: {Case.objects.count()}")
    figures = {}
    case = Case.objects.filter(officer=officer).first()
    pages = {
        "queue_mine": (client, "/queue/?view=mine"),
        "queue_team": (client, "/queue/?view=team"),
        "queue_mine_100": (client, "/queue/?view=mine&size=100"),
        # The team queue, searched by a number's first figures.
        "queue_search": (client, "/queue/?view=team&q=基准案〔2026〕1"),
        "case_page": (client, case.get_absolute_url()),
    }
    # The officer's watching tab is empty (every open task of his organisation is his or
    # the team's); a colleague's holds the officer's tasks: the tab whose search reads the
    # open tasks of every case she may see.
    colleague = Client()
    colleague.force_login(a_colleague_of(officer))
    pages["queue_watching"] = (colleague, "/queue/?view=watching")
    pages["watching_search"] = (colleague, "/queue/?view=watching&q=基准案〔2026〕1")
    for page in pages.values():
        check(*page)  # warms the session and what the process keeps between requests
    queries = {name: check(*page) for name, page in pages.items()}
    for name, times in measure(pages).items():
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        print(f"{name}: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, {queries[name]} queries")
        figures[name] = {
            "p50_ms": round(p50 * 1000, 1),
            "p95_ms": round(p95 * 1000, 1),
            "queries": queries[name],
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
