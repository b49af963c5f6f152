"""Fault drills ([Q4b], "nothing lost when a worker dies or the broker or mail server is
down"): each fault is caused against real services, and the drill prints what was done, what
happened, whether every document was rendered and every message sent exactly once, and how
long recovery took.

    make drill            # or: .venv/bin/python bench/drill.py
    .venv/bin/python bench/drill.py --smoke   # small mode: drill 1 on 2 case files of
                                              # 300 pages (make bench-smoke)

1. a pool child is killed (SIGKILL) in the middle of a render;
2. the broker is down when a step commits;
3. the mail server is down, then comes back;
4. PostgreSQL restarts between two requests.

The machine's own PostgreSQL (5432) and Redis (6379) serve CI and are never touched: the
drill starts throwaway services of its own in a temporary directory — a PostgreSQL cluster
on 127.0.0.1:5499, redis-server on 6399, an SMTP server (aiosmtpd, in this process) on 2599
— plus a real `celery -A config worker`, `celery -A config beat` and `gunicorn` on 8599,
and stops them all at the end, also on error. Logs of the worker, beat and web processes
land in test-artifacts/drill-*.log. Exit status 1 if a drill failed.

Requests go to gunicorn rather than through Django's test client: the test client switches
off the per-request handling of database connections (close_old_connections on
request_started/finished), which is exactly what drill 4 is about. The test client only
logs the officer in (force_login) for the session cookie. Drill 1 runs before beat is
started, so that the requeue of the killed task cannot be the sweep's doing.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import email
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Run as a script, Python puts bench/ first on the path, where queue.py would shadow the
# standard library's queue module: the project root takes its place.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)
from bench.common import arguments, parse  # noqa: E402

if TYPE_CHECKING:
    from cases.models import Case, Organisation, User

ARTEFACTS = ROOT / "test-artifacts"
PG_PORT, REDIS_PORT, SMTP_PORT, WEB_PORT = 5499, 6399, 2599, 8599
DATABASE = "qiaowei_drill"
SWEEP_SECONDS, GRACE_SECONDS = 2, 5
WAIT = 120.0  # every wait is bounded, so the drill always ends
# Pages of the evidence PDF in each case file of drill 1: stamping the page numbers makes a
# case file take a few seconds to assemble, long enough to be caught mid-render.
EVIDENCE_PAGES = 500
CASE_FILES = 6
# The small mode: every drill, drill 1 on fewer and smaller case files (still a few seconds
# a render on a busy machine, long enough to be caught mid-render).
SMALL = {"EVIDENCE_PAGES": 300, "CASE_FILES": 2}


# Processes and ports -------------------------------------------------------------------


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while port_is_free(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")
        time.sleep(0.1)


def stop_process(process: subprocess.Popen | None, timeout: float = 30.0) -> None:
    """SIGTERM (a Celery worker then shuts down warm, stopping its pool itself), and SIGKILL
    to the process group (started with a session of its own) if it does not go."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def spawn(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    process.log = log  # type: ignore[attr-defined] - what alive() shows if it dies
    return process


# The beat and web processes of the run, by name: a wait gives up as soon as one of them
# has died (nothing would get done), instead of running out its whole time. The worker is
# not among them: its supervisor starts it again (Stack.supervise_worker).
SERVICES: dict[str, subprocess.Popen] = {}


def last_lines(process: subprocess.Popen, count: int = 30) -> list[str]:
    return process.log.read_text(errors="replace").splitlines()[-count:]


def died() -> list[str]:
    return [name for name, process in SERVICES.items() if process.poll() is not None]


class LogTail:
    """The lines a log file gained since the last look: what a process said during a drill."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def new_lines(self) -> list[str]:
        if not self.path.exists():
            return []
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            text = log.read().decode(errors="replace")
            self.offset = log.tell()
        return text.splitlines()


NOTABLE = r"ERROR|CRITICAL|WARNING|Traceback|Error:"


def notable(lines: list[str], pattern: str = NOTABLE) -> list[str]:
    return [line for line in lines if re.search(pattern, line)]


# Celery's "[2026-12-03 19:02:42,631: ERROR/…", gunicorn's "[2026-12-03 19:02:42 +0800] …".
STAMP = re.compile(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:,(\d{3}):|( [+-]\d{4})\])")


def logged_since(lines: list[str], since: float) -> tuple[list[str], list[str]]:
    """The lines logged before and from ``since`` (a time.time()), by their time stamps: a
    line without one (a traceback's) goes with the line above it; a stamp to the second
    counts as the end of its second. Celery's stamps are in the local time zone of its
    process, which Django sets (TIME_ZONE) as it does this process's."""
    before, after, late = [], [], True
    for line in lines:
        found = STAMP.match(line)
        if found and found.group(3):
            zoned = datetime.datetime.strptime(
                found.group(1) + found.group(3), "%Y-%m-%d %H:%M:%S %z"
            )
            late = zoned.timestamp() + 0.999 >= since
        elif found:
            stamp = time.mktime(time.strptime(found.group(1), "%Y-%m-%d %H:%M:%S"))
            late = stamp + int(found.group(2)) / 1000 >= since
        (after if late else before).append(line)
    return before, after


# The throwaway services ----------------------------------------------------------------


def newest_postgres_bin() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
    )
    if not found:
        raise RuntimeError("no PostgreSQL server under /usr/lib/postgresql/*/bin")
    return found[-1].parent


