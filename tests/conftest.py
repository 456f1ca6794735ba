"""Shared fixtures: a product with one person in each role, plus an outsider; and what lets
the suite run on several pytest-xdist workers at once (`make test` starts one per core).

Each worker has a test database of its own (pytest-django) and, on Redis, cache keys of its
own. Celery tasks run in the test's process; the tests that start a real worker give it a
queue of its own. Tests marked `alone` restart or disconnect the servers every test uses, so
they wait until no other worker runs a test and hold the others back until they end. A
serial run (no `-n`) takes no lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
from asgiref.sync import SyncToAsync
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, connections, transaction
from django.db.backends.postgresql.operations import DatabaseOperations
from django.template import Template
from django.test import Client, override_settings
from django.test.utils import instrumented_test_render
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import token_create
from goalchain.cache import written
from goalchain.celery import app
from goals.api.chain_body import forget_assembled_chains
from goals.models import OrgRole, Product, ProductRole, User
from goals.selectors.kept_chain import forget_kept_chains
from tests.factories import OrganizationMembershipFactory, ProductFactory, UserFactory, add_member
from tests.receiver import Receiver, serve

# In CI every test that needs a service must run: a missing service is a failure there.
REQUIRE_SERVICES = os.getenv("GOALCHAIN_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (GOALCHAIN_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(reason)


TURNS = pytest.StashKey["Turns"]()


class Turns:
    """Two lock files shared by the workers of one run.

    A worker holds `turn` shared while it runs the tests of one module (a module's fixtures
    may keep a connection or a transaction open from one test to the next); `alone` tests
    hold it exclusively, from the first of a series to its last. `gate` keeps an `alone` test
    that waits from waiting forever: once it holds the gate, no worker starts another module
    until the series has ended.
    """

    def __init__(self, folder: Path) -> None:
        self.gate: IO[str] = (folder / "goalchain-gate.lock").open("a")
        self.turn: IO[str] = (folder / "goalchain-turn.lock").open("a")
        self.held: str | None = None  # "shared" or "alone"
        self.alone_tests_ahead = False  # the run starts with them (see the collection hook)

    def share(self) -> None:
        if self.held == "shared":
            return
        self.release()
        if self.alone_tests_ahead:
            self.alone_tests_ahead = False
            self.let_alone_tests_go_first()
        fcntl.flock(self.gate, fcntl.LOCK_SH)
        fcntl.flock(self.gate, fcntl.LOCK_UN)
        fcntl.flock(self.turn, fcntl.LOCK_SH)
        self.held = "shared"
        drop_dead_connections()

    def let_alone_tests_go_first(self) -> None:
        """The run's first tests are its `alone` tests, which another worker got: it is given
        two seconds to take the gate before this worker starts a module, which it would
        otherwise have to wait for (the longest takes half a minute)."""
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                fcntl.flock(self.gate, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # taken: share() waits for the series to end
            fcntl.flock(self.gate, fcntl.LOCK_UN)
            time.sleep(0.05)

    def alone(self) -> None:
        if self.held == "alone":
            return
        self.alone_tests_ahead = False
        self.release()
        fcntl.flock(self.gate, fcntl.LOCK_EX)
        fcntl.flock(self.turn, fcntl.LOCK_EX)
        self.held = "alone"
        drop_dead_connections()

    def release(self) -> None:
        if self.held is not None:
            fcntl.flock(self.turn, fcntl.LOCK_UN)
            if self.held == "alone":
                fcntl.flock(self.gate, fcntl.LOCK_UN)
            self.held = None


def drop_dead_connections() -> None:
    """A database connection an `alone` test killed (PostgreSQL restarted) is closed, so the
    next query opens a new one instead of failing. Connections are per thread: the async
    views of tests that call them through asyncio.run() reach the database from asgiref's
    one worker thread, which keeps connections of its own."""
    _drop_dead_connections_of_this_thread()
    SyncToAsync.single_thread_executor.submit(_drop_dead_connections_of_this_thread).result()


def _drop_dead_connections_of_this_thread() -> None:
    for database in connections.all(initialized_only=True):
        if database.connection is not None and not database.is_usable():
            database.close()


def pytest_configure(config: pytest.Config) -> None:
    # Every API test reads through the kept answers (goals/api/fast_reads.py), on SQLite
    # too: a test runs in one process, whose own cache then sees all its writes.
    settings.FAST_READS = True
    worker = os.getenv("PYTEST_XDIST_WORKER")
    if not worker:
        return
    # Workers' temporary folders are siblings in the folder of the run.
    config.stash[TURNS] = Turns(Path(config.option.basetemp).parent)

    # Tests empty the cache keys they use, and the products of every worker's database have
    # the same ids: without a prefix a worker would read and delete its neighbour's entries.
    if settings.REDIS_URL:
        settings.CACHES = {
            name: {**cache, "KEY_PREFIX": worker} for name, cache in settings.CACHES.items()
        }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The `alone` tests come first, while the other workers have not started a module they
    would have to finish first (a module can hold a thousand tests); then the `slow`
    tests, so that the other workers run the rest of the suite beside them instead of
    waiting for them at the end."""

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("alone"):
            return 0
        return 1 if item.get_closest_marker("slow") else 2

    items.sort(key=rank)
    turns = config.stash.get(TURNS, None)
    if turns is not None and items and rank(items[0]) == 0:
        turns.alone_tests_ahead = True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    turns = item.config.stash.get(TURNS, None)
    if turns is None:
        return (yield)
    alone = item.get_closest_marker("alone") is not None
    if alone:
        turns.alone()
    else:
        turns.share()
    try:
        return (yield)
    finally:
        # What is held stays for the next test of the same series of `alone` tests, or of
        # the same module.
        stays = nextitem is not None and (
            nextitem.get_closest_marker("alone") is not None
            if alone
            else nextitem.getparent(pytest.Module) is item.getparent(pytest.Module)
        )
        if not stays:
            turns.release()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """On PostgreSQL a commit of the test database does not wait for the disk: the database
    is thrown away at the end, and tests that commit (live servers, `transaction=True`) and
    the tables emptied after each of them wait on every write otherwise."""
    for database in connections.all():
        if database.vendor == "postgresql":
            options = database.settings_dict.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c synchronous_commit=off"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's, and before it drops the test database, the connections of asgiref's
    worker thread (see drop_dead_connections) are closed: PostgreSQL refuses to drop a
    database someone is still connected to."""
    yield
    with django_db_blocker.unblock():
        SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture(autouse=True, scope="session")
def _empty_postgresql_tables_by_delete() -> Iterator[None]:
    """After a test that commits (`transaction=True`, live servers) every table is emptied.
    Django truncates them, and on PostgreSQL a TRUNCATE of seventy tables gives each new
    files on disk; deleting the few rows a test wrote is far cheaper.
    The foreign keys Django creates are deferred, so the order of the deletes is free."""
    truncate = DatabaseOperations.sql_flush

    def delete_rows(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "SET CONSTRAINTS ALL DEFERRED",
            *(f"DELETE FROM {self.quote_name(table)}" for table in tables),
        ]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", delete_rows)
        yield


# Template rendering as Django does it, before its test environment instruments it.
RENDER_UNWATCHED = Template._render


@pytest.fixture(autouse=True, scope="session")
def _templates_render_unwatched(django_test_environment: None) -> Iterator[None]:
    """Django's test environment makes every render of a template (each include too) send a
    signal that the test client answers by copying the whole context: about a tenth of a
    page test's time. Tests that look at which templates a page rendered ask for
    `templates_watched`."""
    assert RENDER_UNWATCHED is not instrumented_test_render
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Template, "_render", RENDER_UNWATCHED)
        yield


@pytest.fixture
def templates_watched(monkeypatch: pytest.MonkeyPatch) -> None:
    """Responses of the test client list the templates they rendered (`response.templates`)."""
    monkeypatch.setattr(Template, "_render", instrumented_test_render)


@pytest.fixture(autouse=True)
def _celery_eager():
    """Run tasks in-process so a test sees their effects; they still queue after commit."""
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached chains, in the cache or in this process (ids are
    reused once a test's rows roll back) and no counts of tries against the limits of sign-in pages.

    On Redis only our keys go: a flush would also drop the tasks queued for Celery workers
    that tests start, which share the database. Writes an earlier test handed over to be made
    after its answers land first."""
    written()
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        stale = [
            key
            for pattern in (
                "chain:*",
                "answer:*",
                "password-reset:*",
                "two-factor:*",
                "oidc-discovery:*",
            )
            for key in client.scan_iter(cache.make_key(pattern))
        ]
        if stale:
            client.delete(*stale)
    else:
        cache.clear()
    forget_assembled_chains()
    forget_kept_chains()


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages render {% static %} and the live servers serve static files from the finders:
    tests run with DEBUG off but without collectstatic, so there is no manifest to read.

    Every test client builds its own middleware, and WhiteNoise would list every static file
    of every finder each time: in tests it looks a file up when one is asked for instead."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    """A real HTTP server on 127.0.0.1 that webhooks and metric sources are sent to
    (tests/receiver.py). Private addresses are allowed here only: it is one."""
    settings.INTEGRATIONS_ALLOW_PRIVATE_NETWORKS = True
    with serve() as running:
        yield running


@dataclass
class Team:
    product: Product
    leader: User
    member: User
    stakeholder: User
    outsider: User
    org_admin: User


@pytest.fixture
def team(db) -> Team:
    return make_team()


def make_team() -> Team:
    product = ProductFactory()
    leader = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    member = add_member(product, UserFactory(display_name="Tom Team"), ProductRole.TEAM)
    stakeholder = add_member(
        product, UserFactory(display_name="Sam Stakeholder"), ProductRole.STAKEHOLDER
    )
    org_admin = OrganizationMembershipFactory(
        organization=product.organization, role=OrgRole.ADMIN
    ).user
    other_product = ProductFactory()
    outsider = add_member(
        other_product, UserFactory(display_name="Otto Outsider"), ProductRole.LEADER
    )
    return Team(product, leader, member, stakeholder, outsider, org_admin)


def kept_for_the_module[T](django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """For a module-scoped fixture (`yield from` it): the rows `build` writes stay for the
    module's tests, in a transaction rolled back after the last of them. Each test (with
    `db`) runs in a savepoint of it, so what one test writes is gone before the next starts:
    rows every test reads alike are written once instead of once per test."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            built = build()
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def api_client_for(user: User | None) -> APIClient:
    """An API client signed in by a new read-write API token of `user` (none for None).

    The token counts as used this minute, so no request of the test records its use: the
    query count of a request is then the same whether it comes first or not."""
    client = APIClient()
    if user is not None:
        token, secret = token_create(user=user, name="Tests")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def api(team):
    """`api(user)` gives an API client authenticated by that user's token."""
    return api_client_for


@pytest.fixture
def browser_client(client: Client):
    """`browser_client(user)` gives a page client signed in as that user."""

    def make(user: User) -> Client:
        client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """A deliberately slow hasher costs ~0.4 s per user; tests only need one that works."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def on_postgresql() -> bool:

    return connection.vendor == "postgresql"


FUZZ_OUTCOMES = Path(__file__).resolve().parent.parent / "test-artifacts" / "fuzz"


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # once, in the controlling process
        shutil.rmtree(FUZZ_OUTCOMES, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How far the API fuzzing got: the operations that answered with a success at least
    once, and for the rest the status codes they gave (tests/test_api_fuzz.py)."""
    records = [json.loads(path.read_text()) for path in sorted(FUZZ_OUTCOMES.glob("*.json"))]
    if not records:
        return
    stuck = [r for r in records if not any(200 <= int(code) < 300 for code in r["statuses"])]
    terminalreporter.section("API fuzzing")
    terminalreporter.write_line(
        f"{len(records) - len(stuck)} of {len(records)} operations answered with a success"
    )
    for record in stuck:
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(record["statuses"].items()))
        terminalreporter.write_line(f"  never: {record['operation']} ({codes})")
