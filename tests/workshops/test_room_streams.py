"""A web process reads a workshop room's events once for every stream of it that it serves
(workshops/events.py, _Room), and each stream still gets every event once, in order."""

from __future__ import annotations

import asyncio
import os
import re
import time

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test import AsyncClient

from accounts.tokens import token_create
from tests.conftest import skip_or_fail
from tests.workshops.conftest import make_room
from workshops import api, events

pytestmark = pytest.mark.django_db(transaction=True)


def ids_in(stream: str) -> list[int]:
    return [int(found) for found in re.findall(r"^id: (\d+)$", stream, re.MULTILINE)]


def emitted(workshop, count: int) -> list[int]:
    return [events.emit(workshop, "participants", joined=n).pk for n in range(count)]


async def heard(workshop_id: int, last_id: int, seconds: float) -> str:
    return "".join([part async for part in events.stream(workshop_id, last_id, seconds=seconds)])


def counted_reads(monkeypatch) -> list[int]:
    """The `last_id` of each read of the table, by the rooms and the streams alike."""
    reads: list[int] = []
    read = events.events_after

    def counted(workshop_id: int, last_id: int) -> list[events.WorkshopEvent]:
        reads.append(last_id)
        return read(workshop_id, last_id)

    monkeypatch.setattr(events, "events_after", counted)
    return reads


def test_streams_of_one_room_share_its_reads_of_the_table(team, settings, monkeypatch):
    settings.REDIS_URL = ""  # the room polls the table twice a second
    workshop = make_room(team).workshop
    start = events.latest_event_id(workshop.pk)
    reads = counted_reads(monkeypatch)

    async def listen() -> tuple[list[int], list[str]]:
        streams = [asyncio.create_task(heard(workshop.pk, start, 1.5)) for _ in range(3)]
        await asyncio.sleep(0.3)
        new = await sync_to_async(emitted)(workshop, 2)
        return new, await asyncio.gather(*streams)

    new, texts = asyncio.run(listen())
    assert [ids_in(text) for text in texts] == [new, new, new]
    # A second and a half of polling reads the table about four times for the room: three
    # streams reading it each for themselves would have read it about twelve times.
    assert 2 <= len(reads) <= 6, reads


def test_a_listener_further_behind_than_the_room_keeps_catches_up_from_the_table(
    team, settings, monkeypatch
):
    settings.REDIS_URL = ""
    monkeypatch.setattr(events, "KEPT", 2)
    workshop = make_room(team).workshop
    older = emitted(workshop, 4)
    before = events.latest_event_id(workshop.pk)

    async def listen() -> tuple[str, str]:
        ahead = asyncio.create_task(heard(workshop.pk, before, 1.8))
        await asyncio.sleep(0.2)  # the room is open, from the latest event on
        newer.extend(await sync_to_async(emitted)(workshop, 3))
        await asyncio.sleep(0.8)  # the room read them, and kept the last two only
        behind = await heard(workshop.pk, 0, 0.5)
        return await ahead, behind

    newer: list[int] = []
    ahead, behind = asyncio.run(listen())
    assert ids_in(ahead) == newer
    assert ids_in(behind)[-7:] == older + newer
    assert len(ids_in(behind)) == len(set(ids_in(behind)))


def test_the_last_listener_to_leave_closes_the_room(team, settings):
    settings.REDIS_URL = ""
    workshop = make_room(team).workshop

    async def listen() -> set[asyncio.Task[object]]:
        first = asyncio.create_task(heard(workshop.pk, 0, 0.5))
        second = asyncio.create_task(heard(workshop.pk, 0, 1))
        await first
        assert events._ROOMS[asyncio.get_running_loop()][workshop.pk].listeners == 1
        await second
        assert not events._ROOMS[asyncio.get_running_loop()]
        return asyncio.all_tasks() - {asyncio.current_task()}

    assert asyncio.run(listen()) == set()


def test_an_announced_event_reaches_every_stream_at_once(team, settings, monkeypatch):
    url = os.getenv("REDIS_URL", "")
    if not url:
        skip_or_fail("needs Redis: set REDIS_URL")
    settings.REDIS_URL = url
    workshop = make_room(team).workshop
    start = events.latest_event_id(workshop.pk)
    reads = counted_reads(monkeypatch)

    async def listen() -> list[float]:
        arrivals: list[float] = []

        async def one() -> None:
            async for part in events.stream(workshop.pk, start, seconds=3):
                if ids_in(part):
                    arrivals.append(time.monotonic() - sent)
                    return

        streams = [asyncio.create_task(one()) for _ in range(3)]
        await asyncio.sleep(0.5)  # subscribed
        sent = time.monotonic()
        await sync_to_async(emitted)(workshop, 1)
        await asyncio.gather(*streams)
        return arrivals

    arrivals = asyncio.run(listen())
    # Polling would take up to half a second; a publish wakes the room at once.
    assert len(arrivals) == 3 and max(arrivals) < 0.4, arrivals
    # When the room opened, when its subscription was confirmed, and once woken: not once
    # a stream.
    assert len(reads) <= 3, reads


def test_a_failed_read_leaves_the_room_open_and_the_next_one_brings_the_events(
    team, settings, monkeypatch, caplog
):
    settings.REDIS_URL = ""
    workshop = make_room(team).workshop
    start = events.latest_event_id(workshop.pk)
    new = emitted(workshop, 2)
    read = events.events_after
    failures = []

    def failing_once(workshop_id: int, last_id: int) -> list[events.WorkshopEvent]:
        if not failures:
            failures.append(last_id)
            raise RuntimeError("the read failed")
        return read(workshop_id, last_id)

    monkeypatch.setattr(events, "events_after", failing_once)
    stream = asyncio.run(heard(workshop.pk, start, 1))
    assert failures == [start]
    assert ids_in(stream) == new
    assert "Could not read workshop" in caplog.text


def test_an_open_stream_holds_no_database_connection(team, settings, monkeypatch):
    """The reads that open a stream and those that check, while it is open, that its
    listener may still enter give their connection back: each open stream held one, and a
    room's watchers took every connection of a process (a vote storm with two threads a
    process fell to 7 ballots a second, bench/README.md)."""
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: SQLite's in-memory test database is never closed")
    settings.WORKSHOP_STREAM_RECHECK_SECONDS = 0.2
    room = make_room(team)
    _, token = token_create(user=room.voters[0], name="Tests")
    used = []  # the connection of each thread a read ran on, as it was then

    def spied(read):
        def run(*args):
            used.append(connections["default"])
            return read(*args)

        return run

    monkeypatch.setattr(api, "get_workshop", spied(api.get_workshop))
    monkeypatch.setattr(api, "may_enter", spied(api.may_enter))

    async def listen() -> list[object]:
        response = await AsyncClient().get(
            f"/api/workshops/{room.workshop.pk}/events/?seconds=2",
            headers={"authorization": f"Token {token}"},
        )
        assert response.status_code == 200
        chunks = aiter(response.streaming_content)
        await anext(chunks)
        await asyncio.sleep(0.7)  # the listener's right is checked again meanwhile
        still_open = [wrapper for wrapper in used if wrapper.connection is not None]
        async for _ in chunks:
            pass
        return still_open

    assert asyncio.run(listen()) == []
    assert len(used) >= 3  # the entry, and at least two checks while the stream was open
