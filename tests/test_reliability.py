"""PostgreSQL and Redis restart under a running app: it recovers within seconds and loses no
write it accepted.

The app runs as in production (uvicorn with two workers, DEBUG off, Redis as its cache) on a
scratch database of its own, while a client writes goals through the API and reads the chain
(served from the Redis cache) without pause. The test restarts the local PostgreSQL cluster,
then stops Redis and starts it again, as root on this machine: it restarts the servers every
other process here uses too, so it runs only against local services it can restart (CI's).
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from django.db import connections

from tests.conftest import skip_or_fail

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.alone]

SERVER = Path(__file__).resolve().parents[1] / "bench" / "_server.py"
RECOVERY_SECONDS = 15  # from the server being back to a request that succeeds
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]

# Run in a process of its own against the scratch database: a leader, a product, a token.
SEED = """
import json
import django

django.setup()
from accounts.tokens import token_create
from goals.models import User
from goals.services.organizations import organization_create, product_create

leader = User.objects.create_user(email="leader@reliability.example", password=None)
org = organization_create(actor=leader, name="Reliability")
product = product_create(actor=leader, organization=org, name="Restarts")
_, secret = token_create(user=leader, name="Reliability")
print(json.dumps({"product": product.pk, "token": secret}))
"""


def load_server():
    spec = importlib.util.spec_from_file_location("bench_server", SERVER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def postgresql_clusters() -> list[str]:
    return sorted(os.listdir("/etc/postgresql"))


def restart_postgresql() -> None:
    """The server stops (every connection to it dies) and starts again."""
    for version in postgresql_clusters():
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            check=True,
            timeout=120,
        )


def start_postgresql() -> None:
    """Start the server if it is down (pg_ctlcluster refuses, harmlessly, when it is up)."""
    for version in postgresql_clusters():
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            capture_output=True,
            timeout=120,
        )


def redis_answers() -> bool:
    ping = subprocess.run(
        ["redis-cli", "-p", "6379", "ping"], capture_output=True, text=True, timeout=10
    )
    return ping.stdout.strip() == "PONG"


def start_redis() -> None:
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(REDIS_START, check=True, timeout=30)
    deadline = time.monotonic() + 30
    while not redis_answers():
        assert time.monotonic() < deadline, "Redis did not come back"
        time.sleep(0.2)


def restart_redis() -> None:
    """Redis goes away (its contents with it) for a moment, then comes back empty."""
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], timeout=30)
    time.sleep(1)
    start_redis()


def requires_restartable_services() -> tuple[str, str]:
    database_url = os.getenv("DATABASE_URL", "")
    redis_url = os.getenv("REDIS_URL", "")
    if not database_url.startswith("postgres"):
        skip_or_fail("needs PostgreSQL: set DATABASE_URL")
    if not redis_url.startswith("redis"):
        skip_or_fail("needs Redis: set REDIS_URL")
    local = {"127.0.0.1", "localhost"}
    redis = urlparse(redis_url)
    if (
        urlparse(database_url).hostname not in local
        or redis.hostname not in local
        or (redis.port not in (None, 6379))
    ):
        skip_or_fail("restarts only a local PostgreSQL and a local Redis on port 6379")
    tools = ("pg_ctlcluster", "redis-server", "redis-cli")
    if os.geteuid() != 0 or not all(shutil.which(tool) for tool in tools):
        skip_or_fail("restarting PostgreSQL and Redis needs root, pg_ctlcluster and redis-server")
    return database_url, redis_url


@dataclass
class Writer:
    """Writes goals and reads the chain in a loop, noting what the server accepted."""

    port: int
    product: int
    token: str
    accepted: dict[int, str] = field(default_factory=dict)  # goal id -> title
    failures: int = 0
    last_write_ok: float = 0.0  # time.monotonic() of the latest 201
    last_read_ok: float = 0.0  # ... and of the latest chain read answered with 200
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread = field(init=False)

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(timeout=90)

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        while not self.stop.is_set():
            title = f"Goal {uuid.uuid4().hex}"
            body = json.dumps({"product": self.product, "level": "product", "title": title})
            try:
                connection.request("POST", "/api/goals/", body=body, headers=headers)
                response = connection.getresponse()
                created = response.read()
                if response.status == 201:
                    self.accepted[json.loads(created)["id"]] = title
                    self.last_write_ok = time.monotonic()
                else:
                    self.failures += 1
                connection.request("GET", f"/api/products/{self.product}/chain/", headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    self.last_read_ok = time.monotonic()
                else:
                    self.failures += 1
            except (OSError, http.client.HTTPException):
                self.failures += 1
                connection.close()
                time.sleep(0.1)
        connection.close()

    def wait_for_success_after(self, moment: float) -> float:
        """Seconds from `moment` until both a write and a chain read succeeded after it."""
        deadline = moment + RECOVERY_SECONDS
        while min(self.last_write_ok, self.last_read_ok) <= moment:
            assert self.thread.is_alive(), "the writer stopped: its traceback is above"
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not recover within {RECOVERY_SECONDS} s")
            time.sleep(0.05)
        return min(self.last_write_ok, self.last_read_ok) - moment


def test_the_app_survives_restarts_of_postgresql_and_redis_without_losing_a_write():
    database_url, redis_url = requires_restartable_services()
    server_tools = load_server()
    scratch = f"goalchain_reliability_{os.getpid()}"
    env = server_tools.production_env(
        server_tools.create_database(database_url, scratch),
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    server = writer = None
    try:
        server_tools.migrate(env)
        seeded = subprocess.run(
            [sys.executable, "-c", SEED],
            cwd=server_tools.BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        setup = json.loads(seeded.stdout.strip().splitlines()[-1])
        port = server_tools.free_port()
        server = server_tools.start_uvicorn(port, 2, env)
        writer = Writer(port, setup["product"], setup["token"])
        writer.start()
        writer.wait_for_success_after(time.monotonic())

        restart_postgresql()
        postgres_recovery = writer.wait_for_success_after(time.monotonic())
        restart_redis()
        redis_recovery = writer.wait_for_success_after(time.monotonic())
        time.sleep(1)  # and it keeps working

        writer.finish()
        # A graceful shutdown: uvicorn finishes what it is serving and exits on SIGTERM.
        server_tools.stop(server, timeout=30)
        assert server.returncode == 0

        with psycopg.connect(urlparse(database_url)._replace(path=f"/{scratch}").geturl()) as db:
            stored = dict(
                db.execute(
                    "SELECT id, title FROM goals_goal WHERE product_id = %s", [setup["product"]]
                ).fetchall()
            )
        lost = {pk: title for pk, title in writer.accepted.items() if stored.get(pk) != title}
        assert not lost, f"{len(lost)} of {len(writer.accepted)} accepted writes were lost"
        print(
            f"{len(writer.accepted)} writes accepted, none lost; {writer.failures} requests "
            f"failed while the servers restarted; recovered {postgres_recovery:.1f} s after "
            f"PostgreSQL was back, {redis_recovery:.1f} s after Redis was back"
        )
    finally:
        if writer is not None:
            writer.finish()
        if server is not None:
            server_tools.stop(server)
        if not redis_answers():
            start_redis()  # never leave the machine without Redis
        start_postgresql()
        server_tools.drop_database(database_url, scratch)
        # This process' own connections died with the restart, and its pool may be waiting
        # out a reconnection delay from while PostgreSQL was down: the next test on this
        # worker gets new connections from a new pool.
        connections.close_all()
        connections["default"].close_pool()
