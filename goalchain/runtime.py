"""Process-wide tuning for the web server processes (imported by asgi.py and wsgi.py)."""

import gc

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
