"""What every page form shares: the renderer, the `PageForm` base whose `show_errors` maps a
service's DomainError back onto the inputs, the date and measure fields, and small helpers
for text, version and people fields. The forms only parse types; every rule lives in the
services, so a rule is written once and reads the same on a page and in the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import renderers
from django.utils.functional import cached_property

from goals.errors import DomainError
from goals.models import MEASURE_DIGITS, MEASURE_PLACES, User
from goals.rules.timeframes import DATE_WINDOW_MESSAGE, EARLIEST_DAY, LATEST_DAY, in_date_window
from goals.services.versioning import VERSION_REQUIRED
from goals.wording import plain_number


class PageRenderer(renderers.DjangoTemplates):
    """Fields render through templates/forms/field.html: label, input, help and errors."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"

    @cached_property
    def engine(self) -> Any:
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    Path(renderers.__file__).parent / "templates",
                    settings.BASE_DIR / "templates",
                ],
                "NAME": "pageforms",
                "OPTIONS": {},
            }
        )


# One instance, so its template engine (and cache) is shared by every form.
PAGE_RENDERER = PageRenderer()


class PageForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("renderer", PAGE_RENDERER)
        super().__init__(*args, **kwargs)

    def show_errors(self, error: DomainError) -> None:
        """Put a service's field errors under the matching inputs, the rest on top."""
        for name, messages in error.errors.items():
            visible = name in self.fields and not self.fields[name].widget.is_hidden
            for message in messages:
                self.add_error(name if visible else None, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(
            format="%Y-%m-%d",
            attrs={"min": EARLIEST_DAY.isoformat(), "max": LATEST_DAY.isoformat()},
        )


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(
            format="%Y-%m-%dT%H:%M",
            attrs={
                "min": f"{EARLIEST_DAY.isoformat()}T00:00",
                "max": f"{LATEST_DAY.isoformat()}T23:59",
            },
        )


def _check_date_window(value: date) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if not in_date_window(day):
        raise ValidationError(DATE_WINDOW_MESSAGE, code="date_window")


class DateInWindowField(forms.DateField):
    """A date someone types: refused outside 1970 to 2200, where it can only be a typo."""

    widget = DateInput
    default_validators = [_check_date_window]


class DateTimeInWindowField(forms.DateTimeField):
    """A moment someone types, on a day between 1970 and 2200."""

    widget = DateTimeInput
    default_validators = [_check_date_window]


class MeasureInput(forms.NumberInput):
    """A measure in its box as people write it: 2600, not the column's 2600.0000 (ungrouped,
    so the browser's number box reads it back)."""

    def format_value(self, value: Any) -> str | None:
        return None if value is None or value == "" else plain_number(value)


def measure_field(label: str, **kwargs: Any) -> forms.DecimalField:
    """A key result's or an insight's number, as precise as the database keeps it."""
    return forms.DecimalField(
        label=label,
        max_digits=MEASURE_DIGITS,
        decimal_places=MEASURE_PLACES,
        widget=MeasureInput,
        **kwargs,
    )


def text_field(label: str, *, required: bool = False, rows: int | None = None, **kw: Any) -> Any:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, required=required, widget=widget, strip=False, **kw)


def date_field(label: str) -> forms.DateField:
    return DateInWindowField(label=label, required=False)


def version_field() -> forms.IntegerField:
    """The version the form was opened on: an edit without it is refused, as in the API."""
    return forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": VERSION_REQUIRED}
    )


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def people_field(users: Iterable[User], blank: str | None) -> list[tuple[Any, str]]:
    choices: list[tuple[Any, str]] = [("", blank)] if blank is not None else []
    return choices + [(user.pk, f"{user.name} ({user.email})") for user in users]


class PeopleMixin:
    """Owner choices from a list of users loaded once by the view (no query per render)."""

    people: dict[int, User]

    def _person(self, value: Any) -> User | None:
        return self.people.get(int(value)) if value not in (None, "") else None
