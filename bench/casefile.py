"""The Zijin case's whole case file (卷宗), as the demo carries it to closure: export time
(freezing its contents, then assembling the items, the cover, the catalogue and the back
cover into one PDF/A-3b), pages and bytes, and the memory the assembling process grew by.

    .venv/bin/python bench/casefile.py          # needs PostgreSQL on 127.0.0.1; ~3 minutes
    .venv/bin/python bench/casefile.py --smoke  # small mode: one export, in a throwaway
                                                # database

The demo (``manage.py seed_demo``) is seeded once in the `qiaowei_bench` database (a second
run reuses it), its documents rendered in this process; then the case file is exported
EXPORTS times the way the case page does it (``documents.services.export_case_file``), each
rendered in this process as its commit wakes the render, timed from the click to the
file. Prints one line per figure and, last, all figures as one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where queue.py would shadow the
# standard library's queue module: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
from bench.common import arguments, parse, setup_django  # noqa: E402

ZIJIN = "马来西亚谭氏宗亲会反映紫金县义容镇祖坟墓地纠纷"
EXPORTS = 5
SMALL = {"EXPORTS": 1}


def seeded():
    """The demo, seeded once, every document rendered: the Zijin case and its officer."""
    from django.core.management import call_command

    from cases.models import Case
    from documents.models import Document
    from documents.services import render_document

    if not Case.objects.filter(title=ZIJIN).exists():
        call_command("seed_demo", verbosity=0)
    for pk in Document.objects.filter(rendering=Document.Rendering.PENDING).values_list(
        "pk", flat=True
    ):
        render_document(document_id=pk)
    case = Case.objects.get(title=ZIJIN)
    return case, case.officer


def rss_kib() -> int:
    """This process's resident memory now (its peak was reached while seeding)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def export(case, officer):
    """One export as the case page asks for it, assembled as its commit wakes the render
    (eager here): (seconds, document)."""
    from django.db import transaction

    from documents.models import Document
    from documents.services import export_case_file

    start = time.perf_counter()
    with transaction.atomic():
        document = export_case_file(case=case, actor=officer)
    seconds = time.perf_counter() - start
    document = Document.objects.get(pk=document.pk)
    assert document.rendering == Document.Rendering.READY, document.failure
    return seconds, document


def main() -> None:
    # Wake-ups go to an in-process broker: this process renders what it exports.
    os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost/")
    args = parse(arguments(__doc__))
    if args.smoke:
        globals().update(SMALL)
    setup_django(small=args.smoke)
    from config.celery import app

    app.conf.task_always_eager = True  # the demo's steps read their documents as rendered

    start = time.perf_counter()
    case, officer = seeded()
    print(f"demo seeded and rendered in {time.perf_counter() - start:.1f} s: case {case.number}")
    rss_before = rss_kib()
    times, document = [], None
    for _ in range(EXPORTS):
        seconds, document = export(case, officer)
        times.append(seconds)
    rss_after = rss_kib()
    figures = {
        "exports": EXPORTS,
        "export_seconds_median": round(statistics.median(times), 2),
        "export_seconds_max": round(max(times), 2),
        "pages": document.page_count,
        "bytes": document.size,
        "kib_per_page": round(document.size / 1024 / document.page_count, 1),
        "items": len(document.snapshot["entries"]),
        "missing": len(document.snapshot["missing"]),
        "rss_growth_mib": round((rss_after - rss_before) / 1024, 1),
    }
    f = figures
    print(f"case file: {f['pages']} pages, {f['bytes'] / 1e6:.2f} MB, {f['items']} items")
    print(f"missing items: {f['missing']}")
    median, most = f["export_seconds_median"], f["export_seconds_max"]
    print(f"export, median of {EXPORTS}: {median} s (max {most} s)")
    print(f"memory grown while exporting: {figures['rss_growth_mib']} MiB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
