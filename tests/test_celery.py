"""The Celery app: configured from the settings, tasks discovered, messages really delivered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from goalchain.celery import app
from tests.conftest import skip_or_fail

BASE_DIR = Path(__file__).resolve().parent.parent


def test_it_is_the_goalchain_app_configured_from_django_settings():
    assert app.main == "goalchain"
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.task_acks_late is True


def test_its_beat_schedule_is_a_dict_of_registered_tasks():
    app.autodiscover_tasks(force=True)

    assert isinstance(app.conf.beat_schedule, dict)
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name


def test_it_discovers_the_apps_tasks():
    app.autodiscover_tasks(force=True)

    assert "goals.tasks.send_invitation_email" in app.tasks


def run_probe_through_a_worker(tmp_path: Path, env: dict[str, str]) -> None:
    """Start a worker on a queue of its own, queue the probe task from another process, and
    wait for the worker to run it."""
    queue = f"probe-{uuid.uuid4().hex}"
    trace = tmp_path / "probe-ran"
    env = {**env, "PYTHONPATH": str(BASE_DIR), "DJANGO_SETTINGS_MODULE": "goalchain.settings"}
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.celery_probe",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from tests.celery_probe import probe; "
                f"probe.apply_async(args=[{str(trace)!r}], queue={queue!r})",
            ],
            cwd=BASE_DIR,
            env=env,
            check=True,
            timeout=60,
            capture_output=True,
        )
        deadline = time.monotonic() + 45
        while not trace.exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert trace.exists(), f"the worker never ran the task; its log:\n{output}"
    assert trace.read_text() == "ran"


def test_a_worker_runs_a_task_through_the_folder_broker(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env["GOALCHAIN_VAR_DIR"] = str(tmp_path / "var")

    run_probe_through_a_worker(tmp_path, env)

    assert not list((tmp_path / "var" / "celery-queue").iterdir()), "the message was consumed"


@pytest.mark.redis
def test_a_worker_runs_a_task_through_redis(tmp_path):
    if not os.getenv("REDIS_URL"):
        skip_or_fail("REDIS_URL is not set")

    run_probe_through_a_worker(tmp_path, dict(os.environ))
