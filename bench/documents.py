"""Document rendering: warm render time, bytes per page, memory over 200 renders, and
documents per minute through 2 Celery workers on Redis.

    .venv/bin/python bench/documents.py            # needs PostgreSQL and Redis on 127.0.0.1

Prints one line per figure and, last, all figures as one JSON object.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where queue.py would shadow the
# standard library's queue module: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
from bench.common import ROOT, setup_django  # noqa: E402

MINUTES = "documents/print/meeting_minutes.html"
PARAGRAPH = (
    "由紫金县自然资源局牵头，会同义容镇人民政府于十个工作日内完成谭氏祖坟墓地四至的实地核查，"
    "形成书面核查意见并抄送市侨联；县司法局指派人民调解员参与，县信访局做好当事人的解释工作。"
)


def minutes(sections: int) -> dict:
    return {
        "title": "紫金县义容镇祖坟墓地纠纷协调会纪要",
        "mark": "河源市侨联协调会纪要",
        "number": "河侨维纪〔2026〕1号",
        "organisation": "河源市归国华侨联合会",
        "issued_on": "2026年11月24日",
        "held_on": "2026年11月20日",
        "chair": "黄建国",
        "place": "紫金县义容镇人民政府会议室",
        "meeting_title": "谭氏祖坟墓地纠纷多部门协调会",
        "purpose": "会议研究了马来西亚谭氏宗亲会反映的祖坟墓地纠纷。",
        "sections": [
            {"heading": f"{n}、议定事项", "paragraphs": [PARAGRAPH, PARAGRAPH]}
            for n in range(1, sections + 1)
        ],
        "attendance": [
            {"label": "出席", "names": ["县委统战部 张伟", "县侨联 李芳", "县司法局 王强"]},
            {"label": "请假", "names": ["县信访局 赵敏"]},
            {"label": "列席", "names": ["义容镇人民政府 钱军"]},
        ],
        "subject": "协调会纪要",
        "keywords": "纪要",
    }


def snapshot_with_pages(render_pdf, pages: int) -> dict:
    sections = 1
    while render_pdf(MINUTES, minutes(sections)).page_count < pages:
        sections += 1
    return minutes(sections)


def timed(render_pdf, snapshot: dict, runs: int) -> tuple[float, int, int]:
    render_pdf(MINUTES, snapshot)  # warm: fonts and stylesheets parsed once a process
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pdf = render_pdf(MINUTES, snapshot)
        times.append(time.perf_counter() - start)
        gc.collect()
    return statistics.median(times), len(pdf.content), pdf.page_count


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def throughput(documents: int = 60) -> float:
    from django.db import connection

    from cases.models import Case, Organisation
    from config.celery import app
    from documents.models import Document, DocumentKind
    from documents.tasks import render_document

    organisation, _ = Organisation.objects.get_or_create(
        name="基准测试侨联", defaults={"kind": "federation", "level": "city", "number_prefix": "基"}
    )
    case = Case.objects.filter(number="基准〔2026〕1号").first() or Case.objects.create(
        number="基准〔2026〕1号",
        title="基准",
        category="other",
        channel="letter",
        received_on="2026-11-01",
        summary="-",
        claims="-",
        handling_organisation=organisation,
    )
    snapshot = minutes(3)
    ids = [
        Document.objects.create(
            case=case,
            kind=DocumentKind.MEETING_MINUTES,
            template_version="bench",
            snapshot=snapshot,
        ).pk
        for _ in range(documents)
    ]
    connection.close()
    env = {**os.environ}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
                "--max-memory-per-child=300000",
                "-n",
                f"bench{n}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(app.control.ping(timeout=1)) < 2:
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start")
        # Warm each worker's fonts before timing.
        warm = Document.objects.create(
            case=case,
            kind=DocumentKind.MEETING_MINUTES,
            template_version="bench",
            snapshot=snapshot,
        )
        render_document.delay(warm.pk)
        while not Document.objects.filter(pk=warm.pk, rendering="ready").exists():
            time.sleep(0.1)
        start = time.perf_counter()
        for pk in ids:
            render_document.delay(pk)
        while Document.objects.filter(pk__in=ids, rendering="ready").count() < len(ids):
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
    return len(ids) / elapsed * 60


def main() -> None:
    setup_django()
    from documents.rendering import render_pdf

    two = snapshot_with_pages(render_pdf, 2)
    ten = snapshot_with_pages(render_pdf, 10)
    t2, size2, pages2 = timed(render_pdf, two, 20)
    t10, size10, pages10 = timed(render_pdf, ten, 10)
    print(f"2-page minutes: {t2 * 1000:.0f} ms warm, {size2 / 1024:.0f} KB ({pages2} pages)")
    print(
        f"10-page minutes: {t10 * 1000:.0f} ms warm, {size10 / 1024:.0f} KB, "
        f"{size10 / pages10 / 1024:.0f} KB a page ({pages10} pages)"
    )

    rss_start = rss_mb()
    samples = []
    for n in range(200):
        render_pdf(MINUTES, two if n % 2 else ten)
        gc.collect()
        if n % 20 == 19:
            samples.append(round(rss_mb(), 1))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"RSS over 200 renders: {rss_start:.0f} MB at start, every 20 renders {samples}, "
        f"peak {peak:.0f} MB"
    )

    per_minute = throughput()
    print(f"throughput through 2 Celery workers on Redis: {per_minute:.0f} documents a minute")

    print(
        json.dumps(
            {
                "render_2_pages_warm_s": round(t2, 3),
                "render_10_pages_warm_s": round(t10, 3),
                "bytes_2_pages": size2,
                "bytes_per_page_10_pages": round(size10 / pages10),
                "rss_start_mb": round(rss_start),
                "rss_after_each_20_renders_mb": samples,
                "rss_peak_mb": round(peak),
                "documents_per_minute_2_workers": round(per_minute),
            }
        )
    )


if __name__ == "__main__":
    main()
