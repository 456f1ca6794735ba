"""A burst of room events wakes a listening stream once, not once per event."""

from __future__ import annotations

import asyncio
import os
import time

import redis

from tests.conftest import skip_or_fail
from workshops import events


def test_a_burst_of_events_wakes_a_stream_once(settings):
    url = os.getenv("REDIS_URL", "")
    if not url:
        skip_or_fail("needs Redis: set REDIS_URL")
    settings.REDIS_URL = url
    workshop_id = 900_000 + os.getpid()  # a channel no other test publishes on

    async def listen() -> tuple[float, float]:
        wake = events._Wakeup(workshop_id)
        await wake.start()
        await wake.wait(0.2)  # the subscription's own confirmation
        publisher = redis.Redis.from_url(url)
        for event_id in range(50):
            publisher.publish(events.channel(workshop_id), str(event_id))
        started = time.monotonic()
        await wake.wait(5)
        woken = time.monotonic() - started
        started = time.monotonic()
        await wake.wait(0.5)  # nothing more was announced: no second wake-up
        idle = time.monotonic() - started
        await wake.stop()
        publisher.close()
        return woken, idle

    woken, idle = asyncio.run(listen())
    assert events.GATHER_SECONDS <= woken < 2
    assert idle >= 0.45
