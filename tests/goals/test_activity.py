"""A product's activity feed: goal changes, check-ins, comments, insights and decisions,
newest first, paginated, as a page and at /api/products/{id}/activity/."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from goals.models import CheckIn, Goal, Level, Status
from goals.services.check_ins import Value, check_in_create
from goals.services.comments import comment_create, comment_delete
from goals.services.feedback import feedback_round_open
from goals.services.goals import goal_update
from goals.services.insights import insight_create
from goals.services.outcomes import sprint_verdict_set
from tests.factories import KeyResultFactory, UserFactory, add_member, make_chain, make_goal, today
from tests.workshops.conftest import make_room
from workshops.models import Phase
from workshops.services.decisions import workshop_decide

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
        ("goal_change", "Tom Team", "renamed “Plan meals fast” to", "Plan meals in ten minutes"),
    ]
    assert data["results"][1]["detail"] == "Nice framing"
    assert data["results"][1]["url"].startswith(f"/goals/{goal.pk}/#comment-")
    assert [r["action"] for r in data["results"][3:]] == [
        "created the user goal",
        "created the product vision",
    ]


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
    workshop_decide(actor=team.leader, workshop=room.workshop, proposal=proposal)
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
    assert f'moved <a href="/goals/{goal.pk}/">Plan meals fast</a> from draft to proposed' in html
    assert f'href="/goals/{goal.pk}/"' in html
    assert 'aria-current="page">Activity</a>' in html
    for n in range(60):
        comment_create(actor=team.member, goal=goal, body=f"c{n}")
    second = client.get(f"/products/{team.product.pk}/activity/?page=2").content.decode()
    assert "Page 2 of 2" in second


# Each kind of event in its own sentence ------------------------------------------------------


def sentences(client, team) -> list[str]:
    """The feed, newest first, as people read it: who, what, the goal and what follows."""
    rows = client.get(feed_url(team)).json()["results"]
    return [f"{r['actor_name']} {r['action']} {r['subject']}{r['after']}" for r in rows]


def day(value) -> str:
    return f"{value.day} {value:%b %Y}"


def test_each_change_of_a_goal_reads_as_its_own_sentence(team, goal, api):
    vision = goal.parents.get()
    assert goal.ends_on is None and goal.starts_on is None
    new_end = today() + timedelta(days=60)
    goal_update(actor=team.member, goal=goal, data={"ends_on": new_end})
    goal_update(actor=team.member, goal=goal, data={"owner": team.leader})
    goal_update(actor=team.leader, goal=goal, data={"confidence": 3})
    goal_update(actor=team.leader, goal=goal, data={"description": "Longer words"})
    goal_update(actor=team.leader, goal=goal, data={"parents": []})
    goal_update(actor=team.leader, goal=goal, data={"parents": [vision]})
    goal_update(actor=team.leader, goal=goal, data={"confidence": 4, "starts_on": today()})
    goal_update(actor=team.leader, goal=goal, data={"status": Status.DROPPED})
    told = sentences(api(team.member), team)
    title, leader = goal.title, team.leader.name
    assert told[:8] == [
        f"{leader} dropped {title}",
        f"{leader} changed {title}: start date from none to {day(today())} and confidence "
        "from 3 of 5 to 4 of 5",
        f"{leader} linked {title} to “{vision.title}”",
        f"{leader} unlinked {title} from “{vision.title}”",
        f"{leader} edited the description of {title}",
        f"{leader} set the confidence of {title} to 3 of 5",
        f"Tom Team handed {title} to {leader}",
        f"Tom Team moved the end date of {title} to {day(new_end)}",
    ]


def test_closing_a_goal_says_how_it_ended_and_quotes_the_outcome(team, api):
    chain = make_chain(team.product)
    goal_update(
        actor=team.leader,
        goal=chain.product_goal,
        data={"status": Status.ACHIEVED, "outcome_note": "Shipped to everyone"},
    )
    newest = api(team.leader).get(feed_url(team)).json()["results"][0]
    assert (newest["action"], newest["subject"], newest["after"], newest["detail"]) == (
        "closed",
        chain.product_goal.title,
        " as achieved",
        "Shipped to everyone",
    )


def test_a_sprint_verdict_is_told_as_a_verdict_not_a_creation(team, api):
    chain = make_chain(team.product)
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(
        starts_on=today() - timedelta(days=14), ends_on=today() - timedelta(days=1)
    )
    sprint_verdict_set(
        actor=team.leader, goal=Goal.objects.get(pk=chain.sprint_goal.pk), verdict="met"
    )
    assert sentences(api(team.leader), team)[0] == (
        f"{team.leader.name} judged the sprint {chain.sprint_goal.title} met"
    )


def test_a_check_in_is_told_once_with_its_values_as_people_write_them(team, api):
    chain = make_chain(team.product)
    key_result = KeyResultFactory(
        goal=chain.product_goal, owner=team.member, title="Cooks", unit="households",
        baseline=0, target=50000, current=1000,
    )  # fmt: skip
    check_in_create(
        actor=team.member,
        goal=chain.product_goal,
        values=[Value(key_result.pk, Decimal("12500.5"))],
        confidence=4,
        note="On track",
    )
    rows = api(team.leader).get(feed_url(team)).json()["results"]
    assert [r["kind"] for r in rows].count("check_in") == 1
    # The check-in moved the goal's confidence and next review: the check-in tells it.
    assert not any(r["kind"] == "goal_change" and r["actor"] == team.member.pk for r in rows)
    review = CheckIn.objects.get().next_review_on
    assert rows[0]["action"] == "checked in on"
    assert rows[0]["detail"] == (
        f"Cooks 12,500.5 households (was 1,000). Confidence 4 of 5, next review {day(review)}: "
        "On track"
    )


def test_a_feedback_round_is_in_the_feed_with_its_deadline(team, goal, api):
    deadline = today() + timedelta(days=5)
    feedback_round_open(
        actor=team.leader, goal=goal, people=[team.stakeholder], deadline=deadline,
        question="Is it clear?",
    )  # fmt: skip
    newest = api(team.stakeholder).get(feed_url(team)).json()["results"][0]
    assert newest["kind"] == "feedback_round"
    assert sentences(api(team.stakeholder), team)[0] == (
        f"{team.leader.name} asked for feedback on {goal.title} by {day(deadline)}"
    )
    assert newest["detail"] == "Is it clear?"
    assert newest["url"] == f"/goals/{goal.pk}/#feedback"


def test_an_import_is_told_as_restored(team, api):
    chain = make_chain(team.product)
    client = api(team.org_admin)
    document = client.get(f"/api/products/{team.product.pk}/export/").json()
    copy_ = client.post(
        "/api/products/import/",
        {"organization": team.product.organization_id, "document": document},
        format="json",
    ).json()["product"]
    rows = client.get(f"/api/products/{copy_['id']}/activity/").json()["results"]
    assert {r["action"] for r in rows[:5]} == {"restored from an export:"}
    assert chain.vision.title in {r["subject"] for r in rows}


@pytest.mark.parametrize("entries", [1, 30])
def test_the_feed_is_read_in_a_fixed_number_of_queries(
    team, api, django_assert_num_queries, entries
):
    chain = make_chain(team.product)
    goal = make_goal(team.product, Level.PRODUCT, chain.user_goal)
    key_result = KeyResultFactory(goal=chain.product_goal, owner=team.member)
    for n in range(entries):
        goal_update(actor=team.member, goal=goal, data={"owner": [team.leader, team.member][n % 2]})
        check_in_create(
            actor=team.member, goal=chain.product_goal,
            values=[Value(key_result.pk, Decimal(n))], confidence=3,
        )  # fmt: skip
        comment_create(actor=team.member, goal=goal, body=f"c{n}")
    goal_update(actor=team.leader, goal=goal, data={"parents": [chain.business_goal]})
    client = api(team.member)
    # token, product, count, page, then per kind on the page: history entries (+ the
    # people and goals they name), check-ins (+ their values), comments
    with django_assert_num_queries(10):
        client.get(feed_url(team) + "?page_size=100")
