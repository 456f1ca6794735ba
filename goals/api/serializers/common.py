"""Shared bases and fields of the API serializers: ids of other objects, roles, dates
people type (refused outside 1970 to 2200) and the `version` of objects edited together."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import models
from rest_framework import serializers

from goals.models import MAX_ID
from goals.rules.timeframes import DATE_WINDOW_MESSAGE, in_date_window


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """An integer id of another object, within the range the database can store."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


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


def role_field(choices: type[models.TextChoices]) -> serializers.ChoiceField:
    """A role, documented with its choices; anything else is named in the error."""
    return serializers.ChoiceField(
        choices=choices.choices,
        error_messages={"invalid_choice": f"Choose one of: {', '.join(choices.values)}."},
    )
