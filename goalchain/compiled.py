"""Queries whose SQL the ORM compiles once per process, for the hottest writes.

Compiling a query with the ORM can take longer than the database takes to answer it: a
ballot in a vote storm asked three such queries. `Compiled(build)` keeps the rule in the
ORM: `build` makes the query from stand-in values, once; each call then runs that SQL with
its own values in the stand-ins' places. Where those places are is found by compiling the
query twice, with two sets of stand-ins: the parameters that differ are theirs. Values are
ids and whole numbers, and stand-ins fit the smallest integer field.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.db import connections
from django.db.models import QuerySet

_STAND_INS = ((32_749, 32_719, 32_717), (32_713, 32_707, 32_693))


class Compiled:
    def __init__(self, build: Callable[..., QuerySet[Any]]) -> None:
        self.build = build

    @cached_property
    def _query(self) -> tuple[str, str, list[tuple[int | None, Any]]]:
        """The database alias, the SQL, and for each parameter the index of the value that
        goes there (None for a constant of the query) with its constant."""
        count = len(inspect.signature(self.build).parameters)
        compiled = []
        for stand_ins in _STAND_INS:
            queryset = self.build(*stand_ins[:count])
            compiled.append((queryset.db, *queryset.query.get_compiler(queryset.db).as_sql()))
        (alias, sql, params), (_, other_sql, other_params) = compiled
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError("The query's SQL depends on its values: it cannot be compiled once.")
        slots = [
            (None if a == b else _STAND_INS[0].index(a), a)
            for a, b in zip(params, other_params, strict=True)
        ]
        return alias, sql, slots

    def rows(self, *values: int) -> list[tuple[Any, ...]]:
        """The query's rows (as the database gives them, not converted to fields' values)
        with `values` in the stand-ins' places, in order."""
        alias, sql, slots = self._query
        return self._run(alias, sql, slots, values)

    def page(self, *values: int, start: int, size: int) -> list[tuple[Any, ...]]:
        """rows(*values) from the `start`-th (counting from 0), at most `size` of them."""
        alias, sql, slots = self._query
        window = [*slots, (None, size), (None, start)]
        return self._run(alias, f"{sql} LIMIT %s OFFSET %s", window, values)

    def count(self, *values: int) -> int:
        """How many rows the query gives with `values` in the stand-ins' places."""
        alias, sql, slots = self._query
        rows = self._run(alias, f"SELECT COUNT(*) FROM ({sql}) counted", slots, values)
        return int(rows[0][0])

    @staticmethod
    def _run(
        alias: str, sql: str, slots: list[tuple[int | None, Any]], values: tuple[int, ...]
    ) -> list[tuple[Any, ...]]:
        params = [constant if index is None else values[index] for index, constant in slots]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
