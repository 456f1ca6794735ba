"""bench/_room.py: when the room's watchers heard of each ballot of the vote storm."""

import io
import threading

from bench._room import read_events, seen_by_all


def test_an_event_is_heard_when_its_blank_line_arrives():
    stream = io.BytesIO(
        b"retry: 1000\n\n"
        b'id: 7\nevent: votes\ndata: {"kind": "votes", "voted": 1}\n\n'
        b": keep-alive\n\n"
        b"id: 8\r\nevent: votes\r\ndata: {}\r\n\r\n"
        b"id: 9\nevent: votes\n"  # cut off before its blank line: not heard
    )
    heard: list[float] = []
    assert read_events(stream, heard, threading.Event()) == "8"  # type: ignore[arg-type]
    assert len(heard) == 2 and heard[0] <= heard[1]


def test_a_ballot_is_seen_once_every_watcher_heard_an_event_after_its_answer():
    ballots = [(0.0, 0.5), (1.0, 1.2)]
    heard = [[0.4, 0.7, 1.5], [0.6, 1.3]]
    seen, unseen = seen_by_all(ballots, heard)
    # The first: 0.7 and 0.6 after its answer at 0.5, so seen by both at 0.7. The second:
    # 1.5 and 1.3 after its answer at 1.2, so at 1.5, 0.5 s after it was sent.
    assert seen == [0.7, 0.5]
    assert unseen == 0


def test_the_last_ballots_count_with_the_last_event_heard_after_they_were_sent():
    # The storm's last ballot: its own event arrived (at 2.1) before its answer did (2.2).
    seen, unseen = seen_by_all([(2.0, 2.2)], [[1.0, 2.1], [2.15]])
    assert [round(s, 2) for s in seen] == [0.15]
    assert unseen == 0


def test_a_watcher_who_heard_nothing_since_the_ballot_leaves_it_unseen():
    seen, unseen = seen_by_all([(2.0, 2.2), (0.0, 0.1)], [[1.0, 2.5], [1.5]])
    assert seen == [1.5]  # the second ballot: both heard of it, the later at 1.5
    assert unseen == 1
