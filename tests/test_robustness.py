"""[Q6c] 2, 3, 6 and 7: each test replays a request that once failed.

2. A display name with a line break blocked escalation e-mails for good (BadHeaderError,
   left pending with 0 attempts and queued again on every sweep).
3. Absurd dates were accepted: an agreement dated 0001-01-01, a suspension expected to end
   on 9999-12-31.
6. Two people at once on the embedded SQLite database got "database is locked", and the
   draft's JSON endpoint answered with an HTML 500 page.
7. A form POST declaring charset=utf-16 escaped Django's error handling as a plain-text 500.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import subprocess
import sys
import threading
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail as outbox
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cases import mail, services
from cases.calendar import WorkingCalendar
from cases.models import (
    Association,
    Case,
    CaseEvent,
    Deadline,
    Message,
    Organisation,
    Person,
    Suspension,
    User,
)
from cases.validators import YEARS_AHEAD, latest_ahead, one_line
from workflows import lifecycle
from workflows import services as workflow_services
from workflows.models import Outcome
from workflows.review import selectors as review_selectors
from workflows.review import services as review_services
from workflows.review.models import Adviser, AwayPeriod, ExpertiseArea

from .conftest import open_tasks
from .test_views import _registration

BROKEN_NAME = "李明律师\r伪造"


def task_named(case, name):
    [task] = [t for t in open_tasks(case) if t.flow_task.name == name]
    return task


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def zh(message: str, **params) -> str:
    """The message as a reader of Chinese, the default language, sees it (the catalogue
    gives the Chinese; tests/test_translations.py checks that it does)."""
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return text % params if params else text


# 2. Control characters in names, and messages that cannot be built ---------------------


@pytest.mark.parametrize(
    "name", [BROKEN_NAME, "李明\n律师", "李明\t律师", "李明\x1b", "李明\u2028律师"]
)
def test_it_refuses_a_display_name_with_a_control_character_on_my_settings(client, officer, name):
    client.force_login(officer)
    data = {"display_name": name, "email": "", "language": "zh-hans", "time_zone": "Asia/Shanghai"}

    response = client.post(reverse("cases:preferences"), data)

    assert response.status_code == 200  # the form again, not saved
    assert response.context["form"].errors["display_name"] == [
        zh("A name cannot contain line breaks, tabs or other control characters.")
    ]
    officer.refresh_from_db()
    assert officer.display_name == ""


NAME_FIELDS = [
    (User, "first_name"),
    (User, "last_name"),
    (User, "display_name"),
    (Person, "name_zh"),
    (Person, "name_latin"),
    (Organisation, "name"),
    (Organisation, "name_en"),
    (Association, "name"),
    (Association, "name_latin"),
    (Adviser, "employer"),
    (Adviser, "title"),
    (ExpertiseArea, "name"),
    (ExpertiseArea, "name_en"),
]


@pytest.mark.parametrize(("model", "field"), NAME_FIELDS)
def test_it_refuses_a_control_character_in_every_name_field(db, model, field):
    """The admin's forms and the services' full_clean() check the model's fields."""
    with pytest.raises(ValidationError) as refused:
        model(**{field: BROKEN_NAME}).full_clean()

    assert [e.code for e in refused.value.error_dict[field]] == ["control_characters"]


@pytest.mark.parametrize(
    ("row", "field", "fields"),
    [
        (0, "new_name_zh", {}),
        (0, "new_name_latin", {}),
        (1, "new_body_name", {"new_body_kind": "company"}),
        (1, "contact_name", {"new_body_name": "紫金某置业公司", "new_body_kind": "company"}),
    ],
)
def test_it_refuses_a_control_character_in_a_name_typed_at_registration(
    client, officer, city, row, field, fields
):
    """Row 0 is the claimant, a new person; row 1 a respondent, a new body."""
    client.force_login(officer)
    party = {**fields, field: BROKEN_NAME, **({"role": "respondent"} if row else {})}
    data = _registration(city, **{f"party-{row}-{k}": v for k, v in party.items()})

    response = client.post(reverse("workflows:register"), data)

    assert response.status_code == 200  # the form again
    assert response.context["party_forms"].forms[row].has_error(field, "control_characters")
    assert not Case.objects.exists()


def test_it_refuses_a_control_character_when_a_party_is_corrected(case, officer, claimant):
    party = case.parties.get()

    with pytest.raises(ValidationError) as refused:
        services.correct_party(
            case=case, actor=officer, party=party, role=party.role, name_zh="谭永康\n伪造"
        )

    assert "name_zh" in refused.value.error_dict
    claimant.refresh_from_db()
    assert claimant.name_zh == "谭永康"


