"""Nothing lost when a worker dies, or the broker or the mail server is down.

Pending work is a row in the database; the broker only wakes a worker up for it. These
are the fault drills of `make drill` that can run as tests: against a broker address that
refuses connections, a real SMTP server started here, and (in CI) the real worker.
"""

import io
import os
import signal
import socket
import time

import pikepdf
import pytest
from aiosmtpd.controller import Controller
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from cases import mail
from cases.models import Case, Message
from cases.notifications import notify
from config.celery import app
from documents import services as document_services
from documents.models import Document

from .conftest import wait_for


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _forget_broker_connections() -> None:
    """Celery keeps its connection pools for the address it first used."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """The broker refuses connections (nothing listens on its port), as when Redis is down;
    tasks are sent, not run in the web process."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = f"redis://127.0.0.1:{_free_port()}/0"
    app.conf.task_always_eager = False
    _forget_broker_connections()
    yield
    app.conf.broker_url, app.conf.task_always_eager = saved
    _forget_broker_connections()


@pytest.fixture
def no_grace(settings):
    settings.PENDING_WORK_GRACE_SECONDS = 0


def test_it_commits_the_step_when_the_broker_is_down(
    intake, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = intake(title="断线时登记")  # raised OperationalError here before

    document = Case.objects.get(pk=case.pk).documents.get()
    assert document.rendering == Document.Rendering.PENDING
    assert document.queued_at is not None


def test_it_answers_the_officer_when_the_broker_is_down(
    client, officer, city, broker_down, django_capture_on_commit_callbacks
):
    from .test_views import _registration

    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workflows:register"), _registration(city))

    assert response.status_code == 302
    assert Case.objects.filter(title="谭氏宗亲会祖坟墓地纠纷").count() == 1


def test_it_renders_what_was_left_pending_once_the_broker_is_back(
    intake, no_grace, django_capture_on_commit_callbacks
):
    case = intake()  # the wake-up is never sent: this test transaction does not commit
    document = case.documents.get()

    with django_capture_on_commit_callbacks(execute=True):
        assert document_services.render_pending_documents() == 1
    assert document_services.render_pending_documents() == 0  # nothing left pending

    document.refresh_from_db()
    assert (document.rendering, document.attempts) == (Document.Rendering.READY, 1)


def test_it_leaves_a_document_pending_until_its_grace_has_passed(intake, settings):
    settings.PENDING_WORK_GRACE_SECONDS = 3600
    intake()
    assert document_services.render_pending_documents() == 0


def test_it_replaces_a_file_a_dead_render_left_behind(intake, media_root):
    document = intake().documents.get()
    orphan = media_root / "documents" / str(document.case_id) / f"{document.pk}-v1.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF-1.7 half written")

    document_services.render_document(document_id=document.pk)

    assert [p.name for p in orphan.parent.iterdir()] == [orphan.name]
    assert orphan.read_bytes().startswith(b"%PDF") and len(orphan.read_bytes()) > 1000


def test_it_renders_a_document_once_when_woken_twice(intake):
    document = intake().documents.get()
    document_services.begin_render(document_id=document.pk)
    document_services.render_document(document_id=document.pk)
    stored = Document.objects.get(pk=document.pk).file.name

    assert document_services.begin_render(document_id=document.pk) is False
    assert Document.objects.get(pk=document.pk).file.name == stored


def test_it_gives_up_on_a_document_that_kills_its_worker(intake):
    document = intake().documents.get()
    Document.objects.filter(pk=document.pk).update(attempts=document_services.MAX_RENDER_ATTEMPTS)

    assert document_services.begin_render(document_id=document.pk) is False
    document.refresh_from_db()
    assert document.rendering == Document.Rendering.FAILED
    assert "5" in document.failure


# The mail server -----------------------------------------------------------------------


