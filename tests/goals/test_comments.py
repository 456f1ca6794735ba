"""Comments on goals and proposals: threads, edits by the author, removal, resolving,
bad input, and who may do what (API.md: /api/goals/{id}/comments/, /api/comments/{id}/)."""

from __future__ import annotations

import pytest

from goals.models import Comment, Goal, Notification
from goals.services.comments import comment_create, comment_delete, comment_update
from tests.factories import OrganizationMembershipFactory, UserFactory, add_member
from tests.goals.conversations import HTMX
from tests.workshops.conftest import make_room
from workshops.models import Phase

pytestmark = pytest.mark.django_db


def comments_url(goal: Goal) -> str:
    return f"/api/goals/{goal.pk}/comments/"


def test_it_adds_a_comment_with_sanitised_markdown(team, api, goal):
    response = api(team.stakeholder).post(
        comments_url(goal), {"body": "We **must** ask users <script>alert(1)</script>"}
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["author"] == team.stakeholder.pk
    assert data["author_name"] == "Sam Stakeholder"
    assert "<strong>must</strong>" in data["body_html"]
    assert "<script" not in data["body_html"]
    assert (data["goal"], data["proposal"], data["parent"]) == (goal.pk, None, None)
    assert (data["resolved"], data["edited"], data["deleted"]) == (False, False, False)
    listed = api(team.member).get(comments_url(goal)).json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == data["id"]


@pytest.mark.parametrize("body", ["", "   \n\t ", "x" * 10_001])
def test_it_refuses_empty_and_oversized_comments(team, api, goal, body):
    response = api(team.member).post(comments_url(goal), {"body": body})
    assert response.status_code == 400
    assert "body" in response.json()
    assert not Comment.objects.exists()


def test_it_accepts_a_comment_of_exactly_ten_thousand_characters(team, api, goal):
    assert api(team.member).post(comments_url(goal), {"body": "y" * 10_000}).status_code == 201


@pytest.mark.parametrize("body", [None, ["a"], {"a": 1}])
def test_it_answers_400_for_bodies_of_the_wrong_type(team, api, goal, body):
    response = api(team.member).post(comments_url(goal), {"body": body}, format="json")
    assert response.status_code == 400


def test_it_threads_replies_one_level_deep(team, api, goal):
    first = api(team.stakeholder).post(comments_url(goal), {"body": "Why now?"}).json()
    reply = (
        api(team.member)
        .post(comments_url(goal), {"body": "Because.", "parent": first["id"]})
        .json()
    )
    reply_to_reply = (
        api(team.stakeholder)
        .post(comments_url(goal), {"body": "Fair.", "parent": reply["id"]})
        .json()
    )
    assert reply["parent"] == first["id"]
    assert reply_to_reply["parent"] == first["id"]


def test_it_refuses_a_reply_to_a_comment_elsewhere(team, api, goal):
    other = Goal.objects.get(title="Healthy lives")
    elsewhere = comment_create(actor=team.member, goal=other, body="Elsewhere")
    response = api(team.member).post(comments_url(goal), {"body": "x", "parent": elsewhere.pk})
    assert response.status_code == 400
    assert "parent" in response.json()


def test_only_the_author_edits_and_the_edit_shows(team, api, goal):
    comment = comment_create(actor=team.stakeholder, goal=goal, body="First thought")
    url = f"/api/comments/{comment.pk}/"
    for someone in (team.member, team.leader, team.org_admin):
        assert api(someone).patch(url, {"body": "Hijacked"}).status_code == 403
    response = api(team.stakeholder).patch(url, {"body": "Second thought"})
    assert response.status_code == 200
    data = response.json()
    assert (data["body"], data["edited"]) == ("Second thought", True)
    assert data["edited_at"] is not None
    assert Comment.objects.get(pk=comment.pk).body == "Second thought"


def test_an_edit_is_checked_like_a_new_comment(team, api, goal):
    comment = comment_create(actor=team.member, goal=goal, body="Fine")
    url = f"/api/comments/{comment.pk}/"
    assert api(team.member).patch(url, {"body": ""}).status_code == 400
    assert api(team.member).patch(url, {"body": "z" * 10_001}).status_code == 400
    assert Comment.objects.get(pk=comment.pk).body == "Fine"


def test_the_author_or_a_leader_removes_a_comment_and_its_place_stays(team, api, goal):
    first = comment_create(actor=team.stakeholder, goal=goal, body="Secret plan")
    reply = comment_create(actor=team.member, goal=goal, body="Answer", parent_id=first.pk)
    assert api(team.member).delete(f"/api/comments/{first.pk}/").status_code == 403
    assert api(team.leader).delete(f"/api/comments/{first.pk}/").status_code == 204
    assert api(team.member).delete(f"/api/comments/{reply.pk}/").status_code == 204
    listed = api(team.stakeholder).get(comments_url(goal)).json()["results"]
    assert [(c["id"], c["deleted"], c["body"], c["body_html"]) for c in listed] == [
        (first.pk, True, "", ""),
        (reply.pk, True, "", ""),
    ]
    assert api(team.stakeholder).patch(f"/api/comments/{first.pk}/", {"body": "x"}).status_code == (
        409
    )


def test_removing_a_comment_takes_its_text_out_of_the_inbox(team, goal):
    comment = comment_create(actor=team.stakeholder, goal=goal, body="Ping @Tom Team")
    assert Notification.objects.filter(comment=comment).exists()

    comment_delete(actor=team.stakeholder, comment=comment)
    assert not Notification.objects.filter(comment=comment).exists()


def test_threads_are_resolved_and_reopened(team, api, goal):
    first = comment_create(actor=team.stakeholder, goal=goal, body="Unclear target")
    reply = comment_create(actor=team.member, goal=goal, body="Clarified", parent_id=first.pk)
    url = f"/api/comments/{first.pk}/"
    response = api(team.member).patch(url, {"resolved": True})
    assert response.status_code == 200
    assert response.json()["resolved"] is True
    assert response.json()["resolved_by"] == team.member.pk
    assert api(team.stakeholder).patch(url, {"resolved": False}).json()["resolved"] is False
    # Replies are resolved with their thread, not one by one.
    assert api(team.member).patch(f"/api/comments/{reply.pk}/", {"resolved": True}).status_code == (
        400
    )


def test_a_stakeholder_resolves_only_their_own_threads(team, api, goal):
    theirs = comment_create(actor=team.member, goal=goal, body="Team note")
    mine = comment_create(actor=team.stakeholder, goal=goal, body="My question")
    client = api(team.stakeholder)
    assert client.patch(f"/api/comments/{theirs.pk}/", {"resolved": True}).status_code == 403
    assert client.patch(f"/api/comments/{mine.pk}/", {"resolved": True}).status_code == 200


def test_a_refused_resolve_leaves_the_edit_undone(team, api, goal):
    first = comment_create(actor=team.member, goal=goal, body="Start")
    reply = comment_create(actor=team.member, goal=goal, body="Mine", parent_id=first.pk)
    response = api(team.member).patch(
        f"/api/comments/{reply.pk}/", {"body": "Changed", "resolved": True}
    )
    assert response.status_code == 400
    assert Comment.objects.get(pk=reply.pk).body == "Mine"


def test_viewers_without_a_role_read_but_do_not_comment(team, api, goal):
    viewer = OrganizationMembershipFactory(organization=team.product.organization).user
    comment_create(actor=team.member, goal=goal, body="Hello")
    assert api(viewer).get(comments_url(goal)).json()["count"] == 1
    assert api(viewer).post(comments_url(goal), {"body": "Me too"}).status_code == 403


def test_outsiders_get_404_for_every_comment_path(team, api, goal):
    comment = comment_create(actor=team.member, goal=goal, body="Internal")
    client = api(team.outsider)
    assert client.get(comments_url(goal)).status_code == 404
    assert client.post(comments_url(goal), {"body": "x"}).status_code == 404
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)(f"/api/comments/{comment.pk}/", {"body": "x"})
        assert response.status_code == 404, method
    assert Comment.objects.get(pk=comment.pk).body == "Internal"
    assert api(None).get(comments_url(goal)).status_code == 401


def test_stakeholders_cannot_change_the_goal_through_comments(team, api, goal):
    before = Goal.objects.get(pk=goal.pk)
    response = api(team.stakeholder).post(
        comments_url(goal), {"body": "x", "title": "Renamed", "status": "dropped", "goal": 999}
    )
    assert response.status_code == 201
    after = Goal.objects.get(pk=goal.pk)
    assert (after.title, after.status, after.version) == (before.title, before.status, 1)


# Comments on workshop proposals ------------------------------------------------------------


@pytest.fixture
def proposal(team):
    room = make_room(team)
    room.to(Phase.DRAFTING)
    return room, room.propose(title="Launch the planner")


def test_observers_of_a_workshop_comment_on_proposals(team, api, proposal):
    room, made = proposal
    url = f"/api/proposals/{made.pk}/comments/"
    response = api(room.observer).post(url, {"body": "Customers asked for this"})
    assert response.status_code == 201, response.json()
    assert response.json()["proposal"] == made.pk
    assert api(room.voters[1]).get(url).json()["count"] == 1
    # The proposal's author hears of it.
    assert Notification.objects.filter(recipient=room.voters[0], kind="comment").count() == 1


def test_proposal_comments_are_hidden_outside_the_room(team, api, proposal):
    room, made = proposal
    comment = comment_create(actor=room.voters[0], proposal=made, body="In the room")

    not_invited = add_member(team.product, UserFactory(), "team")
    for person in (not_invited, team.outsider):
        assert api(person).get(f"/api/proposals/{made.pk}/comments/").status_code == 404
        assert api(person).post(
            f"/api/proposals/{made.pk}/comments/", {"body": "x"}
        ).status_code == (404)
        assert api(person).get(f"/api/comments/{comment.pk}/").status_code == 404


# Pages ---------------------------------------------------------------------------------------


def test_the_goal_page_shows_threads_with_edited_and_removed_comments(team, goal, browser_client):
    first = comment_create(actor=team.stakeholder, goal=goal, body="Is *ten minutes* right?")
    comment_create(actor=team.member, goal=goal, body="Yes, we measured it.", parent_id=first.pk)
    gone = comment_create(actor=team.member, goal=goal, body="Oops wrong goal")

    comment_update(actor=team.stakeholder, comment=first, body="Is *ten minutes* realistic?")
    comment_delete(actor=team.member, comment=gone)
    html = browser_client(team.stakeholder).get(f"/goals/{goal.pk}/").content.decode()
    assert "Is <em>ten minutes</em> realistic?" in html
    assert "Yes, we measured it." in html
    assert ">edited</span>" in html
    assert "Comment removed." in html
    assert "Oops wrong goal" not in html
    assert 'class="replies"' in html


def test_a_comment_posted_from_the_page_redirects_back_to_it(team, goal, browser_client):
    response = browser_client(team.stakeholder).post(
        f"/goals/{goal.pk}/comments/", {"body": "From the page"}
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/goals/{goal.pk}/#comment-{comment.pk}"


def test_with_htmx_a_comment_redraws_the_discussion(team, goal, browser_client):
    response = browser_client(team.stakeholder).post(
        f"/goals/{goal.pk}/comments/", {"body": "Via htmx"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#comments"
    assert html.lstrip().startswith('<section class="panel conversation" id="comments"')
    assert "Via htmx" in html
    assert "Comment added." in html


def test_an_empty_comment_on_the_page_shows_an_error_by_the_field(team, goal, browser_client):
    client = browser_client(team.stakeholder)
    response = client.post(f"/goals/{goal.pk}/comments/", {"body": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Write something first." in html
    assert 'aria-invalid="true"' in html
    htmx = client.post(f"/goals/{goal.pk}/comments/", {"body": ""}, **HTMX)
    assert htmx.status_code == 200
    assert "Write something first." in htmx.content.decode()
    assert not Comment.objects.exists()


def test_a_reply_with_an_error_keeps_its_text_in_its_own_form(team, goal, browser_client):
    first = comment_create(actor=team.member, goal=goal, body="Start")
    response = browser_client(team.stakeholder).post(
        f"/goals/{goal.pk}/comments/",
        {"body": "r" * 10_001, "parent": first.pk},
        **HTMX,
    )
    html = response.content.decode()
    assert f'aria-describedby="reply-{first.pk}-error"' in html
    assert "Keep a comment to 10,000 characters" in html


def test_the_page_edits_removes_and_resolves(team, goal, browser_client):
    comment = comment_create(actor=team.stakeholder, goal=goal, body="Draft words")
    client = browser_client(team.stakeholder)
    form = client.get(f"/comments/{comment.pk}/edit/", **HTMX)
    assert "Draft words" in form.content.decode()
    saved = client.post(f"/comments/{comment.pk}/edit/", {"body": "Better words"})
    assert saved.status_code == 302
    assert client.post(f"/comments/{comment.pk}/resolve/", {"resolved": "1"}).status_code == 302
    assert Comment.objects.get(pk=comment.pk).resolved_at is not None
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 302
    assert Comment.objects.get(pk=comment.pk).deleted_at is not None


def test_others_cannot_edit_on_the_page_and_outsiders_see_nothing(team, goal, browser_client):
    comment = comment_create(actor=team.stakeholder, goal=goal, body="Mine")
    assert browser_client(team.member).get(f"/comments/{comment.pk}/edit/").status_code == 403
    assert browser_client(team.member).post(f"/comments/{comment.pk}/delete/").status_code == 403
    client = browser_client(team.outsider)
    for url in (f"/comments/{comment.pk}/edit/", f"/goals/{goal.pk}/comments/"):
        assert client.get(url).status_code == 404
    for url in ("edit", "delete", "resolve"):
        assert client.post(f"/comments/{comment.pk}/{url}/", {"body": "x"}).status_code == 404
    assert Comment.objects.get(pk=comment.pk).body == "Mine"


def test_the_proposal_page_shows_its_discussion(team, proposal, browser_client):
    room, made = proposal
    comment_create(actor=room.observer, proposal=made, body="Observed")
    response = browser_client(room.observer).get(f"/proposals/{made.pk}/comments/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Launch the planner" in html
    assert "Observed" in html
    posted = browser_client(room.observer).post(f"/proposals/{made.pk}/comments/", {"body": "More"})
    assert posted.status_code == 302
    assert browser_client(team.outsider).get(f"/proposals/{made.pk}/comments/").status_code == 404
