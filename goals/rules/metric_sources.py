"""Reading a key result's value out of what its data source answered: a JSON document and a
JSON pointer (RFC 6901, "/data/0/count"), or a CSV table and a column name (the value of its
last row). Pure functions, no queries and no requests: goals/services/metric_sources.py
fetches the answer and records the value.

What goes wrong is a `SourceError` whose message a person reads on the key result's page:
it names what was found where a number was expected.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from goals.models import MEASURE_LIMIT, MEASURE_PLACES

# A number as a JSON or CSV source writes one: 1234, -0.5, 1.5e3. No thousands separators,
# which mean a decimal point in half of Europe.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_STEP = Decimal(1).scaleb(-MEASURE_PLACES)
_QUOTED = 40  # characters of a text found quoted in a message


class SourceError(ValueError):
    """Why no value could be read from a source's answer, in words for the key result's page."""


def pointer_problem(pointer: str) -> str | None:
    """Why `pointer` is not a JSON pointer, or None when it is one ("" is the whole answer)."""
    if pointer and not pointer.startswith("/"):
        return "A JSON pointer starts with “/”, e.g. /data/0/count."
    if re.search(r"~(?![01])", pointer):
        return "In a JSON pointer “~” is written only as ~0 (a “~”) or ~1 (a “/”)."
    return None


def pointer_steps(pointer: str) -> list[str]:
    """ "/data/0/a~1b" → ["data", "0", "a/b"]: the names and positions to walk, unescaped."""
    problem = pointer_problem(pointer)
    if problem:
        raise SourceError(problem)
    if not pointer:
        return []
    return [step.replace("~1", "/").replace("~0", "~") for step in pointer[1:].split("/")]


def resolve_pointer(document: Any, pointer: str) -> Any:
    """What `pointer` points at in a parsed JSON document."""
    found = document
    walked = ""
    for step in pointer_steps(pointer):
        missing = _missing(found, step, f"at {walked}" if walked else "at the top")
        if missing:
            raise SourceError(f"The answer has nothing at {pointer}: {missing}.")
        found = found[int(step)] if isinstance(found, list) else found[step]
        walked += "/" + step.replace("~", "~0").replace("/", "~1")
    return found


def _missing(found: Any, step: str, where: str) -> str | None:
    """Why `found` has nothing under `step` (a name or a position), or None when it has."""
    if isinstance(found, dict):
        return None if step in found else f"the object {where} has no “{_quoted(step)}”"
    if not isinstance(found, list):
        return f"{where} it has {_described(found)}, which holds nothing else"
    if not (step.isascii() and step.isdigit()) or (step != "0" and step.startswith("0")):
        return f"{where} is a list, and “{_quoted(step)}” is not a position in it (0, 1, 2…)"
    if int(step) >= len(found):
        return f"the list {where} has {len(found)} items, so no item {step} (counting from 0)"
    return None


def value_from_json(body: bytes, pointer: str) -> Decimal:
    """The number at `pointer` in a JSON answer."""
    if not body.strip():
        raise SourceError("The answer is empty: there is no JSON to read.")
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise SourceError("The answer is not valid JSON.") from None
    return as_number(resolve_pointer(document, pointer), f"At {pointer or 'the top'}")


def value_from_csv(body: bytes, column: str) -> Decimal:
    """The number in `column` of the last row of a CSV answer (its first row names the
    columns; blank lines are skipped)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError("The answer is not text in UTF-8, so not a CSV table.") from None
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    except csv.Error:
        raise SourceError("The answer is not a CSV table Goal Chain can read.") from None
    if not rows:
        raise SourceError("The answer is empty: there is no CSV table to read.")
    header = [name.strip() for name in rows[0]]
    if column not in header:
        names = ", ".join(f"“{_quoted(name)}”" for name in header[:10])
        raise SourceError(
            f"The CSV table has no column “{_quoted(column)}”; its columns are {names}."
        )
    if len(rows) < 2:
        raise SourceError("The CSV table names its columns but has no rows of values.")
    last, index = rows[-1], header.index(column)
    if index >= len(last) or not last[index].strip():
        raise SourceError(f"The last row of the CSV table has no value for “{_quoted(column)}”.")
    return as_number(last[index].strip(), f"In the last row, “{_quoted(column)}”")


def as_number(found: Any, where: str) -> Decimal:
    """A value a source gave, as a measure Goal Chain keeps: a JSON number, or a text that
    is a plain number ("1234.5"); rounded to four decimal places."""
    if isinstance(found, bool) or not isinstance(found, int | float | str):
        raise SourceError(f"{where} the answer has {_described(found)}, not a number.")
    if isinstance(found, str) and not _NUMBER.fullmatch(found.strip()):
        raise SourceError(f"{where} the answer has the text “{_quoted(found)}”, not a number.")
    number = Decimal(str(found).strip())
    if not number.is_finite():  # JSON's NaN and Infinity, which Python reads as floats
        raise SourceError(f"{where} the answer has {found}, not a number.")
    if abs(number) >= MEASURE_LIMIT:
        raise SourceError(
            f"{where} the answer has {_quoted(str(found))}, larger than Goal Chain keeps: "
            "numbers stay under 100 billion."
        )
    return number.quantize(_STEP, rounding=ROUND_HALF_EVEN)


def _described(found: Any) -> str:
    if found is None:
        return "null (no value)"
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, dict):
        return "an object"
    if isinstance(found, list):
        return "a list"
    if isinstance(found, str):
        return f"the text “{_quoted(found)}”"
    return f"the number {found}"


def _quoted(text: str) -> str:
    """A text from the answer, short enough for a message."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= _QUOTED else one_line[: _QUOTED - 1] + "…"
