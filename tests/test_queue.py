"""Services queue tasks by name (goalchain.queue.enqueue): every name they use must be a
registered task, and a queued task runs only once the transaction commits."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from goalchain.celery import app
from goalchain.queue import enqueue, registered

ROOT = Path(__file__).resolve().parent.parent
APPS = ("goals", "workshops", "accounts", "goalchain")


def queued_names() -> dict[str, str]:
    """Each task name passed to `enqueue` in the apps' code, with where it is queued."""
    names = {}
    for app_dir in APPS:
        for path in sorted((ROOT / app_dir).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "enqueue"
                ):
                    first = node.args[0]
                    assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                        f"{path.relative_to(ROOT)}:{node.lineno} names its task by a literal"
                    )
                    names[first.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return names


def test_every_task_a_service_queues_is_registered():
    app.autodiscover_tasks(force=True)
    names = queued_names()

    # Invitations, password resets, notifications, feedback summaries, wins, and the
    # workshop invitations and cancellations.
    assert len(names) >= 7
    missing = {name: where for name, where in names.items() if name not in app.tasks}
    assert missing == {}


def test_no_service_imports_the_tasks_it_queues():
    for app_dir in ("goals", "workshops", "accounts"):
        for path in sorted((ROOT / app_dir).rglob("*.py")):
            if path.name == "tasks.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom):
                    assert not (node.module or "").endswith(".tasks"), path.relative_to(ROOT)


@pytest.mark.django_db(transaction=True)
def test_a_queued_task_runs_after_the_commit_and_not_after_a_rollback(monkeypatch):
    ran = []
    monkeypatch.setattr(registered("goals.tasks.send_invitation_email"), "delay", ran.append)

    with transaction.atomic():
        enqueue("goals.tasks.send_invitation_email", 1)
        assert ran == []
    assert ran == [1]

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("goals.tasks.send_invitation_email", 2)
        raise RuntimeError
    assert ran == [1]


def test_a_fresh_web_process_finds_the_tasks_by_name():
    """No page imports a tasks.py: the lookup itself must discover them."""
    code = (
        "import django; django.setup()\n"
        "from goalchain.celery import app\n"
        "assert 'goals.tasks.send_invitation_email' not in app.tasks\n"
        "from goalchain.queue import registered\n"
        "print(registered('goals.tasks.send_invitation_email').name)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "goalchain.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "goals.tasks.send_invitation_email"
