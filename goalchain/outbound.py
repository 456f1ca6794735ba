"""Requests to addresses people type in: webhooks, chat hooks and metric sources.

Such an address could point the server at itself or at its neighbours (the database, a cloud
metadata service). So every name is resolved first and refused when any of its addresses is
private, loopback, link-local or otherwise not public; the request then goes to the address
that was checked, so a second lookup cannot answer differently; and each redirect is checked
the same way before it is followed. `INTEGRATIONS_ALLOW_PRIVATE_NETWORKS` lifts the rule, for
a server whose hooks are meant to stay inside its own network.

Answers are read up to a size limit and within a time limit; what goes wrong is an
`OutboundError` whose message a person can read on the page that shows it.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import urllib3
from django.conf import settings
from urllib3.exceptions import HTTPError, LocationParseError
from urllib3.util import parse_url

REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 3
USER_AGENT = "GoalChain/1.1"


class OutboundError(Exception):
    """Why a request could not be made or answered, in words for the page that shows it."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str
    milliseconds: int


def allowed_address(address: str) -> bool:
    """Whether requests may go to this IP address: public ones only, unless the setting
    allows private networks too."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global or settings.INTEGRATIONS_ALLOW_PRIVATE_NETWORKS


def check_url(url: str) -> None:
    """Refuse what could never be sent to, before it is saved: a wrong scheme, no host, or a
    name that resolves to a private address. Resolved again at every request."""
    _resolve(url)


def send(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    max_bytes: int = 1_000_000,
) -> Answer:
    """Make the request, following up to three redirects, each checked like the first.

    `timeout` bounds the whole exchange (connecting, waiting and reading); an answer longer
    than `max_bytes` is refused."""
    started = time.monotonic()
    deadline = started + timeout
    for _ in range(MAX_REDIRECTS + 1):
        host, port, address, scheme = _resolve(url)
        response = _request(method, url, host, port, address, scheme, body, headers, deadline)
        try:
            location = response.headers.get("Location")
            if response.status in REDIRECTS and location:
                url = urljoin(url, location)
                if response.status == 303:
                    method, body = "GET", None
                continue
            content = _read(response, max_bytes, deadline)
        finally:
            response.release_conn()
        return Answer(
            status=response.status,
            body=content,
            content_type=response.headers.get("Content-Type", ""),
            milliseconds=round((time.monotonic() - started) * 1000),
        )
    raise OutboundError(f"The address redirected more than {MAX_REDIRECTS} times.")


def _resolve(url: str) -> tuple[str, int, str, str]:
    """The host, port and the one checked address to connect to."""
    try:
        parts = parse_url(url)
    except LocationParseError:
        raise OutboundError("This is not a web address.") from None
    scheme = (parts.scheme or "").lower()
    if scheme not in {"http", "https"} or not parts.host:
        raise OutboundError("Use a web address starting with https:// (or http://).")
    if parts.auth:
        raise OutboundError("Leave the name and password out of the address.")
    host = parts.host.strip("[]")
    port = parts.port or (443 if scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundError(f"The name {host} could not be found.") from None
    addresses = [str(info[4][0]) for info in found]
    refused = [address for address in addresses if not allowed_address(address)]
    if refused:
        shown = host if host == refused[0] else f"{host} ({refused[0]})"
        raise OutboundError(
            f"{shown} is a private, loopback or link-local address: Goal Chain only sends "
            "to addresses on the public internet."
        )
    return host, port, addresses[0], scheme


def _request(
    method: str,
    url: str,
    host: str,
    port: int,
    address: str,
    scheme: str,
    body: bytes | None,
    headers: dict[str, str] | None,
    deadline: float,
) -> urllib3.BaseHTTPResponse:
    left = deadline - time.monotonic()
    if left <= 0:
        raise OutboundError("The address did not answer in time.")
    timeout = urllib3.Timeout(connect=min(left, 5.0), read=left)
    if scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address, port, timeout=timeout, retries=False,
            server_hostname=host, assert_hostname=host,
        )  # fmt: skip
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    parts = parse_url(url)
    default_port = port == (443 if scheme == "https" else 80)
    sent = {
        "Host": host if default_port else f"{host}:{port}",
        "User-Agent": USER_AGENT,
        **(headers or {}),
    }
    try:
        return pool.urlopen(
            method, parts.request_uri, body=body, headers=sent,
            redirect=False, preload_content=False, assert_same_host=False,
        )  # fmt: skip
    except urllib3.exceptions.NewConnectionError:  # a subclass of the timeout, for history
        raise OutboundError("The address could not be reached.") from None
    except urllib3.exceptions.TimeoutError:
        raise OutboundError("The address did not answer in time.") from None
    except urllib3.exceptions.SSLError:
        raise OutboundError("The address's HTTPS certificate could not be verified.") from None
    except (HTTPError, OSError):
        raise OutboundError("The address could not be reached.") from None


def _read(response: urllib3.BaseHTTPResponse, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise OutboundError(_too_large(max_bytes))
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := response.read(64 * 1024, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise OutboundError(_too_large(max_bytes))
            if time.monotonic() > deadline:
                raise OutboundError("The address did not answer in time.")
            chunks.append(chunk)
    except urllib3.exceptions.TimeoutError:
        raise OutboundError("The address did not answer in time.") from None
    except (HTTPError, OSError):
        raise OutboundError("The answer broke off before its end.") from None
    return b"".join(chunks)


def _too_large(max_bytes: int) -> str:
    return f"The answer is larger than {max_bytes / 1_000_000:g} MB, the most Goal Chain reads."
