"""Counting tries in the cache, for the limits of password resets and password re-entry."""

from __future__ import annotations

from django.core.cache import cache

WINDOW_SECONDS = 60 * 60


def counted_over(key: str, limit: int) -> bool:
    """Count one more try under `key`; True once there were more than `limit` in the hour
    that began with the first try (a fixed window: waiting it out always works)."""
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count > limit


def count_of(key: str) -> int:
    """The tries counted under `key` in its current window."""
    return int(cache.get(key, 0))
