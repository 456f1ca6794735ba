"""Live updates for the workshop room.

Each change is a WorkshopEvent row, so a reconnecting browser resumes from its last
event id. A web process reads a room's events once for every stream of it that it serves
(_Room): with Redis configured, a publish on the workshop's channel wakes each process's
room at once; without it, the room polls the table twice a second.
An event names what changed and counts; it never carries a vote value. Every few seconds
(setting WORKSHOP_STREAM_RECHECK_SECONDS) a stream checks that its listener may still enter
the room, and ends when they may not: someone taken off the product stops hearing it.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import time
from bisect import bisect_right
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
from functools import cache
from operator import itemgetter
from typing import Any
from weakref import WeakKeyDictionary

import redis
import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection, transaction

from goalchain.compiled import Compiled
from workshops.models import Workshop, WorkshopEvent

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5
STREAM_SECONDS = 25  # then the browser's EventSource reconnects with Last-Event-ID
# How long a browser waits before it reconnects: a change made in that gap reaches it only
# after it, and the room promises every change within two seconds.
RECONNECT_MS = 250
RECHECK_SECONDS = 5.0  # the default of settings.WORKSHOP_STREAM_RECHECK_SECONDS
# A room reads the table at most once in this time: woken by an event within it of its
# last read, it waits out the rest and reads every event announced meanwhile at once. In a
# vote storm every ballot is an event, and reading the table once per ballot cost the
# server more than the ballots did; a quiet room's first event is read at once.
GATHER_SECONDS = 0.1
PAGE = 100  # events read at once
KEPT = 500  # events a process keeps of each room it serves


def channel(workshop_id: int) -> str:
    return f"goalchain:workshop:{workshop_id}"


def emit(workshop: Workshop, kind: str, **data: Any) -> WorkshopEvent:
    """Record a room event; it is announced once the surrounding transaction commits."""
    event = WorkshopEvent.objects.create(workshop=workshop, kind=kind, data=data)
    announce(workshop.pk, event.pk)
    return event


def announce(workshop_id: int, event_id: int) -> None:
    """Wake the workshop's streams for a recorded event once the transaction commits."""
    if settings.REDIS_URL:
        transaction.on_commit(lambda: _publish(workshop_id, event_id))


@cache
def _publisher(url: str) -> redis.Redis:
    """One client (and its pool of connections) a process: a connection made for each
    event cost more than the rest of casting a vote."""
    return redis.Redis.from_url(url)


def _publish(workshop_id: int, event_id: int) -> None:
    try:
        _publisher(settings.REDIS_URL).publish(channel(workshop_id), str(event_id))
    except redis.RedisError:
        # Streams fall back to polling the table, so a lost wake-up only costs latency.
        log.warning("Could not publish workshop event %s", event_id, exc_info=True)


def events_after(workshop_id: int, last_id: int) -> list[WorkshopEvent]:
    """Up to PAGE of the workshop's events after `last_id`, oldest first."""
    data = WorkshopEvent._meta.get_field("data")
    column = data.get_col(WorkshopEvent._meta.db_table)
    return [
        WorkshopEvent(
            pk=pk,
            workshop_id=workshop_id,
            kind=kind,
            data=data.from_db_value(raw, column, connection),
        )
        for pk, kind, raw in _AFTER.page(workshop_id, last_id, start=0, size=PAGE)
    ]


# Every stream reads this at each wake-up, in a vote storm ten times a second a listener:
# its SQL is compiled once (goalchain/compiled.py).
_AFTER = Compiled(
    lambda workshop_id, last_id: (
        WorkshopEvent.objects.filter(workshop_id=workshop_id, pk__gt=last_id)
        .order_by("pk")
        .values_list("pk", "kind", "data")
    )
)


def released[**P, T](read: Callable[P, T]) -> Callable[P, T]:
    """`read`, then the thread's database connection given back (give_back_connection)."""

    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return read(*args, **kwargs)
        finally:
            give_back_connection()

    return run


