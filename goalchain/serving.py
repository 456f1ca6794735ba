"""How the ASGI application uvicorn serves splits the requests between Django's two handlers.

A view written as a coroutine (the workshop room's event stream, which holds its connection
open) is served by Django's ASGI handler. Every other request goes to Django's WSGI handler,
run by a2wsgi on a fixed pool of threads (setting WEB_THREADS). Under the ASGI handler a
synchronous view ran in a thread started for its request, and the request crossed between that
thread and the event loop at each middleware: that cost a web worker more CPU than most
requests' own work (bench/README.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from functools import lru_cache
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.urls import Resolver404, resolve

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
    """Whether the path's view is a coroutine (a path no view takes goes the plain way).
    Paths of the usual length are remembered; a long one is resolved each time, so that
    made-up paths cannot fill the worker's memory."""
    return _resolves_to_coroutine(path) if len(path) > 200 else _remembered(path)


def _resolves_to_coroutine(path: str) -> bool:
    try:
        return iscoroutinefunction(resolve(path).func)
    except Resolver404:
        return False


_remembered = lru_cache(maxsize=1024)(_resolves_to_coroutine)


def _without_underscored_headers(scope: Scope) -> Scope:
    """The scope without headers whose names hold an underscore, as Django's ASGI handler
    drops them: in the WSGI environ `X_Forwarded_For` would pass for `X-Forwarded-For`."""
    headers = scope.get("headers", [])
    if not any(b"_" in name for name, _ in headers):
        return scope
    return {**scope, "headers": [(name, value) for name, value in headers if b"_" not in name]}
