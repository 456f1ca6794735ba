"""A workshop in real browsers: one participant drafts, the others see it without reloading;
both vote, hidden; the facilitator reveals and everyone sees the tallies."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from goals.models import ProductRole
from tests.browser.conftest import meal_planner, roadmapping
from tests.browser.pages import sign_in
from tests.factories import UserFactory, add_member, today
from workshops import events
from workshops.models import Proposal, Vote
from workshops.services.decisions import workshop_decide
from workshops.services.proposals import proposal_create, proposal_update
from workshops.services.setup import participant_add, workshop_set_phase
from workshops.services.votes import vote_cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # Static files are served by WhiteNoise, whose file iterator is synchronous.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]

LIVE = 2_000  # every participant's room updates within two seconds of a change
BOXES = """selectors => selectors.map(selector => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return {x: box.x, width: box.width};
})"""


@pytest.fixture
def workshop(db):
    product, lea, tom, user_goal = meal_planner()
    ana = add_member(product, UserFactory(display_name="Ana Analyst"), ProductRole.TEAM)
    workshop = roadmapping(
        product,
        lea,
        user_goal,
        agenda="1. Draft\n2. Vote\n3. Decide",
        ground_rules="Everyone speaks once before anyone speaks twice.",
        timeboxes={"drafting": 15, "voting": 5},
    )
    for person in (tom, ana):
        participant_add(actor=lea, workshop=workshop, user=person)
    workshop_set_phase(actor=lea, workshop=workshop, phase="drafting")
    return workshop, lea, tom, ana


def shoot(page, path) -> None:
    """A full-page screenshot that leaves the page alone: Playwright hides the caret with
    inline styles by default, which the CSP refuses and which htmx then copies around."""
    page.screenshot(path=str(path), full_page=True, caret="initial")


def test_two_participants_draft_vote_and_see_the_revealed_tallies_live(
    asgi_live_server, workshop, open_page, page_errors, screenshot_dir
):
    workshop, lea, tom, ana = workshop
    server = asgi_live_server
    room_url = f"{server.url}/workshops/{workshop.pk}/"
    rooms = {}
    for person, width, height in ((tom, 1280, 900), (ana, 390, 844), (lea, 1280, 900)):
        page = open_page(width, height)
        sign_in(page, server.url, person.email)
        page.goto(room_url)
        expect(page.locator("#room-phase")).to_contain_text("Drafting")
        rooms[person.pk] = page
    tom_page, ana_page, lea_page = rooms[tom.pk], rooms[ana.pk], rooms[lea.pk]

    # Ana starts a proposal of her own; what she types must survive the live updates.
    ana_form = ana_page.locator("#proposal-new-form")
    ana_form.get_by_label("Title").fill("Ana's half-written idea")

    # Tom drafts; the chain rules answer as he types (two years is long for a product goal).
    form = tom_page.locator("#proposal-new-form")
    form.get_by_label("Title").fill("Plan a week of meals in ten minutes")
    form.get_by_label("Description").fill("Families pick meals for the **whole week** at once.")
    start = today()
    form.get_by_label("Starts on").fill(start.isoformat())
    form.get_by_label("Ends on").fill((start + timedelta(days=730)).isoformat())
    advice = form.locator("[data-quality-check] [data-code=timeframe]")
    expect(advice).to_contain_text("usually spans two to six months")
    form.get_by_label("Ends on").fill((start + timedelta(days=90)).isoformat())
    expect(advice).to_have_count(0)
    form.get_by_label("What you measure").first.fill("Weekly plans made")
    form.get_by_label("Baseline").first.fill("0")
    form.get_by_label("Target").first.fill("500")
    form.get_by_label("Unit").first.fill("plans")
    form.get_by_role("button", name="Add proposal").click()
    expect(tom_page.locator("#new-proposal .message-success")).to_contain_text("was added")

    # Ana and the facilitator see it appear without reloading; Ana's own text is kept.
    title = "Plan a week of meals in ten minutes"
    expect(ana_page.locator(".proposal-title", has_text=title)).to_be_visible(timeout=LIVE)
    expect(lea_page.locator(".proposal-title", has_text=title)).to_be_visible(timeout=LIVE)
    expect(ana_form.get_by_label("Title")).to_have_value("Ana's half-written idea")
    shoot(tom_page, screenshot_dir / "workshop-drafting-1280.png")
    shoot(ana_page, screenshot_dir / "workshop-drafting-390.png")
    proposal = server.db(lambda: Proposal.objects.get(title=title))

    # Tom and Ana amend at once: Ana saves first; Tom's unsaved text survives her update,
    # and his save shows her text beside his instead of losing either.
    card = f"#proposal-{proposal.pk}"
    tom_page.locator(f"{card} summary", has_text="Amend").click()
    tom_amend = tom_page.locator(f"#amend-{proposal.pk}")
    tom_amend.get_by_label("Description").fill("Tom's sharper description.")
    ana_page.locator(f"{card} summary", has_text="Amend").click()
    ana_amend = ana_page.locator(f"#amend-{proposal.pk}")
    ana_amend.get_by_label("Title").fill("Plan a week of meals in five minutes")
    ana_amend.get_by_role("button", name="Save amendment").click()
    expect(ana_page.locator(f"{card} .message-success")).to_contain_text("Amendment saved")
    expect(tom_page.locator(f"{card} .proposal-title")).to_contain_text(
        "in five minutes", timeout=LIVE
    )
    expect(tom_amend.get_by_label("Description")).to_have_value("Tom's sharper description.")
    tom_amend.get_by_role("button", name="Save amendment").click()
    theirs = tom_page.locator(f"{card} .theirs")
    expect(theirs).to_contain_text("Saved now by Ana Analyst")
    expect(theirs).to_contain_text("Plan a week of meals in five minutes")
    expect(tom_amend.get_by_label("Description")).to_have_value("Tom's sharper description.")
    shoot(tom_page, screenshot_dir / "workshop-conflict-1280.png")
    tom_page.set_viewport_size({"width": 390, "height": 844})
    shoot(tom_page, screenshot_dir / "workshop-conflict-390.png")
    tom_page.set_viewport_size({"width": 1280, "height": 900})
    tom_amend.get_by_role("button", name="Keep mine (save over)").click()
    expect(tom_page.locator(f"{card} .message-success")).to_contain_text("Amendment saved")
    expect(ana_page.locator(f"{card} .prose")).to_contain_text("Tom's sharper", timeout=LIVE)
    assert server.db(lambda: Proposal.objects.get(pk=proposal.pk).version) == 3

    lea_page.get_by_role("button", name="Start voting").click()
    for page in (tom_page, ana_page):
        expect(page.locator(f"#vote-{proposal.pk}")).to_be_visible(timeout=LIVE)
    # Drafting is over: Tom's empty form goes; Ana's text stays, marked as no longer saveable.
    expect(tom_page.locator("#new-proposal")).to_have_count(0)
    expect(ana_page.locator("#new-proposal .gone-note")).to_contain_text("moved on")
    expect(ana_form.get_by_label("Title")).to_have_value("Ana's half-written idea")

    tom_ballot = tom_page.locator(f"#vote-{proposal.pk}")
    tom_ballot.get_by_label("Agree").check()
    tom_ballot.get_by_role("button", name="Vote").click()
    expect(tom_page.locator(f"#proposal-{proposal.pk} .message-success")).to_contain_text(
        "Your vote is in"
    )
    ana_ballot = ana_page.locator(f"#vote-{proposal.pk}")
    ana_ballot.get_by_label("Object").check()
    ana_ballot.get_by_role("button", name="Vote").click()
    # An objection needs a reason: the error is tied to the field and her choice is kept.
    reason = ana_ballot.get_by_label("Reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(ana_ballot.get_by_label("Object")).to_be_checked()
    reason.fill("It forgets families who cook for one day only")
    ana_ballot.get_by_role("button", name="Vote").click()
    expect(ana_page.locator(f"#proposal-{proposal.pk} .message-success")).to_be_visible()
    assert server.db(Vote.objects.count) == 2

    # The facilitator sees who has voted, never how, until the reveal.
    expect(lea_page.locator("#phase-status")).to_contain_text("2 of 2", timeout=LIVE)
    expect(lea_page.locator(".tally")).to_have_count(0)
    expect(lea_page.locator("#room")).not_to_contain_text("cook for one day")
    shoot(lea_page, screenshot_dir / "workshop-voting-1280.png")
    shoot(ana_page, screenshot_dir / "workshop-voting-390.png")

    lea_page.get_by_role("button", name="Reveal the votes").click()
    for page in (tom_page, ana_page, lea_page):
        tally = page.locator(f"#proposal-{proposal.pk} .tally")
        expect(tally).to_be_visible(timeout=LIVE)
        expect(tally).to_contain_text("2 voters")
        expect(tally.locator(".objections")).to_contain_text(
            "Ana Analyst: It forgets families who cook for one day only"
        )
    shoot(tom_page, screenshot_dir / "workshop-revealed-1280.png")
    shoot(ana_page, screenshot_dir / "workshop-revealed-390.png")

    # Consent fails on an objection: the reason shows in every room.
    lea_page.get_by_role("button", name=re.compile("^Decide by consent")).click()
    for page in (lea_page, tom_page, ana_page):
        expect(page.locator(f"#proposal-{proposal.pk} .decision-failed")).to_contain_text(
            "1 objection raised", timeout=LIVE
        )
    expect(lea_page.get_by_role("button", name=re.compile("^Start round 2"))).to_be_visible()
    shoot(lea_page, screenshot_dir / "workshop-decided-1280.png")
    # Five controls for the facilitator: they wrap, and the status beside them stays readable.
    for width in (1280, 960):
        lea_page.set_viewport_size({"width": width, "height": 900})
        # The room swaps its live parts in on any event: both boxes are read in one go.
        status, controls = lea_page.evaluate(BOXES, ["#phase-status", "#phase-controls"])
        assert status["width"] >= 256, width
        assert controls["x"] >= status["x"] + status["width"], width

    assert page_errors == []


def test_a_leader_plans_a_workshop_invites_the_team_and_finds_it_listed(
    asgi_live_server, workshop, open_page, page_errors, screenshot_dir
):
    workshop, lea, _, _ = workshop
    server = asgi_live_server
    product = workshop.product
    page = open_page(1280)
    sign_in(page, server.url, lea.email)
    page.goto(f"{server.url}/products/{product.pk}/")
    page.get_by_role("link", name="Workshops", exact=True).click()
    page.get_by_role("link", name="Plan a workshop").click()
    # htmx, a deferred script, binds the level field once the page has loaded; a click on a link
    # does not wait for that, so a choice made earlier would not redraw the parent choices.
    page.wait_for_load_state()

    # A new target level redraws the parent choices and preselects the level's rule.
    level = page.get_by_label("What the workshop agrees on")
    level.select_option("user")
    parent = page.get_by_label("The adopted goal will serve")
    expect(parent.locator("option", has_text="Everyone eats well")).to_have_count(1)
    expect(page.locator("#level-fields")).to_contain_text(
        "Unanimous — fixed for vision, user and business goals"
    )
    expect(page.locator("select[name=decision_rule]")).to_have_count(0)
    level.select_option("product")
    expect(parent.locator("option", has_text="Families plan meals fast")).to_have_count(1)
    expect(page.get_by_label("Decision rule")).to_have_value("consent")

    page.get_by_role("button", name="Plan the workshop").click()
    title = page.get_by_label("Title")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_title_error")).to_contain_text("Give the workshop a title")
    shoot(page, screenshot_dir / "workshop-new-errors-1280.png")
    # A page with form errors answers 400, which Chromium logs; nothing else may be logged.
    assert page_errors == [
        "console: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    page_errors.clear()

    title.fill("Sprint review Q2")
    page.get_by_label("The adopted goal will serve").select_option(
        label="Families plan meals fast (user goal)"
    )
    page.get_by_label("Dot voting").check()
    page.get_by_label("Decision rule").select_option("majority")
    page.get_by_label("Drafting").fill("25")
    page.get_by_role("button", name="Plan the workshop").click()
    expect(page.get_by_role("heading", name="Who takes part")).to_be_visible()
    page.get_by_label("Tom Team (team member)").check()
    page.get_by_label("Ana Analyst (team member)").check()
    page.get_by_label("They take part as").select_option("voter")
    page.get_by_role("button", name="Invite").click()
    expect(page.locator(".message-success")).to_contain_text("Invited")
    shoot(page, screenshot_dir / "workshop-participants-1280.png")

    page.get_by_role("link", name="Workshops", exact=True).click()
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming"))
    expect(upcoming).to_contain_text("Sprint review Q2")
    running = page.locator("section", has=page.get_by_role("heading", name="Running now"))
    expect(running).to_contain_text("Roadmapping Q1")
    shoot(page, screenshot_dir / "workshop-list-1280.png")

    phone = open_page(390, 844)
    sign_in(phone, server.url, lea.email)
    phone.goto(f"{server.url}/products/{product.pk}/workshops/")
    shoot(phone, screenshot_dir / "workshop-list-390.png")
    phone.goto(f"{server.url}/products/{product.pk}/workshops/new/")
    shoot(phone, screenshot_dir / "workshop-new-390.png")
    assert page_errors == []


def test_an_adopted_goal_shows_its_decision_record_and_the_proposal_its_history(
    asgi_live_server, workshop, open_page, page_errors, screenshot_dir
):
    workshop, lea, tom, ana = workshop
    server = asgi_live_server
    proposal = proposal_create(
        actor=tom, workshop=workshop, title="Plan a week of meals", description="Old text."
    )
    proposal_update(
        actor=ana, proposal=proposal, data={"description": "New text, kinder to families."}
    )
    workshop_set_phase(actor=lea, workshop=workshop, phase="voting")
    vote_cast(actor=tom, proposal=proposal, value="agree")
    vote_cast(actor=ana, proposal=proposal, value="abstain")
    workshop_set_phase(actor=lea, workshop=workshop, phase="revealed")
    decision = workshop_decide(actor=lea, workshop=workshop, proposal=proposal)

    for width, height in ((1280, 900), (390, 844)):
        page = open_page(width, height)
        sign_in(page, server.url, ana.email)
        page.goto(f"{server.url}/goals/{decision.goal_id}/")
        record = page.locator(".decision-record")
        expect(record).to_contain_text("Roadmapping Q1")
        expect(record).to_contain_text("Lea Leader")
        shoot(page, screenshot_dir / f"goal-decision-{width}.png")
        page.goto(f"{server.url}/proposals/{proposal.pk}/history/")
        expect(page.locator("ins").first).to_contain_text("New")
        shoot(page, screenshot_dir / f"proposal-history-{width}.png")
    assert page_errors == []


def test_the_room_stays_live_across_the_streams_reconnects(
    asgi_live_server, workshop, open_page, page_errors, monkeypatch
):
    monkeypatch.setattr(events, "STREAM_SECONDS", 1)  # each stream ends, the browser resumes
    workshop, _, tom, ana = workshop
    page = open_page(1280)
    sign_in(page, asgi_live_server.url, tom.email)
    page.goto(f"{asgi_live_server.url}/workshops/{workshop.pk}/")
    page.wait_for_timeout(3_500)
    asgi_live_server.db(
        lambda: proposal_create(actor=ana, workshop=workshop, title="After reconnects")
    )
    expect(page.locator(".proposal-title", has_text="After reconnects")).to_be_visible(timeout=LIVE)
    assert page_errors == []
