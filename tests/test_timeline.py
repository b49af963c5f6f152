"""The case timeline is append-only."""

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from cases import services
from cases.models import CaseEvent


def test_it_cannot_change_a_timeline_row(case):
    event = case.events.get()
    event.summary = "改写"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(pk=event.pk).update(summary="改写")
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(pk=event.pk).delete()
    assert CaseEvent.objects.get(pk=event.pk).summary == case.title


def test_it_offers_no_change_or_delete_in_the_admin(case, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = site._registry[CaseEvent]
    event = case.events.get()
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert not model_admin.has_add_permission(request)


def test_it_records_communications(case, officer):
    event = services.record_communication(
        case=case,
        actor=officer,
        channel="video",
        counterpart="谭永康（宗亲会代表）",
        summary="视频通话，了解墓地现状。",
    )
    assert (event.kind, event.channel, event.actor) == ("communication", "video", officer)


@pytest.mark.parametrize(("counterpart", "summary"), [("", "内容"), ("谭永康", "  ")])
def test_it_refuses_empty_communications(case, officer, counterpart, summary):
    with pytest.raises(ValidationError):
        services.record_communication(
            case=case, actor=officer, channel="phone", counterpart=counterpart, summary=summary
        )
    assert case.events.count() == 1


def test_it_refuses_notes_from_other_organisations(case, outsider):
    with pytest.raises(PermissionDenied):
        services.add_note(case=case, actor=outsider, text="我来看看")