class Postgres:
    """A cluster of its own in the temporary directory. initdb and pg_ctl refuse to run as
    root, so as root they run as the postgres user, in a directory it owns."""

    def __init__(self, tmp: Path) -> None:
        self.bin = newest_postgres_bin()
        self.home = tmp / "pg"
        self.data = self.home / "data"
        self.log = self.home / "postgres.log"
        self.running = False

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin / program), *args]
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def init(self) -> None:
        self.home.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres", "postgres")
        options = ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]
        subprocess.run(
            self._command("initdb", "-D", str(self.data), *options),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def ctl(self, action: str) -> None:
        options = f"-p {PG_PORT} -k {self.home} -c listen_addresses=127.0.0.1"
        stop_mode = [] if action == "start" else ["-m", "fast"]
        where = ["-D", str(self.data), "-l", str(self.log), "-o", options]
        subprocess.run(
            self._command("pg_ctl", *where, "-w", "-t", "60", *stop_mode, action),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.running = action != "stop"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=PG_PORT, user="postgres", dbname="postgres", autocommit=True
        ) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')


class Redis:
    """redis-server without persistence: stopping it loses every queued wake-up, as a broker
    that crashed would."""

    def __init__(self, tmp: Path) -> None:
        self.dir = tmp / "redis"
        self.dir.mkdir()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        args = ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.dir), "--daemonize", "no"]
        self.process = spawn(args, self.dir / "redis.log", dict(os.environ))
        wait_for_port(REDIS_PORT)

    def stop(self) -> None:
        stop_process(self.process, timeout=10)
        self.process = None


class MailServer:
    """An SMTP server in this process that notes each message's X-Qiaowei-Message header,
    so that a message delivered twice shows up as a count of 2."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self._controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        self.received.append(message.get("X-Qiaowei-Message", "?"))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        # A new controller each time: a stopped one is not meant to be started again.
        self._controller = Controller(self, hostname="127.0.0.1", port=SMTP_PORT)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def counts(self) -> Counter[str]:
        return Counter(self.received)


def service_environment(tmp: Path) -> dict[str, str]:
    """What every process of the drill runs with, the drill's own Django included."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/{DATABASE}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "MEDIA_ROOT": str(tmp / "media"),
        "PRINT_FONT_DIR": os.environ.get("PRINT_FONT_DIR", str(ROOT / "var" / "fonts")),
        "SWEEP_SECONDS": str(SWEEP_SECONDS),
        "PENDING_WORK_GRACE_SECONDS": str(GRACE_SECONDS),
    }


