"""A burst of room events wakes a listening stream once per GATHER_SECONDS at most, not once
per event; a quiet room's first event wakes it at once."""

from __future__ import annotations

import asyncio
import os
import time

import redis

from tests.conftest import skip_or_fail
from workshops import events


def test_a_burst_of_events_wakes_a_stream_once_in_the_gathering_time(settings, monkeypatch):
    url = os.getenv("REDIS_URL", "")
    if not url:
        skip_or_fail("needs Redis: set REDIS_URL")
    settings.REDIS_URL = url
    # A second, so that a busy machine's pauses cannot pass for the gathering or hide it.
    monkeypatch.setattr(events, "GATHER_SECONDS", 1.0)
    workshop_id = 900_000 + os.getpid()  # a channel no other test publishes on

    async def listen() -> tuple[float, float, float]:
        wake = events._Wakeup(workshop_id)
        await wake.start()
        await wake.wait(0.2)  # the subscription's own confirmation
        publisher = redis.Redis.from_url(url)
        await asyncio.sleep(events.GATHER_SECONDS)  # a quiet room
        publisher.publish(events.channel(workshop_id), "0")
        started = time.monotonic()
        await wake.wait(5)
        first = time.monotonic() - started
        started = time.monotonic()
        for event_id in range(1, 51):
            publisher.publish(events.channel(workshop_id), str(event_id))
        await wake.wait(5)
        burst = time.monotonic() - started
        started = time.monotonic()
        await wake.wait(1.5)  # nothing more was announced: no second wake-up
        idle = time.monotonic() - started
        await wake.stop()
        publisher.close()
        return first, burst, idle

    first, burst, idle = asyncio.run(listen())
    assert first < events.GATHER_SECONDS
    assert events.GATHER_SECONDS * 0.9 <= burst < 2 * events.GATHER_SECONDS
    assert idle >= 1.45
