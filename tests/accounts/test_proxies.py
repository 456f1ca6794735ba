"""Whose X-Forwarded-For the app believes: only a trusted proxy's, so that the sign-in
lockout counts each client's real address and a made-up header per try cannot dodge it.

Served by uvicorn itself, as in production, with the proxy headers on: uvicorn picks the
client's address from X-Forwarded-For only when the connection comes from an address in
`forwarded_allow_ips`, walking the list from the right past trusted proxies."""

from __future__ import annotations

import http.client
import ipaddress
import re
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import yaml
from axes.models import AccessAttempt

from tests.asgi import AsgiLiveServer, serve_asgi
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
# The address a proxy that sets X-Forwarded-For itself (Caddy) appends for its client.
REAL_CLIENT = "203.0.113.7"
TRIES = 6  # one more than the lockout allows (AXES_FAILURE_LIMIT)


@pytest.fixture
def behind_local_proxy(transactional_db, monkeypatch):
    """The app trusting X-Forwarded-For from 127.0.0.1 only, as the image does by default."""
    with serve_asgi(monkeypatch, proxy_headers=True, forwarded_allow_ips="127.0.0.1") as server:
        yield server


def sign_in(
    server: AsgiLiveServer, email: str, forwarded_for: str, *, source: str = "127.0.0.1"
) -> int:
    """A wrong password for `email` on the sign-in page, over a connection from `source`
    carrying `forwarded_for`; the response's status."""
    port = urlsplit(server.url).port
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    headers = {"Host": "localhost", "X-Forwarded-For": forwarded_for}
    try:
        connection.request("GET", "/login/", headers=headers)
        page = connection.getresponse()
        html = page.read().decode()
        cookie = SimpleCookie(page.getheader("Set-Cookie"))["csrftoken"].value
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        body = urlencode(
            {"csrfmiddlewaretoken": token, "username": email, "password": "wrong-password"}
        )
        connection.request(
            "POST",
            "/login/",
            body=body,
            headers={
                **headers,
                "Cookie": f"csrftoken={cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def addresses_counted(server: AsgiLiveServer) -> set[str]:
    return server.db(lambda: set(AccessAttempt.objects.values_list("ip_address", flat=True)))


def test_a_made_up_address_per_try_behind_the_trusted_proxy_is_still_locked_out(
    behind_local_proxy,
):
    server = behind_local_proxy
    email = server.db(lambda: UserFactory().email)
    statuses = [
        sign_in(server, email, f"198.51.100.{attempt}, {REAL_CLIENT}") for attempt in range(TRIES)
    ]
    assert statuses[:4] == [200] * 4
    assert statuses[4:] == [429, 429]
    assert addresses_counted(server) == {REAL_CLIENT}


def test_a_client_the_app_does_not_trust_is_judged_by_its_own_address(behind_local_proxy):
    server = behind_local_proxy
    email = server.db(lambda: UserFactory().email)
    statuses = [
        sign_in(server, email, f"198.51.100.{attempt}", source="127.0.0.2")
        for attempt in range(TRIES)
    ]
    assert statuses[-1] == 429
    assert addresses_counted(server) == {"127.0.0.2"}
    # Its lockout is its own: the same email from the trusted proxy's client still gets in
    # far enough to be told the password is wrong.
    assert sign_in(server, email, REAL_CLIENT) == 200


def test_trusting_every_address_would_let_a_made_up_header_dodge_the_lockout(
    transactional_db, monkeypatch
):
    """Why "*" is never the setting: the header's first entry is then the client's address."""
    with serve_asgi(monkeypatch, proxy_headers=True, forwarded_allow_ips="*") as server:
        email = server.db(lambda: UserFactory().email)
        statuses = [
            sign_in(server, email, f"198.51.100.{attempt}, {REAL_CLIENT}")
            for attempt in range(TRIES)
        ]
        assert statuses == [200] * TRIES
        assert REAL_CLIENT not in addresses_counted(server)


def _default(value: str) -> str:
    """The default of a compose value written `${NAME:-default}`, or the value itself."""
    match = re.fullmatch(r"\$\{[A-Z_]+:-([^}]*)\}", value)
    return match.group(1) if match else value


def test_compose_trusts_exactly_its_proxys_fixed_address():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    proxy_address = compose["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    (network,) = compose["networks"]["default"]["ipam"]["config"]
    trusted = compose["services"]["web"]["environment"]["FORWARDED_ALLOW_IPS"]

    assert _default(trusted) == proxy_address
    assert "*" not in trusted
    address = ipaddress.ip_address(proxy_address)
    assert address in ipaddress.ip_network(network["subnet"])
    # Docker hands other containers addresses from ip_range only: none can take the proxy's.
    assert address not in ipaddress.ip_network(network["ip_range"])
    for name, service in compose["services"].items():
        if name != "web":
            assert "FORWARDED_ALLOW_IPS" not in (service.get("environment") or {}), name


def test_the_image_keeps_uvicorns_default_of_trusting_only_itself():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--proxy-headers" in dockerfile
    assert "forwarded-allow-ips" not in dockerfile.lower()
    assert "FORWARDED_ALLOW_IPS=" not in dockerfile
