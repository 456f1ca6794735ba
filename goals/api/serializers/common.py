"""Shared bases and fields of the API serializers: ids of other objects, roles, dates
people type (refused outside 1970 to 2200), measures, flags that say whether a moment is set
and the `version` of objects edited together."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import models
from rest_framework import serializers

from goals.models import MAX_ID
from goals.rules.timeframes import DATE_WINDOW_MESSAGE, in_date_window
from goals.wording import json_number


class ForeignKeyField(serializers.IntegerField):
    """The id of a related object, written under the relation's name (`parent`) and read
    from its column (`parent_id`), so the object itself is not loaded. `source="parent_id"`
    would rename the value written as well."""

    def get_attribute(self, instance: Any) -> Any:
        return getattr(instance, f"{self.source}_id")


def id_field(*, foreign_key: bool = False, **kwargs: Any) -> serializers.IntegerField:
    """An integer id of another object, within the range the database can store; with
    `foreign_key`, shown from the relation's column (see `ForeignKeyField`)."""
    field_class = ForeignKeyField if foreign_key else serializers.IntegerField
    return field_class(min_value=1, max_value=MAX_ID, **kwargs)


class MeasureField(serializers.DecimalField):
    """A stored decimal written as a JSON number, as everywhere in the API: 12 for 12.0000,
    12.5 for 12.5000."""

    def to_representation(self, value: Any) -> int | float:  # type: ignore[override]
        return json_number(value)


class IsSetField(serializers.BooleanField):
    """Whether the moment in `source` is set: `edited` from `edited_at`."""

    def get_attribute(self, instance: Any) -> bool:
        return super().get_attribute(instance) is not None


class DateInWindowField(serializers.DateField):
    """A date someone types: refused outside 1970 to 2200, where it can only be a typo."""

    def to_internal_value(self, value: Any) -> date:
        day = super().to_internal_value(value)
        if not in_date_window(day):
            raise serializers.ValidationError(DATE_WINDOW_MESSAGE, code="date_window")
        return day


class DateTimeInWindowField(serializers.DateTimeField):
    """A moment someone types, on a day between 1970 and 2200."""

    # A moment too far out for its time zone overflows before its day can be checked.
    default_error_messages = {"overflow": DATE_WINDOW_MESSAGE}

    def to_internal_value(self, value: Any) -> datetime:
        moment = super().to_internal_value(value)
        if not in_date_window(moment.date()):
            raise serializers.ValidationError(DATE_WINDOW_MESSAGE, code="date_window")
        return moment


class VersionedSerializer(serializers.Serializer):
    """Adds the write-only-on-input, read-on-output `version` of objects edited together."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Required to edit: send the version you read; a stale one gets 409 and "
        "changes nothing.",
    )


def moved_last(data: dict[str, Any], *names: str) -> dict[str, Any]:
    """`data` with the keys `names` moved to its end, in that order.

    For the few shapes whose JSON has always had these keys later than the schema lists the
    fields (in the order they are declared): clients may read them in either order."""
    for name in names:
        data[name] = data.pop(name)
    return data


def role_field(choices: type[models.TextChoices]) -> serializers.ChoiceField:
    """A role, documented with its choices; anything else is named in the error."""
    return serializers.ChoiceField(
        choices=choices.choices,
        error_messages={"invalid_choice": f"Choose one of: {', '.join(choices.values)}."},
    )
