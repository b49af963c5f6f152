"""Filters that make values read well in the reader's language.

``{% load readable %}``:

- ``items|join_list``: "甲、乙、丙" in Chinese, "A, B, C" in English;
- ``zone|local_time``: the time there now with its city and offset,
  "2026-11-25 04:36 (Kuala Lumpur, UTC+8)" / "2026-11-25 04:36（吉隆坡，UTC+8）";
- ``zone|zone_label``: "Kuala Lumpur (Asia, UTC+8)".
"""

from django import template

from cases import timeline, zones

register = template.Library()


@register.filter
def join_list(items) -> str:
    return timeline.join_list(items or [])


@register.filter
def local_time(zone) -> str:
    return zones.local_time(zone) if zone else ""


@register.filter
def zone_label(zone) -> str:
    return zones.label(zone) if zone else ""
