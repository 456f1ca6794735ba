"""A real OpenID Connect provider for the single sign-on tests: tests/oidc/provider.mjs, the
npm package oidc-provider run by node on a free loopback port."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.core.cache import cache

from accounts.sso_provider import discovery_cache_key
from tests.conftest import skip_or_fail

PROVIDER_DIR = Path(__file__).resolve().parent.parent / "oidc"
STARTUP_SECONDS = 20


@pytest.fixture
def cache_in_process(settings):
    """The cache in this process, whose entries expire by the clock time-machine moves (Redis
    expires them by its own clock): for tests of limits that end with the hour."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_discovery(issuer: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The OpenID provider stopped at start:\n{log.read_text()}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    pytest.fail(
        f"The OpenID provider did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}"
    )


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory) -> Iterator[OidcProvider]:
    """The provider, with one confidential client whose redirect URI is the live server's
    callback; its login page signs in whatever email is typed (any password)."""
    node = shutil.which("node")
    if node is None:
        skip_or_fail("node is not installed: the single sign-on tests run an OpenID provider")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        skip_or_fail("tests/oidc/node_modules is missing: run `npm ci --prefix tests/oidc`")
    port = _free_port()
    provider = OidcProvider(
        issuer=f"http://127.0.0.1:{port}",
        client_id="goal-chain-tests",
        client_secret=secrets.token_urlsafe(24),
    )
    env = {
        **os.environ,
        "OIDC_CLIENT_ID": provider.client_id,
        "OIDC_CLIENT_SECRET": provider.client_secret,
        "OIDC_REDIRECT_URI": f"{live_server.url}/sso/callback/",
    }
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(node), "provider.mjs", str(port)],
            cwd=PROVIDER_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_discovery(provider.issuer, process, log)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def sso_on(settings, oidc_provider: OidcProvider) -> OidcProvider:
    """Goal Chain configured for the test provider. Cookies go over plain HTTP too: the live
    server speaks HTTP, and a client other than a browser sends secure cookies over HTTPS only."""
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_PROVIDER_NAME = "Test ID"
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Each test reads the discovery document afresh (a Redis cache outlives a test).
    cache.delete(discovery_cache_key(oidc_provider.issuer))
    return oidc_provider
