"""A bounded memory of results by key, for pure functions read far more often than their
inputs change."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock


class Remembered[K, V]:
    """The results of the `size` keys kept last; the oldest go first. Safe across threads:
    at worst two threads work out the same result and keep it once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[K, V] = OrderedDict()
        self.lock = Lock()

    def get(self, key: K) -> V | None:
        return self.entries.get(key)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()

    def keep(self, key: K, value: V) -> V:
        with self.lock:
            self.entries.pop(key, None)  # a key kept again is the newest, and evicts nothing
            if len(self.entries) >= self.size:
                self.entries.popitem(last=False)
            self.entries[key] = value
        return value
