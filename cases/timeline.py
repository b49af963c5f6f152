"""Timeline entries written by the system, in the reader's language.

A note or the summary of a call is stored as the officer typed it. What the system writes
("Party added: …", "Reported up from … to …") is stored as a message: the English msgid
and its parameters (``CaseEvent.message``, JSON), and rendered with gettext when the
timeline is read, so an English reader reads English and a Chinese reader Chinese,
whichever language the step was taken in. ``CaseEvent.summary`` keeps the text as it was
written, in the writer's language: rows from before messages were stored have only it, and
it is what a search of the timeline finds.

A message is a list of lines, each ``{"msgid": …, "args": [...]}`` (``%s``) or
``{"msgid": …, "kwargs": {...}}`` (``%(name)s``). A parameter is kept as it is (a name, a
date, a number) unless it is

- ``{"t": msgid}``: a word of the interface (a clock, a role, a field), translated when read;
  a lazily translated string (a choice label, a field's verbose name) is stored this way;
- ``{"list": [...]}``: items joined with the reader's list separator ("、" / ", ");
- a message itself (``{"msgid": …}``), rendered in turn.

Write with ``line(msgid, ...)`` and ``fields(*lines)``; msgids are marked with
``gettext_noop`` where they are written so that they stay in the catalogue.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext

log = logging.getLogger(__name__)


def list_separator() -> str:
    """The separator of a list in the current language: "、" in Chinese, ", " in English."""
    return gettext(", ")


def join_list(items: Iterable) -> str:
    return list_separator().join(str(item) for item in items)


class Listing(list):
    """Items shown as one list, joined with the reader's separator."""


def listing(items: Iterable) -> Listing:
    return Listing(items)


def _lazy_msgid(value: Promise) -> dict | None:
    """The msgid of a string made by gettext_lazy / pgettext_lazy (what Django pickles)."""
    try:
        _unpickle, (func, args, kwargs, *_classes) = value.__reduce__()
    except (TypeError, ValueError):
        return None
    if func is gettext and len(args) == 1 and not kwargs:
        return {"t": args[0]}
    if func is pgettext and len(args) == 2 and not kwargs:
        return {"t": args[1], "context": args[0]}
    return None


def encode(value):
    """A parameter as it is stored: see the module's docstring."""
    if isinstance(value, Listing):
        return {"list": [encode(item) for item in value]}
    if isinstance(value, dict):  # a message, or a parameter already encoded
        return value
    if isinstance(value, Promise):
        return _lazy_msgid(value) or str(value)
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def line(msgid: str, *args, **kwargs) -> dict:
    """One line of a message: the msgid and its ``%s`` or ``%(name)s`` parameters."""
    if args and kwargs:
        raise TypeError("a message takes either positional or named parameters")
    if kwargs:
        return {"msgid": msgid, "kwargs": {k: encode(v) for k, v in kwargs.items()}}
    return {"msgid": msgid, "args": [encode(a) for a in args]}


def _decode(value):
    if isinstance(value, dict):
        if "msgid" in value:
            return render_line(value)
        if "list" in value:
            return join_list(_decode(item) for item in value["list"])
        if "t" in value:
            context = value.get("context")
            return pgettext(context, value["t"]) if context else gettext(value["t"])
    return value


def render_line(entry: dict) -> str:
    text = gettext(entry["msgid"])
    if "kwargs" in entry:
        return text % {k: _decode(v) for k, v in entry["kwargs"].items()}
    args = tuple(_decode(a) for a in entry.get("args", []))
    return text % args if args else text


def render(message: list) -> str:
    """The message in the current language, one line per entry."""
    return "\n".join(render_line(entry) for entry in message)


def text_of(message: list, fallback: str = "") -> str:
    """What the timeline shows: the message in the reader's language, or, for a row
    written before messages were stored (or a message that no longer renders), the text
    as it was written."""
    if not message:
        return fallback
    try:
        return render(message)
    except (KeyError, TypeError, ValueError):
        log.warning("A timeline message did not render: %r", message)
        return fallback


def fields(*lines: dict) -> dict:
    """The CaseEvent fields of a system entry: the message, and the text as written now."""
    message = list(lines)
    return {"message": message, "summary": render(message)}
