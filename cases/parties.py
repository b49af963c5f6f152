"""Parties as they really are: where a person lives decides the time zone and the language
the case starts from, and a body (a township office, a village committee, a company) can be
a party through a contact person.

``defaults_for(country)`` is the one place that says which time zone and which language a
party living in a country gets when the officer leaves them empty; the officer's choice
always wins. The services (``cases.services.add_party``, ``correct_party``) apply it, so
every caller gets the same answer, whatever its form shows.

Time zone: the country's zone in the IANA ``zone1970.tab`` shipped with the ``tzdata``
package (or the system's ``/usr/share/zoneinfo``): the first zone of a row that lists the
country first, i.e. its own zone. A country that only shares another's zone (the
Netherlands keep Brussels time, Sweden Berlin's) takes the name ``zone.tab`` gives it
(Europe/Amsterdam, Europe/Stockholm): the same clock, under a name the officer recognises.
Countries with several zones take the zone where most overseas Chinese there live
(``ZONE_OF_COUNTRY``); the officer picks another for, say, a claimant in Toronto.

Language: Chinese wherever overseas Chinese mostly read Chinese (Malaysia, Singapore,
Thailand, Indonesia, the Philippines, Hong Kong, Macao, Taiwan, China, and the countries
not listed), English in the English-speaking countries of ``LANGUAGE_OF_COUNTRY``. A party
who reads no Chinese gets documents with English passages (``documents.snapshots``).
"""

from __future__ import annotations

import functools
import zoneinfo
from importlib import resources
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import Language, Organisation

# Several zones: the one where most overseas Chinese of the country live.
ZONE_OF_COUNTRY = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    # Vancouver: the oldest and, for its size, the largest Chinese community in Canada, and
    # mostly from Guangdong; Toronto (America/Toronto) is the officer's other usual choice.
    "CA": "America/Vancouver",
    "MY": "Asia/Kuala_Lumpur",  # peninsular Malaysia; Sabah and Sarawak: Asia/Kuching
    "RU": "Europe/Moscow",
    # California holds the largest Chinese-American population; New York: America/New_York.
    "US": "America/Los_Angeles",
    "UZ": "Asia/Tashkent",
}

# Countries whose overseas Chinese mostly read English rather than Chinese. Any other
# country (and no country) starts from Chinese.
LANGUAGE_OF_COUNTRY = {code: Language.EN for code in ("AU", "CA", "GB", "IE", "NZ", "US")}
DEFAULT_LANGUAGE = Language.ZH_HANS

# Bodies that are parties to cases. They have no users; public bodies (a government
# department, a village or residents' committee) may be picked by anyone registering a
# case, a company or other body only by someone who sees a case it is a party to.
Kind = Organisation.Kind
PUBLIC_BODY_KINDS = frozenset({Kind.DEPARTMENT, Kind.VILLAGE_COMMITTEE})
PARTY_BODY_KINDS = PUBLIC_BODY_KINDS | {Kind.COMPANY, Kind.OTHER_BODY}
# What an officer may type as a new body; departments are kept by the administrators (they
# are also where cases are referred and who is invited to coordination meetings).
NEW_BODY_KINDS = (Kind.VILLAGE_COMMITTEE, Kind.COMPANY, Kind.OTHER_BODY)

# The details of a person that the case page corrects. ID documents are not among them.
CORRECTABLE_PERSON_FIELDS = (
    "name_zh",
    "name_latin",
    "identity",
    "residence_country",
    "time_zone",
    "preferred_language",
    "phone",
    "email",
    "wechat",
    "address",
)

FROM_THE_COUNTRY = _("From the country of residence")


def _tab(name: str) -> str:
    try:
        return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        path = Path("/usr/share/zoneinfo") / name
        return path.read_text(encoding="utf-8") if path.exists() else ""


def _rows(name: str) -> list[tuple[list[str], str]]:
    """(country codes, zone) of each row of a zone table, in the order of the file."""
    rows = []
    for line in _tab(name).splitlines():
        if line and not line.startswith("#"):
            codes, _coordinates, zone, *_comment = line.split("\t")
            rows.append((codes.split(","), zone))
    return rows


@functools.cache
def _zone_table() -> dict[str, str]:
    """The default zone of each country code."""
    available = zoneinfo.available_timezones()
    found: dict[str, str] = {}
    for codes, zone in _rows("zone1970.tab"):  # the country's own zone
        found.setdefault(codes[0], zone)
    for codes, zone in _rows("zone.tab"):  # a shared zone, under the country's own name
        found.setdefault(codes[0], zone)
    for codes, zone in _rows("zone1970.tab"):  # zone.tab missing: the shared zone itself
        for code in codes:
            found.setdefault(code, zone)
    found.update(ZONE_OF_COUNTRY)
    return {code: zone for code, zone in found.items() if zone in available}


@functools.cache
def offered_zones() -> tuple[str, ...]:
    """The zones a form offers: every zone the zone tables name (about 420, no legacy
    aliases such as US/Pacific), the defaults and UTC."""
    named = {zone for table in ("zone1970.tab", "zone.tab") for _codes, zone in _rows(table)}
    zones = (named | set(_zone_table().values()) | {"UTC", settings.TIME_ZONE}) & (
        zoneinfo.available_timezones()
    )
    return tuple(sorted(zones or zoneinfo.available_timezones()))


def _chinese_order(name: str) -> bytes:
    """GB 18030 keeps GB 2312's order, whose common characters run in pinyin order."""
    return name.strip().encode("gb18030", errors="replace")


def country_choices() -> list[tuple[str, str]]:
    """The countries a form offers, in the reader's language: those parties usually live
    in first (``settings.COUNTRIES_FIRST``, then a line), the others by name (in Chinese,
    by pinyin). A callable, so each request gets its own language's list."""
    ordered = [(country.code, country.name) for country in countries]
    first = set(settings.COUNTRIES_FIRST) | {""}
    split = next((i for i, (code, _name) in enumerate(ordered) if code not in first), 0)
    head, rest = ordered[:split], ordered[split:]
    if (get_language() or "").startswith("zh"):
        rest.sort(key=lambda choice: _chinese_order(choice[1]))
    return [("", "---------"), *head, *rest]


def defaults_for(country) -> tuple[str, str]:
    """(time zone, language) of a party living in the country (a code or a Country); with
    no country, those of the organisations (China)."""
    code = str(getattr(country, "code", country) or "").upper()
    zone = _zone_table().get(code, settings.TIME_ZONE)
    return zone, str(LANGUAGE_OF_COUNTRY.get(code, DEFAULT_LANGUAGE))


def with_defaults(details: dict) -> dict:
    """A person's details with the time zone and language the officer left empty taken
    from the country of residence."""
    zone, language = defaults_for(details.get("residence_country"))
    return {
        **details,
        "time_zone": str(details.get("time_zone") or zone),
        "preferred_language": details.get("preferred_language") or language,
    }


def contact_details(name: str, phone: str = "") -> dict:
    """A body's contact person: a name in Chinese characters or in Latin script, living in
    China (the bodies are Chinese)."""
    name = name.strip()
    is_chinese = any("\u3400" <= char <= "\u9fff" or char >= "\U00020000" for char in name)
    return {
        "name_zh": name if is_chinese else "",
        "name_latin": "" if is_chinese else name,
        "residence_country": "CN",
        "phone": phone.strip(),
    }
