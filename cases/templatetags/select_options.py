"""The options of a select, written in Python: ``templates/django/forms/widgets/select.html``
(Django's own select, used by every form through ``FORM_RENDERER``) calls
``{% select_options widget %}`` instead of including a template for each option. A form
with a country, a time zone and a person list has about 1,000 options, whose templates
took 60 ms of a registration page; the HTML is the same as Django's."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def select_options(widget: dict) -> SafeString:
    """The ``<optgroup>`` and ``<option>`` elements of a ChoiceWidget's context."""
    parts = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('<optgroup label="{}">', group_name))
        parts.extend(
            format_html(
                '<option value="{}"{}>{}</option>',
                str(option["value"]),
                _attributes(option["attrs"]),
                option["label"],
            )
            for option in options
        )
        if group_name:
            parts.append("</optgroup>")
    return mark_safe("".join(parts))  # each part escaped by format_html


def _attributes(attrs: dict) -> SafeString:
    """As ``django/forms/widgets/attrs.html`` writes them: a True one by its name alone,
    a False one not at all."""
    return mark_safe(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )
