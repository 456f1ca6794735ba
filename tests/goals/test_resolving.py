"""Who resolves a thread, what the page offers once a thread was removed, and changes made in
place (htmx) redrawing their section instead of failing.

Resolving: the person who started the thread, the one who answers for what it is about (the
goal's owner, or a proposal's facilitator) and the product's leaders.
"""

from __future__ import annotations

import pytest

from goals.models import Comment, Insight
from goals.services.comments import comment_create, comment_delete
from goals.services.insights import insight_create
from tests.factories import UserFactory, add_member
from tests.goals.conversations import HTMX
from tests.workshops.conftest import make_room
from workshops.models import Phase, Workshop

pytestmark = pytest.mark.django_db


def resolve(client, comment: Comment, **headers):
    return client.post(f"/comments/{comment.pk}/resolve/", {"resolved": "1"}, **headers)


def test_a_stakeholder_resolves_their_own_thread_in_place(team, goal, browser_client):
    thread = comment_create(actor=team.stakeholder, goal=goal, body="Which users?")
    response = resolve(browser_client(team.stakeholder), thread, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="comments"' in html and "Thread resolved." in html
    assert Comment.objects.get(pk=thread.pk).resolved_by == team.stakeholder


def test_removing_a_comment_in_place_redraws_the_discussion(team, goal, browser_client):
    thread = comment_create(actor=team.stakeholder, goal=goal, body="Typo here")
    response = browser_client(team.stakeholder).post(f"/comments/{thread.pk}/delete/", **HTMX)
    assert response.status_code == 200
    assert "Comment removed." in response.content.decode()
    assert Comment.objects.get(pk=thread.pk).deleted_at is not None


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("owner", True), ("leader", True), ("author", True), ("other team member", False)],
)
def test_it_lets_the_author_the_goal_owner_and_leaders_resolve(team, goal, api, who, allowed):
    other = add_member(team.product, UserFactory(display_name="Ola Other"))
    thread = comment_create(actor=team.stakeholder, goal=goal, body="Is 5 a good target?")
    person = {
        "owner": team.member,  # the goal fixture's owner
        "leader": team.leader,
        "author": team.stakeholder,
        "other team member": other,
    }[who]
    response = api(person).patch(f"/api/comments/{thread.pk}/", {"resolved": True})
    assert response.status_code == (200 if allowed else 403)
    assert (Comment.objects.get(pk=thread.pk).resolved_at is not None) is allowed
    if not allowed:
        assert "the goal's owner" in response.json()["detail"]


def test_the_page_offers_resolve_only_to_those_who_may(team, goal, browser_client):
    other = add_member(team.product, UserFactory(display_name="Ola Other"))
    thread = comment_create(actor=team.stakeholder, goal=goal, body="Is 5 a good target?")
    button = f"/comments/{thread.pk}/resolve/"
    assert button in browser_client(team.member).get(f"/goals/{goal.pk}/").content.decode()
    assert button not in browser_client(other).get(f"/goals/{goal.pk}/").content.decode()
    assert resolve(browser_client(other), thread).status_code == 403


def test_a_removed_thread_offers_neither_reply_nor_resolve(team, goal, browser_client):
    thread = comment_create(actor=team.stakeholder, goal=goal, body="Never mind")
    comment_create(actor=team.member, goal=goal, body="Answer", parent_id=thread.pk)
    comment_delete(actor=team.stakeholder, comment=thread)
    html = browser_client(team.leader).get(f"/goals/{goal.pk}/").content.decode()
    assert "Comment removed." in html
    assert f'name="parent" value="{thread.pk}"' not in html
    assert f"/comments/{thread.pk}/resolve/" not in html


def test_it_refuses_replies_and_resolving_on_a_removed_thread(team, goal, api):
    thread = comment_create(actor=team.stakeholder, goal=goal, body="Never mind")
    reply = comment_create(actor=team.member, goal=goal, body="Answer", parent_id=thread.pk)
    comment_delete(actor=team.stakeholder, comment=thread)
    client = api(team.leader)
    for parent in (thread, reply):
        response = client.post(
            f"/api/goals/{goal.pk}/comments/", {"body": "Still?", "parent": parent.pk}
        )
        assert response.status_code == 409
        assert "start a new one" in response.json()["parent"][0]
    response = client.patch(f"/api/comments/{thread.pk}/", {"resolved": True})
    assert response.status_code == 409
    assert Comment.objects.filter(goal=goal).count() == 2


def test_a_workshop_facilitator_resolves_threads_on_its_proposals(team, api):
    room = make_room(team)
    room.to(Phase.DRAFTING)
    made = room.propose(title="Launch the planner")
    Workshop.objects.filter(pk=room.workshop.pk).update(facilitator=team.member)
    thread = comment_create(actor=room.observer, proposal=made, body="Scope?")
    voter = room.voters[1]
    assert api(voter).patch(f"/api/comments/{thread.pk}/", {"resolved": True}).status_code == 403
    response = api(team.member).patch(f"/api/comments/{thread.pk}/", {"resolved": True})
    assert response.status_code == 200


def test_removing_an_insight_in_place_redraws_the_insights(team, goal, browser_client):
    insight = insight_create(
        actor=team.stakeholder,
        goal=goal,
        kind="qualitative",
        summary="Users plan on Sundays",
        source="Interviews",
    )
    response = browser_client(team.stakeholder).post(f"/insights/{insight.pk}/delete/", **HTMX)
    assert response.status_code == 200
    assert "Insight removed." in response.content.decode()
    assert not Insight.objects.filter(pk=insight.pk).exists()
