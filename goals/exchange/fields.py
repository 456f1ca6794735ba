"""Reading one value of the document: each reader checks it, says what is wrong by its place
in the document (`goals[3].ends_on`) and hands back the value parsed.

Also the plain tests of a value (a whole number, a ref, a day, a number) that the readers
and the checks of nested values share.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from goals.errors import Errors
from goals.models import MEASURE_LIMIT
from goals.rules.timeframes import DATE_WINDOW_MESSAGE, in_date_window


def is_whole(value: Any, low: int | None = None, high: int | None = None) -> TypeGuard[int]:
    """A whole number (not a flag), within [low, high] when given."""
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def is_ref(value: Any, refs: Collection[int]) -> bool:
    """One of the document's refs; anything else, a list included, is not (and never hashed)."""
    return is_whole(value) and value in refs


def is_day(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return Decimal(str(value)).is_finite() and abs(value) < MEASURE_LIMIT


def read_object(obj: dict[str, Any], key: str, errors: Errors, where: str) -> dict[str, Any] | None:
    value = obj.get(key)
    if not isinstance(value, dict):
        errors.add(f"{where}.{key}", "This part of the document is missing.")
        return None
    return value


def read_list(obj: dict[str, Any], key: str, errors: Errors, *, required: bool = True) -> list[Any]:
    value = obj.get(key, None if required else [])
    if not isinstance(value, list):
        errors.add(key, "This part of the document must be a list.")
        return []
    return value


def read_text(
    obj: dict[str, Any], key: str, errors: Errors, where: str, limit: int, *, required: bool = False
) -> str:
    value = obj.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(f"{where}.{key}", "This must be text.")
        return ""
    if required and not value.strip():
        errors.add(f"{where}.{key}", "This must not be empty.")
    elif len(value) > limit:
        errors.add(f"{where}.{key}", f"Keep this under {limit:,} characters.")
    return value.strip() if required else value


def read_day(obj: dict[str, Any], key: str, errors: Errors, where: str) -> date | None:
    value = obj.get(key)
    if value is None:
        return None
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        errors.add(f"{where}.{key}", "Write dates as YYYY-MM-DD.")
    elif not in_date_window(day):
        errors.add(f"{where}.{key}", DATE_WINDOW_MESSAGE)
        day = None
    return day


def read_moment(obj: dict[str, Any], key: str, errors: Errors, where: str) -> datetime:
    value = obj.get(key)
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or moment.tzinfo is None:
        errors.add(f"{where}.{key}", "Write times as ISO 8601 with a zone.")
        return timezone.now()
    if not in_date_window(moment.date()):
        errors.add(f"{where}.{key}", DATE_WINDOW_MESSAGE)
        return timezone.now()
    return moment


def read_optional_moment(
    obj: dict[str, Any], key: str, errors: Errors, where: str
) -> datetime | None:
    return None if obj.get(key) is None else read_moment(obj, key, errors, where)


def read_number(obj: dict[str, Any], key: str, errors: Errors, where: str) -> Decimal | None:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        errors.add(f"{where}.{key}", "This must be a number.")
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.add(f"{where}.{key}", "This must be a number.")
        return None
    if not number.is_finite() or abs(number) >= MEASURE_LIMIT:
        errors.add(f"{where}.{key}", "This number is out of range.")
        return None
    return number
