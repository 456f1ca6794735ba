"""Shared fixtures: a product with one person in each role, plus an outsider."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import token_create
from goals.models import OrgRole, Product, ProductRole, User
from tests.factories import OrganizationMembershipFactory, ProductFactory, UserFactory, add_member

# In CI every test that needs a service must run: a missing service is a failure there.
REQUIRE_SERVICES = os.getenv("GOALCHAIN_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (GOALCHAIN_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _celery_eager():
    """Run tasks in-process so a test sees their effects; they still queue after commit."""
    from goalchain.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached chains (ids are reused once a test's rows roll back)
    and no counts of tries against the limits of sign-in pages.

    On Redis only our keys go: a flush would also drop the tasks queued for Celery workers
    that tests start, which share the database."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        stale = [
            key
            for pattern in ("chain:*", "password-reset:*", "two-factor:*", "oidc-discovery:*")
            for key in client.scan_iter(cache.make_key(pattern))
        ]
        if stale:
            client.delete(*stale)
    else:
        cache.clear()


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
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def on_postgresql() -> bool:
    from django.db import connection

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
