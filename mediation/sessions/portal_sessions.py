"""The next session on a party's own page (``workflows.stages.PortalSection``): when it is
in the party's own time (the portal makes their zone the active one), how to join it or
where it is, and its calendar file in their zone and language."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from cases import zones
from cases.models import PartyLink
from workflows.stages import PortalSection

from . import ics
from .models import MediationSession
from .record_selectors import attending_as

NAME = "next_session"


def next_session_for(link: PartyLink) -> MediationSession | None:
    """The next planned session of the link's case that the party is invited to (or the
    party they act for is)."""
    return (
        MediationSession.objects.filter(
            case=link.case,
            status=MediationSession.Status.PLANNED,
            attendees__party__in=attending_as(link.party),
        )
        .order_by("starts_at")
        .distinct()
        .first()
    )


def context(link: PartyLink) -> dict | None:
    session = next_session_for(link)
    if session is None:
        return None
    zone = timezone.get_current_timezone()
    return {
        "session": session,
        "local_start": timezone.localtime(session.starts_at, zone),
        "local_end": timezone.localtime(session.ends_at, zone),
        "zone_city": zones.city(str(zone)),
        "zone_offset": zones.offset(str(zone), session.starts_at),
    }


@require_safe
def calendar(request: HttpRequest, link: PartyLink) -> HttpResponse:
    session = next_session_for(link)
    if session is None:
        raise Http404("No session ahead.")
    response = HttpResponse(
        ics.session_calendar(session, timezone.get_current_timezone()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="mediation-{session.round}.ics"'
    return response


# First on the party's page: what is coming.
SECTION = PortalSection(
    name=NAME,
    template="sessions/portal/next_session.html",
    context=context,
    views={"calendar": calendar},
    order=10,
)
