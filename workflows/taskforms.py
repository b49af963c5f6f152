"""The task-screen framework: a task's form is built for one case and one person. It
imports no stage; stages build their task forms on it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from cases.models import Case, User


class TaskForm(forms.Form):
    """A task's form is built for one case and one person: its choices can depend on them.

    ``show_when``: a field that applies only to one choice of another, {field: (other
    field, value)}; the screen hides it otherwise (static/js/task-form.js) and ``clean``
    checks the same rule on the server. ``required_when_shown``: such fields that must
    then be filled, marked required like the required ones. ``error_fields``: the codes
    of the errors the completion may raise (a ValidationError of the service) and the
    field each is shown next to; any other shows above the form."""

    show_when: dict[str, tuple[str, str]] = {}
    required_when_shown: frozenset[str] = frozenset()
    error_fields: dict[str, str] = {"reason_required": "reason"}
    # A template that lays out the form's fields in place of the one-per-row default.
    fields_template: str | None = None

    def __init__(self, *args, case: Case, user: User, item: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # ``item``: the task's own data, for a task of a fan-out (which department's
        # invitation, which action item); the completion gets it as ``data["item"]``.
        self.case, self.user, self.item = case, user, item or {}
        for name, field in self.fields.items():
            field.show_when = self.show_when.get(name)
            if field.required or name in self.required_when_shown:
                _mark_required(field)

    def add_service_error(self, error: ValidationError) -> None:
        """Put an error of the completion next to the field it is about, else above."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
            return
        for item in error.error_list:
            name = self.error_fields.get(item.code or "")
            self.add_error(name if name in self.fields else None, item)


def _mark_required(field: forms.Field) -> None:
    """A visible * in the label (hidden from screen readers, which are told by
    aria-required); a group of choices is a radiogroup that says it is required."""
    field.label = format_html(
        '{} <span class="required-mark" aria-hidden="true">*</span>', field.label
    )
    if isinstance(field.widget, forms.RadioSelect):
        field.template_name = "workflows/forms/choice_group.html"
    else:
        field.widget.attrs["aria-required"] = "true"
