"""Reading a value out of a data source's answer (goals/rules/metric_sources.py): JSON
pointers as RFC 6901 writes them, CSV columns, and numbers as Goal Chain keeps them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from goals.rules.metric_sources import (
    SourceError,
    as_number,
    pointer_steps,
    resolve_pointer,
    value_from_csv,
    value_from_json,
)

# RFC 6901, section 5.
DOCUMENT = {
    "foo": ["bar", "baz"],
    "": 0,
    "a/b": 1,
    "c%d": 2,
    "e^f": 3,
    "g|h": 4,
    "i\\j": 5,
    'k"l': 6,
    " ": 7,
    "m~n": 8,
}


@pytest.mark.parametrize(
    ("pointer", "found"),
    [
        ("", DOCUMENT),
        ("/foo", ["bar", "baz"]),
        ("/foo/0", "bar"),
        ("/", 0),
        ("/a~1b", 1),
        ("/c%d", 2),
        ("/e^f", 3),
        ("/g|h", 4),
        ("/i\\j", 5),
        ('/k"l', 6),
        ("/ ", 7),
        ("/m~0n", 8),
    ],
)
def test_it_resolves_the_pointers_of_rfc_6901(pointer, found):
    assert resolve_pointer(DOCUMENT, pointer) == found


def test_it_unescapes_tilde_one_before_tilde_zero():
    assert pointer_steps("/~01") == ["~1"]


@pytest.mark.parametrize(
    ("pointer", "message"),
    [
        ("/foo/01", "at /foo is a list, and “01” is not a position in it (0, 1, 2…)"),
        ("/foo/-", "at /foo is a list, and “-” is not a position in it (0, 1, 2…)"),
        ("/foo/２", "at /foo is a list, and “２” is not a position in it (0, 1, 2…)"),
        ("/foo/0/x", "at /foo/0 it has the text “bar”, which holds nothing else"),
        ("/m~0n/x", "at /m~0n it has the number 8, which holds nothing else"),
        ("/nope", "the object at the top has no “nope”"),
    ],
)
def test_it_says_where_a_pointer_finds_nothing(pointer, message):
    with pytest.raises(SourceError) as refused:
        resolve_pointer(DOCUMENT, pointer)
    assert str(refused.value) == f"The answer has nothing at {pointer}: {message}."


@pytest.mark.parametrize(
    ("found", "number"),
    [
        (12, Decimal(12)),
        (-0.5, Decimal("-0.5")),
        ("1234.5", Decimal("1234.5")),
        (" 7 ", Decimal(7)),
        ("1.5e3", Decimal(1500)),
        (1.23456789, Decimal("1.2346")),
        ("0.00001", Decimal(0)),
    ],
)
def test_numbers_are_read_and_rounded_to_four_places(found, number):
    assert as_number(found, "At /n") == number


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"n": true}', "At /n the answer has true, not a number."),
        (b'{"n": {"v": 1}}', "At /n the answer has an object, not a number."),
        (b'{"n": "1,234"}', "At /n the answer has the text “1,234”, not a number."),
        (b'{"n": NaN}', "At /n the answer has nan, not a number."),
        (b'{"n": Infinity}', "At /n the answer has inf, not a number."),
        (
            b'{"n": 1e11}',
            "At /n the answer has 100000000000.0, larger than Goal Chain keeps: numbers stay "
            "under 100 billion.",
        ),
        (b'{"n": "' + b"9" * 60 + b'"}', "larger than Goal Chain keeps"),
        (b"[" * 100_000 + b"]" * 100_000, "The answer is not valid JSON."),
        (b"\xff\xfe{", "The answer is not valid JSON."),
    ],
)
def test_anything_but_a_number_is_named(body, message):
    with pytest.raises(SourceError) as refused:
        value_from_json(body, "/n")
    assert message in str(refused.value)


def test_a_long_text_found_is_shortened_in_the_message():
    with pytest.raises(SourceError) as refused:
        value_from_json(json.dumps({"n": "word " * 50}).encode(), "/n")
    assert len(str(refused.value)) < 100 and "…" in str(refused.value)


def test_a_csv_column_is_read_from_the_last_row_with_quotes_and_a_byte_order_mark():
    body = '\ufeffday,"weekly, cooks"\r\n1,"1,0"\r\n2, 12.5 \r\n'.encode()
    assert value_from_csv(body, "weekly, cooks") == Decimal("12.5")
