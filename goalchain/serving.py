"""How the ASGI application uvicorn serves splits the requests between Django's two handlers.

A view written as a coroutine (the workshop room's event stream, which holds its connection
open) is served by Django's ASGI handler. Every other request goes to Django's WSGI handler,
run by a2wsgi on a fixed pool of threads (setting WEB_THREADS). Under the ASGI handler a
synchronous view ran in a thread started for its request, and the request crossed between that
thread and the event loop at each middleware: that cost a web worker more CPU than most
requests' own work (bench/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from functools import cache
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.urls import URLPattern, URLResolver, get_resolver

type Scope = MutableMapping[str, Any]
type ASGIApp = Callable[..., Awaitable[None]]


class Dispatch:
    """Sends an HTTP request whose view is synchronous to `plain` (the WSGI handler in
    threads), and everything else, event streams and lifespan, to `streams` (the ASGI one)."""

    def __init__(self, *, plain: ASGIApp, streams: ASGIApp) -> None:
        self.plain = plain
        self.streams = streams

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not _streams(_path_info(scope)):
            await self.plain(_without_underscored_headers(scope), receive, send)
        else:
            await self.streams(scope, receive, send)


def _path_info(scope: Scope) -> str:
    """The path Django resolves: without the prefix the app is mounted under."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _streams(path: str) -> bool:
    """Whether the path is one of a view written as a coroutine (a path no view takes goes
    the plain way): matched against those views' own patterns, so that the handler resolving
    the path is the only one to."""
    return any(pattern.match(path) for pattern in stream_patterns())


@cache
def stream_patterns() -> Sequence[re.Pattern[str]]:
    """The URLconf's patterns of the views written as coroutines, each from the root down."""
    return [re.compile(f"^{route}") for route in _coroutine_routes(get_resolver(), "")]


def _coroutine_routes(entry: URLPattern | URLResolver, above: str) -> Iterator[str]:
    route = above + entry.pattern.regex.pattern.removeprefix("^")
    if isinstance(entry, URLResolver):
        for below in entry.url_patterns:
            yield from _coroutine_routes(below, route)
    elif iscoroutinefunction(entry.callback):
        yield route


def _without_underscored_headers(scope: Scope) -> Scope:
    """The scope without headers whose names hold an underscore, as Django's ASGI handler
    drops them: in the WSGI environ `X_Forwarded_For` would pass for `X-Forwarded-For`."""
    headers = scope.get("headers", [])
    if not any(b"_" in name for name, _ in headers):
        return scope
    return {**scope, "headers": [(name, value) for name, value in headers if b"_" not in name]}
