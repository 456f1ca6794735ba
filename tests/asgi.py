"""The app served by uvicorn in a thread, split between Django's handlers as in production
(goalchain/serving.py), for tests that need a real server: pages that stream (tests/browser)
and what uvicorn itself decides, such as whose X-Forwarded-For it believes
(tests/accounts/test_proxies.py).

As in Django's live server, requests use the test's connection when the test database is
SQLite in memory (another connection would see another, empty database); one connection must
not run two queries at once, so all the server's synchronous code runs on one thread, and the
test reads through `db()` while the server runs.
"""

from __future__ import annotations

import socket
import threading
import time
import types
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from a2wsgi import WSGIMiddleware
from asgiref.sync import ThreadSensitiveContext
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application
from django.db import connections

from goalchain.serving import Dispatch


@dataclass
class AsgiLiveServer:
    url: str
    executor: ThreadPoolExecutor

    def db[T](self, read: Callable[[], T]) -> T:
        """Run `read` on the server's thread: while pages stream, it owns the database."""
        return self.executor.submit(read).result()


@contextmanager
def serve_asgi(monkeypatch: pytest.MonkeyPatch, **options: Any) -> Iterator[AsgiLiveServer]:
    """Serve the app on a free port of 127.0.0.1 until the block ends; `options` go to
    uvicorn.Config (e.g. proxy_headers, forwarded_allow_ips)."""
    shared = {
        alias: connections[alias]
        for alias in connections
        if connections[alias].vendor == "sqlite" and connections[alias].is_in_memory_db()
    }
    for connection in shared.values():
        connection.inc_thread_sharing()
    if shared:
        monkeypatch.setattr(connections, "_connections", types.SimpleNamespace(**shared))
    executor = ThreadPoolExecutor(max_workers=1)
    django_app = get_asgi_application()

    async def streams(scope: Any, receive: Any, send: Any) -> None:
        async with ThreadSensitiveContext(executor=executor):
            await django_app(scope, receive, send)

    plain = WSGIMiddleware(get_wsgi_application(), workers=1)
    plain.executor = executor  # the one thread that owns the database, as for the streams
    app = Dispatch(plain=plain, streams=streams)

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", timeout_graceful_shutdown=1, **options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield AsgiLiveServer(f"http://localhost:{listener.getsockname()[1]}", executor)
    finally:
        server.should_exit = True
        thread.join(10)
        executor.submit(connections.close_all).result()  # the server thread's own connections
        executor.shutdown()
        for connection in shared.values():
            connection.dec_thread_sharing()
