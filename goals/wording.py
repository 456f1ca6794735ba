"""How the app writes the sentences and numbers people read.

One rule for every number a person sees, on pages, in forms, emails, notifications and export
text: no trailing zeros ("3.1", not "3.1000"), thousands grouped ("50,000") and the noun that
follows a count in its right form ("1 concern", "2 concerns"). JSON keeps numbers as numbers.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

SENTENCE_ENDS = (".", "!", "?", "…")

# A goal's fields in the words of the pages (the activity feed, chat messages).
FIELD_WORDS = {
    "title": "title",
    "description": "description",
    "owner": "owner",
    "status": "status",
    "starts_on": "start date",
    "ends_on": "end date",
    "confidence": "confidence",
    "next_review_on": "next review",
    "outcome_note": "outcome note",
    "parents": "goals it serves",
    "sprint_verdict": "verdict",
}


def full_stop(text: str) -> str:
    """End a sentence with a full stop, unless its last word already ends one: "Welcome to
    Healthy Eating Co." keeps its one full stop, "Ship it!" its exclamation mark."""
    return text if text.rstrip().endswith(SENTENCE_ENDS) else f"{text}."


def _decimal(value: Any) -> Decimal | None:
    """`value` as a finite decimal, or None when it is not a number (None, "", "abc", NaN)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def plain_number(value: Any) -> str:
    """A number as typed into a field or written into a data file: "42.5" for "42.5000", "2600"
    for 2600.0000, never "1E+1" nor "-0", never grouped (so it reads back as the same number);
    anything that is not a number stays as it was typed."""
    if type(value) is Decimal and value.is_finite():  # as stored: an export writes thousands
        return _plain_decimal(value)
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return _plain_decimal(number)


@lru_cache(maxsize=4096)
def _plain_decimal(number: Decimal) -> str:
    """Equal decimals (12.5 and 12.5000) are written alike, so they share an entry."""
    return f"{(number + 0).normalize():f}"  # + 0: no "-0"


def json_number(value: Any) -> int | float:
    """A stored decimal as the API writes it: 12 for 12.0000, 12.5 for 12.5000."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def amount(value: Any) -> str:
    """A number as people read it: "3.1" for 3.1000, "50,000" for 50000, "1,234,567.5";
    anything that is not a number stays as it was written ("" for None)."""
    text = plain_number(value)
    if _decimal(value) is None:
        return text
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, point, fraction = digits.partition(".")
    return f"{sign}{int(whole):,}{point}{fraction}"


def counted(count: Any, singular: str, plural: str | None = None) -> str:
    """A count with its noun in the right form: "1 concern", "2 concerns", "0 concerns",
    "1,200 votes"; `plural` for nouns that do not just take an "s" ("1 person", "3 people")."""
    one = _decimal(count) == 1
    return f"{amount(count)} {singular if one else (plural or singular + 's')}"


EXCERPT_LENGTH = 280


def excerpt_of(text: str) -> str:
    """A short plain-text preview: the first characters, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_LENGTH else flat[: EXCERPT_LENGTH - 1].rstrip() + "…"