@dataclass
class Stack:
    """Every service and process the drill started, stopped in reverse order by close()."""

    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="qiaowei-drill-")))
    env: dict[str, str] = field(default_factory=dict)
    postgres: Postgres | None = None
    redis: Redis | None = None
    mail: MailServer = field(default_factory=MailServer)
    worker: subprocess.Popen | None = None
    beat: subprocess.Popen | None = None
    web: subprocess.Popen | None = None
    closed: bool = False
    # How each worker that died ended (exit status, its last lines); the supervisor started
    # another in its place.
    worker_exits: list[tuple[int, list[str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start_services(self) -> None:
        busy = [p for p in (PG_PORT, REDIS_PORT, SMTP_PORT, WEB_PORT) if not port_is_free(p)]
        if busy:
            raise RuntimeError(f"ports in use (another drill still running?): {busy}")
        self.tmp.chmod(0o755)  # the postgres user must reach its cluster below it
        self.env = service_environment(self.tmp)
        self.postgres = Postgres(self.tmp)
        self.postgres.init()
        self.postgres.ctl("start")
        self.postgres.create_database(DATABASE)
        self.redis = Redis(self.tmp)
        self.redis.start()
        self.mail.start()
        ARTEFACTS.mkdir(exist_ok=True)
        for name in ("worker", "beat", "web"):
            (ARTEFACTS / f"drill-{name}.log").write_bytes(b"")

    def child_env(self) -> dict[str, str]:
        """The services' environment. CONN_MAX_AGE=60 (the default is 0) keeps each
        process's database connection from one request or task to the next, so that drill 4
        meets connections that PostgreSQL's restart broke: the case CONN_HEALTH_CHECKS is
        for. With 0 every request and task opens a new one anyway."""
        return {**os.environ, **self.env, "LOG_LEVEL": "INFO", "CONN_MAX_AGE": "60"}

    def start_worker(self) -> None:
        from config.celery import app

        args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=2"]
        args += ["--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", "drill@%h"]
        self.worker = spawn(args, ARTEFACTS / "drill-worker.log", self.child_env())
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1):
            if self.worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker did not start: see test-artifacts/drill-worker.log")
        threading.Thread(target=self.supervise_worker, daemon=True).start()

    def supervise_worker(self) -> None:
        """Start the worker again when it exits, as production's supervisor does (README,
        "Running in production": systemd's Restart=always). A broker restart can kill a
        Celery worker (kombu #2582; a CI run of 2026-12-03 saw it exit with status 1): what
        must hold then is that no work is lost, and the drills report each such exit."""
        while True:
            with self.lock:
                if self.closed:
                    return
                if self.worker.poll() is not None:
                    self.worker_exits.append((self.worker.returncode, last_lines(self.worker)))
                    self.worker = spawn(self.worker.args, self.worker.log, self.child_env())
            time.sleep(0.5)

    def start_beat(self) -> None:
        """beat's DatabaseScheduler reads CELERY_BEAT_SCHEDULE (the sweeps) at start."""
        args = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]
        args += ["-s", str(self.tmp / "beat-schedule"), "--pidfile", str(self.tmp / "beat.pid")]
        log = ARTEFACTS / "drill-beat.log"
        self.beat = SERVICES["beat"] = spawn(args, log, self.child_env())
        deadline = time.monotonic() + 60
        while "render-pending-documents" not in log.read_text(errors="replace"):
            if self.beat.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("beat did not start: see test-artifacts/drill-beat.log")
            time.sleep(0.2)

    def start_web(self) -> None:
        """gunicorn as in production, one sync worker: its requests share one connection."""
        args = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1"]
        args += ["--bind", f"127.0.0.1:{WEB_PORT}", "--access-logfile", "-"]
        self.web = SERVICES["web"] = spawn(args, ARTEFACTS / "drill-web.log", self.child_env())
        wait_for_port(WEB_PORT)

    def close(self) -> None:
        with self.lock:  # the supervisor starts no worker from here on
            if self.closed:
                return
            self.closed = True
        for process in (self.beat, self.web, self.worker):
            stop_process(process)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        self.mail.stop()
        if self.redis:
            self.redis.stop()
        if self.postgres and self.postgres.running:
            with contextlib.suppress(subprocess.CalledProcessError):
                self.postgres.ctl("stop")
        if self.postgres and self.postgres.log.exists():
            shutil.copy(self.postgres.log, ARTEFACTS / "drill-postgres.log")
        shutil.rmtree(self.tmp, ignore_errors=True)


# The drill's own Django ----------------------------------------------------------------


class QueueingLog:
    """Collects the warnings of cases.queueing (a wake-up the broker did not take) instead of
    printing their tracebacks in the middle of the report."""

    def __init__(self) -> None:
        import logging

        self.records: list[str] = []
        handler = logging.Handler()
        handler.emit = self._keep  # type: ignore[method-assign]
        logger = logging.getLogger("cases.queueing")
        logger.handlers, logger.propagate = [handler], False

    def _keep(self, record: Any) -> None:
        error = record.exc_info[1] if record.exc_info else None
        self.records.append(f"{record.getMessage()} ({type(error).__name__ if error else ''})")


def setup_django(stack: Stack) -> QueueingLog:
    os.environ.update(stack.env)
    os.environ["LOG_LEVEL"] = "WARNING"  # this process reports; the services log
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return QueueingLog()


def fresh_connection() -> None:
    """Between polls, as between requests: drop a connection that is old or broken (this
    process has CONN_MAX_AGE=0, so every poll connects anew and a restart goes unnoticed)."""
    from django.db import close_old_connections

    close_old_connections()


@dataclass
class World:
    organisation: Organisation
    officer: User
    colleagues: list[User]
    session: str  # the officer's session cookie, for requests to the web process
    media: Path


def build_world(stack: Stack) -> World:
    """What the tests build: an organisation with a number prefix and an officer with an
    e-mail address (every task assigned to them is mailed), and two colleagues."""
    from django.conf import settings
    from django.test import Client

    from cases.models import Membership, Organisation, Role, User

    organisation = Organisation.objects.create(
        name="演练市侨联", kind="federation", level="city", number_prefix="演侨维"
    )
    officer = User.objects.create_user("drill_officer", email="officer@drill.example")
    Membership.objects.create(user=officer, organisation=organisation, role=Role.CASE_OFFICER)
    colleagues = []
    for n in (1, 2):
        user = User.objects.create_user(f"drill_colleague{n}", email=f"c{n}@drill.example")
        Membership.objects.create(user=user, organisation=organisation, role=Role.SUPERVISOR)
        colleagues.append(user)
    client = Client()
    client.force_login(officer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(organisation, officer, colleagues, session, Path(stack.env["MEDIA_ROOT"]))


CLAIMANT = {
    "name_zh": "谭丽珍",
    "name_latin": "Tham Lai Chin",
    "identity": "foreign_chinese",
    "residence_country": "MY",
}


def register(world: World, title: str) -> Case:
    """Intake through the service the registration screen calls (its own transaction)."""
    from django.utils import timezone

    from cases.services import PartyInput
    from workflows.services import register_case

    return register_case(
        actor=world.officer,
        handling_organisation=world.organisation,
        title=title,
        category="ancestral_graves",
        channel="association_letter",
        received_on=timezone.localdate(),
        summary="宗亲会来函反映祖坟墓地被占用。",
        claims="保护祖坟现状。",
        parties=[PartyInput(role="claimant", new_person=CLAIMANT)],
    )


# Requests to the web process -----------------------------------------------------------


@dataclass
class Reply:
    status: int  # 0: no answer at all
    location: str
    body: str
    seconds: float
    cookies: dict[str, str]


def request(world: World, method: str, path: str, form: dict | None = None, **cookies) -> Reply:
    """One request to gunicorn as the logged-in officer, redirects not followed."""
    cookies = {"sessionid": world.session, **cookies}
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["X-CSRFToken"] = cookies.get("csrftoken", "")
    start = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode(errors="replace")
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return Reply(
            response.status,
            response.getheader("Location", ""),
            content,
            time.monotonic() - start,
            {k: v.value for k, v in jar.items()},
        )
    except OSError as error:
        return Reply(0, "", f"{type(error).__name__}: {error}", time.monotonic() - start, {})
    finally:
        connection.close()


def post_registration(world: World, title: str) -> Reply:
    """The registration screen, as the officer fills it in: GET it for the CSRF cookie, then
    POST a case with a new person as claimant."""
    from django.utils import timezone

    page = request(world, "GET", "/cases/new/")
    token = page.cookies.get("csrftoken", "")
    form = {
        "handling_organisation": world.organisation.pk,
        "title": title,
        "category": "ancestral_graves",
        "channel": "association_letter",
        "received_on": timezone.localdate().isoformat(),
        "location": "紫金县义容镇",
        "risk_level": "low",
        "summary": "来函反映祖坟墓地被占用。",
        "claims": "保护祖坟。",
        "party-TOTAL_FORMS": "1",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "1",
        "party-MAX_NUM_FORMS": "1000",
        "party-0-role": "claimant",
        "party-0-new_name_zh": CLAIMANT["name_zh"],
        "party-0-new_name_latin": CLAIMANT["name_latin"],
        "party-0-new_identity": CLAIMANT["identity"],
        "party-0-new_residence_country": CLAIMANT["residence_country"],
    }
    return request(world, "POST", "/cases/new/", form, csrftoken=token)


def case_from(reply: Reply) -> Case | None:
    from cases.models import Case

    fresh_connection()
    found = re.search(r"/cases/(\d+)/", reply.location)
    return Case.objects.filter(pk=int(found.group(1))).first() if found else None


# Reporting -----------------------------------------------------------------------------


@dataclass
class Report:
    """One drill's block: printed as it goes, so a hang shows where it hangs."""

    name: str  # for the summary table
    title: str
    passed: bool = True
    recovery: float | None = None

    def __post_init__(self) -> None:
        print(f"\n== {self.title} ==", flush=True)

    def did(self, text: str) -> None:
        print(f"  did   {text}", flush=True)

    def saw(self, text: str) -> None:
        print(f"  saw   {text}", flush=True)

    def check(self, ok: bool, text: str, problems: list[str] | None = None) -> bool:
        print(f"  {'ok  ' if ok else 'FAIL'}  {text}", flush=True)
        for problem in (problems or [])[:10]:
            print(f"          {problem}", flush=True)
        self.passed &= ok
        return ok

    def log(self, name: str, lines: list[str], limit: int = 8) -> None:
        for line in lines[:limit]:
            print(f"  log   {name}: {line.strip()[:220]}", flush=True)
        if len(lines) > limit:
            print(f"  log   {name}: … {len(lines) - limit} more lines", flush=True)

    def finish(self, recovery: float | None) -> Report:
        self.recovery = recovery
        shown = f"{recovery:.1f} s" if recovery is not None else "—"
        print(f"  => {'PASS' if self.passed else 'FAIL'}, recovery {shown}", flush=True)
        return self


def wait_until(check: Callable[[], bool], since: float, timeout: float = WAIT) -> float | None:
    """Seconds from ``since`` (a monotonic time) until ``check()`` held, or None after the
    timeout, or at once when a worker, beat or web process has died (alive() then shows
    why). A connection that fails while polling (during a restart) counts as not yet; any
    other database error (a missing table or column) is the drill's own breakage and is
    raised at once."""
    from django.db import InterfaceError, OperationalError

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not died():
        fresh_connection()
        try:
            if check():
                return time.monotonic() - since
        except (InterfaceError, OperationalError):
            pass
        time.sleep(0.2)
    return None


def all_ready(ids: list[int]) -> Callable[[], bool]:
    from documents.models import Document

    return lambda: not Document.objects.filter(pk__in=ids).exclude(rendering="ready").exists()


def all_sent(ids: list[int]) -> Callable[[], bool]:
    from cases.models import Message

    return lambda: not Message.objects.filter(pk__in=ids).exclude(status="sent").exists()


def stored_files(world: World, document: Any) -> list[Path]:
    """Every file a render of the document left: the storage gives a second file of the same
    name a suffix (``12-v1_AbCdEfG.pdf``), so a document rendered twice shows two."""
    folder = world.media / "documents" / str(document.case_id)
    return sorted(folder.glob(f"{document.pk}-v*.pdf"))


def check_rendered_once(report: Report, world: World, ids: list[int], what: str) -> None:
    from documents.models import Document

    problems = []
    for document in Document.objects.filter(pk__in=ids):
        files = stored_files(world, document)
        if document.rendering != "ready":
            problems.append(f"#{document.pk}: {document.rendering} {document.failure}")
        elif len(files) != 1:
            problems.append(f"#{document.pk}: {len(files)} stored files {[f.name for f in files]}")
        elif hashlib.sha256(files[0].read_bytes()).hexdigest() != document.sha256:
            problems.append(f"#{document.pk}: stored file does not match its SHA-256")
    report.check(
        not problems and len(ids) > 0,
        f"{what}: {len(ids)} rendered exactly once (ready, one stored file each, hash matches)",
        problems,
    )


def check_sent_once(report: Report, mail: MailServer, ids: list[int], what: str) -> None:
    from cases.models import Message

    counts = mail.counts()
    problems = [
        f"#{m.pk}: {m.status}, received {counts[str(m.pk)]} times, last error {m.last_error!r}"
        for m in Message.objects.filter(pk__in=ids)
        if m.status != "sent" or counts[str(m.pk)] != 1
    ]
    report.check(
        not problems and len(ids) > 0,
        f"{what}: {len(ids)} sent exactly once (status sent, the SMTP server received each "
        "X-Qiaowei-Message once)",
        problems,
    )


def documents_of(cases: list[Case]) -> list[int]:
    from documents.models import Document

    return list(Document.objects.filter(case__in=cases).values_list("pk", flat=True))


def messages_of(cases: list[Case]) -> list[int]:
    from cases.models import Message

    return list(Message.objects.filter(case__in=cases).values_list("pk", flat=True))


def alive(report: Report, name: str, process: subprocess.Popen | None) -> None:
    """A dead process fails the drill with its exit status and the last lines it logged:
    in CI the log files are not at hand, the report is."""
    running = process is not None and process.poll() is None
    exit_code = None if process is None else process.poll()
    report.check(running, f"{name} process still running" + ("" if running else f" ({exit_code})"))
    if not running and process is not None:
        report.log(name, last_lines(process), limit=30)


def worker_exits_since(report: Report, stack: Stack, seen: int, allowed: bool) -> None:
    """The worker exits since ``seen`` of them: none allowed (a killed pool child must not
    take the main process with it), or each reported with why, and the drill judged by
    whether its work got done all the same."""
    exits = stack.worker_exits[seen:]
    if not allowed:
        report.check(not exits, f"the main worker process did not exit ({len(exits)} exits)")
    for code, lines in exits:
        report.saw(f"the worker exited ({code}); its supervisor started it again. It said:")
        report.log("worker", lines, limit=30)


# Drill 1: a pool child killed mid-render -----------------------------------------------


def evidence_pdf(pages: int) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def find_active_render(ids: list[int], timeout: float = 60.0) -> tuple[int, int] | None:
    """(document id, pool child pid) of a render_document task of one of ``ids`` that is
    under way: the worker reports it active and its render was counted as begun."""
    from config.celery import app
    from documents.models import Document

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.inspect(timeout=1.0, limit=1).active() or {}
        for task in (t for tasks in replies.values() for t in tasks):
            args = task.get("args") or []
            if isinstance(args, str):  # older Celery reports a repr
                args = [int(n) for n in re.findall(r"\d+", args)]
            if task.get("name") != "documents.tasks.render_document" or not args:
                continue
            fresh_connection()
            under_way = Document.objects.filter(pk=args[0], attempts=1, rendering="pending")
            if args[0] in ids and under_way.exists():
                return args[0], task["worker_pid"]
        time.sleep(0.1)
    return None


def drill_kill_pool_child(report: Report, stack: Stack, world: World) -> Report:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from documents.models import Document
    from documents.services import add_evidence, export_case_file

    exits = len(stack.worker_exits)
    cases = [register(world, f"演练一 祖坟纠纷 {n}") for n in range(1, CASE_FILES + 1)]
    if wait_until(all_ready(documents_of(cases)), time.monotonic()) is None:
        report.check(False, "the registration forms were rendered (set-up)")
        return report.finish(None)
    content = evidence_pdf(EVIDENCE_PAGES)
    for case in cases:
        upload = SimpleUploadedFile("evidence.pdf", content, content_type="application/pdf")
        add_evidence(case=case, actor=world.officer, item="06", title="证据材料", upload=upload)
    worker_log = LogTail(ARTEFACTS / "drill-worker.log")
    with transaction.atomic():
        ids = [export_case_file(case=case, actor=world.officer).pk for case in cases]
    report.did(
        f"registered {CASE_FILES} cases, added a {EVIDENCE_PAGES}-page evidence PDF to each, "
        f"exported {CASE_FILES} case files in one committed transaction (documents {ids})"
    )
    found = find_active_render(ids)
    if found is None:
        report.check(False, "a render_document task was seen under way (inspect().active())")
        return report.finish(None)
    victim, pid = found
    report.saw(f"render_document({victim}) under way in pool child pid {pid}, attempt 1")
    os.kill(pid, signal.SIGKILL)
    killed, killed_wall = time.monotonic(), time.time()
    report.did(f"SIGKILL to pool child {pid} (the main worker process {stack.worker.pid} lives)")

    recovery = wait_until(all_ready(ids), killed)
    fresh_connection()
    documents = {d.pk: d for d in Document.objects.filter(pk__in=ids)}
    ready = sum(d.rendering == "ready" for d in documents.values())
    report.check(ready == len(ids), f"{ready} of {len(ids)} case files ready")
    killed_doc = documents[victim]
    report.check(
        killed_doc.attempts == 2,
        f"the killed document #{victim}: attempts = {killed_doc.attempts} (2 expected), "
        f"{killed_doc.page_count} pages",
    )
    if killed_doc.rendered_at:
        report.saw(
            f"#{victim} rendered again {killed_doc.rendered_at.timestamp() - killed_wall:.1f} s "
            "after the kill"
        )
    others = {pk: d.attempts for pk, d in documents.items() if pk != victim}
    report.check(all(n == 1 for n in others.values()), f"the others: attempts {others}")
    check_rendered_once(report, world, documents_of(cases), "documents (case files and forms)")
    check_sent_once(report, stack.mail, messages_of(cases), "assignment e-mails")
    worker_exits_since(report, stack, exits, allowed=False)
    alive(report, "main worker", stack.worker)
    lines = worker_log.new_lines()
    report.log("worker", notable(lines, r"ERROR/|CRITICAL/"))
    durations = [
        float(m.group(1))
        for line in lines
        if "render_document" in line and (m := re.search(r"succeeded in ([\d.]+)s", line))
    ]
    if durations:
        report.saw(f"render times of the case files: {', '.join(f'{d:.1f}' for d in durations)} s")
    return report.finish(recovery)


# Drill 2: the broker down when a step commits ------------------------------------------


def drill_broker_down(report: Report, stack: Stack, world: World, queueing: QueueingLog) -> Report:
    from cases.models import Message
    from documents.models import Document

    beat_log, worker_log, web_log = (
        LogTail(ARTEFACTS / f"drill-{n}.log") for n in ("beat", "worker", "web")
    )
    exits = len(stack.worker_exits)
    stack.redis.stop()
    down = time.monotonic()
    report.did("stopped the drill's redis-server (its queue is lost with it)")
    queueing.records.clear()
    try:
        start = time.monotonic()
        error = ""
        try:
            case = register(world, "演练二 经服务登记")
        except Exception as failure:  # the drill reports it instead of stopping
            error, case = f"{type(failure).__name__}: {failure}", None
        report.check(
            not error,
            f"register_case returned in {time.monotonic() - start:.2f} s, {error or 'no error'}",
        )
        reply = post_registration(world, "演练二 经登记页面")
        web_case = case_from(reply)
        report.check(
            reply.status == 302 and web_case is not None,
            f"POST /cases/new/ answered {reply.status} in {reply.seconds:.2f} s "
            f"(redirect to {reply.location or '—'})",
        )
        cases = [c for c in (case, web_case) if c is not None]
        documents, messages = documents_of(cases), messages_of(cases)
        pending_docs = Document.objects.filter(pk__in=documents, rendering="pending").count()
        pending_msgs = Message.objects.filter(pk__in=messages, status="pending").count()
        report.check(
            len(cases) == 2 and pending_docs == len(documents) == 2,
            f"{len(cases)} cases committed; {pending_docs} of {len(documents)} documents pending, "
            f"{pending_msgs} of {len(messages)} e-mails pending",
        )
        report.saw("the lost wake-ups were logged (and the callers carried on):")
        report.log("drill", queueing.records, limit=2)
        report.log("web", notable(web_log.new_lines(), "Could not queue"), limit=2)
        # Down for longer than the grace period: the beat sweeps run (and fail) meanwhile.
        time.sleep(max(0.0, GRACE_SECONDS + 1 - (time.monotonic() - down)))
    finally:
        stack.redis.start()
    back = time.monotonic()
    report.did(f"started redis-server again after {back - down:.1f} s down")
    documents_done = wait_until(all_ready(documents), back)
    messages_done = wait_until(all_sent(messages), back)
    report.check(documents_done is not None, f"documents ready {_seconds(documents_done)} later")
    report.check(messages_done is not None, f"e-mails sent {_seconds(messages_done)} later")
    check_rendered_once(report, world, documents, "documents")
    check_sent_once(report, stack.mail, messages, "e-mails")
    attempts = list(Document.objects.filter(pk__in=documents).values_list("attempts", flat=True))
    report.check(attempts == [1] * len(documents), f"render attempts {attempts}")
    worker_exits_since(report, stack, exits, allowed=True)
    alive(report, "worker", stack.worker)
    alive(report, "beat", stack.beat)
    report.log("worker", notable(worker_log.new_lines(), r"lost|Cannot connect|Connected to"))
    report.log("beat", notable(beat_log.new_lines(), r"ERROR|CRITICAL"), limit=3)
    done = [t for t in (documents_done, messages_done) if t is not None]
    return report.finish(max(done) if len(done) == 2 else None)


def _seconds(value: float | None) -> str:
    if value is not None:
        return f"{value:.1f} s"
    return f"NOT ({', '.join(died())} died)" if died() else f"NOT within {WAIT:.0f} s"


# Drill 3: the mail server down, then back ----------------------------------------------


def drill_mail_down(report: Report, stack: Stack, world: World) -> Report:
    from django.db import transaction

    from cases.mail import RETRY_PAUSES
    from cases.models import Message
    from cases.notifications import notify, site_url

    stack.mail.stop()
    report.did("stopped the SMTP server (connections to 127.0.0.1:2599 are refused)")
    try:
        reply = post_registration(world, "演练三 邮件服务器停机")
        case = case_from(reply)
        report.check(
            reply.status == 302 and case is not None,
            f"POST /cases/new/ answered {reply.status} in {reply.seconds:.2f} s "
            "(the screening task is assigned to the officer: an assignment e-mail)",
        )
        if case is None:
            return report.finish(None)
        with transaction.atomic():
            for user in [world.officer, *world.colleagues]:
                notify(
                    user,
                    "assignment",
                    {"case": case, "task": "演练", "url": site_url(case.get_absolute_url())},
                )
        messages = messages_of([case])
        report.did(f"notify() for 3 users in one transaction: {len(messages)} e-mails {messages}")

        def all_tried() -> bool:
            return not Message.objects.filter(pk__in=messages, last_error="").exists()

        tried = wait_until(all_tried, time.monotonic(), timeout=30)
        fresh_connection()
        states = Counter(
            Message.objects.filter(pk__in=messages).values_list("status", flat=True)
        ).most_common()
        sample = Message.objects.filter(pk__in=messages).exclude(last_error="").first()
        error = sample.last_error if sample else "—"
        report.check(
            tried is not None and states == [("pending", len(messages))],
            f"after one try each: {dict(states)}; last_error {error!r}",
        )
        report.saw(f"the worker retries after {RETRY_PAUSES[0]} s, then {RETRY_PAUSES[1]} s, …")
    finally:
        stack.mail.start()
    back = time.monotonic()
    report.did("started the SMTP server again")
    recovery = wait_until(all_sent(messages), back)
    report.check(recovery is not None, f"all e-mails sent {_seconds(recovery)} later")
    # A retry still scheduled (queued_at is when it is due) must find its message sent:
    # wait until each one's due time and a sweep have passed before counting.
    due = max(Message.objects.filter(pk__in=messages).values_list("queued_at", flat=True))
    settle = min(40.0, max(0.0, due.timestamp() - time.time()) + SWEEP_SECONDS + 1)
    report.did(f"waited {settle:.0f} s more for the retries still scheduled to find them sent")
    time.sleep(settle)
    check_sent_once(report, stack.mail, messages, "e-mails")
    attempts = sorted(Message.objects.filter(pk__in=messages).values_list("attempts", flat=True))
    report.saw(f"sending attempts {attempts}")
    check_rendered_once(report, world, documents_of([case]), "documents")
    return report.finish(recovery)


# Drill 4: PostgreSQL restarted between two requests ------------------------------------


def stored_without_wake_up(world: World) -> tuple[int, int]:
    """A document and a message stored as a step would, whose wake-up is lost: only the
    beat sweep can get them done."""
    from django.utils import timezone

    from cases.models import Message
    from documents.models import Document

    model = Document.objects.filter(kind="registration_form", rendering="ready").first()
    document = Document.objects.create(
        case=model.case,
        kind=model.kind,
        template_version=model.template_version,
        snapshot=model.snapshot,
        queued_at=timezone.now(),
    )
    message = Message.objects.create(
        case=model.case,
        recipient=world.officer,
        to_address=world.officer.email,
        kind="drill",
        subject="演练：无唤醒的邮件",
        body="只有定时清扫能发出这封邮件。\n",
        queued_at=timezone.now(),
    )
    return document.pk, message.pk


def descendants(pid: int) -> set[int]:
    """The process and its children, grandchildren…: a gunicorn or Celery process tree."""
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            todo.extend(int(child) for child in children)
    return found


def postgres_clients(stack: Stack) -> dict[str, int]:
    """How many connections to the drill's PostgreSQL each process tree holds (from ss),
    to show that the web process kept its connection up to the restart."""
    shown = subprocess.run(
        ["ss", "-tnpH", "state", "established", "dst", f"127.0.0.1:{PG_PORT}"],
        capture_output=True,
        text=True,
    ).stdout
    pids = [int(pid) for pid in re.findall(r"pid=(\d+)", shown)]
    trees = {"web": stack.web, "worker": stack.worker, "beat": stack.beat}
    counts = {
        name: sum(pid in descendants(process.pid) for pid in pids)
        for name, process in trees.items()
        if process is not None
    }
    counts["drill"] = pids.count(os.getpid())
    return counts


def first_ok(world: World, path: str, since: float) -> tuple[Reply, float | None]:
    """The first answer, and the seconds from ``since`` to the first 200 (retrying)."""
    first = request(world, "GET", path)
    reply = first
    deadline = time.monotonic() + 30
    while reply.status != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        reply = request(world, "GET", path)
    return first, (time.monotonic() - since if reply.status == 200 else None)


def drill_postgres_restart(report: Report, stack: Stack, world: World) -> Report:
    logs = {n: LogTail(ARTEFACTS / f"drill-{n}.log") for n in ("worker", "beat", "web")}
    exits = len(stack.worker_exits)
    before = request(world, "GET", "/queue/")
    report.check(before.status == 200, f"GET /queue/ before: {before.status}")
    report.saw(f"connections to PostgreSQL before the restart: {postgres_clients(stack)}")
    start = time.monotonic()
    stack.postgres.ctl("restart")
    restarted, restarted_wall = time.monotonic(), time.time()
    report.did(f"pg_ctl restart -m fast of the drill cluster ({restarted - start:.2f} s)")

    first, web_ok = first_ok(world, "/queue/", restarted)
    report.check(
        first.status == 200,
        f"GET /queue/ right after: {first.status} in {first.seconds:.2f} s"
        + ("" if first.status == 200 else f"; first 200 after {_seconds(web_ok)}"),
    )
    if first.status != 200:
        report.log("web", notable(logs["web"].new_lines(), r"Error|Exception|Traceback"))
    reply = post_registration(world, "演练四 数据库重启后")
    case = case_from(reply)
    report.check(reply.status == 302 and case is not None, f"POST /cases/new/: {reply.status}")
    fresh_connection()
    swept_document, swept_message = stored_without_wake_up(world)
    report.did(
        f"stored document #{swept_document} and e-mail #{swept_message} without a wake-up "
        "(only the beat sweep can get them done)"
    )
    documents, messages = documents_of([case] if case else []), messages_of([case] if case else [])
    woken = wait_until(all_ready(documents), restarted)
    mailed = wait_until(all_sent(messages), restarted)
    report.check(
        woken is not None and mailed is not None,
        f"the request's document ready {_seconds(woken)}, its e-mail sent {_seconds(mailed)} "
        "after the restart (the worker)",
    )
    swept = wait_until(all_ready([swept_document]), restarted)
    swept_mail = wait_until(all_sent([swept_message]), restarted)
    report.check(
        swept is not None and swept_mail is not None,
        f"the swept document ready {_seconds(swept)}, the swept e-mail sent "
        f"{_seconds(swept_mail)} after the restart (beat, grace {GRACE_SECONDS} s)",
    )
    documents, messages = [*documents, swept_document], [*messages, swept_message]
    check_rendered_once(report, world, documents, "documents (one through the sweep)")
    check_sent_once(report, stack.mail, messages, "e-mails (one through the sweep)")
    worker_exits_since(report, stack, exits, allowed=False)
    alive(report, "worker", stack.worker)
    alive(report, "beat", stack.beat)
    alive(report, "web", stack.web)
    for name, tail in logs.items():
        # What a process said while PostgreSQL was down is the fault itself (beat may ask
        # the starting server, "the database system is starting up"): only after counts.
        during, since = logged_since(tail.new_lines(), restarted_wall)
        errors = notable(since, r"ERROR|CRITICAL|Traceback")
        report.check(not errors, f"{name} log since the restart: {len(errors)} error lines")
        report.log(name, errors, limit=6)
        trouble = notable(during, r"ERROR|CRITICAL")
        if trouble:
            report.saw(f"{name} log during the restart (the fault): {trouble[0].strip()[:160]}")
    times = [web_ok, woken, mailed, swept, swept_mail]
    return report.finish(None if None in times else max(times))


# The run -------------------------------------------------------------------------------


def drill_whole_run(report: Report, stack: Stack, world: World) -> Report:
    """Every document and message of the run, once more at the end: a late duplicate (a
    retry or a sweep of an earlier drill) would show up here."""
    from cases.models import Message
    from documents.models import Document

    fresh_connection()
    documents = list(Document.objects.values_list("pk", flat=True))
    messages = list(Message.objects.values_list("pk", flat=True))
    check_rendered_once(report, world, documents, "all documents of the run")
    check_sent_once(report, stack.mail, messages, "all e-mails of the run")
    unknown = len(stack.mail.received) - sum(stack.mail.counts()[str(pk)] for pk in messages)
    report.check(unknown == 0, f"e-mails received that are not in the outbox: {unknown}")
    return report.finish(None)


def run_drill(name: str, title: str, drill: Callable[[Report], Report]) -> Report:
    """A drill that breaks off with an exception is a failed drill; the others still run."""
    report = Report(name, title)
    try:
        return drill(report)
    except Exception as error:
        report.check(False, f"broke off: {type(error).__name__}: {error}")
        report.log("drill", traceback.format_exc().splitlines()[-12:], limit=12)
        return report.finish(None)


def summary(reports: list[Report]) -> dict:
    print("\n| drill | result | recovery |")
    print("|---|---|---|")
    for report in reports:
        recovery = f"{report.recovery:.1f} s" if report.recovery is not None else "—"
        print(f"| {report.name} | {'PASS' if report.passed else 'FAIL'} | {recovery} |")
    return {
        report.name: {
            "passed": report.passed,
            "recovery_s": None if report.recovery is None else round(report.recovery, 1),
        }
        for report in reports
    }


def main() -> int:
    if parse(arguments(__doc__)).smoke:
        globals().update(SMALL)
    stack = Stack()
    atexit.register(stack.close)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that finally runs
    started = time.monotonic()
    try:
        stack.start_services()
        print(
            f"services in {stack.tmp}: PostgreSQL {stack.postgres.bin.parent.name} on "
            f":{PG_PORT}, redis-server :{REDIS_PORT}, SMTP :{SMTP_PORT}; "
            f"sweep every {SWEEP_SECONDS} s, grace {GRACE_SECONDS} s",
            flush=True,
        )
        queueing = setup_django(stack)
        world = build_world(stack)
        stack.start_worker()
        stack.start_web()
        reports = [
            run_drill(
                "1. pool child killed mid-render",
                "Drill 1: a pool child killed (SIGKILL) mid-render, no beat running",
                lambda report: drill_kill_pool_child(report, stack, world),
            )
        ]
        stack.start_beat()  # drill 1 runs without it: the requeue must not need the sweep
        reports += [
            run_drill(
                "2. broker down at commit",
                "Drill 2: the broker (Redis) down when a step commits",
                lambda report: drill_broker_down(report, stack, world, queueing),
            ),
            run_drill(
                "3. mail server down, then back",
                "Drill 3: the mail server down, then back",
                lambda report: drill_mail_down(report, stack, world),
            ),
            run_drill(
                "4. PostgreSQL restarted between requests",
                "Drill 4: PostgreSQL restarted between two requests",
                lambda report: drill_postgres_restart(report, stack, world),
            ),
            run_drill(
                "all work of the run, at the end",
                "At the end: every document and e-mail of the run",
                lambda report: drill_whole_run(report, stack, world),
            ),
        ]
        figures = summary(reports)
        print(f"\n{time.monotonic() - started:.0f} s in all; logs in test-artifacts/drill-*.log")
        print(json.dumps(figures, ensure_ascii=False))
        return 0 if all(r.passed for r in reports) else 1
    finally:
        stack.close()


if __name__ == "__main__":
    sys.exit(main())
