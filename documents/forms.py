from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Evidence


class EvidenceForm(forms.Form):
    item = forms.ChoiceField(label=_("Case-file item"), choices=Evidence.Item.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    upload = forms.FileField(
        label=_("PDF file"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"})
    )
