"""goalchain/serving.py: which of Django's two handlers serves a request."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from goalchain import serving
from goalchain.serving import Dispatch


class Recorder:
    """An ASGI app that notes the scopes it was given."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scopes.append(scope)


def _served_by(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Which app the request went to, and the scope it got."""
    apps = {"plain": Recorder(), "streams": Recorder()}
    asyncio.run(Dispatch(**apps)(scope, None, None))
    (served,) = [(name, app.scopes[0]) for name, app in apps.items() if app.scopes]
    return served


def _http(
    path: str, root_path: str = "", headers: list[tuple[bytes, bytes]] | None = None
) -> dict[str, Any]:
    return {"type": "http", "path": path, "root_path": root_path, "headers": headers or []}


@pytest.mark.parametrize(
    ("path", "root_path", "handler"),
    [
        ("/api/workshops/7/events/", "", "streams"),  # the room's event stream: a coroutine
        ("/goals/api/workshops/7/events/", "/goals", "streams"),  # mounted under a prefix
        ("/api/workshops/7/", "", "plain"),
        ("/api/goals/", "", "plain"),
        ("/products/1/", "", "plain"),
        ("/no/such/page/", "", "plain"),  # Django's WSGI handler answers the 404
    ],
)
def test_only_views_written_as_coroutines_go_to_the_asgi_handler(path, root_path, handler):
    served, _ = _served_by(_http(path, root_path))
    assert served == handler


def test_lifespan_goes_to_the_asgi_handler():
    served, _ = _served_by({"type": "lifespan"})
    assert served == "streams"


def test_headers_named_with_underscores_are_dropped_as_the_asgi_handler_drops_them():
    headers = [(b"x-forwarded-for", b"10.0.0.1"), (b"x_forwarded_for", b"6.6.6.6")]
    served, scope = _served_by(_http("/api/goals/", headers=headers))
    assert served == "plain"
    assert scope["headers"] == [(b"x-forwarded-for", b"10.0.0.1")]


def test_a_request_is_sent_by_the_coroutine_views_own_patterns():
    """The one coroutine view, the room's event stream, is found in the URLconf; a path is
    matched against its pattern, long ones too, and resolved only by the handler it goes to."""
    (pattern,) = serving.stream_patterns()
    assert pattern.match("/api/workshops/7/events/")
    assert not pattern.match("/api/workshops/7/events/extra/")
    stream = "/api/workshops/" + "7" * 250 + "/events/"  # the event stream's view all the same
    assert _served_by(_http(stream))[0] == "streams"
    assert _served_by(_http("/api/goals/" + "x" * 300 + "/"))[0] == "plain"
