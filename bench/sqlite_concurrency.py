"""Two people at once on the embedded SQLite database ([Q6c] 6): two advisers saving their
drafts at the same moment, two advisers submitting their opinions at the same moment, and
the lead signing off twice (a double click), each request answered by Django as the site
answers it. Counts the answers by status and the "database is locked" errors.

    .venv/bin/python bench/sqlite_concurrency.py            # the settings as they are
    .venv/bin/python bench/sqlite_concurrency.py --before   # SQLite as before [Q6c] 6:
                                                            # a busy timeout only
    .venv/bin/python bench/sqlite_concurrency.py --smoke    # small mode: 3, 2 and 2 trials

Each run uses a fresh SQLite file under /tmp (migrated first, a few seconds; the small
mode's in a temporary folder, removed at the end). The requests go through Django's test
client, one thread and one database connection per person, as two requests in two threads
of one server do. Documents are not rendered (no worker). Django logs each server error on
stderr: `2>/dev/null` keeps the figures alone. Prints one line per figure and, last, all
figures as one JSON object. An error other than "database is locked" (the figure counted)
is a broken benchmark: the script prints it and exits with status 1.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)
from bench.common import arguments, parse  # noqa: E402

DRAFT_TRIALS = 30
SUBMIT_TRIALS = 10
SIGN_OFF_TRIALS = 10
SMALL = {"DRAFT_TRIALS": 3, "SUBMIT_TRIALS": 2, "SIGN_OFF_TRIALS": 2}


def setup(before: bool, small: bool) -> None:
    name = "before" if before else "now"
    folder = Path("/tmp")
    if small:  # a folder of its own, removed at the end (also on SIGTERM)
        folder = Path(tempfile.mkdtemp(prefix="qiaowei-bench-smoke-sqlite-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    path = folder / f"qiaowei-sqlite-concurrency-{name}.sqlite3"
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"  # documents wait for a worker
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"  # wake-ups go nowhere
    os.environ["MEDIA_ROOT"] = str(folder / "qiaowei-sqlite-concurrency-media")
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ.setdefault("LOG_LEVEL", "CRITICAL")
    import django
    from django.conf import settings

    if before:  # what config/settings.py set before: a busy timeout alone
        settings.DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    options = settings.DATABASES["default"]["OPTIONS"]
    print(f"SQLite {path.name}: journal_mode={mode}, options={options}")


def people():
    from cases.models import Membership, Organisation, Person, Role, User
    from workflows.review.models import Adviser

    city = Organisation.objects.create(
        name="并发测试侨联", kind="federation", level="city", number_prefix="并发"
    )

    def user(username: str, role: str) -> User:
        found = User.objects.create(username=username, display_name=username)
        Membership.objects.create(user=found, organisation=city, role=role)
        if role == Role.LEGAL_ADVISER:
            Adviser.objects.create(
                user=found, committee=city, employer_kind="law_firm", employer="某律师事务所"
            )
        return found

    officer = user("officer", Role.CASE_OFFICER)
    supervisor = user("supervisor", Role.SUPERVISOR)
    lead, member = user("lead", Role.LEGAL_ADVISER), user("member", Role.LEGAL_ADVISER)
    claimant = Person.objects.create(name_zh="谭永康", registered_by=city)
    return city, officer, supervisor, lead, member, claimant


def open_task(case, name: str, owner=None):
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    tasks = Task.objects.filter(
        process__caseprocess__case=case,
        flow_task__endswith=f".{name}",
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    )
    return tasks.get(owner=owner) if owner else tasks.get()


def open_tasks(case, name: str) -> int:
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    return Task.objects.filter(
        process__caseprocess__case=case,
        flow_task__endswith=f".{name}",
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    ).count()


def complete(case, name: str, user, data: dict, form: bool = False):
    from workflows.services import complete_task

    task = open_task(case, name)
    if form:
        bound = task.flow_task.form_class(data, case=case, user=user)
        assert bound.is_valid(), bound.errors
        data = bound.cleaned_data
    complete_task(task_id=task.pk, user=user, data=data)
    return type(case).objects.get(pk=case.pk)


def reviewing(world):
    """A case in legal review, both advisers seated and declared."""
    from django.utils import timezone

    from cases.calendar import WorkingCalendar
    from cases.models import Party
    from cases.services import PartyInput
    from workflows.review import selectors, services
    from workflows.services import register_case

    city, officer, supervisor, lead, member, claimant = world
    case = register_case(
        actor=officer,
        handling_organisation=city,
        title="祖坟墓地纠纷",
        category="ancestral_graves",
        channel="association_letter",
        received_on=timezone.localdate(),
        summary="来函反映祖坟墓地被占用。",
        claims="保护祖坟现状。",
        parties=[PartyInput(role=Party.Role.CLAIMANT, person=claimant)],
    )
    case = complete(case, "screen", officer, {"notes": "可受理"})
    case = complete(case, "decide", supervisor, {"decision": "accept", "reason": ""})
    due = selectors.default_due_on(case, timezone.localdate(), WorkingCalendar.load())
    case = complete(
        case,
        "send_to_review",
        officer,
        {"lead": lead.pk, "members": [member.pk], f"due_{lead.pk}": due, f"due_{member.pk}": due},
        form=True,
    )
    for adviser in (lead, member):
        seat = selectors.seat_in(case, adviser)
        services.declare(seat_pk=seat.pk, actor=adviser, has_conflict=False)
    return case


def opinion(revision: int | None = None) -> dict:
    data = {
        "facts": "祖坟位于义容镇某村山地。",
        "issues": "墓地是否被占用。",
        "analysis": "依《民法典》相邻关系规定，应协商解决。",
        "route": "coordination",
        "risk": "medium",
        "risk_notes": "邻村可能拒绝调解：先由镇政府协调。",
        "questions": "",
    }
    return data if revision is None else {**data, "revision": revision}


def at_once(*calls):
    """Each call in a thread of its own, released at the same moment; what each returned
    (a response) or raised."""
    from django.db import connection

    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            results[index] = call()
        except Exception as error:
            results[index] = error
            if not locked(error):
                UNEXPECTED.append("".join(traceback.format_exception(error)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def client_of(user):
    from django.test import Client

    client = Client(raise_request_exception=False, HTTP_HOST="localhost")
    client.force_login(user)
    return client


LOCKED: list[str] = []
# Any other error a request raised: the benchmark is broken (a missing table or column, a
# changed screen), and its figures would count a broken request as a busy database.
UNEXPECTED: list[str] = []


def locked(error: BaseException | None) -> bool:
    return error is not None and "database is locked" in str(error)


def record_locked(sender, request, **kwargs):
    error = sys.exc_info()[1]
    if locked(error):
        LOCKED.append(request.path)
    elif error is not None:
        UNEXPECTED.append(f"{request.path}: " + "".join(traceback.format_exception(error)))


def busy(pair) -> int:
    """Draft saves the endpoint answered in JSON as the database was busy (locked)."""
    return sum(1 for r in pair if getattr(r, "status_code", None) == 503)


def tally(name: str, responses, trials: int, seconds: float) -> dict:
    statuses = Counter(
        getattr(r, "status_code", type(r).__name__) for pair in responses for r in pair
    )
    json_answers = sum(
        1
        for pair in responses
        for r in pair
        if getattr(r, "get", None) and r.get("Content-Type") == "application/json"
    )
    failed_trials = sum(
        1 for pair in responses if any(getattr(r, "status_code", 500) >= 500 for r in pair)
    )
    print(
        f"{name}: {trials} trials of 2 at once in {seconds:.1f} s; answers {dict(statuses)}; "
        f"trials with a 5xx: {failed_trials}/{trials}; JSON answers: {json_answers}"
    )
    return {
        "trials": trials,
        "seconds": round(seconds, 1),
        "answers": {str(status): n for status, n in statuses.items()},
        "trials_with_5xx": failed_trials,
        "json_answers": json_answers,
    }


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--before", action="store_true", help="SQLite as before [Q6c] 6")
    args = parse(parser)
    if args.smoke:
        globals().update(SMALL)
    setup(args.before, args.smoke)

    from django.core.signals import got_request_exception
    from django.urls import reverse

    from workflows.review import selectors
    from workflows.review.models import LegalOpinion

    got_request_exception.connect(record_locked)
    world = people()
    _city, _officer, _supervisor, lead, member, _claimant = world

    # Two advisers save their drafts at the same moment, DRAFT_TRIALS times.
    case = reviewing(world)
    seats = {a: selectors.seat_in(case, a) for a in (lead, member)}
    clients = {a: client_of(a) for a in (lead, member)}
    revisions = {lead: 0, member: 0}
    answers = []
    started = time.perf_counter()
    for _trial in range(DRAFT_TRIALS):

        def save(adviser):
            url = reverse("review:save_draft", args=[seats[adviser].pk])
            return lambda: clients[adviser].post(url, opinion(revisions[adviser]))

        pair = at_once(save(lead), save(member))
        for adviser, response in zip((lead, member), pair, strict=True):
            if getattr(response, "status_code", None) == 200:
                revisions[adviser] = response.json()["revision"]
        answers.append(pair)
    figures = {
        "draft_saves": tally("draft saves", answers, DRAFT_TRIALS, time.perf_counter() - started)
    }
    drafts, locked_before = answers, len(LOCKED)

    # Two advisers submit their opinions at the same moment (the last one joins the
    # reviews), on a new case each trial.
    answers, seconds, joined = [], 0.0, 0
    for _trial in range(SUBMIT_TRIALS):
        case = reviewing(world)

        def submit(adviser, case=case):
            task = open_task(case, "review", owner=adviser)
            url = reverse("workflows:task", args=[task.pk])
            return lambda: clients[adviser].post(url, opinion())

        started = time.perf_counter()
        answers.append(at_once(submit(lead), submit(member)))
        seconds += time.perf_counter() - started
        joined += open_tasks(case, "consolidate") == 1
    figures["submits"] = tally("submits", answers, SUBMIT_TRIALS, seconds)
    figures["submits"]["reviews_joined_once"] = joined
    print(f"reviews joined once (one sign-off task): {joined} of {SUBMIT_TRIALS} cases")

    # The lead signs off twice at the same moment (a double click), on a new case each
    # trial whose opinions were submitted one after the other.
    answers, seconds, opinions = [], 0.0, 0
    for _trial in range(SIGN_OFF_TRIALS):
        case = reviewing(world)
        for adviser in (lead, member):
            task = open_task(case, "review", owner=adviser)
            clients[adviser].post(reverse("workflows:task", args=[task.pk]), opinion())
        url = reverse("workflows:task", args=[open_task(case, "consolidate").pk])
        started = time.perf_counter()
        answers.append(at_once(*[lambda url=url: clients[lead].post(url, opinion())] * 2))
        seconds += time.perf_counter() - started
        opinions += LegalOpinion.objects.filter(review__case=case).count()
    figures["sign_offs"] = tally("sign-offs", answers, SIGN_OFF_TRIALS, seconds)
    figures["sign_offs"]["legal_opinions"] = opinions
    print(f"legal opinions signed off: {opinions} for {SIGN_OFF_TRIALS} cases")
    figures["database_is_locked"] = {
        "draft_saves": locked_before + sum(busy(pair) for pair in drafts),
        "submits_and_sign_offs": len(LOCKED) - locked_before,
    }
    print(
        '"database is locked": '
        f"{figures['database_is_locked']['draft_saves']} in the draft saves, "
        f"{figures['database_is_locked']['submits_and_sign_offs']} in the submits and sign-offs"
    )
    if UNEXPECTED:
        print(f"{len(UNEXPECTED)} errors other than a locked database:", file=sys.stderr)
        for error in UNEXPECTED[:3]:
            print(error, file=sys.stderr)
        return 1
    # Not one request of a kind done, with the settings as they are: the requests no longer
    # do what they did (a form changed: answered 400 or the form again), not a busy database.
    saved = figures["draft_saves"]["answers"].get("200", 0)
    if not args.before and not (saved and joined and opinions):
        print(
            f"nothing done: {saved} drafts saved, {joined} reviews joined, {opinions} "
            "opinions signed off (the requests no longer match the screens?)",
            file=sys.stderr,
        )
        return 1
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
