"""The write stamp (goalchain/writes.py): every statement that may change an answer changes it,
reads and the writes no answer shows leave it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from accounts.models import ApiToken
from goalchain.writes import STAMP_KEY, _watched, new_stamp, stamp_changed, writes
from goals.models import Goal
from tests.factories import GoalFactory
from workshops.models import Vote, WorkshopEvent
from workshops.services.votes import _CAST

GOAL, TOKEN = Goal._meta.db_table, ApiToken._meta.db_table
VOTE, EVENT = Vote._meta.db_table, WorkshopEvent._meta.db_table


READS = {
    "for update": f'SELECT "{GOAL}"."id" FROM "{GOAL}" WHERE "{GOAL}"."id" = %s FOR UPDATE',
    "no key update": f"SELECT id FROM {GOAL} FOR NO KEY UPDATE SKIP LOCKED",
    "parenthesised": f'  (SELECT 1 FROM "{GOAL}") UNION (SELECT 2)',
    "savepoint": 'SAVEPOINT "s1"',
    "release": 'RELEASE SAVEPOINT "s1"',
    "token use": f'UPDATE "{TOKEN}" SET "last_used_at" = %s WHERE "id" = %s',
    "ballot upsert": (
        f'INSERT INTO "{VOTE}" ("value") VALUES (%s) ON CONFLICT (id) DO UPDATE SET value = 1'
    ),
    "ballot statement": _CAST,
    "empty": "",
}
WRITES = {
    "update": f'UPDATE "{GOAL}" SET "title" = %s WHERE "id" = %s',
    "insert": f'INSERT INTO "{GOAL}" ("title") VALUES (%s)',
    "revoke": f'DELETE FROM "{TOKEN}" WHERE "id" = %s',
    "write in a WITH": f"WITH m AS (UPDATE {GOAL} SET title = 'x' RETURNING id) SELECT id FROM m",
    "one of two unwatched": f'INSERT INTO "{EVENT}" (kind) VALUES (%s); UPDATE "{GOAL}" SET x = 1',
    "alter": f'ALTER TABLE "{GOAL}" ADD COLUMN "x" integer',
    "truncate": f'TRUNCATE "{VOTE}"',
    "lower case": f"update {GOAL} set title = 'x'",
}


@pytest.mark.parametrize("sql", READS.values(), ids=list(READS))
def test_reads_and_unwatched_writes_leave_the_stamp(sql):
    assert not writes(sql)


@pytest.mark.parametrize("sql", WRITES.values(), ids=list(WRITES))
def test_writes_change_the_stamp(sql):
    assert writes(sql)


def test_every_connection_is_watched(db):
    connection.ensure_connection()
    assert _watched in connection.execute_wrappers


def test_a_write_changes_the_stamp_before_and_after_its_commit(transactional_db):
    goal = GoalFactory()
    with transaction.atomic():
        before = new_stamp()
        Goal.objects.filter(pk=goal.pk).update(title="Renamed")
        at_the_write = new_stamp()
        Goal.objects.filter(pk=goal.pk).update(title="Renamed again")
        pending = [hook for _, hook, _ in connection.run_on_commit if hook is stamp_changed]
    assert at_the_write != before
    assert len(pending) == 1  # once a transaction, however many writes
    assert new_stamp() != at_the_write  # at the commit


def test_a_rolled_back_write_leaves_nothing_to_do_at_commit(transactional_db):
    goal = GoalFactory()
    with transaction.atomic():
        try:
            with transaction.atomic():
                Goal.objects.filter(pk=goal.pk).update(title="Renamed")
                raise RuntimeError
        except RuntimeError:
            pass
        assert not connection.run_on_commit
        Goal.objects.filter(pk=goal.pk).update(title="Renamed after all")
        assert [hook for _, hook, _ in connection.run_on_commit] == [stamp_changed]


def test_a_raw_write_outside_a_transaction_changes_the_stamp(db, team):
    goal = GoalFactory(product=team.product)
    before = new_stamp()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {GOAL} SET title = %s WHERE id = %s", ["Raw", goal.pk])
    assert new_stamp() != before


def test_a_read_leaves_the_stamp(db, team):
    before = new_stamp()
    list(Goal.objects.select_for_update().filter(product=team.product))
    assert new_stamp() == before


def test_a_lost_stamp_is_set_anew(db):
    cache.delete(STAMP_KEY)
    first = new_stamp()
    assert new_stamp() == first == cache.get(STAMP_KEY)
