"""Shared set-up of the benchmarks: a PostgreSQL database of their own, Redis, Django.

The small mode (``--smoke`` or ``BENCH_SMALL=1``), which CI runs (``make bench-smoke``):
the same script on a small data set, in a throwaway database, ``qiaowei_bench_smoke`` on
the server of ``DATABASE_URL`` (127.0.0.1:5432 without it), created fresh at the start and
dropped at the end (also on an exception, Ctrl-C or SIGTERM), with media files in a
temporary folder removed with it. It checks that the script still runs on today's schema
and prints its figures; it asserts no timing.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import os
import shutil
import signal
import sys
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMOKE_DATABASE = "qiaowei_bench_smoke"
# Two small runs at once (CI and a developer) would drop each other's database: the second
# waits for the first.
SMOKE_LOCK = Path(tempfile.gettempdir()) / "qiaowei-bench-smoke.lock"


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """The script's command line, with ``--smoke``; ``parse`` reads it."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="small mode (also BENCH_SMALL=1): a small data set in a throwaway database, "
        "to check that the script runs; figures are not comparable",
    )
    return parser


def parse(parser: argparse.ArgumentParser) -> argparse.Namespace:
    args = parser.parse_args()
    args.smoke = args.smoke or os.environ.get("BENCH_SMALL", "") not in ("", "0")
    if args.smoke:
        print("small mode (--smoke): figures only show that the script runs", flush=True)
    return args


def setup_django(small: bool = False, broker: str = "memory://localhost/") -> None:
    """Django on the bench database, migrated. The small mode's wake-ups go to ``broker``
    (an in-process one unless the script brings a Redis of its own), never to the Redis
    that CI's environment names."""
    if small:
        _smoke_environment()
        os.environ["CELERY_BROKER_URL"] = broker
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qiaowei_bench")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/2")
    os.environ.setdefault("MEDIA_ROOT", "/tmp/qiaowei-bench-media")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    _ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def smoke_database_url() -> str:
    """``qiaowei_bench_smoke`` on the PostgreSQL server DATABASE_URL names (127.0.0.1:5432
    as postgres without one, or with a SQLite one): never a database that holds anything."""
    server = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", ""))
    if not server.scheme.startswith("postgres"):
        server = urllib.parse.urlsplit("postgres://postgres@127.0.0.1:5432/")
    return server._replace(path=f"/{SMOKE_DATABASE}").geturl()


def smoke_lock():
    """The small runs' lock, held until the file is closed (or the process ends)."""
    lock = open(SMOKE_LOCK, "w")  # noqa: SIM115 — the caller keeps it open
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"waiting for another small run to finish ({SMOKE_LOCK})", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


def drop_smoke_database() -> bool:
    """Drop the throwaway database if it is there (closing this process's connections
    first); whether it was. Needs no Django: ``bench/smoke.py`` calls it too."""
    import psycopg

    with contextlib.suppress(Exception):
        from django.db import connections

        connections.close_all()
    url = urllib.parse.urlsplit(smoke_database_url())
    assert url.path == f"/{SMOKE_DATABASE}", url
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [SMOKE_DATABASE])
        there = found.fetchone() is not None
        admin.execute(f'DROP DATABASE IF EXISTS "{SMOKE_DATABASE}" WITH (FORCE)')
    return there


def _smoke_environment() -> None:
    """The throwaway database, created afresh (a leftover of a run that was killed is
    dropped) and dropped at exit; media in a temporary folder, removed at exit; SIGTERM
    turned into an exit so that the clean-up runs."""
    atexit.register(smoke_lock().close)
    os.environ["DATABASE_URL"] = smoke_database_url()
    drop_smoke_database()
    atexit.register(drop_smoke_database)  # after the lock's release in the list: runs first
    media = tempfile.mkdtemp(prefix="qiaowei-bench-smoke-media-")
    os.environ["MEDIA_ROOT"] = media
    atexit.register(shutil.rmtree, media, ignore_errors=True)
    os.environ["EMAIL_URL"] = "dummymail://"  # no mail leaves a small run
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def _ensure_database() -> None:
    """Create the bench database beside the others on the server if it is missing."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if not exists.fetchone():
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
