"""The forms of values from data: a new metric token, and a key result's data source (their
rules are in goals/services/metrics.py and metric_sources.py)."""

from __future__ import annotations

from django import forms

from goals.forms.common import PageForm
from goals.models import TOKEN_NAME_MAX_LENGTH, URL_MAX_LENGTH, SourceEvery, SourceFormat
from goals.services import metric_sources, metrics


class MetricTokenForm(PageForm):
    name = forms.CharField(
        label="Name",
        max_length=TOKEN_NAME_MAX_LENGTH,
        help_text="What will push values with it, e.g. “Nightly warehouse export”: the goals' "
        "history names the values it sends after it.",
        error_messages={"required": metrics.NAME_MISSING, "max_length": metrics.NAME_TOO_LONG},
    )


class DataSourceForm(PageForm):
    url = forms.CharField(
        label="Address",
        max_length=URL_MAX_LENGTH,
        help_text="A public web address that answers a GET with the value, e.g. "
        "https://reports.example.com/weekly-cooks.json",
        error_messages={"required": "Give the address to read the value from."},
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    format = forms.ChoiceField(
        label="It answers with",
        choices=SourceFormat.choices,
        initial=SourceFormat.JSON,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose JSON or CSV: what the address answers with."},
    )
    path = forms.CharField(
        label="Where the value is",
        required=False,
        max_length=metric_sources.PATH_MAX_LENGTH,
        help_text='JSON: a JSON pointer, e.g. /data/0/count for {"data": [{"count": 1234}]} '
        "(empty when the answer is just a number). CSV: the name of the column; the value of "
        "its last row is read.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    every = forms.ChoiceField(
        label="Read it",
        choices=SourceEvery.choices,
        initial=SourceEvery.DAILY,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often to read it."},
    )

    def settings(self) -> metric_sources.SourceSettings:
        return metric_sources.SourceSettings(**self.cleaned_data)
