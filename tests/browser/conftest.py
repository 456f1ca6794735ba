"""Browser tests: real Chromium through Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django would refuse its ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.getenv("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """The live server serves static files from the finders; no collectstatic needed."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# Module scope, not session: Playwright's sync API keeps an event loop running until it
# stops, and tests elsewhere that call asyncio.run() must not find one.
@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from tests.conftest import skip_or_fail

    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshot_dir() -> Path:
    folder = Path(os.getenv("SCREENSHOT_DIR", "test-artifacts/screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page_errors() -> list[str]:
    """Console errors and uncaught exceptions of every page; each test ends asserting none."""
    return []


@pytest.fixture
def open_page(chromium, page_errors):
    """`open_page(width)` gives a fresh page whose console errors are collected."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                page_errors.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: page_errors.append(f"pageerror: {error}"))
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@dataclass
class AsgiLiveServer:
    url: str
    executor: ThreadPoolExecutor

    def db[T](self, read: Callable[[], T]) -> T:
        """Run `read` on the server's thread: while pages stream, it owns the database."""
        return self.executor.submit(read).result()


@pytest.fixture
def asgi_live_server(transactional_db, monkeypatch) -> Iterator[AsgiLiveServer]:
    """The app served over ASGI by uvicorn in a thread, for pages that stream.

    pytest-django's live_server speaks WSGI, which collects a streaming response whole
    before sending it, so the workshop room's event stream would arrive 25 s late.
    As in Django's live server, requests use the test's connection when the test database
    is SQLite in memory (another connection would see another, empty database); one
    connection must not run two queries at once, so all the server's synchronous code runs
    on one thread, and the test reads through `db()` while the server runs.
    """
    import socket
    import threading
    import time
    import types

    import uvicorn
    from asgiref.sync import ThreadSensitiveContext
    from django.core.asgi import get_asgi_application
    from django.db import connections

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

    async def app(scope: Any, receive: Any, send: Any) -> None:
        async with ThreadSensitiveContext(executor=executor):
            await django_app(scope, receive, send)

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, lifespan="off", log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield AsgiLiveServer(f"http://localhost:{listener.getsockname()[1]}", executor)
    server.should_exit = True
    thread.join(10)
    executor.submit(connections.close_all).result()  # the server thread's own connections
    executor.shutdown()
    for connection in shared.values():
        connection.dec_thread_sharing()
