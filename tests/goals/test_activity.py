"""A product's activity feed: goal changes, check-ins, comments, insights and decisions,
newest first, paginated, as a page and at /api/products/{id}/activity/."""

from __future__ import annotations

import pytest

from goals.models import CheckIn, Status
from goals.services.comments import comment_create, comment_delete
from goals.services.goals import goal_update
from goals.services.insights import insight_create
from tests.factories import UserFactory, add_member
from tests.goals.pages import plain_static_files  # noqa: F401
from tests.workshops.conftest import make_room
from workshops import services as workshop_services
from workshops.models import Phase

pytestmark = pytest.mark.django_db


def feed_url(team) -> str:
    return f"/api/products/{team.product.pk}/activity/"


def test_it_tells_what_happened_newest_first(team, goal, api):
    goal_update(actor=team.member, goal=goal, data={"title": "Plan meals in ten minutes"})
    comment_create(actor=team.stakeholder, goal=goal, body="Nice **framing**")
    insight_create(
        actor=team.stakeholder, goal=goal, kind="qualitative", summary="Users agree", source="x"
    )
    data = api(team.stakeholder).get(feed_url(team)).json()
    assert data["count"] == 5  # two goals created, a change, a comment, an insight
    rows = [(r["kind"], r["actor_name"], r["action"], r["subject"]) for r in data["results"]]
    assert rows[:3] == [
        ("insight", "Sam Stakeholder", "added an insight to", "Plan meals in ten minutes"),
        ("comment", "Sam Stakeholder", "commented on", "Plan meals in ten minutes"),
        ("goal_change", "Tom Team", "changed title of", "Plan meals in ten minutes"),
    ]
    assert data["results"][1]["detail"] == "Nice framing"
    assert data["results"][1]["url"].startswith(f"/goals/{goal.pk}/#comment-")
    assert {r["action"] for r in data["results"][3:]} == {"created"}


def test_check_ins_are_in_the_feed(team, goal, api):
    CheckIn.objects.create(goal=goal, author=team.member, confidence=4, note="On track")
    newest = api(team.stakeholder).get(feed_url(team)).json()["results"][0]
    assert (newest["kind"], newest["action"], newest["detail"]) == (
        "check_in",
        "checked in on",
        "Confidence 4 of 5: On track",
    )


def test_it_pages_through_the_feed(team, goal, api):
    for n in range(7):
        comment_create(actor=team.member, goal=goal, body=f"Comment {n}")
    first = api(team.member).get(feed_url(team) + "?page_size=4").json()
    assert first["count"] == 9
    assert [r["detail"] for r in first["results"]] == [f"Comment {n}" for n in (6, 5, 4, 3)]
    second = api(team.member).get(first["next"]).json()
    assert [r["detail"] for r in second["results"][:3]] == ["Comment 2", "Comment 1", "Comment 0"]


def test_it_leaves_out_removed_comments(team, goal, api):
    comment = comment_create(actor=team.member, goal=goal, body="Regret this")
    comment_delete(actor=team.member, comment=comment)
    details = [r["detail"] for r in api(team.member).get(feed_url(team)).json()["results"]]
    assert "Regret this" not in details


def test_decisions_are_in_the_feed_and_the_room_keeps_its_own(team, api):
    room = make_room(team)
    room.to(Phase.DRAFTING)
    proposal = room.propose(title="Weekly planner")
    comment_create(actor=room.observer, proposal=proposal, body="Room talk")
    room.to(Phase.VOTING)
    for voter in room.voters:
        room.vote(voter, proposal, "agree")
    room.to(Phase.REVEALED)
    workshop_services.workshop_decide(actor=team.leader, workshop=room.workshop, proposal=proposal)
    outside_the_room = add_member(team.product, UserFactory(), "team")
    inside = api(room.observer).get(feed_url(team)).json()["results"]
    outside = api(outside_the_room).get(feed_url(team)).json()["results"]
    decision = next(r for r in inside if r["kind"] == "decision")
    assert decision["action"] == "adopted in “Roadmapping Q1”:"
    assert decision["subject"] == "Weekly planner"
    assert any(r["kind"] == "decision" for r in outside)  # the adopted goal is public
    assert any(r["detail"] == "Room talk" for r in inside)
    assert not any(r["detail"] == "Room talk" for r in outside)


def test_outsiders_get_404(team, goal, api, browser_client):
    assert api(team.outsider).get(feed_url(team)).status_code == 404
    assert (
        browser_client(team.outsider).get(f"/products/{team.product.pk}/activity/").status_code
        == 404
    )


def test_the_activity_page_lists_and_pages(team, goal, browser_client):
    goal_update(actor=team.member, goal=goal, data={"status": Status.PROPOSED})
    comment_create(actor=team.stakeholder, goal=goal, body="Looks good")
    client = browser_client(team.stakeholder)
    html = client.get(f"/products/{team.product.pk}/activity/").content.decode()
    assert "<strong>Sam Stakeholder</strong> commented on" in html
    assert "changed status of" in html
    assert f'href="/goals/{goal.pk}/"' in html
    assert 'aria-current="page">Activity</a>' in html
    for n in range(60):
        comment_create(actor=team.member, goal=goal, body=f"c{n}")
    second = client.get(f"/products/{team.product.pk}/activity/?page=2").content.decode()
    assert "Page 2 of 2" in second