def test_it_refuses_a_communication_with_a_control_character_in_its_counterpart(case, officer):
    with pytest.raises(ValidationError):
        services.record_communication(
            case=case, actor=officer, channel="phone", counterpart="谭\r\n永康", summary="电话。"
        )


@pytest.fixture
def overdue_review(case, do, lawyer, officer):
    """The lead reviewer's clock is overdue; the officer, who is told, has an address.
    The adviser's name got its line break before names refused one."""
    User.objects.filter(pk=officer.pk).update(email="officer@example.org")
    User.objects.filter(pk=lawyer.pk).update(display_name=BROKEN_NAME)
    case = do(do(case, "screen", {"notes": "可受理"}), "decide", {"decision": "accept"})
    today = timezone.localdate()
    due = review_selectors.default_due_on(case, today, WorkingCalendar.load())
    case = do(case, "send_to_review", {"lead": lawyer.pk, f"due_{lawyer.pk}": due}, form=True)
    Deadline.objects.filter(case=case, holder=lawyer).update(
        due_on=today - timedelta(days=1), reminded_at=timezone.now()
    )
    return case


def test_it_sends_the_escalation_about_an_adviser_whose_name_has_a_line_break(
    overdue_review, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the worker woken after commit
        fired = workflow_services.fire_clocks()

    assert fired["escalations"] == 1
    [message] = Message.objects.filter(kind="escalation", case=overdue_review)
    assert (message.status, message.attempts, message.recipient) == ("sent", 1, officer)
    assert "\r" not in message.subject and "李明律师 伪造" in message.subject
    assert [m.to for m in outbox.outbox if m.subject == message.subject] == [
        ["officer@example.org"]
    ]


def test_it_marks_a_message_that_cannot_be_built_failed_and_never_retries_it(officer, settings):
    """A message stored before subjects were made one line: it is given up at once."""
    officer.email = "officer@example.org"
    officer.save(update_fields=["email"])
    settings.PENDING_WORK_GRACE_SECONDS = 0
    message = Message.objects.create(
        recipient=officer,
        to_address=officer.email,
        kind="escalation",
        subject=f"逾期：法律审查 · {BROKEN_NAME}",
        body="…",
        queued_at=timezone.now() - timedelta(hours=1),
    )

    mail.send_message(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error.startswith("BadHeaderError: ")
    assert outbox.outbox == []
    assert mail.send_pending_messages() == 0  # the sweep leaves it alone
    mail.send_message(message_id=message.pk)  # a wake-up already queued does nothing
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)


def test_it_queues_a_subject_on_one_line(officer):
    assert one_line("逾期：法律审查 · 李明律师\r\n\u2028伪造 ") == "逾期：法律审查 · 李明律师 伪造"
    message = mail.queue_message(
        recipient=officer, kind="escalation", subject=f"逾期 · {BROKEN_NAME}", body="…"
    )
    assert message.subject == "逾期 · 李明律师 伪造"


# 3. Every date a person enters has a domain ---------------------------------------------


@pytest.fixture
def at_outcome(intake, do, legal_review, coordinate):
    """Received 2026-11-02, coordinated: the officer records the outcome (the agreement the
    meeting reached; a mediation's written agreement has a stage of its own)."""
    case = do(intake(), "screen", {"notes": "可受理"})
    case = do(case, "decide", {"decision": "accept", "reason": ""})
    case = legal_review(case, "coordination")
    case = do(case, "route", {"route": "coordination", "notes": ""})
    return coordinate(case)


@pytest.mark.parametrize("agreement_on", ["0001-01-01", "1999-12-31", "2026-11-01"])
def test_it_refuses_an_agreement_dated_before_the_case_was_received_next_to_its_field(
    client, at_outcome, officer, agreement_on
):
    client.force_login(officer)
    url = reverse("workflows:task", args=[task_named(at_outcome, "outcome").pk])

    response = client.post(url, {"result": "settled", "agreement_on": agreement_on, "notes": ""})

    assert response.status_code == 200  # the form again, with the error
    assert response.context["form"].errors["agreement_on"] == [
        zh("The date cannot be before the case was received (%(date)s).", date="2026-11-02")
    ]
    assert fresh(at_outcome).status == "coordinating"
    assert not Outcome.objects.exists()
    assert not Deadline.objects.filter(due_on__lt=date(2000, 1, 1)).exists()


def test_it_takes_an_agreement_dated_the_day_the_case_was_received(at_outcome, do):
    case = do(at_outcome, "outcome", {"result": "settled", "agreement_on": date(2026, 11, 2)})

    assert (case.status, case.settled_on) == ("settled", date(2026, 11, 2))


def test_it_refuses_a_step_dated_before_the_case_was_received_in_the_service(case, officer):
    with pytest.raises(ValidationError) as refused:
        lifecycle.suspend_case(case=case, actor=officer, reason="等待判决", on=date(1, 1, 1))

    assert refused.value.code == "before_receipt"
    assert fresh(case).status == "registered"
    assert not Suspension.objects.exists()
    assert not case.deadlines.filter(suspended_on__isnull=False).exists()


def test_it_refuses_a_suspension_expected_to_end_in_9999_with_a_message(client, case, officer):
    client.force_login(officer)
    url = reverse("workflows:suspend", args=[case.pk])

    response = client.post(url, {"reason": "等待", "expected_resume_on": "9999-12-31"}, follow=True)

    refused = zh(
        "The expected date of resumption cannot be after %(date)s (%(years)d years from today).",
        date=latest_ahead().isoformat(),
        years=YEARS_AHEAD,
    )
    [message] = said(response)
    assert refused in message
    assert fresh(case).status == "registered"
    assert not Suspension.objects.exists()


def test_it_refuses_a_far_expected_resumption_in_the_service(case, officer):
    with pytest.raises(ValidationError) as refused:
        lifecycle.suspend_case(
            case=case, actor=officer, reason="等待", expected_resume_on=date(9999, 12, 31)
        )

    assert refused.value.code == "too_far_ahead"
    assert not Suspension.objects.exists()


def test_it_takes_an_expected_resumption_within_the_limit(case, officer):
    suspension = lifecycle.suspend_case(
        case=case, actor=officer, reason="等待", expected_resume_on=latest_ahead()
    )

    assert suspension.expected_resume_on == latest_ahead()


def test_it_refuses_a_communication_before_the_case_was_received(case, officer):
    before = CaseEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.record_communication(
            case=case,
            actor=officer,
            channel="phone",
            counterpart="谭永康",
            summary="电话。",
            occurred_at=timezone.make_aware(datetime.datetime(2026, 11, 1, 10, 0)),
        )

    assert refused.value.code == "before_receipt"
    assert CaseEvent.objects.count() == before


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31), date(9999, 12, 31)])
def test_it_refuses_a_calendar_correction_out_of_range(db, day):
    with pytest.raises(ValidationError):
        services.set_calendar_override(day=day, is_working_day=True)


