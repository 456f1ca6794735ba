"""Django's Redis cache with its connections kept for the life of the process.

Django makes a cache object per request context, and under ASGI every request is a context
of its own: with the stock backend each request builds a cache client (which reads redis-py's
version from its package metadata), a connection pool, and opens, greets and drops a Redis
connection (django/django#18459). Here every cache object of a process shares one client per
address and options, and that client one redis-py client per pool. redis-py replaces a pool's
connections after a fork by itself. Keys are not checked for memcached's sake, and many keys
that expire are written in one command.

Large writes of built bodies can be made after the answer (set_many_after_answer), by one
thread a process.
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from datetime import timedelta
from functools import cached_property
from typing import Any, ClassVar

import redis
from django.core.cache import cache
from django.core.cache.backends import redis as django_redis
from django.core.signals import request_finished, request_started
from django.dispatch import receiver

logger = logging.getLogger(__name__)


class RedisSerializer(django_redis.RedisSerializer):
    def loads(self, data: Any) -> Any:
        """As Django's, without trying every value as an integer first: a pickle starts with
        its protocol opcode, an integer (kept bare for INCR) with a digit or a sign. With a
        failed int() first (its error message quotes the data), decoding the many bodies of a
        large chain took several times as long (bench/README.md has the figures)."""
        if data[:1] == pickle.PROTO:
            return pickle.loads(data)
        return int(data)


# Each key with its value and expiry, in one command. Django's set_many sends an MSET and
# then an EXPIRE per key; packing those commands took longer than Redis took to run them.
_SET_EXPIRING = (
    "for i, key in ipairs(KEYS) do redis.call('SET', key, ARGV[i + 1], 'EX', ARGV[1]) end"
)


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, servers: list[str], serializer: Any = None, **options: Any) -> None:
        super().__init__(servers, serializer=serializer or RedisSerializer(), **options)
        self._clients: dict[bool, redis.Redis] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        # A redis-py client is safe to share between threads: each command takes a
        # connection from the pool. Two threads racing here make one spare client at worst.
        # (With several servers in LOCATION, a process keeps reading from one replica.)
        client = self._clients.get(write)
        if client is None:
            client = self._clients[write] = super().get_client(key, write=write)
        return client

    def set_many(
        self, data: Mapping[str | bytes | memoryview, Any], timeout: int | timedelta | None
    ) -> None:
        """As Django's, in one command when the keys expire (a large chain writes 10,000)."""
        if not isinstance(timeout, int) or timeout <= 0:
            # No expiry (Django passes None, which its stubs leave out), or expired at once.
            super().set_many(data, timeout)  # type: ignore[arg-type]
            return
        serializer = self._serializer  # type: ignore[attr-defined]  # set by Django's client
        values = [serializer.dumps(value) for value in data.values()]
        self.get_client(None, write=True).eval(_SET_EXPIRING, len(data), *data, timeout, *values)


class RedisCache(django_redis.RedisCache):
    _servers: list[str]
    _options: dict[str, Any]
    _shared: ClassVar[dict[str, RedisCacheClient]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = repr((self._servers, sorted(self._options.items())))
        with self._lock:
            client = self._shared.get(key)
            if client is None:
                client = self._shared[key] = RedisCacheClient(self._servers, **self._options)
            return client

    def validate_key(self, key: str) -> None:
        """Redis takes any key. Django's check, for keys that would break memcached, runs a
        lazily compiled pattern over every key: tens of milliseconds for the 10,000 keys of
        a large chain's goals."""


# The writes handed over while a request is served, made once it has answered.
_held: ContextVar[list[tuple[dict[str, Any], int]] | None] = ContextVar(
    "cache_writes_after_answer", default=None
)


def set_many_after_answer(data: dict[str, Any], timeout: int) -> None:
    """Write these entries to the default cache from this process's writer thread once the
    request that built them has answered (at once outside a request), in the order handed.

    Only for entries that are right whenever they land: each holds the signature it was built
    under, and a read uses it only while that signature holds. A write landing late then
    costs at most a read that builds the entry again. Writing a 10,000-goal chain's bodies
    took about a sixth of a cold read of it, and writing them from a thread while the
    request still ran took its share of the interpreter from it (bench/README.md)."""
    held = _held.get()
    if held is None:
        _hand_over(data, timeout)
    else:
        held.append((data, timeout))


@receiver(request_started)
def _hold(**kwargs: Any) -> None:
    _held.set([])


@receiver(request_finished)
def _release(**kwargs: Any) -> None:
    held = _held.get()
    _held.set(None)
    for data, timeout in held or ():
        _hand_over(data, timeout)


def _hand_over(data: dict[str, Any], timeout: int) -> None:
    _writer(os.getpid()).submit(_set_many, data, timeout).add_done_callback(_log_failure)


def written() -> None:
    """Wait until every write handed over so far in this process has landed (or failed)."""
    _writer(os.getpid()).submit(int).result()  # a task of nothing, run after those before it


@functools.cache
def _writer(pid: int) -> ThreadPoolExecutor:
    """The writer thread of the process `pid`: a process forked from another makes its own."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"cache-writer-{pid}")


def _set_many(data: dict[str, Any], timeout: int) -> None:
    cache.set_many(data, timeout)  # the writer thread's own cache object: Django keeps one each


def _log_failure(future: Future[None]) -> None:
    error = future.exception()
    if error is not None:
        logger.error("A cache write made after the answer failed.", exc_info=error)
