"""Filters that make values read well in the reader's language.

``{% load readable %}``:

- ``items|join_list``: "甲、乙、丙" in Chinese, "A, B, C" in English;
- ``zone|local_time``: the time there now with its city and offset,
  "2026-11-25 04:36 (Kuala Lumpur, UTC+8)" / "2026-11-25 04:36（吉隆坡，UTC+8）";
- ``zone|zone_label``: "Kuala Lumpur (Asia, UTC+8)";
- ``day|as_time``: a date or a moment in a <time> element, "2026-12-03" or "2026-12-03 15:46"
  (in the reader's zone), which the page never breaks over two lines (static/css/app.css);
  for a date inside a sentence: ``{% blocktranslate with day=due|as_time %}``;
- ``text|dates_kept``: a stored text (a timeline entry's) with each date in it kept on one
  line, the rest escaped.
"""

import datetime
import re

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

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


@register.filter(expects_localtime=True)
def as_time(value):
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        return format_html(
            '<time datetime="{}">{}</time>', value.isoformat(), date_format(value, "Y-m-d H:i")
        )
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), value.isoformat())


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@register.filter
def dates_kept(text) -> str:
    """Escaped, each ISO date in a ``.date`` span that never breaks over two lines (a
    clock's due date in a timeline entry)."""
    escaped = str(conditional_escape(text or ""))
    return mark_safe(ISO_DATE.sub(r'<span class="date">\g<0></span>', escaped))
