"""In a real browser, "Dots per voter" appears when dot voting is chosen, by mouse or by
keyboard, and goes away for any other method ([2/7] item 14)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import sign_in
from tests.browser.test_workshop_browser import shoot
from workshops.models import VotingMethod, Workshop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


def test_the_dots_field_follows_the_voting_method(
    asgi_live_server,
    planned,
    open_page,
    page_errors,
    screenshot_dir,
):
    product, lea, _ = planned
    server = asgi_live_server
    page = open_page(1280)
    sign_in(page, server.url, lea.email)

    page.goto(f"{server.url}/products/{product.pk}/workshops/new/")
    dots = page.get_by_label("Dots per voter")
    expect(page.get_by_label("Consent (agree / abstain / object)")).to_be_checked()
    expect(dots).to_be_hidden()

    page.get_by_label("Dot voting").click()
    expect(dots).to_be_visible()
    expect(dots).to_be_enabled()
    shoot(page, screenshot_dir / "workshop-new-dot-voting-1280.png")
    page.get_by_label("Score 1–5").click()
    expect(dots).to_be_hidden()

    # By keyboard: arrow keys move through the methods, and the field follows.
    page.get_by_label("Score 1–5").focus()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Dot voting")).to_be_checked()
    expect(dots).to_be_visible()
    page.keyboard.press("Tab")
    expect(dots).to_be_focused()
    dots.fill("5")

    page.get_by_label("Title").fill("Roadmapping Q2")
    page.get_by_label("The adopted goal will serve").select_option(
        label="Families plan meals fast (user goal)"
    )
    page.get_by_label("Decision rule").select_option("majority")
    page.get_by_role("button", name="Plan the workshop").click()
    expect(page).to_have_url(re.compile(r"/workshops/\d+/participants/$"))
    saved = server.db(lambda: Workshop.objects.get(title="Roadmapping Q2"))
    assert (saved.voting_method, saved.dots_per_voter) == (VotingMethod.DOT, 5)

    # The edit form opens with the dots shown for this dot workshop, and hides them for consent.
    page.goto(f"{server.url}/workshops/{saved.pk}/edit/")
    expect(dots).to_be_visible()
    page.get_by_label("Consent (agree / abstain / object)").click()
    expect(dots).to_be_hidden()
    shoot(page, screenshot_dir / "workshop-edit-consent-1280.png")
    assert page_errors == []
