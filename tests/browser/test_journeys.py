"""Whole journeys in real Chromium, each from the first click (or email) to the result seen.

Every journey saves screenshots and fails on any console error of any page it opened.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from goals import tasks
from goals.models import (
    Goal,
    KeyResult,
    Level,
    OrgRole,
    ProductRole,
    ReviewSchedule,
    Status,
    User,
)
from goals.rules.schedule import local_moment, local_today
from tests.browser.conftest import meal_planner, roadmapping
from tests.browser.pages import sign_in, sign_in_with_the_form
from tests.factories import (
    PASSWORD,
    KeyResultFactory,
    OrganizationMembershipFactory,
    ProductFactory,
    UserFactory,
    add_member,
    make_goal,
    today,
)
from workshops.models import Decision, Proposal, Vote

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # Static files are served by WhiteNoise, whose file iterator is synchronous.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]

LIVE = 2_000  # a room updates within two seconds of a change elsewhere


def shoot(page, path) -> None:
    """A full-page screenshot; caret="initial" because hiding the caret takes an inline
    style, which the CSP refuses (and logs as a console error)."""
    page.screenshot(path=str(path), full_page=True, caret="initial")


def link_in(message, base_url: str, path: str) -> str:
    """The link in an email's plain-text part to this site's page whose path matches `path`
    (a regular expression), the one a reader would follow."""
    links = re.findall(rf"{re.escape(base_url)}{path}", message.body)
    assert len(links) == 1, message.body
    return links[0]


def follow_and_sign_in(page, url: str, email: str) -> None:
    """Open a link from an email while signed out: sign in, land where the link pointed."""
    page.goto(url)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url)


# 1. A product leader builds the whole chain on the chain page of an empty product.


def test_a_leader_builds_a_chain_from_an_empty_product(
    live_server, open_page, page_errors, screenshot_dir
):
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    lea = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    tom = add_member(product, UserFactory(display_name="Tom Team"), ProductRole.TEAM)
    page = open_page(1280)
    sign_in_with_the_form(page, live_server.url, lea.email)
    page.get_by_role("link", name="Meal Planner").first.click()
    page.wait_for_url(f"{live_server.url}/products/{product.pk}/")
    summary = page.locator(".chain-summary")
    expect(summary).to_contain_text("0 goals in this chain.")
    expect(page.get_by_role("heading", name="Start with the vision")).to_be_visible()
    shoot(page, screenshot_dir / "journey-chain-empty-1280.png")

    start = today()
    steps = [
        ("Add the vision", "Everyone eats well without thinking about it", {}),
        ("User goal under", "Families plan a week of meals in ten minutes", {}),
        (
            "Product goal under",
            "Weekly planner that reads the fridge",
            {"Starts on": start, "Ends on": start + timedelta(days=90), "Owner": lea},
        ),
        (
            "Sprint goal under",
            "Scan the fridge",
            {"Starts on": start, "Ends on": start + timedelta(days=14), "Owner": tom},
        ),
    ]
    for number, (opener, title, fields) in enumerate(steps, start=1):
        page.get_by_role("link", name=re.compile(opener)).first.click()
        form = page.locator("form.add-form")
        form.get_by_label("Title").fill(title)
        for label, value in fields.items():
            if isinstance(value, User):
                form.get_by_label(label).select_option(label=f"{value.name} ({value.email})")
            else:
                form.get_by_label(label).fill(value.isoformat())
        form.get_by_role("button", name=re.compile("^Add ")).click()
        expect(page.locator("form.add-form")).to_have_count(0)
        expect(summary).to_contain_text(f"{number} goal{'s' if number > 1 else ''} in this chain.")
        expect(page.locator("article.card:focus")).to_contain_text(title)

    # After a reload the chain stands: each goal nested under the one it serves.
    page.reload()
    sprint_card = page.locator("#chain .card-title a", has_text="Scan the fridge")
    lineage = sprint_card.locator("xpath=ancestor::li/article//h3[contains(@class, 'card-title')]")
    expect(lineage).to_have_text([title for _, title, _ in steps])
    shoot(page, screenshot_dir / "journey-chain-built-1280.png")

    chain = {goal.title: goal for goal in Goal.objects.filter(product=product)}
    assert [chain[title].level for _, title, _ in steps] == [
        Level.VISION,
        Level.USER,
        Level.PRODUCT,
        Level.SPRINT,
    ]
    assert chain["Weekly planner that reads the fridge"].owner == lea
    assert chain["Scan the fridge"].owner == tom
    assert chain["Scan the fridge"].ends_on == start + timedelta(days=14)
    assert page_errors == []


# 2. A workshop from the invitation to an adopted goal, three voters in their own browsers.


@pytest.fixture
def planned_workshop(db):
    product, lea, tom, user_goal = meal_planner()
    voters = [
        tom,
        *(
            add_member(product, UserFactory(display_name=name), ProductRole.TEAM)
            for name in ("Ana Analyst", "Uma Designer")
        ),
    ]
    workshop = roadmapping(product, lea, user_goal, agenda="1. Draft\n2. Vote\n3. Decide")
    return workshop, lea, voters


def test_a_workshop_from_the_invitation_email_to_an_adopted_goal(
    asgi_live_server, planned_workshop, open_page, page_errors, screenshot_dir, settings
):
    workshop, lea, voters = planned_workshop
    server = asgi_live_server
    settings.SITE_URL = server.url
    room_url = f"{server.url}/workshops/{workshop.pk}/"

    # The facilitator invites the three as voters; each gets an email with the room's link.
    lea_page = open_page(1280)
    sign_in(lea_page, server.url, lea.email)
    lea_page.goto(f"{server.url}/workshops/{workshop.pk}/participants/")
    for voter in voters:
        lea_page.get_by_label(f"{voter.name} (team member)").check()
    lea_page.get_by_label("They take part as").select_option("voter")
    lea_page.get_by_role("button", name="Invite").click()
    expect(lea_page.locator(".message-success")).to_contain_text("Invited")
    expect(lea_page.locator(".member-list .member")).to_have_count(3)
    invitations = {message.to[0]: message for message in mail.outbox}
    assert sorted(invitations) == sorted(voter.email for voter in voters)
    lea_page.goto(room_url)
    expect(lea_page.locator("#room-phase")).to_contain_text("Planned")

    # Each voter follows the link in their email, in a browser of their own.
    rooms = []
    for voter, (width, height) in zip(voters, ((1280, 900), (390, 844), (1024, 768)), strict=True):
        message = invitations[voter.email]
        assert "Roadmapping Q1" in message.subject + message.body
        assert "You take part as a voter" in message.body
        page = open_page(width, height)
        link = link_in(message, server.url, r"/workshops/\d+/")
        assert link == room_url
        follow_and_sign_in(page, link, voter.email)
        expect(page.locator("#room-phase")).to_contain_text("not started yet")
        rooms.append(page)
    tom_page, ana_page, uma_page = rooms
    shoot(ana_page, screenshot_dir / "journey-workshop-waiting-390.png")

    # The facilitator starts: every room moves to drafting without a reload.
    lea_page.get_by_role("button", name="Start drafting").click()
    for page in rooms:
        expect(page.locator("#proposal-new-form")).to_be_visible(timeout=LIVE)

    title = "Plan a week of meals in ten minutes"
    form = tom_page.locator("#proposal-new-form")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Description").fill("Families pick the whole week's meals at once.")
    form.get_by_label("What you measure").fill("Families planning weekly")
    form.get_by_label("Baseline").fill("0")
    form.get_by_label("Target").fill("400")
    due_on = today() + timedelta(days=60)
    form.get_by_label("Due on").fill(due_on.isoformat())
    form.get_by_role("button", name="Add proposal").click()
    expect(tom_page.locator("#new-proposal .message-success")).to_contain_text("was added")
    for page in (ana_page, uma_page, lea_page):
        expect(page.locator(".proposal-title", has_text=title)).to_be_visible(timeout=LIVE)
    proposal_id = server.db(lambda: Proposal.objects.get(title=title).pk)

    # Voting: three ballots, each hidden; the facilitator sees the count climb live.
    lea_page.get_by_role("button", name="Start voting").click()
    for number, page in enumerate(rooms, start=1):
        ballot = page.locator(f"#vote-{proposal_id}")
        expect(ballot).to_be_visible(timeout=LIVE)
        ballot.get_by_label("Agree").check()
        ballot.get_by_role("button", name="Vote").click()
        expect(page.locator(f"#proposal-{proposal_id} .message-success")).to_contain_text(
            "Your vote is in"
        )
        expect(lea_page.locator("#phase-status")).to_contain_text(f"{number} of 3", timeout=LIVE)
    expect(lea_page.locator(".tally")).to_have_count(0)
    assert server.db(Vote.objects.count) == 3
    shoot(lea_page, screenshot_dir / "journey-workshop-voted-1280.png")

    lea_page.get_by_role("button", name="Reveal the votes").click()
    for page in (*rooms, lea_page):
        tally = page.locator(f"#proposal-{proposal_id} .tally")
        expect(tally).to_be_visible(timeout=LIVE)
        expect(tally).to_contain_text("3 voters")

    # Consent, no objection: adopted, and every room links to the new goal.
    lea_page.get_by_role("button", name=re.compile("^Decide by consent")).click()
    for page in (*rooms, lea_page):
        expect(page.locator(f"#proposal-{proposal_id} .decision-passed")).to_contain_text(
            "Adopted", timeout=LIVE
        )
        # Nothing is left to vote on: nobody is listed as "Not voted yet" (it was a bug).
        expect(page.locator("#room-participants")).not_to_contain_text("Not voted yet")
    shoot(uma_page, screenshot_dir / "journey-workshop-adopted-1024.png")
    shoot(ana_page, screenshot_dir / "journey-workshop-adopted-390.png")

    ana_page.get_by_role("link", name=f"The agreed goal: {title}").click()
    expect(ana_page.locator(".decision-record")).to_contain_text("Roadmapping Q1")
    expect(ana_page.locator(".decision-record")).to_contain_text("3, 3 in favour, 0 objecting")
    shoot(ana_page, screenshot_dir / "journey-workshop-goal-390.png")

    def adopted() -> Goal:
        decision = Decision.objects.select_related("goal").get(proposal_id=proposal_id)
        return decision.goal

    goal = server.db(adopted)
    assert (goal.title, goal.level, goal.status) == (title, Level.PRODUCT, Status.AGREED)
    assert server.db(lambda: list(goal.parents.values_list("title", flat=True))) == [
        "Families plan meals fast"
    ]
    # The draft key result came along with its due date.
    assert server.db(lambda: list(goal.key_results.values_list("title", "due_on"))) == [
        ("Families planning weekly", due_on)
    ]
    assert page_errors == []


# 4. An owner receives the reminder at the organisation's hour and checks in from its link.


@pytest.fixture
def reviewed_goal(db):
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    org = product.organization
    org.time_zone = "Europe/Berlin"
    org.save()
    ReviewSchedule.objects.create(product=product, remind_days_before=2, reminder_hour=9)
    tom = add_member(product, UserFactory(display_name="Tom Team"), ProductRole.TEAM)
    add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    today = local_today(org.time_zone)
    vision = make_goal(product, Level.VISION, status=Status.AGREED, title="Everyone eats well")
    user_goal = make_goal(product, Level.USER, vision, status=Status.AGREED, title="Plan fast")
    goal = make_goal(
        product, Level.PRODUCT, user_goal, status=Status.AGREED, owner=tom,
        title="Weekly planner that reads the fridge", starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=70), next_review_on=today + timedelta(days=2),
    )  # fmt: skip
    KeyResultFactory(
        goal=goal, title="Families planning weekly", unit="families", owner=tom,
        baseline=Decimal(100), target=Decimal(400), current=Decimal(100),
        due_on=today + timedelta(days=70),
    )  # fmt: skip
    return tom, goal


def test_an_owner_follows_the_reminder_email_and_checks_in(
    live_server, reviewed_goal, open_page, page_errors, screenshot_dir, settings
):
    tom, goal = reviewed_goal
    settings.SITE_URL = live_server.url
    remind_on = goal.next_review_on - timedelta(days=2)
    at_the_hour = local_moment(remind_on, 9, "Europe/Berlin")

    # The beat runs every quarter of an hour: nothing before 09:00 in Berlin, then one email.
    with time_machine.travel(at_the_hour - timedelta(minutes=1), tick=False):
        tasks.send_review_reminders()
    assert mail.outbox == []
    with time_machine.travel(at_the_hour, tick=False):
        tasks.send_review_reminders()
        tasks.send_review_reminders()  # the next beat sends nothing twice
    [reminder] = mail.outbox
    assert reminder.to == [tom.email]
    assert "Weekly planner that reads the fridge" in reminder.body

    page = open_page(390, 844)
    link = link_in(reminder, live_server.url, r"/goals/\d+/check-in/")
    assert link == f"{live_server.url}/goals/{goal.pk}/check-in/"
    follow_and_sign_in(page, link, tom.email)
    expect(page.get_by_role("heading", name=re.compile("^Check in on"))).to_be_visible()
    expect(page.locator(".page-head")).to_contain_text("Review due in 2 days")
    shoot(page, screenshot_dir / "journey-check-in-390.png")

    form = page.locator("form.check-in-form")
    form.get_by_label("Families planning weekly (families)").fill("175")
    form.get_by_label("4: fairly sure").check()
    form.get_by_label("Note").fill("The fridge scan is in beta.")
    form.get_by_role("button", name="Save check-in").click()

    # Back on the goal: the check-in heads the history and the chart has its first value.
    page.wait_for_url(re.compile(rf"/goals/{goal.pk}/"))
    expect(page.locator(".message-success")).to_contain_text("Check-in saved.")
    history = page.locator("ol.check-ins > li")
    expect(history).to_have_count(1)
    expect(history).to_contain_text("Tom Team checked in")
    expect(history).to_contain_text("confidence 4 of 5")
    expect(history).to_contain_text("The fridge scan is in beta.")
    chart = page.locator(".kr-chart", has_text="Families planning weekly")
    chart.get_by_text("The values").click()
    expect(chart.locator(".chart-data tbody tr").last).to_contain_text("175")
    expect(chart.locator(".chart-dot")).not_to_have_count(0)
    expect(page.locator(".review-status")).not_to_contain_text("Review due in 2 days")
    shoot(page, screenshot_dir / "journey-checked-in-390.png")
    assert page_errors == []


# 5. Export a product's chain as JSON and import it as a new product of the organisation.


@pytest.fixture
def exported_chain(db):
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    lea = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    ada = OrganizationMembershipFactory(
        organization=product.organization,
        role=OrgRole.ADMIN,
        user=UserFactory(display_name="Ada Admin"),
    ).user
    vision = make_goal(product, Level.VISION, status=Status.AGREED, title="Everyone eats well")
    user_goal = make_goal(product, Level.USER, vision, title="Families plan meals fast")
    product_goal = make_goal(product, Level.PRODUCT, user_goal, title="Planner reads the fridge")
    make_goal(product, Level.SPRINT, product_goal, title="Scan the fridge")
    KeyResultFactory(goal=product_goal, title="Families planning weekly", owner=lea)
    return product, lea, ada


def chain_of(product_id: int) -> list[tuple[str, str, list[str]]]:
    """Each goal of a product as (level, title, its parents' titles), in a stable order."""
    goals = Goal.objects.filter(product_id=product_id).prefetch_related("parents")
    return sorted(
        (goal.level, goal.title, sorted(parent.title for parent in goal.parents.all()))
        for goal in goals
    )


def test_a_chain_exported_as_json_is_imported_as_a_new_product(
    live_server, exported_chain, open_page, page_errors, screenshot_dir, tmp_path
):
    product, lea, ada = exported_chain
    page = open_page(1280)
    sign_in(page, live_server.url, lea.email)
    page.goto(f"{live_server.url}/products/{product.pk}/")
    with page.expect_download() as started:
        page.locator(".export-links").get_by_role("link", name="JSON", exact=True).click()
    download = started.value
    assert download.suggested_filename.endswith(".json")
    exported = tmp_path / download.suggested_filename
    download.save_as(exported)

    admin = open_page(1280)
    sign_in(admin, live_server.url, ada.email)
    admin.goto(f"{live_server.url}/organizations/{product.organization_id}/")
    admin.locator("#import summary").click()
    admin.get_by_label("Export file (JSON)").set_input_files(exported)
    shoot(admin, screenshot_dir / "journey-import-1280.png")
    admin.locator("#import").get_by_role("button", name="Import").click()

    expect(admin.locator(".message-success")).to_contain_text("Imported")
    admin.wait_for_url(re.compile(r"/products/\d+/$"))
    new_id = int(admin.url.rstrip("/").rsplit("/", 1)[1])
    assert new_id != product.pk
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Meal Planner")
    for title in ("Everyone eats well", "Families plan meals fast", "Scan the fridge"):
        expect(admin.locator("#chain .card-title a", has_text=title)).to_be_visible()
    shoot(admin, screenshot_dir / "journey-imported-chain-1280.png")
    assert chain_of(new_id) == chain_of(product.pk)
    assert list(
        KeyResult.objects.filter(goal__product_id=new_id).values_list("goal__title", "title")
    ) == [("Planner reads the fridge", "Families planning weekly")]
    assert page_errors == []


# 3. A stakeholder answers a feedback round from its email and comments on the draft.


@pytest.fixture
def draft_goal(db):
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    lea = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    sam = add_member(product, UserFactory(display_name="Sam Stakeholder"), ProductRole.STAKEHOLDER)
    add_member(product, UserFactory(display_name="Tom Team"), ProductRole.TEAM)
    vision = make_goal(product, Level.VISION, status=Status.AGREED, title="Everyone eats well")
    goal = make_goal(
        product, Level.USER, vision, owner=lea, title="Families plan a week of meals fast",
        description="Measured from opening the planner to a saved week.",
    )  # fmt: skip
    return lea, sam, goal


def test_a_stakeholder_answers_a_feedback_round_and_comments(
    live_server, draft_goal, open_page, page_errors, screenshot_dir, settings
):
    lea, sam, goal = draft_goal
    settings.SITE_URL = live_server.url
    goal_url = f"{live_server.url}/goals/{goal.pk}/"

    # The leader asks the stakeholder, with a question and a deadline.
    page = open_page(1280)
    sign_in(page, live_server.url, lea.email)
    page.goto(goal_url)
    feedback = page.locator("#feedback")
    feedback.get_by_text("Ask for feedback on this draft").click()
    feedback.get_by_label(f"Sam Stakeholder ({sam.email})").check()
    deadline = local_today("UTC") + timedelta(days=7)
    feedback.get_by_label("Answers due by").fill(deadline.isoformat())
    feedback.get_by_label("What would you like feedback on?").fill("Is ten minutes realistic?")
    feedback.get_by_role("button", name="Ask for feedback").click()
    expect(page.locator(".message-success")).to_contain_text("Asked 1 person.")
    round_url = page.url
    [request] = mail.outbox
    assert request.to == [sam.email]
    assert "Lea Leader asks for your feedback" in request.body

    # The stakeholder, on a phone, follows the email to the round and answers.
    phone = open_page(390, 844)
    follow_and_sign_in(phone, link_in(request, live_server.url, r"/feedback/\d+/"), sam.email)
    assert phone.url == round_url
    expect(phone.get_by_role("heading", name="The question")).to_be_visible()
    answer = phone.locator("#answer")
    answer.get_by_label("Concerns").check()
    answer.get_by_label("Comment").fill("Ten minutes, yes; but not for families who shop daily.")
    answer.get_by_role("button", name="Send feedback").click()
    expect(phone.locator(".message-success")).to_contain_text("your answer is saved")
    expect(phone.get_by_role("heading", name="Change your answer")).to_be_visible()
    expect(phone.locator("#answer").get_by_label("Concerns")).to_be_checked()
    shoot(phone, screenshot_dir / "journey-feedback-answered-390.png")

    # Then comments on the draft itself.
    phone.get_by_role("link", name="Open the goal, its key results and discussion").click()
    phone.wait_for_url(goal_url)
    phone.get_by_label("Comment", exact=True).fill("Could the planner **remember last week**?")
    phone.get_by_role("button", name="Comment", exact=True).click()
    discussion = phone.locator("#comments")
    expect(discussion.get_by_role("status")).to_have_text("Comment added.")
    expect(discussion.locator(".comment-body strong")).to_have_text("remember last week")
    shoot(phone, screenshot_dir / "journey-feedback-comment-390.png")

    # The leader reads both: the answer in the round's summary, the comment on the goal.
    page.reload()
    summary = page.locator("section", has=page.get_by_role("heading", name="Summary"))
    expect(summary.locator(".round-counts")).to_contain_text("1 with concerns")
    expect(summary.locator(".answer-row")).to_contain_text("Sam Stakeholder")
    expect(summary.locator(".answer-row")).to_contain_text("not for families who shop daily")
    expect(summary).to_contain_text("Everyone answered.")
    shoot(page, screenshot_dir / "journey-feedback-summary-1280.png")
    page.goto(goal_url)
    expect(page.locator("#comments")).to_contain_text("Could the planner remember last week?")
    assert page_errors == []
