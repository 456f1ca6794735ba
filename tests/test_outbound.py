"""Requests to typed-in addresses (goalchain/outbound.py): never to private networks unless
allowed, every redirect checked, answers bounded in time and size."""

from __future__ import annotations

import socket
import time

import pytest

from goalchain import outbound
from goalchain.outbound import OutboundError, check_url, send
from tests.receiver import Reply, serve


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hook",
        "http://192.168.1.20/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://localhost:6379/",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused_by_default(url):
    with pytest.raises(OutboundError, match="private, loopback or link-local"):
        check_url(url)
    with pytest.raises(OutboundError, match="private, loopback or link-local"):
        send("POST", url, body=b"{}")


def test_a_name_is_refused_for_what_it_resolves_to(monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "hooks.example.com":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(OutboundError) as refused:
        send("POST", "https://hooks.example.com/in", body=b"{}")
    assert str(refused.value) == (
        "hooks.example.com (127.0.0.1) is a private, loopback or link-local address: "
        "Goal Chain only sends to addresses on the public internet."
    )


def test_every_redirect_is_checked_before_it_is_followed(monkeypatch):
    # The receiver on 127.0.0.1 stands for a public server here; everything else private
    # stays refused.
    monkeypatch.setattr(outbound, "allowed_address", lambda address: address == "127.0.0.1")
    with serve() as receiver:
        ok = receiver.answer("/ok", Reply(body=b"fine"))
        redirect = receiver.answer("/away", Reply(status=302, location=ok))
        assert send("GET", redirect).body == b"fine"
        for private in ("http://10.0.0.1/", "http://169.254.169.254/", "http://127.0.0.2/"):
            hop = receiver.answer("/to-private", Reply(status=307, location=private))
            with pytest.raises(OutboundError, match="private, loopback or link-local"):
                send("POST", hop, body=b"{}")
        loop = receiver.answer("/loop", Reply(status=301, location="/loop"))
        with pytest.raises(OutboundError, match="redirected more than 3 times"):
            send("GET", loop)
    assert len(receiver.to("/loop")) == 4


def test_the_setting_allows_private_networks(settings):
    settings.INTEGRATIONS_ALLOW_PRIVATE_NETWORKS = True
    with serve() as receiver:
        url = receiver.answer("/hook", Reply(status=204, body=b""))
        answer = send("POST", url, body=b'{"a": 1}', headers={"Content-Type": "application/json"})
    assert answer.status == 204
    (request,) = receiver.to("/hook")
    assert request.body == b'{"a": 1}'
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"].startswith("GoalChain/")


def test_a_slow_answer_times_out(receiver):
    url = receiver.answer("/slow", Reply(delay=3))
    started = time.monotonic()
    with pytest.raises(OutboundError, match="did not answer in time"):
        send("GET", url, timeout=0.5)
    assert time.monotonic() - started < 2


def test_an_answer_over_the_size_limit_is_refused(receiver):
    url = receiver.answer("/big", Reply(body=b"1" * 10_000_000))
    with pytest.raises(OutboundError, match=r"larger than 1 MB"):
        send("GET", url, max_bytes=1_000_000)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files.example.com/data.csv", "starting with https://"),
        ("hooks.example.com/in", "starting with https://"),
        ("https://user:secret@hooks.example.com/in", "Leave the name and password out"),
        ("https://no-such-host.invalid/in", "could not be found"),
        ("http://[::1", "not a web address"),
    ],
)
def test_addresses_that_cannot_be_sent_to_are_named(url, message):
    with pytest.raises(OutboundError, match=message):
        check_url(url)


def test_a_server_that_is_not_there_is_named(receiver):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(OutboundError, match="could not be reached"):
        send("GET", f"http://127.0.0.1:{port}/")
