"""Process-wide tuning for the web server processes (imported by asgi.py and wsgi.py), and a
pause of the garbage collector while one large thing is built."""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Python collects the youngest generation every 2,000 new container objects. Reading a
# chain of 10,000 goals makes well over 100,000 of them (model instances, then a dict per
# goal), so the collector ran ~75 times per request and took a quarter of its time while
# finding nothing to free. Collecting every 50,000 allocations keeps that cost near zero;
# the memory held by not-yet-collected cycles stays small.
YOUNG_GENERATION_THRESHOLD = 50_000


def tune_garbage_collector() -> None:
    """Collect the young generation less often; the older generations as Python does."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)


class _Pauses:
    """The process's pauses under way, and whether the collector ran before the first."""

    lock = threading.Lock()
    under_way = 0
    collector_was_on = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while this block runs (in any thread of the process).

    A cold read of a 10,000-goal chain makes a few hundred thousand objects that all live
    until it answers: each collection of the youngest generation walked tens of thousands
    of them and freed none, a tenth of the read (bench/README.md). Reference counting still
    frees what the block drops; cycles wait for the first collection after it."""
    with _Pauses.lock:
        if _Pauses.under_way == 0:
            _Pauses.collector_was_on = gc.isenabled()
            gc.disable()
        _Pauses.under_way += 1
    try:
        yield
    finally:
        with _Pauses.lock:
            _Pauses.under_way -= 1
            if _Pauses.under_way == 0 and _Pauses.collector_was_on:
                gc.enable()
