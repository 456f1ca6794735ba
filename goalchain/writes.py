"""A stamp in the shared cache that changes whenever any process writes to the database.

An answer cached with the stamp read before it was built is current while the stamp is the
same, without asking the database (goals/api/fast_reads.py). Writes are seen where every
query passes, the database connection, so no way of writing can forget to change it: the
ORM, bulk statements, raw SQL, migrations, a Celery worker.

The stamp changes before each statement that writes and again once its transaction
commits. The second is the one that counts: an answer built while the transaction was
open read the rows as they were, under the stamp of the first. The first makes a write seen
at once inside a transaction that never commits in this process (a test's). A write cannot
happen without the first (its statement is not run if the cache cannot be reached); if the
cache fails just after the commit, an answer made while the transaction was open may be
given until it expires (a quarter of an hour at most), and the failure is logged.

A new stamp is a random number, not a count: if the cache loses the key (a restart, an
eviction), a new one cannot repeat a stamp that answers were cached under before.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db.backends.base.base import BaseDatabaseWrapper

STAMP_KEY = "writes:stamp"

_READ_ONLY_STARTS = frozenset(
    {"SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET", "SHOW", "EXPLAIN",
     "PRAGMA", "VALUES"}
)  # fmt: skip
_TARGET = re.compile(r'\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# "UPDATE" after these words locks rows or settles a conflict; it names no table.
_NOT_A_TARGET_AFTER = frozenset({"FOR", "DO", "KEY"})
# Writes that no cached answer reads, by table and statement (registered by the apps).
_unwatched: dict[str, frozenset[str]] = {}


def unwatch(table: str, statements: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")) -> None:
    """Writes of these kinds to `table` leave the stamp as it is: only for tables whose rows
    no answer cached under the stamp shows or depends on."""
    _unwatched[table] = frozenset(statements)


def stamp_changed() -> None:
    cache.set(STAMP_KEY, secrets.randbits(62), None)


def new_stamp() -> int:
    """The stamp, first set when the cache has none."""
    cache.add(STAMP_KEY, secrets.randbits(62), None)
    return int(cache.get(STAMP_KEY))


def watch_writes(connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created` receiver: the connection's statements go through `_watched`."""
    if _watched not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watched)


def _watched(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    if not writes(sql):
        return execute(sql, params, many, context)
    stamp_changed()
    result = execute(sql, params, many, context)
    connection: BaseDatabaseWrapper = context["connection"]
    if not connection.in_atomic_block:
        stamp_changed()  # committed already (autocommit)
    elif not any(entry[1] is stamp_changed for entry in connection.run_on_commit):
        connection.on_commit(stamp_changed, robust=True)
    return result


def writes(sql: str) -> bool:
    """Whether the statement may change what a cached answer shows: any statement but a
    read, unless every table it writes is unwatched for that kind of write. A statement
    whose tables cannot be told (CREATE, ALTER, TRUNCATE…) counts.

    A process asks this of the same few statements again and again; long ones (a bulk
    insert's) are told each time rather than kept."""
    return _writes(sql) if len(sql) <= _KEPT_LENGTH else _writes.__wrapped__(sql)


_KEPT_LENGTH = 4096


@lru_cache(maxsize=1024)
def _writes(sql: str) -> bool:
    words = sql.lstrip(" \t\n(").split(None, 1)
    if not words or words[0].upper() in _READ_ONLY_STARTS:
        return False
    targets = []
    for match in _TARGET.finditer(sql):
        before = sql[: match.start()].split()
        if before and before[-1].upper() in _NOT_A_TARGET_AFTER:
            continue
        targets.append((match[1].split()[0].upper(), match[2]))
    if not targets:
        return True
    return any(kind not in _unwatched.get(table, ()) for kind, table in targets)
