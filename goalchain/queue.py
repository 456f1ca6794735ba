"""How services start background work: by task name, once the transaction commits.

Services never import the task modules (the tasks call the services, so importing them back
would be a cycle). They name the task instead; `tests/test_queue.py` checks that every name
queued anywhere is a registered task. Eager mode (the tests) still runs the task in-process.
"""

from __future__ import annotations

from celery import Task
from django.db import transaction

from goalchain.celery import app


def enqueue(name: str, *args: object) -> None:
    """Queue the task registered as `name` with `args` when the current transaction commits
    (at once outside a transaction), so a worker never looks for rows not yet committed."""
    transaction.on_commit(lambda: registered(name).delay(*args))


def registered(name: str) -> Task:
    """The task registered as `name`. A web process imports no app's tasks.py on its own, so
    the first lookup there runs Celery's discovery of every installed app's tasks."""
    if name not in app.tasks:
        app.autodiscover_tasks(force=True)
    return app.tasks[name]
