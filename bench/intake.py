"""Intake on PostgreSQL: full case starts a second (``workflows.services.register_case``:
the 文号, the case, its clock, its registration form, its process and first task, the
pending e-mails and the wake-up after commit) and the queries each makes, with one case's
queries grouped by kind (the profile).

    .venv/bin/python bench/intake.py          # 500 cases in the qiaowei_bench_intake database
    .venv/bin/python bench/intake.py --smoke  # small mode: 20 cases in a throwaway database

The database is migrated; each run adds its own organisation (a fresh number prefix, so
the numbering starts at 1) with an officer and a claimant. Prints one line per figure and,
last, all figures as one JSON object.
"""

from __future__ import annotations

import collections
import datetime
import json
import os
import re
import sys
import time
import uuid
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)
from bench.common import arguments, parse, setup_django  # noqa: E402

CASES = 500
SMALL_CASES = 20


def kind_of(sql: str) -> str:
    """A query's group in the profile: savepoints together, SELECT/INSERT/UPDATE/DELETE
    by their first table."""
    head = sql.lstrip().split(None, 1)[0].upper()
    if head in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return "SAVEPOINT/RELEASE"
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?([A-Za-z0-9_]+)"?', sql, re.IGNORECASE)
    return f"{head} {table.group(1) if table else '?'}"


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--cases", type=int, default=None, help=f"cases to start ({CASES})")
    parser.add_argument("--sql", action="store_true", help="print one case's queries in full")
    args = parse(parser)
    if not args.smoke:
        os.environ.setdefault(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qiaowei_bench_intake"
        )
    setup_django(small=args.smoke)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import Membership, Organisation, Party, Person, Role, User
    from cases.services import PartyInput
    from workflows.services import register_case

    run = uuid.uuid4().hex[:6]
    city = Organisation.objects.create(
        name=f"基准侨联{run}", kind="federation", level="city", number_prefix=f"基{run}"
    )
    officer = User.objects.create(username=f"intake_{run}")
    Membership.objects.create(user=officer, organisation=city, role=Role.CASE_OFFICER)
    claimant = Person.objects.create(
        name_zh="谭永康",
        name_latin="Tham Weng Hong",
        identity="foreign_chinese",
        nationality="MY",
        residence_country="MY",
        time_zone="Asia/Kuala_Lumpur",
        registered_by=city,
    )

    def start():
        return register_case(
            actor=officer,
            handling_organisation=city,
            title="祖坟墓地纠纷",
            category="ancestral_graves",
            channel="association_letter",
            received_on=datetime.date(2026, 11, 2),
            summary="宗亲会来函反映祖坟墓地被占用。",
            claims="保护祖坟现状。",
            parties=[PartyInput(role=Party.Role.CLAIMANT, person=claimant)],
        )

    start()  # warm-up: caches (content types, permissions of the process) filled once
    with CaptureQueriesContext(connection) as one:
        start()
    groups = collections.Counter(kind_of(q["sql"]) for q in one.captured_queries)
    print(f"profile of one case start: {len(one)} queries")
    for group, count in groups.most_common():
        print(f"  {count:3d}  {group}")
    if args.sql:
        for q in one.captured_queries:
            print("   ", q["sql"][:300])

    n = args.cases or (SMALL_CASES if args.smoke else CASES)
    executed = 0

    def count(execute, sql, params, many, context):  # CaptureQueriesContext keeps 9,000
        nonlocal executed
        executed += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        began = time.perf_counter()
        for _ in range(n):
            start()
        took = time.perf_counter() - began
    figures = {
        "cases": n,
        "seconds": round(took, 3),
        "cases_per_second": round(n / took, 1),
        "queries_per_case": round(executed / n, 1),
        "queries_one_case": len(one),
    }
    print(f"{n} case starts in {took:.2f} s: {figures['cases_per_second']} cases/s")
    print(f"queries per case: {figures['queries_per_case']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