class Inbox:
    """What a real SMTP server on this machine received, by our message id."""

    def __init__(self):
        self.ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.decode().splitlines():
            if line.startswith("X-Qiaowei-Message:"):
                self.ids.append(line.split(":", 1)[1].strip())
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """Mail goes over SMTP to a port on this machine where, at first, nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    inbox, started = Inbox(), []

    def start() -> Inbox:
        controller = Controller(inbox, hostname="127.0.0.1", port=settings.EMAIL_PORT)
        controller.start()
        started.append(controller)
        return inbox

    yield start
    for controller in started:
        controller.stop()


def _notify_three(intake, officer, supervisor, city):
    from .factories import officer_of

    case = intake()
    people = [officer, supervisor, officer_of(city, "third")]
    with transaction.atomic():
        for person in people:
            person.email = f"{person.username}@example.cn"
            person.save()
            notify(person, "assignment", {"case": case, "task": "受理审查", "url": "/"})
    return case


def test_it_keeps_messages_while_the_mail_server_is_down_and_sends_them_once_back(
    intake, officer, supervisor, city, smtp, no_grace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _notify_three(intake, officer, supervisor, city)

    pending = list(Message.objects.filter(case=case))
    assert {m.status for m in pending} == {Message.Status.PENDING}
    assert all(m.attempts == 1 and "Connection" in m.last_error for m in pending)

    inbox = smtp()  # the mail server is back
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.send_pending_messages() == 3
    mail.send_pending_messages()  # a second sweep, as beat would run it

    assert set(Message.objects.filter(case=case).values_list("status", flat=True)) == {"sent"}
    assert sorted(inbox.ids) == sorted(str(m.pk) for m in pending)  # each exactly once


def test_it_marks_a_message_failed_after_its_last_try(intake, officer, supervisor, city, smtp):
    case = _notify_three(intake, officer, supervisor, city)
    message = Message.objects.filter(case=case).first()
    Message.objects.filter(pk=message.pk).update(attempts=mail.MAX_ATTEMPTS - 1)

    assert mail.send_message(message_id=message.pk).status == Message.Status.FAILED


def test_it_shows_the_officer_what_was_sent(
    client, intake, officer, supervisor, city, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _notify_three(intake, officer, supervisor, city)
    sent = Message.objects.filter(case=case).first()
    Message.objects.filter(pk=sent.pk).update(status=Message.Status.SENT)
    client.force_login(officer)

    page = client.get(case.get_absolute_url()).content.decode()

    assert "已发送" in page and "待发送" in page


# A pool child killed while it renders (the real worker) -----------------------------------


def _big_pdf(pages: int) -> SimpleUploadedFile:
    pdf, out = pikepdf.new(), io.BytesIO()
    for _ in range(pages):
        pdf.add_blank_page()
    pdf.save(out)
    return SimpleUploadedFile("卷内证据.pdf", out.getvalue(), content_type="application/pdf")


def _active_render(worker, of: set[int]):
    """A render of one of these documents under way in a pool child of our worker (not of
    another run's on the same broker), if there is one: its task active and the render
    begun (counted), not a task the child has only just been handed."""
    inspect = app.control.inspect(destination=[worker.nodename], timeout=0.5)
    for tasks in (inspect.active() or {}).values():
        for task in tasks:
            if task["name"] == "documents.tasks.render_document" and task["args"][0] in of:
                begun = Document.objects.filter(
                    pk=task["args"][0], rendering="pending", attempts=1
                ).exists()
                if begun:
                    return task
    return None


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_it_renders_every_document_after_a_pool_child_is_killed(intake, officer, celery_worker):
    case = intake()
    # A case file of a few hundred pages takes seconds to stamp: long enough to be caught.
    document_services.add_evidence(
        case=case, actor=officer, item="06", title="现场照片", upload=_big_pdf(300)
    )
    with transaction.atomic():
        issued = [document_services.export_case_file(case=case, actor=officer) for _ in range(5)]
    documents = [case.documents.filter(kind="registration_form").get(), *issued]

    # A case file takes seconds to render, so the kill lands mid-render.
    task = wait_for(lambda: _active_render(celery_worker, {d.pk for d in issued}), timeout=60)
    os.kill(task["worker_pid"], signal.SIGKILL)
    killed = task["args"][0]
    started = time.monotonic()

    wait_for(
        lambda: (
            Document.objects.filter(pk__in=[d.pk for d in documents], rendering="ready").count()
            == len(documents)
        ),
        timeout=120,
    )
    print(f"recovered {time.monotonic() - started:.1f} s after the kill")
    assert Document.objects.get(pk=killed).attempts == 2  # begun, killed, begun again
    files = list((celery_worker.media_root / "documents" / str(case.pk)).glob("*.pdf"))
    assert len(files) == len(documents)  # each rendered once, no orphan file