def give_back_connection() -> None:
    """The thread's database connection given back (to the pool, with PostgreSQL). A stream
    stays open for many seconds: a connection it kept from one read to the next, or from the
    reads that opened it, was one fewer for its process's requests, and a room's watchers
    could hold them all while requests waited for one (bench/README.md)."""
    if not connection.in_atomic_block:
        close_old_connections()


def latest_event_id(workshop_id: int) -> int:
    last = WorkshopEvent.objects.filter(workshop_id=workshop_id).order_by("-pk").first()
    return last.pk if last else 0


def format_sse(event: WorkshopEvent) -> str:
    payload = json.dumps({"kind": event.kind, **event.data})
    return f"id: {event.pk}\nevent: {event.kind}\ndata: {payload}\n\n"


async def stream(
    workshop_id: int,
    last_id: int,
    *,
    seconds: float = STREAM_SECONDS,
    allowed: Callable[[], Awaitable[bool]] | None = None,
) -> AsyncIterator[str]:
    """Server-Sent Events for one workshop, from the event after `last_id`, for `seconds`;
    it ends early once `allowed()` says the listener may no longer enter the room.

    The events come from the process's _Room; a listener further behind than the room
    keeps reads the table itself until it has caught up."""
    fetch = sync_to_async(released(events_after))
    deadline = time.monotonic() + seconds
    recheck = _recheck_seconds()
    next_check = time.monotonic() + recheck
    yield f"retry: {RECONNECT_MS}\n\n"
    room = _Room.join(workshop_id, last_id)
    waited = False
    try:
        while time.monotonic() < deadline:
            if allowed is not None and time.monotonic() >= next_check:
                if not await allowed():
                    return
                next_check = time.monotonic() + recheck
            changed = room.changed
            found = room.after(last_id)
            if found is None:
                floor = room.floor
                found = _as_sent(await fetch(workshop_id, last_id))
                if len(found) < PAGE:  # the table holds nothing more up to the room's floor
                    last_id = max(last_id, floor)
            # The events found at once go out in one write, or a keep-alive when a wait
            # brought none: in a vote storm a read brings dozens, and a write per event
            # was a tenth of a web worker's time.
            if found:
                last_id = max(last_id, found[-1][0])
                yield "".join(text for _, text in found)
            elif waited:
                yield ": keep-alive\n\n"
            if room.after(last_id) == []:  # nothing more to send until the room reads again
                with suppress(TimeoutError):
                    async with asyncio.timeout(min(recheck, max(0.0, deadline - time.monotonic()))):
                        await changed.wait()
                waited = True
    finally:
        await room.leave()


