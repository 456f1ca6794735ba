"""The production shape on this machine, for the benchmarks and the reliability test: a
scratch PostgreSQL database, uvicorn with several workers on a free port, a Celery worker."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent


def admin_connection(url: str) -> Any:
    """An autocommit connection to the server's `postgres` database, to create and drop."""
    return psycopg.connect(urlparse(url)._replace(path="/postgres").geturl(), autocommit=True)


def create_database(url: str, name: str) -> str:
    """Create database `name` on the server `url` names; returns its URL."""
    with admin_connection(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return str(urlparse(url)._replace(path=f"/{name}").geturl())


def drop_database(url: str, name: str) -> None:
    with admin_connection(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production process (DEBUG off) on the given database."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "goalchain.settings",
        "SECRET_KEY": "bench-only-not-a-secret",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "locmem:",
        # Static files are not collected for a bench run; WhiteNoise would warn in each worker.
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        **extra,
    }


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_uvicorn(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """uvicorn serving the ASGI app in a process group of its own; returns once it answers."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "goalchain.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "10",
        ],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_up(port)
    except BaseException:
        stop(server)
        raise
    return server


def start_celery_worker(queue: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A Celery worker (prefork, 1 process) consuming a queue of its own. (CI runs as root:
    Celery's warning about that would bury the bench's table.)"""
    quiet = ",".join(
        filter(None, [env.get("PYTHONWARNINGS"), "ignore:You're running the worker with superuser"])
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "goalchain",
            "--quiet",
            "worker",
            "--queues",
            queue,
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=BASE_DIR,
        env={**env, "PYTHONWARNINGS": quiet},
        start_new_session=True,
    )


def wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not come up within {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM to the process group (a graceful shutdown), SIGKILL after `timeout`."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def children(pid: int) -> list[int]:
    """The child processes of `pid` (uvicorn's workers, for the server's main process)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def peak_rss_mb(pid: int) -> float:
    """The peak resident set size (VmHWM) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmHWM for process {pid}")
