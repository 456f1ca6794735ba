"""A stakeholder mentions a team member in a comment; the team member sees the unread badge,
opens the inbox and follows the notification to the thread. In real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from goals.models import Comment, Goal, Level, Notification, ProductRole, Status
from tests.browser.test_chain_browser import sign_in
from tests.factories import ProductFactory, UserFactory, add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, folder, name: str, *, full_page: bool) -> None:
    # caret="initial": hiding the caret takes an inline style, which our CSP refuses (and logs).
    page.screenshot(path=str(folder / name), full_page=full_page, caret="initial")


@pytest.fixture
def people(db):
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    leader = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    member = add_member(product, UserFactory(display_name="Tom Team"), ProductRole.TEAM)
    stakeholder = add_member(
        product, UserFactory(display_name="Sam Stakeholder"), ProductRole.STAKEHOLDER
    )
    vision = Goal.objects.create(
        product=product, level=Level.VISION, title="Everyone eats well", status=Status.AGREED
    )
    goal = Goal.objects.create(
        product=product,
        level=Level.USER,
        title="Families plan a week of meals in ten minutes",
        description="Measured from opening the planner to a saved week.",
        owner=leader,
    )
    goal.parents.add(vision)
    return leader, member, stakeholder, goal


def test_a_mention_reaches_the_team_member_through_the_inbox(
    live_server, people, open_page, page_errors, screenshot_dir
):
    _, member, stakeholder, goal = people
    goal_url = f"{live_server.url}/goals/{goal.pk}/"

    page = open_page(1280)
    sign_in(page, live_server.url, stakeholder.email)
    page.goto(goal_url)
    box = page.get_by_label("Comment", exact=True)
    box.click()
    box.press_sequentially("@To")
    suggestions = page.get_by_role("listbox", name="People to mention")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("option")).to_have_count(1)
    expect(suggestions.get_by_role("option")).to_contain_text("Tom Team")
    expect(box).to_have_attribute("aria-expanded", "true")
    shot(page, screenshot_dir, "mention-suggestions-1280.png", full_page=False)
    box.press("Enter")
    expect(suggestions).to_have_count(0)
    expect(box).to_have_value("@Tom Team ")
    box.press_sequentially("can you check the **ten minutes** against the analytics?")
    page.get_by_role("button", name="Comment", exact=True).click()

    discussion = page.locator("#comments")
    expect(discussion.get_by_role("status")).to_have_text("Comment added.")
    expect(discussion.locator(".mention")).to_have_text("@Tom Team")
    expect(discussion.locator(".comment-body strong")).to_have_text("ten minutes")
    comment = Comment.objects.get()
    assert list(comment.mentions.all()) == [member]
    shot(page, screenshot_dir, "comment-thread-1280.png", full_page=True)

    # The team member, on a phone.
    phone = open_page(390, 844)
    sign_in(phone, live_server.url, member.email)
    phone.goto(f"{live_server.url}/")
    inbox = phone.get_by_role("link", name=re.compile(r"^Inbox"))
    expect(inbox.locator(".unread-badge")).to_have_text("1 unread")
    shot(phone, screenshot_dir, "unread-badge-390.png", full_page=False)
    inbox.click()
    phone.wait_for_url(f"{live_server.url}/notifications/")
    mention = phone.get_by_role("link", name="Sam Stakeholder mentioned you on “Families plan")
    expect(mention).to_be_visible()
    shot(phone, screenshot_dir, "inbox-390.png", full_page=True)
    mention.click()
    phone.wait_for_url(f"{goal_url}#comment-{comment.pk}")
    thread = phone.locator(f"#comment-{comment.pk}")
    expect(thread).to_be_in_viewport()
    expect(thread).to_contain_text("can you check the ten minutes against the analytics?")
    expect(phone.locator(".unread-badge")).to_have_count(0)
    shot(phone, screenshot_dir, "comment-thread-390.png", full_page=True)
    assert Notification.objects.get(recipient=member).read_at is not None

    # He answers in the thread: the stakeholder hears of the reply.
    thread_item = phone.locator(".thread").first
    thread_item.locator("summary", has_text="Reply").click()
    reply_box = thread_item.get_by_label("Your reply")
    reply_box.fill("Checked: 34 minutes today, so the target stands.")
    thread_item.get_by_role("button", name="Reply", exact=True).click()
    expect(phone.locator(".replies")).to_contain_text("34 minutes today")
    assert Notification.objects.filter(recipient=stakeholder, kind="reply").count() == 1

    page.goto(f"{live_server.url}/notifications/")
    shot(page, screenshot_dir, "inbox-1280.png", full_page=True)
    assert page_errors == []


def test_a_stakeholder_resolves_their_thread_and_removes_a_comment_in_place(
    live_server, people, open_page, page_errors, screenshot_dir
):
    _, _, stakeholder, goal = people
    thread = Comment.objects.create(
        product=goal.product, goal=goal, author=stakeholder, body="Which families?",
        body_html="<p>Which families?</p>",
    )  # fmt: skip
    page = open_page(1280)
    sign_in(page, live_server.url, stakeholder.email)
    page.goto(f"{live_server.url}/goals/{goal.pk}/")
    discussion = page.locator("#comments")
    discussion.get_by_role("button", name="Resolve the thread of Sam Stakeholder").click()
    expect(discussion.get_by_role("status")).to_have_text("Thread resolved.")
    resolved = discussion.locator(".thread-resolved > summary")
    expect(resolved).to_contain_text("Resolved by Sam")
    thread.refresh_from_db()
    assert thread.resolved_by == stakeholder

    resolved.click()
    page.once("dialog", lambda dialog: dialog.accept())
    discussion.get_by_role("button", name=re.compile(r"^Remove the comment of Sam")).click()
    expect(discussion.get_by_role("status")).to_have_text("Comment removed.")
    expect(discussion.locator(".comment-removed")).to_have_text("Comment removed.")
    expect(discussion.get_by_role("button", name=re.compile("^(Resolve|Reopen)"))).to_have_count(0)
    shot(page, screenshot_dir, "comment-removed-1280.png", full_page=False)
    assert page_errors == []