class _Room:
    """A workshop's events as one web process hears them, shared by every stream of the room
    it serves: one Redis subscription, one read of the table a wake-up, each event formatted
    once. In a vote storm watched by ten people, each stream reading the table and hearing
    every announcement for itself cost the web workers a fifth of their time (bench/README.md).

    It keeps every event after `floor` up to `last_id`: those read since it opened, the
    latest KEPT of them."""

    def __init__(self, workshop_id: int, last_id: int) -> None:
        self.workshop_id = workshop_id
        self.floor = self.last_id = last_id
        self.kept: list[tuple[int, str]] = []  # (event id, the event as the stream sends it)
        self.changed = asyncio.Event()  # set, then replaced, at each read that found events
        self.listeners = 0
        # A context of its own: the room outlives the request that opened it, and its reads
        # must not go to that request's thread (asgiref refuses it once the request ends).
        self.reading = asyncio.create_task(self._read(), context=contextvars.Context())

    @classmethod
    def join(cls, workshop_id: int, last_id: int) -> _Room:
        """The process's room of the workshop, opened for the first of its listeners."""
        rooms = _ROOMS.setdefault(asyncio.get_running_loop(), {})
        room = rooms.get(workshop_id)
        if room is None:
            room = rooms[workshop_id] = cls(workshop_id, last_id)
        room.listeners += 1
        return room

    async def leave(self) -> None:
        """One listener fewer; the last one closes the room."""
        self.listeners -= 1
        if self.listeners:
            return
        del _ROOMS[asyncio.get_running_loop()][self.workshop_id]
        self.reading.cancel()
        with suppress(asyncio.CancelledError):
            await self.reading

    def after(self, last_id: int) -> list[tuple[int, str]] | None:
        """The events after `last_id` read so far; None when some of them are older than
        the room keeps."""
        if last_id < self.floor:
            return None
        return self.kept[bisect_right(self.kept, last_id, key=itemgetter(0)) :]

    async def _read(self) -> None:
        fetch = sync_to_async(released(events_after))
        wake = _Wakeup(self.workshop_id) if settings.REDIS_URL else None
        recheck = _recheck_seconds()
        try:
            if wake:
                await wake.start()
            while True:
                try:
                    found = await fetch(self.workshop_id, self.last_id)
                except Exception:
                    # Its streams wait on the room: it reads again at the next wake-up.
                    log.warning(
                        "Could not read workshop %s's events", self.workshop_id, exc_info=True
                    )
                    found = []
                if found:
                    self._keep(found)
                if len(found) == PAGE:
                    continue  # more were announced than a page holds
                if wake:
                    await wake.wait(recheck)
                else:
                    await asyncio.sleep(POLL_SECONDS)
        finally:
            if wake:
                await wake.stop()

    def _keep(self, found: list[WorkshopEvent]) -> None:
        self.kept.extend(_as_sent(found))
        self.last_id = found[-1].pk
        if len(self.kept) > KEPT:
            dropped = len(self.kept) - KEPT
            self.floor = self.kept[dropped - 1][0]
            del self.kept[:dropped]
        self.changed.set()
        self.changed = asyncio.Event()


def _as_sent(found: list[WorkshopEvent]) -> list[tuple[int, str]]:
    """Each event's id, and the event as a stream sends it."""
    return [(event.pk, format_sse(event)) for event in found]


def _recheck_seconds() -> float:
    return float(getattr(settings, "WORKSHOP_STREAM_RECHECK_SECONDS", RECHECK_SECONDS))


# Each event loop's open rooms by workshop: one loop a web process, one a test.
_ROOMS: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _Room]] = WeakKeyDictionary()


class _Wakeup:
    """Waits for a publish on the workshop's Redis channel, falling back to polling."""

    def __init__(self, workshop_id: int) -> None:
        self.workshop_id = workshop_id
        self.pubsub: Any = None
        self.client: Any = None
        self.next_read = 0.0  # time.monotonic() from which the table may be read again

    async def start(self) -> None:
        try:
            self.client = aioredis.Redis.from_url(settings.REDIS_URL)
            self.pubsub = self.client.pubsub()
            await self.pubsub.subscribe(channel(self.workshop_id))
        except Exception:
            log.warning("Redis unavailable for live updates; polling instead", exc_info=True)
            self.pubsub = None

    async def wait(self, timeout: float) -> None:
        """Wait up to `timeout` for an event; once one comes, and GATHER_SECONDS have passed
        since the last wake-up, gather those announced meanwhile."""
        if self.pubsub is None:
            await asyncio.sleep(POLL_SECONDS)
            return
        try:
            woken = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=timeout)
            if woken is None:
                return
            early = self.next_read - time.monotonic()
            if early > 0:
                await asyncio.sleep(early)
            while await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=0):
                pass  # announced meanwhile: the next read of the table brings them all
            self.next_read = time.monotonic() + GATHER_SECONDS
        except Exception:
            log.warning("Lost Redis during live updates; polling instead", exc_info=True)
            self.pubsub = None
            await asyncio.sleep(POLL_SECONDS)

    async def stop(self) -> None:
        if self.pubsub is not None:
            try:
                await self.pubsub.aclose()
            finally:
                await self.client.aclose()
