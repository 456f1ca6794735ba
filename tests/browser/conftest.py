"""Browser tests: real Chromium through Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import sync_playwright

from goals.models import Goal, Level, Product, ProductRole, Status, User
from tests.asgi import AsgiLiveServer, serve_asgi
from tests.conftest import skip_or_fail
from tests.factories import ProductFactory, UserFactory, add_member, make_goal
from workshops.models import Workshop
from workshops.services.setup import participant_add, workshop_create

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


class _Chromium:
    """One Chromium for each run of browser tests a worker meets in a row: launching it
    costs about a second of both cores. It stops after the last browser test before any
    other (pytest_runtest_teardown below): Playwright's sync API keeps an event loop running
    until it stops, and tests elsewhere that call asyncio.run() must not find one."""

    def __init__(self) -> None:
        self.playwright: Any = None
        self.browser: Any = None

    def start(self) -> Any:
        if self.browser is None:
            self.playwright = sync_playwright()
            started = self.playwright.__enter__()
            try:
                self.browser = started.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            except BaseException:
                self.stop()  # or the next start would find Playwright's loop still running
                raise
        return self.browser

    def stop(self) -> None:
        if self.playwright is not None:
            try:
                if self.browser is not None:
                    self.browser.close()
            finally:
                self.playwright.__exit__(None, None, None)
                self.playwright = self.browser = None


_CHROMIUM = _Chromium()


@pytest.fixture
def chromium() -> object:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return _CHROMIUM.start()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After the test's own fixtures (its pages) are gone: Chromium stops unless the next
    test is a browser test too."""
    if nextitem is None or Path(__file__).parent not in nextitem.path.parents:
        _CHROMIUM.stop()


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


@pytest.fixture
def asgi_live_server(transactional_db, monkeypatch) -> Iterator[AsgiLiveServer]:
    """The app served over ASGI by uvicorn in a thread, for pages that stream (tests/asgi.py).

    pytest-django's live_server speaks WSGI, which collects a streaming response whole
    before sending it, so the workshop room's event stream would arrive 25 s late."""
    with serve_asgi(monkeypatch) as server:
        yield server


def meal_planner() -> tuple[Product, User, User, Goal]:
    """Meal Planner at Acme Health: Lea leads it, Tom is on its team, and its vision and a
    user goal are agreed. Returns the product, Lea, Tom and the user goal."""
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    lea = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    tom = add_member(product, UserFactory(display_name="Tom Team"), ProductRole.TEAM)
    vision = make_goal(product, Level.VISION, status=Status.AGREED, title="Everyone eats well")
    user_goal = make_goal(
        product, Level.USER, vision, status=Status.AGREED, title="Families plan meals fast"
    )
    return product, lea, tom, user_goal


def roadmapping(product: Product, lea: User, user_goal: Goal, **details: Any) -> Workshop:
    """Lea's workshop "Roadmapping Q1" on Meal Planner, which decides product goals serving
    the user goal; `details` are the rest of workshop_create's fields."""
    return workshop_create(
        actor=lea,
        product=product,
        title="Roadmapping Q1",
        target_level=Level.PRODUCT,
        parent_goal=user_goal,
        facilitator=lea,
        **details,
    )


@pytest.fixture
def planned(db):
    """A product whose leader facilitates a workshop planned two days ago and never held."""
    product, lea, tom, user_goal = meal_planner()
    missed = roadmapping(product, lea, user_goal, scheduled_at=timezone.now() - timedelta(days=2))
    participant_add(actor=lea, workshop=missed, user=tom)
    return product, lea, missed
