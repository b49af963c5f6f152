"""Time zones as people read them: "Kuala Lumpur (Asia, UTC+8)", "吉隆坡（亚洲，UTC+8）".

An IANA name (``Asia/Kuala_Lumpur``) is an identifier, not something to show: a zone is
shown by its city (the last part of the name, underscores as spaces; the common zones by
their name in the reader's language), its region and its offset from UTC now. The zones a
form offers are those of ``cases.parties.offered_zones`` (the zone tables, no legacy alias
such as "Zulu" or "localtime"), the ones overseas Chinese mostly live in first.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy

from .parties import offered_zones

# Where the parties and the officers mostly are, in the order forms offer them, with the
# city's name in the reader's language.
COMMON_ZONES = {
    "Asia/Shanghai": pgettext_lazy("time zone", "Shanghai"),
    "Asia/Hong_Kong": pgettext_lazy("time zone", "Hong Kong"),
    "Asia/Macau": pgettext_lazy("time zone", "Macau"),
    "Asia/Taipei": pgettext_lazy("time zone", "Taipei"),
    "Asia/Kuala_Lumpur": pgettext_lazy("time zone", "Kuala Lumpur"),
    "Asia/Singapore": pgettext_lazy("time zone", "Singapore"),
    "Asia/Jakarta": pgettext_lazy("time zone", "Jakarta"),
    "Asia/Bangkok": pgettext_lazy("time zone", "Bangkok"),
    "Asia/Manila": pgettext_lazy("time zone", "Manila"),
    "Asia/Ho_Chi_Minh": pgettext_lazy("time zone", "Ho Chi Minh City"),
    "Asia/Tokyo": pgettext_lazy("time zone", "Tokyo"),
    "America/Vancouver": pgettext_lazy("time zone", "Vancouver"),
    "America/Toronto": pgettext_lazy("time zone", "Toronto"),
    "America/Los_Angeles": pgettext_lazy("time zone", "Los Angeles"),
    "America/New_York": pgettext_lazy("time zone", "New York"),
    "Australia/Sydney": pgettext_lazy("time zone", "Sydney"),
    "Australia/Melbourne": pgettext_lazy("time zone", "Melbourne"),
    "Pacific/Auckland": pgettext_lazy("time zone", "Auckland"),
    "Europe/London": pgettext_lazy("time zone", "London"),
    "Europe/Paris": pgettext_lazy("time zone", "Paris"),
}

REGIONS = {
    "Africa": pgettext_lazy("time zone region", "Africa"),
    "America": pgettext_lazy("time zone region", "America"),
    "Antarctica": pgettext_lazy("time zone region", "Antarctica"),
    "Arctic": pgettext_lazy("time zone region", "Arctic"),
    "Asia": pgettext_lazy("time zone region", "Asia"),
    "Atlantic": pgettext_lazy("time zone region", "Atlantic"),
    "Australia": pgettext_lazy("time zone region", "Australia"),
    "Europe": pgettext_lazy("time zone region", "Europe"),
    "Indian": pgettext_lazy("time zone region", "Indian Ocean"),
    "Pacific": pgettext_lazy("time zone region", "Pacific"),
}


def _zone(zone) -> zoneinfo.ZoneInfo:
    return zone if isinstance(zone, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(str(zone))


def city(zone) -> str:
    """The city of the zone: "Kuala Lumpur" / "吉隆坡"; "Knox, Indiana" for a zone of a
    state; "UTC" for UTC."""
    name = str(zone)
    if name in COMMON_ZONES:
        return str(COMMON_ZONES[name])
    _region, *places = name.split("/")
    if not places:
        return name
    return ", ".join(reversed([p.replace("_", " ") for p in places]))


def region(zone) -> str:
    first, *rest = str(zone).split("/")
    return str(REGIONS.get(first, first)) if rest else ""


def offset(zone, at: datetime.datetime | None = None) -> str:
    """The offset from UTC at that moment (now): "UTC+8", "UTC+5:30", "UTC-3"."""
    delta = (at or timezone.now()).astimezone(_zone(zone)).utcoffset() or datetime.timedelta()
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def label(zone, at: datetime.datetime | None = None) -> str:
    """How a form offers the zone: "Kuala Lumpur (Asia, UTC+8)"."""
    where = region(zone)
    if not where:
        return str(zone)
    return pgettext("time zone", "%(city)s (%(region)s, %(offset)s)") % {
        "city": city(zone),
        "region": where,
        "offset": offset(zone, at),
    }


def local_time(zone, at: datetime.datetime | None = None) -> str:
    """The time there now, with its city and offset: "2026-11-25 04:36 (Kuala Lumpur,
    UTC+8)"."""
    moment = (at or timezone.now()).astimezone(_zone(zone))
    return pgettext("time zone", "%(time)s (%(city)s, %(offset)s)") % {
        "time": moment.strftime("%Y-%m-%d %H:%M"),
        "city": city(zone),
        "offset": offset(zone, moment),
    }


def zone_choices(current=None) -> list[tuple[str, str]]:
    """(zone, label) for a form: the common zones first, then the others by region and
    city. A zone set before that the list lacks (an alias chosen long ago) is kept."""
    offered = offered_zones()
    first = [zone for zone in COMMON_ZONES if zone in offered]
    rest = sorted(
        (zone for zone in offered if zone not in COMMON_ZONES),
        key=lambda zone: (zone.split("/")[0] if "/" in zone else "", city(zone)),
    )
    zones = first + rest
    if current and str(current) not in zones:
        zones.append(str(current))
    now = timezone.now()
    return [(zone, label(zone, now)) for zone in zones]
