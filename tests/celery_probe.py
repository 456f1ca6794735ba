"""The project's Celery app plus one task that leaves a trace, for tests with a real worker.

A worker started with `celery -A tests.celery_probe worker` runs the project's app with the
project's settings (broker included) and can also run `tests.probe`.
"""

from __future__ import annotations

from pathlib import Path

from goalchain.celery import app

__all__ = ["app", "probe"]


@app.task(name="tests.probe")
def probe(path: str) -> None:
    Path(path).write_text("ran")
