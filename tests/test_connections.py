"""Connections to PostgreSQL and Redis outlive a request, and dead ones are replaced."""

from __future__ import annotations

import asyncio
import contextvars
import os
import select
import warnings

import psycopg
import pytest
import redis
from asgiref.sync import sync_to_async
from django.db import connection
from psycopg_pool import ConnectionPool

from goalchain.cache import RedisCache
from goalchain.db import check_pooled_connection
from tests.conftest import on_postgresql, skip_or_fail
from workshops import events


@pytest.fixture
def redis_url() -> str:
    url = os.getenv("REDIS_URL", "")
    if not url:
        skip_or_fail("needs Redis: set REDIS_URL")
    return url


def cache_in_a_new_request(url: str) -> RedisCache:
    """Django makes a cache object per request context; this makes one the same way."""
    return contextvars.Context().run(
        RedisCache, url, {"OPTIONS": {"retry_on_error": [redis.ConnectionError]}}
    )


def test_every_request_shares_one_redis_client_and_connection(redis_url):
    first = cache_in_a_new_request(redis_url)
    first.set("connections-test", 1, 5)
    pool = first._cache.get_client().connection_pool
    opened = len(pool._available_connections) + len(pool._in_use_connections)
    later = [cache_in_a_new_request(redis_url) for _ in range(20)]
    for cache in later:
        assert cache.get("connections-test") == 1
        assert cache._cache is first._cache
        assert cache._cache.get_client() is first._cache.get_client()
    # The requests took turns on the connections already open: none was added.
    assert len(pool._available_connections) + len(pool._in_use_connections) == opened


@pytest.mark.alone  # it disconnects every client of the Redis server
def test_a_dropped_redis_connection_is_replaced(redis_url):
    cache = cache_in_a_new_request(redis_url)
    cache.set("connections-test", "kept", 5)
    admin = redis.Redis.from_url(redis_url)
    # Every connection but the admin's own goes, as when Redis restarts.
    assert admin.client_kill_filter(_type="normal", skipme=True) >= 1
    assert cache_in_a_new_request(redis_url).get("connections-test") == "kept"


@pytest.fixture
def pg_connection(db):
    if not on_postgresql():
        skip_or_fail("needs PostgreSQL: set DATABASE_URL")
    settings = connection.settings_dict
    conn = psycopg.connect(
        dbname=settings["NAME"],
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        autocommit=True,
    )
    yield conn
    conn.close()


def test_a_live_pooled_connection_passes_without_a_query(pg_connection, monkeypatch):
    def no_query(_: psycopg.Connection) -> None:
        raise AssertionError("the check sent a query")

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(no_query))
    check_pooled_connection(pg_connection)


def test_a_terminated_pooled_connection_fails_the_check(pg_connection):
    pid = pg_connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server's goodbye reaches the socket a moment later.
    select.select([pg_connection.fileno()], [], [], 5)
    with pytest.raises(psycopg.OperationalError):
        check_pooled_connection(pg_connection)


def test_the_apps_connections_plan_a_prepared_query_once_for_good(db):
    if not on_postgresql():
        skip_or_fail("needs PostgreSQL: set DATABASE_URL")
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)


@pytest.mark.django_db(transaction=True)
def test_an_open_event_stream_holds_no_connection_between_its_reads(settings):
    if not on_postgresql():
        skip_or_fail("needs PostgreSQL: set DATABASE_URL")
    settings.REDIS_URL = ""  # the stream polls the table: two reads in its second

    async def listen() -> bool:
        async for _ in events.stream(1, 0, seconds=1):
            pass
        # The thread the stream read in, as it is between two reads:
        return await sync_to_async(lambda: connection.connection is None)()

    assert asyncio.run(listen())


def test_values_and_counters_round_trip_without_parsing_pickles_as_numbers(redis_url):
    cache = cache_in_a_new_request(redis_url)
    values = {"c-int": 7, "c-negative": -3, "c-tuple": ("sig", b"{}", True), "c-text": "12"}
    cache.set_many(values, 5)
    assert cache.get_many(list(values)) == values
    assert cache.incr("c-int") == 8  # integers stay bare, so INCR works on them
    assert cache.get("c-int") == 8


def test_keys_are_not_checked_for_memcached(redis_url):
    cache = cache_in_a_new_request(redis_url)
    key = "chain goal " + "x" * 300  # a space and 300 characters: memcached would refuse it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.set(key, 1, 5)
        assert cache.get(key) == 1


def test_many_keys_are_written_with_their_expiry_in_one_command(redis_url):
    cache = cache_in_a_new_request(redis_url)
    client = cache._cache.get_client(write=True)
    values = {"m-int": 7, "m-tuple": ("sig", b"{}", b""), "m-text": "12"}
    keys = [cache.make_key(key) for key in values]
    sent: list[str] = []
    real_eval = client.eval

    def counted(script, count, *args):
        sent.append(script)
        return real_eval(script, count, *args)

    client.eval = counted
    try:
        cache.set_many(values, 30)
    finally:
        del client.eval
    assert len(sent) == 1
    assert cache.get_many(list(values)) == values
    assert all(0 < client.ttl(key) <= 30 for key in keys)
    assert cache.incr("m-int") == 8  # the integer is still written bare
    # Without an expiry, and expired at once, as Django's own set_many does.
    cache.set_many(values, None)
    assert [client.ttl(key) for key in keys] == [-1, -1, -1]
    cache.set_many(values, 0)
    assert cache.get_many(list(values)) == {}
