"""The error summary at the top of a page whose form came back with errors (the GOV.UK
pattern): a box titled "There is a problem" listing every error, each a link to its
field, which takes the focus when the page loads (static/js/error-summary.js), and a
page title that begins with "Error: ".

``{% load error_summary %}``:

- ``{% error_summary %}``: the summary of every bound form and formset of the page's
  context that has errors, and of the error messages (``messages.error``) of a form posted
  from another page (the case page's panels: ``cases.views.say_form_errors`` makes each a
  link to its field); nothing when there is none. ``base.html`` shows it at the top of
  every page, so a page with a form needs nothing more.
- ``{% error_summary form party_forms %}``: the summary of those forms only (a page that
  places it itself: override ``{% block error_summary %}`` of base.html).
- ``messages|not_errors``: the other messages, shown below the summary.
- ``{% error_title %}``: "错误：" / "Error: " when the page has errors, else nothing; for
  the <title> (base.html).

The summary is rendered by ``templates/includes/error_summary.html`` from ``errors``, a
list of ``(href, text)``; a page may include that template itself with its own list.
"""

from __future__ import annotations

from django import forms, template
from django.contrib import messages
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

register = template.Library()

# Django's suffix of form labels (django.forms uses gettext(":")): named here so that
# makemessages keeps it in the project's catalogue, which makes it full-width in Chinese.
LABEL_SUFFIX = gettext_noop(":")
# The marks after which Django adds no suffix (django.forms: a label ending in one of
# gettext(":?.!")): with the full-width ones, "您对结果满意吗？" is not given a "：" too.
LABEL_ENDINGS = gettext_noop(":?.!")

# The extra tag of an error message that names the field it is about (say_form_errors).
FIELD_TAG = "field:"

# Widgets Django renders as a group of inputs named <id>_0, <id>_1, …
GROUPS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def field_anchor(bound: forms.BoundField) -> str:
    """The id of the element a link to the field goes to: the input, or the first of a
    group of radio buttons or checkboxes."""
    auto_id = bound.auto_id
    if not auto_id:
        return ""
    if isinstance(bound.field.widget, GROUPS):
        return f"{auto_id}_0"
    return bound.field.widget.id_for_label(auto_id) or auto_id


def field_name(bound: forms.BoundField) -> str:
    """The field's label as plain text: no required mark, no trailing colon."""
    return strip_tags(str(bound.label)).replace("*", "").strip().rstrip(":：")


def said(label: str, error: str) -> str:
    """One error of a field, with the field's name: "分析：请填写" / "Analysis: …"."""
    return _("%(field)s: %(error)s") % {"field": label, "error": error} if label else error


def form_errors(form) -> list[tuple[str, str]]:
    """(href, text) for each error of a bound form, a formset's forms and its own errors,
    in the order of the fields; an error of the whole form links to its first field."""
    if isinstance(form, forms.BaseFormSet):
        found = [("", str(e)) for e in form.non_form_errors()]
        first = next(iter(form.forms), None)
        if found and first is not None:
            found = [(_href(first), text) for _, text in found]
        for each in form.forms:
            found += form_errors(each)
        return found
    if not (isinstance(form, forms.BaseForm) and form.is_bound and form.errors):
        return []
    found = [(_href(form), str(e)) for e in form.non_field_errors()]
    for name, field in form.fields.items():
        if name not in form.errors:
            continue
        bound = form[name]
        if field.widget.is_hidden:  # said as the form's: nothing to go to
            found += [(_href(form), str(e)) for e in bound.errors]
            continue
        anchor = field_anchor(bound)
        found += [
            (f"#{anchor}" if anchor else "", said(field_name(bound), str(e))) for e in bound.errors
        ]
    return found


def _href(form) -> str:
    visible = form.visible_fields()
    anchor = field_anchor(visible[0]) if visible else ""
    return f"#{anchor}" if anchor else ""


def _context_forms(context) -> list:
    """The bound forms and formsets of the page, each once, in the context's order."""
    seen, found = set(), []
    for value in context.flatten().values():
        bound = isinstance(value, forms.BaseFormSet) or (
            isinstance(value, forms.BaseForm) and value.is_bound
        )
        if bound and id(value) not in seen:
            seen.add(id(value))
            found.append(value)
    return found


def _error_messages(context) -> list[tuple[str, str]]:
    """The error messages waiting for the page (base.html shows them here, not among the
    other messages). A form's error said on another page carries its field's id
    (``cases.views.say_form_errors``)."""
    found = []
    for message in context.get("messages") or []:
        if message.level != messages.ERROR:
            continue
        tags = [t for t in (message.extra_tags or "").split() if t.startswith(FIELD_TAG)]
        anchor = tags[0].removeprefix(FIELD_TAG) if tags else ""
        found.append((f"#{anchor}" if anchor else "", message.message))
    return found


def page_errors(context, *explicit) -> list[tuple[str, str]]:
    """The page's errors: those of the forms given, else of every form of the context and
    of the error messages."""
    if explicit:
        return [error for form in explicit for error in form_errors(form)]
    found = _error_messages(context)
    for form in _context_forms(context):
        found += form_errors(form)
    return found


@register.filter
def not_errors(listed) -> list:
    """The messages other than errors (those are in the error summary)."""
    return [m for m in listed or [] if m.level != messages.ERROR]


@register.simple_tag(takes_context=True)
def error_title(context) -> str:
    return _("Error: ") if page_errors(context) else ""


@register.inclusion_tag("includes/error_summary.html", takes_context=True)
def error_summary(context, *forms_shown):
    return {"errors": page_errors(context, *forms_shown)}
