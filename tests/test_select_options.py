"""[Q6d] Every form's selects write their options with one template tag
(``cases/templatetags/select_options.py``) instead of a template each: the HTML must be
what Django's own widget templates write, which these tests render beside it."""

import re

from django import forms
from django.forms.renderers import DjangoTemplates


class _FlaggedSelect(forms.Select):
    """Options carrying attributes of their own: one set, one switched off, one valued."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(
            {"data-kind": f'x"{value}', "disabled": value == "b", "hidden": False}
        )
        return option


class _Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", "A & B"), ("b", "<b>粗</b>")])
    grouped = forms.ChoiceField(
        choices=[("亚洲", [("CN", "中国"), ("MY", "马来西亚")]), ("ZZ", "其他 Other")]
    )
    several = forms.MultipleChoiceField(choices=[(1, "一"), (2, "二"), (3, "三")])
    flagged = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=_FlaggedSelect)
    numbered = forms.TypedChoiceField(choices=[(1, "1"), (2, "2")], coerce=int)


def _squash(html: str) -> str:
    """The same document, whitespace between tags aside (an included template ends in a
    line break)."""
    return re.sub(r">\s+<", "><", html.strip())


def test_it_writes_what_djangos_own_templates_write():
    initial = {"plain": "b", "grouped": "MY", "several": [1, 3], "flagged": "a", "numbered": 2}
    ours = _Sample(initial=initial)
    djangos = _Sample(initial=initial, renderer=DjangoTemplates())
    for name in _Sample.base_fields:
        assert "<option" in str(ours[name])
        assert _squash(str(ours[name])) == _squash(str(djangos[name])), name


def test_it_writes_a_bound_forms_choice_and_escapes_labels():
    form = _Sample(data={"plain": "a", "grouped": "ZZ", "several": ["2"]})
    assert '<option value="a" selected>A &amp; B</option>' in str(form["plain"])
    assert "&lt;b&gt;粗&lt;/b&gt;" in str(form["plain"])
    assert '<optgroup label="亚洲">' in str(form["grouped"])
    assert '<option value="ZZ" selected>' in str(form["grouped"])
    assert str(form["several"]).count(" selected") == 1


def test_it_writes_an_options_own_attributes():
    html = str(_Sample(initial={"flagged": "a"})["flagged"])
    assert '<option value="a" selected data-kind="x&quot;a">A</option>' in html
    assert '<option value="b" data-kind="x&quot;b" disabled>B</option>' in html
    assert "hidden" not in html


def test_it_is_the_select_every_form_renders(settings):
    template = _Sample().renderer.get_template("django/forms/widgets/select.html")
    assert template.origin.name == str(
        settings.BASE_DIR / "templates/django/forms/widgets/select.html"
    )
