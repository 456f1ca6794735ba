"""JSON in: DRF's parser, with a bound on how deeply a body may nest.

Python's decoder recurses once per level, so a body of a few thousand brackets exhausts the
stack (a RecursionError, a 500), and a body just under that limit still breaks whatever walks
it later. No document of ours nests deeper than a handful of levels, so anything past
`MAX_DEPTH` is refused as bad input before any view sees it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32
TOO_DEEP = f"JSON nested more than {MAX_DEPTH} levels deep is not accepted."


class TooDeep(ValueError):
    def __init__(self) -> None:
        super().__init__(TOO_DEEP)


def nesting_depth(value: Any) -> int:
    """How many arrays and objects deep `value` goes, walked without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def loads(text: str | bytes) -> Any:
    """Decode JSON text: ValueError when it is malformed, TooDeep when it nests too deep."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep from None
    if nesting_depth(value) > MAX_DEPTH:
        raise TooDeep
    return value


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        return data
