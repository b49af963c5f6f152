"""Shared fixtures. Tests marked ``postgres`` need PostgreSQL, ``celery`` a Redis broker and
a real worker; without them they are skipped, and with REQUIRE_SERVICES=1 (CI) a skip of
either fails the run.

`make test` runs the suite in pytest-xdist workers (``-n auto --dist loadgroup``). Each
worker is a session of its own: pytest-django gives it its own test database (in memory on
SQLite, ``test_<name>_gw0`` on PostgreSQL), its live server its own port, and the Celery
tests their own queue (config/test_settings.py), so a task one worker sends never runs on
another's database (each worker that runs a Celery test starts a Celery worker of its
own)."""

import contextlib
import datetime
import gc
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone, translation

from cases.calendar import WorkingCalendar
from cases.models import Party, Role
from cases.services import PartyInput

from .factories import (
    AssociationFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    adviser_of,
    officer_of,
    opinion_data,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
SERVICE_MARKERS = {"postgres", "celery", "browser"}
CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def _missing_service(marker: str) -> str | None:
    if marker == "postgres" and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://…"
    if marker == "browser" and not os.path.exists(CHROMIUM):
        return "needs Debian's chromium (make test installs it)"
    if marker == "celery" and not (
        settings.CELERY_BROKER_URL.startswith("redis") and connection.vendor == "postgresql"
    ):
        return "needs a Redis broker and PostgreSQL: set CELERY_BROKER_URL and DATABASE_URL"
    return None


# The browser tests take a third of the suite's time, one of them (every screen) over a
# minute: they run first of the transactional tests (whose place in pytest-django's order,
# after the others, stays), the longest module first, so that no worker of `make test`
# begins a long test when the others are nearly done.
LONGEST_FIRST = "tests/test_screens.py"


@pytest.hookimpl(trylast=True)  # after pytest-django has put the transactional tests last
def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker in SERVICE_MARKERS & {m.name for m in item.iter_markers()}:
            reason = _missing_service(marker)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
    browser = [item for item in items if item.get_closest_marker("browser")]
    if browser:
        first = items.index(browser[0])
        others = [item for item in items if not item.get_closest_marker("browser")]
        browser.sort(key=lambda item: item.nodeid.split("::")[0] != LONGEST_FIRST)
        items[:] = [*others[:first], *browser, *others[first:]]


def pytest_collection_finish(session):
    # What is alive now (Django, the modules, the collected tests) stays alive for the run:
    # the garbage collector need not look at it again. Each render's gc.collect()
    # (documents.services) then takes milliseconds instead of a tenth of a second.
    gc.freeze()


_skipped_service_tests: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and SERVICE_MARKERS & set(report.keywords):
        _skipped_service_tests.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    # Under xdist the controller sees every worker's reports and sets the run's exit status
    # (a worker's own is ignored): the check is made there.
    if hasattr(session.config, "workerinput"):
        return
    if REQUIRE_SERVICES and _skipped_service_tests:
        print(
            "\nREQUIRE_SERVICES=1 but these service-backed tests were skipped:\n  "
            + "\n  ".join(_skipped_service_tests),
            file=sys.stderr,
        )
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores its files in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language. A request of the test client activates its
    user's language (``UserPreferencesMiddleware``, as every request does) and nothing
    deactivates it after the response: a later test in the same worker would read English
    messages where it expects Chinese (it did, in one test order)."""
    yield
    translation.deactivate()


def built_once(build):
    """The fixtures of a module whose world ``build()`` makes once, in a transaction of its
    own that is rolled back at the end (``module_media, media_root, built =
    built_once(_build)`` at the module's top level). Each test's own transaction
    (pytest-django's ``db``) is a savepoint inside it, so what one test writes is gone before
    the next; the files go to one folder for the module, which ``media_root`` returns in
    place of conftest's folder per test. Not for ``transactional_db`` tests."""

    @pytest.fixture(scope="module")
    def module_media(tmp_path_factory):
        return tmp_path_factory.mktemp("module-media")

    @pytest.fixture
    def media_root(settings, module_media):
        settings.MEDIA_ROOT = module_media
        return module_media

    @pytest.fixture(scope="module")
    def built(django_db_setup, django_db_blocker, module_media):
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=module_media):
            outer = transaction.atomic()
            outer.__enter__()
            try:
                world = build()
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        try:
            yield world
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)

    return module_media, media_root, built


# Organisations, people and cases -----------------------------------------------------


@pytest.fixture
def city(db):
    return OrganisationFactory(name="河源市侨联", number_prefix="河侨维")


@pytest.fixture
def township(city):
    return OrganisationFactory(
        name="义容镇侨胞之家",
        kind="service_point",
        level="township",
        parent=city,
        number_prefix="义侨维",
    )


@pytest.fixture
def other_city(db):
    return OrganisationFactory(name="梅州市侨联", number_prefix="梅侨维")


@pytest.fixture
def officer(city):
    return officer_of(city, "officer")


@pytest.fixture
def supervisor(city):
    return officer_of(city, "supervisor", Role.SUPERVISOR)


@pytest.fixture
def outsider(other_city):
    """A supervisor of another city: every permission, none of our cases."""
    return officer_of(other_city, "outsider", Role.SUPERVISOR)


@pytest.fixture
def claimant(city):
    """A person in the city's registry (so its officers may pick them for a case)."""
    return PersonFactory(name_zh="谭永康", name_latin="Tham Weng Hong", registered_by=city)


@pytest.fixture
def intake(city, officer, claimant):
    """Intake as the screens do it, the one way a case comes to be: register the case
    (numbered, its registration form issued) and start its process."""
    from workflows.services import register_case

    def make(*, received_on=None, parties=None, person=None, **fields):
        return register_case(
            actor=fields.pop("actor", officer),
            handling_organisation=fields.pop("handling_organisation", city),
            title=fields.pop("title", "祖坟墓地纠纷"),
            category=fields.pop("category", "ancestral_graves"),
            channel=fields.pop("channel", "association_letter"),
            received_on=received_on or datetime.date(2026, 11, 2),
            summary=fields.pop("summary", "宗亲会来函反映祖坟墓地被占用。"),
            claims=fields.pop("claims", "保护祖坟现状。"),
            parties=(
                parties
                if parties is not None
                else [PartyInput(role=Party.Role.CLAIMANT, person=person or claimant)]
            ),
            **fields,
        )

    return make


@pytest.fixture
def case(intake):
    return intake()


def open_tasks(case) -> list:
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    return list(
        Task.objects.filter(
            process__caseprocess__case=case, status__in=[STATUS.NEW, STATUS.ASSIGNED]
        ).order_by("id")
    )


@pytest.fixture
def do(officer, supervisor):
    """Complete the case's open task of that name as the person the step needs: how
    tests move a case on, as the process does."""
    from cases.models import Case
    from workflows.services import complete_task

    def complete(case, name, data=None, user=None, form=False):
        """``form``: the data goes through the task's form first, as the screen sends it
        (for tasks whose completion takes the form's cleaned data, e.g. chosen objects)."""
        actor = user or (supervisor if name in ("decide", "close_approval") else officer)
        tasks = [t for t in open_tasks(case) if t.flow_task.name == name]
        if len(tasks) > 1:  # one a department or a seat: the one that is the actor's
            tasks = [t for t in tasks if t.owner_id == actor.pk or t.flow_task.can_assign(actor, t)]
        [task] = tasks
        data = data or {}
        if form:
            bound = task.flow_task.form_class(data, case=case, user=actor, item=task.data)
            assert bound.is_valid(), bound.errors
            data = bound.cleaned_data
        complete_task(task_id=task.pk, user=actor, data=data)
        return Case.objects.get(pk=case.pk)

    return complete


@pytest.fixture
def roster_mediator(db):
    """A mediator of a people's mediation committee, on the roster."""
    from cases.models import Membership, Organisation, User
    from mediation.sessions.models import Mediator

    committee, _made = Organisation.objects.get_or_create(
        name="测试人民调解委员会", defaults={"kind": Organisation.Kind.MEDIATION_COMMITTEE}
    )
    user, _made = User.objects.get_or_create(
        username="roster_mediator",
        defaults={"display_name": "调解员甲", "email": "mediator@example.org"},
    )
    Membership.objects.get_or_create(user=user, organisation=committee, role=Role.MEDIATOR)
    mediator, _made = Mediator.objects.get_or_create(
        user=user, defaults={"organisation": committee, "languages": ["zh-hans"]}
    )
    return mediator


@pytest.fixture
def mediating(do, roster_mediator):
    """A case routed to mediation, its mediator assigned and declared: the mediator's
    ``mediate`` task is open."""

    def run(case):
        case = do(case, "assign_mediator", {"mediator": roster_mediator.pk}, form=True)
        user = roster_mediator.user
        return do(case, "declare_mediator", {"has_conflict": "no"}, user=user, form=True)

    return run


@pytest.fixture
def mediate(do, mediating, roster_mediator):
    """Mediation as the stage runs it, without sessions: the officer assigns the mediator,
    who declares no conflict and records the outcome (by default a written agreement: the
    case stays in mediation for the outcome task)."""

    def run(case, kind="written", **outcome):
        case = mediating(case)
        data = {"kind": kind, "reason": "调解结束。", **outcome}
        return do(case, "mediate", data, user=roster_mediator.user, form=True)

    return run


@pytest.fixture
def lawyer(city, township):
    """The committee's graves expert, linked to the township: first in any ranking."""
    return adviser_of(
        city, "lawyer", expertise=("ancestral_graves", "neighbouring_relations"), linked=(township,)
    )


@pytest.fixture
def lawyer2(city):
    return adviser_of(city, "lawyer2", expertise=("inheritance_law",), employer="河源市司法局")


@pytest.fixture
def legal_review(do, lawyer):
    """Take an accepted case through the legal review as the screens do: the officer seats
    one adviser as lead, who declares no conflict, submits an opinion and signs off the
    committee's; the case then waits for the officer's route."""
    from workflows.review import selectors, services

    def review(case, route: str = "coordination"):
        due = selectors.default_due_on(case, timezone.localdate(), WorkingCalendar.load())
        case = do(case, "send_to_review", {"lead": lawyer.pk, f"due_{lawyer.pk}": due}, form=True)
        seat = selectors.seat_in(case, lawyer)
        services.declare(seat_pk=seat.pk, actor=lawyer, has_conflict=False)
        case = do(case, "review", opinion_data(route), user=lawyer, form=True)
        return do(case, "consolidate", opinion_data(route), user=lawyer, form=True)

    return review


@pytest.fixture
def department(db):
    from cases.models import Organisation

    return OrganisationFactory(name="紫金县自然资源局", kind=Organisation.Kind.DEPARTMENT)


@pytest.fixture
def liaison(department):
    return UserFactory(
        username="liaison",
        email="liaison@example.cn",
        roles=[(department, Role.DEPARTMENT_LIAISON)],
    )


def meeting_data(*departments, days_ahead: int = 3, **fields) -> dict:
    """A meeting as the officer's convening screen sends it: Beijing time, 09:30."""
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    return {
        "title": "谭氏祖坟纠纷多部门协调会",
        "agenda": "果园扩建是否侵害墓地及通行\n祖坟修缮的审批主体和规模",
        "day": day,
        "time": datetime.time(9, 30),
        "duration_minutes": 120,
        "place": "紫金县侨联三楼会议室",
        "departments": [d.pk for d in departments],
        **fields,
    }


def held(case) -> None:
    """Time passes: the case's meeting still to be minuted took place yesterday."""
    from mediation.coordination.models import Meeting

    Meeting.objects.filter(case=case, status="convened").update(
        starts_at=timezone.now() - datetime.timedelta(days=1)
    )


def minutes_data(case, *actions, attended: str = "张伟，紫金县自然资源局，副局长") -> dict:
    """The minutes as the officer's screen sends them: every agenda item decided, and the
    action items given as (department, what, working days, who follows it up)."""
    from mediation.coordination.selectors import meeting_to_minute

    meeting = meeting_to_minute(case)
    data = {"attended": attended, "non_voting": "", "excused": ""}
    for item in meeting.agenda.all():
        data[f"discussion_{item.pk}"] = f"{item.title}：各方发表意见。"
        data[f"decisions_{item.pk}"] = f"{item.title}：由相关部门依职责处理。"
    for n, (organisation, what, days, follower) in enumerate(actions):
        data[f"action_{n}_organisation"] = organisation.pk
        data[f"action_{n}_description"] = what
        data[f"action_{n}_working_days"] = days
        data[f"action_{n}_follow_up_by"] = follower.pk
    return data


@pytest.fixture
def coordinate(do, department, liaison, officer):
    """Take a case in coordination through one meeting as the screens do: convened with
    one department, which confirms; held; minuted with no action item; the case goes on."""

    def run(case):
        case = do(case, "convene", meeting_data(department), form=True)
        case = do(
            case, "reply", {"answer": "confirm", "attendees": "张伟"}, user=liaison, form=True
        )
        held(case)
        return do(case, "minutes", minutes_data(case), form=True)

    return run


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def accepted(case, do):
    case = do(case, "screen", {"notes": "事实清楚"})
    return do(case, "decide", {"decision": "accept"})


@pytest.fixture
def send(do):
    """Send the case to review as the officer's screen does: a lead, any others, a due
    date each (the default unless given in ``dues``)."""
    from workflows.review import selectors

    def send(case, lead, *members, dues=None):
        dues = dues or {}
        default = selectors.default_due_on(case, timezone.localdate(), WorkingCalendar.load())
        data = {"lead": lead.pk, "members": [m.pk for m in members]}
        for adviser in (lead, *members):
            data[f"due_{adviser.pk}"] = dues.get(adviser, default)
        return do(case, "send_to_review", data, form=True)

    return send


@pytest.fixture
def reviewing(accepted, send, lawyer):
    """The lead alone, declared: writing."""
    from workflows.review import selectors, services

    case = send(accepted, lawyer)
    seat = selectors.seat_in(case, lawyer)
    services.declare(seat_pk=seat.pk, actor=lawyer, has_conflict=False)
    return case


@pytest.fixture
def association(claimant):
    association = AssociationFactory(name="马来西亚谭氏宗亲会")
    association.representatives.add(claimant)
    return association


# A real Celery worker ----------------------------------------------------------------


def _database_url(settings_dict) -> str:
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A `celery -A config worker` process on the test database and the real broker. It
    consumes only this test process's queue (config/test_settings.py) and is the only worker
    the control commands address, so another run or xdist worker on the broker is none of
    its business."""
    from config.celery import app

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    nodename = f"{queue}@{socket.gethostname()}"
    media_root = tmp_path_factory.mktemp("celery-media")
    xdist_worker = os.environ.get("PYTEST_XDIST_WORKER")
    ARTEFACTS.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "MEDIA_ROOT": str(media_root),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    log_name = f"celery-worker-{xdist_worker}.log" if xdist_worker else "celery-worker.log"
    log = open(ARTEFACTS / log_name, "wb")  # noqa: SIM115 - open for the session
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency=2",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            queue,
            "-n",
            nodename,
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker.media_root = media_root
    worker.nodename = nodename
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[nodename], timeout=1):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"The Celery worker did not start: see test-artifacts/{log_name}."
                )
        yield worker
    finally:
        worker.terminate()  # a warm shutdown: the worker stops its pool children itself
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
        log.close()
        with app.connection_for_write() as broker:  # the queue is this session's alone
            # Declared on this connection too, so that its bindings go with it.
            declared = app.amqp.queues[queue].bind(broker.default_channel)
            declared.declare()
            declared.delete()


@pytest.fixture(scope="session", autouse=True)
def close_other_sessions_at_the_end(django_db_setup, django_db_blocker):
    """Threads of the concurrency tests, the live server and the worker's pool may leave a
    connection behind; PostgreSQL only drops the test database once none is left. Only this
    session's database (each xdist worker has its own) is touched."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def celery_worker(celery_worker_process, settings):
    """Send tasks to the real worker instead of running them in the test process."""
    from config.celery import app

    settings.MEDIA_ROOT = celery_worker_process.media_root  # read what the worker wrote
    app.conf.task_always_eager = False
    yield celery_worker_process
    # The worker finishes the renders the test started before the database is emptied: a
    # render still reading when the flush truncates its tables deadlocks the flush (seen
    # once: the registration form of a test that waited only for its clock). Bounded, for
    # a test that leaves a render pending on purpose.
    with contextlib.suppress(AssertionError):
        wait_for(lambda: not _rendering_now(), timeout=10)
    app.conf.task_always_eager = True


def _rendering_now() -> bool:
    from documents.models import Document

    return Document.objects.filter(rendering=Document.Rendering.PENDING).exists()


def at_once(*calls) -> list:
    """Run the calls in threads released at the same moment, as simultaneous users would.
    Returns what each returned, or the exception it raised, in the order given."""
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()  # each thread has its own connection to PostgreSQL

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def wait_for(check, timeout: float = 30.0):
    """Poll until ``check()`` returns something truthy (work done by another process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the worker")


@pytest.fixture
def mediated(intake, do, legal_review, mediate):
    """A case whose mediation reached a written agreement: the mediator's task to sign
    the agreement is open, nothing drafted yet."""

    def run(**fields):
        case = do(intake(**fields), "screen", {"notes": "可受理"})
        case = do(case, "decide", {"decision": "accept", "reason": ""})
        case = legal_review(case, "mediation")
        case = do(case, "route", {"route": "mediation", "notes": ""})
        return mediate(case)

    return run


def agreement_draft(case, **changes):
    """A draft agreement with one term for each claimant, as the mediator writes it."""
    from mediation.agreements.services import DraftInput, TermInput

    claimants = case.parties.filter(role=Party.Role.CLAIMANT)
    terms = [
        TermInput(
            obligor_pk=party.pk,
            text="恢复祖坟原貌，清理堆放物。",
            method="现场清理，村委会见证",
            due_on=datetime.date(2026, 12, 31),
            text_en="Restore the graves and clear what was piled on them.",
            method_en="On site, witnessed by the village committee",
        )
        for party in claimants
    ]
    fields = {
        "facts": "宗亲会来函反映祖坟墓地被占用，经调解查明事实。",
        "disputes": "祖坟墓地的使用与保护。",
        "responsibilities": "占用方负责恢复原状。",
        "facts_en": "The association wrote that its ancestral graves were occupied.",
        "disputes_en": "Use and protection of the graves.",
        "responsibilities_en": "The occupier restores the site.",
        "terms": terms,
        **changes,
    }
    return DraftInput(**fields)


@pytest.fixture
def drafted(mediated, roster_mediator):
    """A case with its agreement drafted and (by default) version 1 sent to the parties;
    its PDF pending (a test's transaction never commits: render it to read it)."""
    from mediation.agreements import services

    def run(send=True, **fields):
        case = mediated(**fields)
        services.save_draft(case=case, actor=roster_mediator.user, draft=agreement_draft(case))
        if send:
            services.send_for_confirmation(case=case, actor=roster_mediator.user)
        return case

    return run


def blank_pdf(name: str = "扫描件.pdf"):
    """A one-page PDF, as a scanner's upload (a fresh file each call: an upload is read once)."""
    import io

    import pikepdf
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def render_pending(case) -> None:
    """Render the case's documents still waiting for it, as the worker does after commit
    (a test's transaction never commits, so nothing else renders them)."""
    from documents.models import Document
    from documents.services import render_document

    for pk in case.documents.filter(rendering=Document.Rendering.PENDING).values_list(
        "pk", flat=True
    ):
        render_document(document_id=pk)


@pytest.fixture
def complete_case_file(officer):
    """What a case that went to mediation needs before its closure is approved: the
    officer uploads the claimant's proof of identity ("3 身份证明") and, for a mediation
    that recorded no session (``mediate`` holds none), the scanned mediation record ("7
    调解记录"); every document the process issued is rendered (only a rendered one counts in
    the case file, and a test's transaction never commits for the worker to render it)."""
    from documents import casefile
    from documents.services import add_evidence

    def run(case):
        add_evidence(
            case=case, actor=officer, item="03", title="申请人护照复印件", upload=blank_pdf()
        )
        if "7 调解记录" in casefile.contents(case).missing:
            add_evidence(case=case, actor=officer, item="07", title="调解记录", upload=blank_pdf())
        render_pending(case)
        return case

    return run


@pytest.fixture
def confirm_agreement(officer, roster_mediator):
    """The agreement of a case at the mediator's ``sign_agreement`` task made ready to sign,
    as its page does it: the mediator drafts it (unless drafted) and sends it, its version
    is rendered (by the worker, after commit), and the officer files each party's signed
    paper copy of that version."""
    from documents.services import render_document
    from mediation.agreements import selectors, services

    mediator = roster_mediator.user

    def run(case):
        if selectors.agreement_of(case) is None:
            services.save_draft(case=case, actor=mediator, draft=agreement_draft(case))
        if selectors.agreement_of(case).status == "draft":
            services.send_for_confirmation(case=case, actor=mediator)
        agreement = selectors.agreement_of(case)
        if not selectors.version_ready(agreement):
            render_document(document_id=agreement.document_id)
            agreement = selectors.agreement_of(case)
        for party in selectors.unconfirmed(agreement):
            services.file_paper_copy(
                case=case,
                actor=officer,
                party_pk=party.pk,
                upload=blank_pdf("调解协议书签署件.pdf"),
                sha256=agreement.document.sha256,
            )
        return case

    return run


@pytest.fixture
def perform_terms(officer):
    """The officer records each open term of the agreement in effect performed, with its
    proof (履行凭证)."""
    from mediation.agreements import selectors, services

    def run(case):
        for term in selectors.agreement_of(case).terms.filter(status="pending"):
            services.record_performance(
                case=case, actor=officer, term_pk=term.pk, note="已履行", upload=blank_pdf()
            )
        return case

    return run


@pytest.fixture
def conclude(do, roster_mediator, confirm_agreement, perform_terms):
    """Take a case through the agreement stage's tasks as its people do, from whichever is
    open: the mediator signs the agreement the parties confirmed (the case is settled); the
    officer records every term performed and ends the tracking, then records the follow-up
    visit (the case is following up; the closure's approval is next). ``until``: the last
    task to complete."""
    from cases.calendar import organisation_today

    def sign(case):
        confirm_agreement(case)
        return do(case, "sign_agreement", {"sign": True}, user=roster_mediator.user, form=True)

    def track(case):
        perform_terms(case)
        return do(case, "track_performance", {"notes": "各项条款均已履行"}, form=True)

    def visit(case):
        data = {
            "party": case.parties.filter(role=Party.Role.CLAIMANT).first().pk,
            "method": "phone",
            "reason": "协议履行情况回访",
            "performance": "协议已履行完毕",
            "satisfaction": 5,
            "comment": "",
            "visited_on": organisation_today(),
        }
        return do(case, "follow_up_visit", data, form=True)

    steps = {"sign_agreement": sign, "track_performance": track, "follow_up_visit": visit}

    def run(case, until="follow_up_visit"):
        for name, step in steps.items():
            if any(t.flow_task.name == name for t in open_tasks(case)):
                case = step(case)
            if name == until:
                break
        return case

    return run
