"""Document rendering: warm render time, bytes per page, memory over 200 renders, and
documents per minute through 2 Celery workers on Redis.

    .venv/bin/python bench/documents.py            # needs PostgreSQL and Redis on 127.0.0.1
    .venv/bin/python bench/documents.py --smoke    # small mode: a few renders of each,
                                                   # 4 documents through the workers

Prints one line per figure and, last, all figures as one JSON object. The small mode runs
in a throwaway database, with a redis-server of its own on a socket in a temporary folder
(stopped at the end), so that nothing is left in the machine's Redis.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where queue.py would shadow the
# standard library's queue module: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
from bench.common import ROOT, arguments, parse, setup_django  # noqa: E402

# The coordination stage's 会议纪要: a document of many pages.
MINUTES = "coordination/print/meeting_minutes.html"
MINUTES_KIND = "meeting_minutes"
RUNS_2_PAGES, RUNS_10_PAGES = 20, 10  # warm renders timed
RSS_RENDERS, RSS_EVERY = 200, 20  # renders in the memory run, and a sample every so many
THROUGHPUT_DOCUMENTS = 60  # through 2 workers
SMALL = {
    "RUNS_2_PAGES": 3,
    "RUNS_10_PAGES": 2,
    "RSS_RENDERS": 10,
    "RSS_EVERY": 5,
    "THROUGHPUT_DOCUMENTS": 4,
}
WAIT = 300.0  # seconds: every wait for the workers is bounded
PARAGRAPH = (
    "由紫金县自然资源局牵头，会同义容镇人民政府于十个工作日内完成谭氏祖坟墓地四至的实地核查，"
    "形成书面核查意见并抄送市侨联；县司法局指派人民调解员参与，县信访局做好当事人的解释工作。"
)


def minutes(sections: int) -> dict:
    """A 会议纪要's data as the coordination stage snapshots it, ``sections`` agenda items."""
    from documents.snapshots import zh_number

    def person(name: str, organisation: str) -> dict:
        return {"name": name, "organisation": organisation, "title": ""}

    return {
        "kind": MINUTES_KIND,
        "title": "会议纪要",
        "title_en": "Minutes",
        "number": "河侨维纪〔2026〕1号",
        "organisation": "河源市归国华侨联合会",
        "issued_on": "2026年11月24日",
        "subject": "协调会纪要",
        "keywords": "纪要",
        "case": {"number": "河侨维案〔2026〕1号", "title": "谭氏祖坟墓地纠纷"},
        "parties": [],
        "meeting": {
            "title": "谭氏祖坟墓地纠纷多部门协调会",
            "held_on": "2026年11月20日",
            "time": "上午9时30分",
            "place": "紫金县义容镇人民政府会议室",
            "online_link": "",
            "chair": "黄建国",
            "agenda": [
                {
                    "number": zh_number(n),
                    "title": "祖坟墓地四至核查",
                    "discussion": [PARAGRAPH],
                    "decisions": [PARAGRAPH],
                }
                for n in range(1, sections + 1)
            ],
            "actions": [],
            "attended": [person("张伟", "县委统战部"), person("李芳", "县侨联")],
            "non_voting": [person("钱军", "义容镇人民政府")],
            "excused": [person("赵敏", "县信访局")],
            "departments": ["县委统战部", "县侨联", "县信访局", "义容镇人民政府"],
        },
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


@contextlib.contextmanager
def own_redis() -> Iterator[str]:
    """A redis-server without persistence on a socket in a temporary folder (no port to
    collide with), stopped and removed at the end: the broker URL."""
    folder = Path(tempfile.mkdtemp(prefix="qiaowei-bench-redis-"))
    socket = folder / "redis.sock"
    args = ["redis-server", "--port", "0", "--unixsocket", str(socket), "--save", ""]
    args += ["--appendonly", "no", "--dir", str(folder)]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start ({server.poll()})")
            time.sleep(0.05)
        yield f"redis+socket://{socket}"
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (a worker shuts down warm, stopping its pool), then SIGKILL to its process
    group (started in a session of its own) if it does not go."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def rendered(ids: list[int], log: Path) -> bool:
    """Whether every document is ready; a failed one stops the benchmark with its reason
    and the workers' log (a render that fails is a broken benchmark, not a slow one)."""
    from documents.models import Document

    failed = Document.objects.filter(pk__in=ids, rendering="failed")
    if failed.exists():
        reasons = sorted(set(failed.values_list("failure", flat=True)))
        raise RuntimeError(f"render failed: {reasons}\n{log.read_text(errors='replace')[-4000:]}")
    return Document.objects.filter(pk__in=ids, rendering="ready").count() == len(ids)


def wait_for(check, what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-4000:]
            raise RuntimeError(f"{what}: not within {WAIT:.0f} s; the workers' log:\n{tail}")
        time.sleep(0.1)


def throughput(documents: int) -> float:
    from django.db import connection

    from cases.models import Case, Organisation
    from config.celery import app
    from documents.models import Document
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
            kind=MINUTES_KIND,
            template_version="bench",
            snapshot=snapshot,
        ).pk
        for _ in range(documents)
    ]
    connection.close()
    env = {**os.environ}
    folder = Path(tempfile.mkdtemp(prefix="qiaowei-bench-workers-"))
    log = folder / "workers.log"
    workers = []
    try:
        with open(log, "ab") as out:  # each worker keeps its own copy of the descriptor
            for n in range(2):
                args = [sys.executable, "-m", "celery", "-A", "config", "worker"]
                args += ["--concurrency=1", "--without-gossip", "--without-mingle"]
                args += ["--loglevel=WARNING", "--max-memory-per-child=300000"]
                args += ["-n", f"bench{n}@%h"]
                workers.append(
                    subprocess.Popen(
                        args,
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )

        def started() -> bool:
            if any(worker.poll() is not None for worker in workers):
                raise RuntimeError(f"a worker exited:\n{log.read_text(errors='replace')}")
            return len(app.control.ping(timeout=1)) >= 2

        wait_for(started, "the workers started", log)
        # Warm each worker's fonts before timing.
        warm = Document.objects.create(
            case=case,
            kind=MINUTES_KIND,
            template_version="bench",
            snapshot=snapshot,
        )
        render_document.delay(warm.pk)
        wait_for(lambda: rendered([warm.pk], log), "the warm-up document rendered", log)
        start = time.perf_counter()
        for pk in ids:
            render_document.delay(pk)
        wait_for(lambda: rendered(ids, log), f"{len(ids)} documents rendered", log)
        elapsed = time.perf_counter() - start
    finally:
        for worker in workers:
            stop(worker)
        shutil.rmtree(folder, ignore_errors=True)
    return len(ids) / elapsed * 60


def main() -> None:
    args = parse(arguments(__doc__))
    with contextlib.ExitStack() as cleanup:
        if args.smoke:
            globals().update(SMALL)
            setup_django(small=True, broker=cleanup.enter_context(own_redis()))
        else:
            setup_django()
        measure()


def measure() -> None:
    from documents.rendering import render_pdf

    two = snapshot_with_pages(render_pdf, 2)
    ten = snapshot_with_pages(render_pdf, 10)
    t2, size2, pages2 = timed(render_pdf, two, RUNS_2_PAGES)
    t10, size10, pages10 = timed(render_pdf, ten, RUNS_10_PAGES)
    print(f"2-page minutes: {t2 * 1000:.0f} ms warm, {size2 / 1024:.0f} KB ({pages2} pages)")
    print(
        f"10-page minutes: {t10 * 1000:.0f} ms warm, {size10 / 1024:.0f} KB, "
        f"{size10 / pages10 / 1024:.0f} KB a page ({pages10} pages)"
    )

    rss_start = rss_mb()
    samples = []
    for n in range(RSS_RENDERS):
        render_pdf(MINUTES, two if n % 2 else ten)
        gc.collect()
        if n % RSS_EVERY == RSS_EVERY - 1:
            samples.append(round(rss_mb(), 1))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"RSS over {RSS_RENDERS} renders: {rss_start:.0f} MB at start, every {RSS_EVERY} "
        f"renders {samples}, peak {peak:.0f} MB"
    )

    per_minute = throughput(THROUGHPUT_DOCUMENTS)
    print(f"throughput through 2 Celery workers on Redis: {per_minute:.0f} documents a minute")

    print(
        json.dumps(
            {
                "render_2_pages_warm_s": round(t2, 3),
                "render_10_pages_warm_s": round(t10, 3),
                "bytes_2_pages": size2,
                "bytes_per_page_10_pages": round(size10 / pages10),
                "rss_start_mb": round(rss_start),
                f"rss_after_each_{RSS_EVERY}_renders_mb": samples,
                "rss_peak_mb": round(peak),
                "documents_per_minute_2_workers": round(per_minute),
            }
        )
    )


if __name__ == "__main__":
    main()