def test_it_refuses_an_away_period_out_of_range(lawyer):
    away = AwayPeriod(adviser=lawyer.adviser, starts_on=date(1, 1, 1), ends_on=date(9999, 12, 31))

    with pytest.raises(ValidationError) as refused:
        away.full_clean()

    assert set(refused.value.error_dict) == {"starts_on", "ends_on"}


# 6. SQLite serialises writers, and the draft's endpoint answers JSON --------------------


SQLITE_OPTIONS = """
import django; django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode"); mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout"); timeout = cursor.fetchone()[0]
print(mode, timeout, connection.transaction_mode)
"""


def test_it_runs_sqlite_in_wal_mode_with_a_busy_timeout_and_immediate_transactions(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_OPTIONS],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"]


def _embedded_options() -> dict:
    """The OPTIONS config.settings gives an SQLite database (read in a fresh process, as the
    test settings may run on PostgreSQL)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings;"
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


def _read_then_write_at_once(path, options: dict) -> list:
    """Two connections, as two requests: each begins a transaction as ``atomic`` does,
    reads the row, thinks, then writes it (a draft save, a sign-off). Returns what each
    ended with: None, or the error."""
    # Bounded waits: a writer that fails before the start (it could not even connect)
    # breaks the barrier for the other, and the test reports its error instead of hanging
    # (it hung once in CI with the other writer waiting at the start for good).
    start, both_read = threading.Barrier(2, timeout=30), threading.Barrier(2)
    results: list = [None, None]

    def meet() -> None:
        """Write once the other has read too; if it cannot even begin (it waits for the
        write lock this one holds), go on after a second: then they are serialised."""
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=1.0)

    def run(index):
        db = DatabaseWrapper(
            {**settings.DATABASES["default"], "NAME": str(path), "OPTIONS": options},
            alias=f"writer{index}",
        )
        try:
            db.ensure_connection()
            start.wait()
            db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
            with db.cursor() as cursor:
                cursor.execute("SELECT revision FROM draft WHERE id = 1")
                [revision] = cursor.fetchone()
                meet()
                cursor.execute("UPDATE draft SET revision = %s WHERE id = 1", [revision + 1])
            db.commit()
        except Exception as error:
            results[index] = error
            start.abort()  # the other writer must not wait for this one
            with contextlib.suppress(Exception):
                db.rollback()
        finally:
            db.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a writer never finished"
    return results


def _draft_table(path) -> None:
    import sqlite3

    with sqlite3.connect(path) as db:
        # In WAL mode already, as the embedded database is from its first connection
        # (migrate): two writers connecting at once to a file still in rollback mode both
        # try to switch it, and one is told it is locked before it could even begin.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE draft (id INTEGER PRIMARY KEY, revision INTEGER)")
        db.execute("INSERT INTO draft VALUES (1, 0)")


def _revision(path) -> int:
    import sqlite3

    with sqlite3.connect(path) as db:
        return db.execute("SELECT revision FROM draft").fetchone()[0]


def test_it_serialises_two_writers_on_the_embedded_sqlite_database(tmp_path, django_db_blocker):
    path = tmp_path / "embedded.sqlite3"
    _draft_table(path)

    with django_db_blocker.unblock():
        results = _read_then_write_at_once(path, _embedded_options())

    assert results == [None, None]  # both saved, one after the other
    assert _revision(path) == 2


def test_it_would_lock_two_writers_without_immediate_transactions(tmp_path, django_db_blocker):
    """The test above can fail: with the transactions SQLite begins by default, the second
    writer cannot wait for the first and is told at once that the database is locked."""
    path = tmp_path / "deferred.sqlite3"
    _draft_table(path)
    options = {**_embedded_options(), "transaction_mode": None}

    with django_db_blocker.unblock():
        results = _read_then_write_at_once(path, options)

    assert sorted(map(type, results), key=str) == sorted([type(None), OperationalError], key=str)
    assert "database is locked" in str(next(r for r in results if r is not None))


@pytest.fixture
def drafting(case, do, lawyer):
    """The lead adviser, declared, writing the draft."""
    case = do(do(case, "screen", {"notes": "可受理"}), "decide", {"decision": "accept"})
    due = review_selectors.default_due_on(case, timezone.localdate(), WorkingCalendar.load())
    case = do(case, "send_to_review", {"lead": lawyer.pk, f"due_{lawyer.pk}": due}, form=True)
    seat = review_selectors.seat_in(case, lawyer)
    review_services.declare(seat_pk=seat.pk, actor=lawyer, has_conflict=False)
    return seat


def _save(client, lawyer, seat_pk):
    client.force_login(lawyer)
    url = reverse("review:save_draft", args=[seat_pk])
    return client.post(url, {"revision": 0, "facts": "墓地被占用"})


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (OperationalError("database is locked"), 503, "busy"),
        (RuntimeError("unexpected"), 500, "server_error"),
    ],
)
def test_it_answers_the_draft_save_in_json_when_it_fails(
    client, drafting, lawyer, monkeypatch, error, status, code
):
    def fail(**kwargs):
        raise error

    monkeypatch.setattr(review_services, "save_draft", fail)

    response = _save(client, lawyer, drafting.pk)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["code"] == code and answer["error"]
    if status == 503:
        assert response["Retry-After"] == "2"


def test_it_answers_a_draft_save_for_a_seat_it_does_not_know_in_json(client, drafting, lawyer):
    response = _save(client, lawyer, drafting.pk + 1000)

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json()["code"] == "not_found"


def test_it_still_saves_a_draft(client, drafting, lawyer):
    response = _save(client, lawyer, drafting.pk)

    assert response.status_code == 200
    assert response.json()["revision"] == 1


# 7. A form in another encoding than UTF-8 --------------------------------------------


REFUSED = "请求有误：表单须以 UTF-8 编码提交。\nBad request: send the form encoded as UTF-8.\n"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded; charset=utf-16",
        "application/x-www-form-urlencoded; charset=latin-1",
        "multipart/form-data; boundary=xx; charset=utf-16",
    ],
)
def test_it_answers_a_form_in_another_encoding_with_400(officer, case, content_type):
    client = Client(enforce_csrf_checks=True)  # the CSRF check is what reads the form first
    client.get(reverse("login"))  # the CSRF cookie, as a browser has it
    client.force_login(officer)
    before = CaseEvent.objects.count()

    response = client.post(
        reverse("cases:add_note", args=[case.pk]), data="text=abc", content_type=content_type
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == REFUSED
    assert CaseEvent.objects.count() == before


def test_it_answers_a_login_in_utf_16_with_400(db):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))

    response = client.post(
        reverse("login"),
        data="username=officer&password=pw",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )

    assert response.status_code == 400


def test_it_reads_a_form_whose_charset_is_utf_8_by_another_name(client, officer, case):
    client.force_login(officer)
    before = CaseEvent.objects.count()

    response = client.post(
        reverse("cases:add_note", args=[case.pk]),
        data="text=%E7%94%B5%E8%AF%9D%E5%9B%9E%E8%AE%BF",
        content_type="application/x-www-form-urlencoded; charset=UTF8",
    )

    assert response.status_code == 302
    assert CaseEvent.objects.count() == before + 1
    assert CaseEvent.objects.order_by("-pk").first().summary == "电话回访"
