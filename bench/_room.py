"""The room's side of the vote storm (bench/votes.py): people watching the workshop room
while the votes come in, each holding the room's event stream open as the room page does,
and, for each ballot, how long until every one of them heard of it.

The room page redraws itself on every event it hears (static/js/room.js asks the server for
the room again), so a ballot shows in a watcher's room once any event reaches them after the
ballot was answered: the ballot was committed by then, and the redraw reads it. The redraw's
own request comes on top of the figures here.
"""

from __future__ import annotations

import http.client
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass, field

CONNECT_SECONDS = 10.0


@dataclass
class Watcher:
    """One person in the room: when each event reached them (time.perf_counter())."""

    heard: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)


class Watchers:
    """`tokens`' holders watching workshop `workshop` on the server at `port`."""

    def __init__(self, port: int, workshop: int, tokens: list[str]) -> None:
        self.port, self.workshop = port, workshop
        self.watchers = [Watcher() for _ in tokens]
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._watch, args=(watcher, token), daemon=True)
            for watcher, token in zip(self.watchers, tokens, strict=True)
        ]

    def start(self) -> None:
        """Every watcher's stream open before the first ballot."""
        for thread in self._threads:
            thread.start()
        for watcher in self.watchers:
            if not watcher.ready.wait(CONNECT_SECONDS):
                watcher.errors.append("the event stream did not open")

    def stop(self, quiet: float = 1.5, longest: float = 15.0) -> list[list[float]]:
        """Once no event has arrived for `quiet` seconds (at most `longest` seconds), close the
        streams; each watcher's arrival times."""
        ends = time.perf_counter() + longest
        while time.perf_counter() < ends:
            last = max((w.heard[-1] for w in self.watchers if w.heard), default=0.0)
            if time.perf_counter() - last >= quiet:
                break
            time.sleep(0.1)
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=CONNECT_SECONDS)
        return [list(watcher.heard) for watcher in self.watchers]

    def errors(self) -> list[str]:
        return [error for watcher in self.watchers for error in watcher.errors]

    def _watch(self, watcher: Watcher, token: str) -> None:
        """Hold the stream open; like a browser's EventSource, reconnect with the last event's
        id when the server ends it (every 25 seconds)."""
        last_id, url = "", f"/api/workshops/{self.workshop}/events/"
        while not self._stop.is_set():
            headers = {"Authorization": f"Token {token}", "Accept": "text/event-stream"}
            if last_id:
                headers["Last-Event-ID"] = last_id
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CONNECT_SECONDS)
            try:
                connection.request("GET", url, headers=headers)
                response = connection.getresponse()
                if response.status != 200:
                    watcher.errors.append(f"HTTP {response.status} from the event stream")
                    return
                watcher.ready.set()
                last_id = read_events(response, watcher.heard, self._stop) or last_id
            except OSError as error:  # a stream cut short: reconnect, as a browser would
                watcher.errors.append(f"{type(error).__name__}: {error}")
            finally:
                connection.close()


def read_events(stream: http.client.HTTPResponse, heard: list[float], stop: threading.Event) -> str:
    """Note when each event of a Server-Sent Events stream ends (its blank line), until the
    stream ends or `stop` is set; the id of the last event read."""
    event_id, last_id = "", ""
    while not stop.is_set():
        line = stream.readline()
        if not line:
            break
        line = line.rstrip(b"\r\n")
        if line.startswith(b"id:"):
            event_id = line[3:].strip().decode()
        elif not line and event_id:
            heard.append(time.perf_counter())
            last_id, event_id = event_id, ""
    return last_id


def seen_by_all(
    ballots: list[tuple[float, float]], heard: list[list[float]]
) -> tuple[list[float], int]:
    """For each ballot (sent, answered), the seconds from sending it until every watcher had
    heard of it; and how many ballots some watcher never heard of.

    A watcher has heard of a ballot with the first event after its answer. A ballot's own
    event can arrive before its answer does: the last ballots of the storm have no event
    after them, and count as heard with the watcher's last event, if it came after they
    were sent."""
    seen: list[float] = []
    unseen = 0
    for sent, answered in ballots:
        firsts = [_heard_of(times, sent, answered) for times in heard]
        if any(first is None for first in firsts):
            unseen += 1
        else:
            seen.append(max(first for first in firsts if first is not None) - sent)
    return seen, unseen


def _heard_of(times: list[float], sent: float, answered: float) -> float | None:
    after = bisect_left(times, answered)
    if after < len(times):
        return times[after]
    return times[-1] if times and times[-1] >= sent else None
