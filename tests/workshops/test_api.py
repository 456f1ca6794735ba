"""The workshop API as API.md describes it: paths, fields, status codes."""

import pytest

from goals.models import Goal
from tests.workshops.conftest import make_room
from workshops.models import Proposal, VotingMethod

pytestmark = pytest.mark.django_db


def url(room, suffix=""):
    return f"/api/workshops/{room.workshop.pk}/{suffix}"


def test_it_creates_a_workshop_for_leaders_only(team, api):
    room = make_room(team)
    body = {
        "product": team.product.pk,
        "title": "Roadmap",
        "target_level": "product",
        "parent_goal": room.parent.pk,
        "voting_method": "dot",
        "dots_per_voter": 5,
        "anonymous": True,
    }
    created = api(team.leader).post("/api/workshops/", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["phase"], data["decision_rule"], data["facilitator"]) == (
        "planned",
        "majority",
        team.leader.pk,
    )
    assert api(team.member).post("/api/workshops/", body).status_code == 403
    assert api(team.outsider).post("/api/workshops/", body).status_code == 400


def test_it_refuses_bad_workshop_input(team, api):
    room = make_room(team)
    bad = api(team.leader).post(
        "/api/workshops/",
        {
            "product": team.product.pk,
            "title": "",
            "target_level": "sprint",
            "parent_goal": room.parent.pk,
        },
    )
    assert bad.status_code == 400
    assert "title" in bad.json()


def test_it_hides_workshops_from_non_participants(team, api):
    room = make_room(team)
    room.workshop.participants.filter(user=room.voters[2]).delete()
    assert api(room.voters[2]).get(url(room)).status_code == 404
    assert api(team.outsider).get(url(room)).status_code == 404
    assert api(room.voters[0]).get(url(room)).status_code == 200
    listed = api(room.voters[2]).get("/api/workshops/").json()
    assert listed["count"] == 0


def test_it_adds_participants_by_email(team, api):
    room = make_room(team)
    seats = api(team.leader).get(url(room, "participants/")).json()["results"]
    by_email = {s["email"]: s for s in seats}
    assert by_email[team.stakeholder.email]["can_vote"] is False
    assert by_email[room.voters[0].email]["can_vote"] is True
    outsider = api(team.leader).post(url(room, "participants/"), {"email": team.outsider.email})
    assert outsider.status_code == 400
    by_voter = api(room.voters[0]).post(url(room, "participants/"), {"email": team.org_admin.email})
    assert by_voter.status_code == 403


def test_it_runs_a_whole_workshop_over_the_api(team, api):
    room = make_room(team)
    lead = api(team.leader)
    assert lead.post(url(room, "phase/"), {"phase": "voting"}).status_code == 409
    assert lead.post(url(room, "phase/"), {"phase": "drafting"}).status_code == 200
    drafted = api(room.voters[0]).post(
        url(room, "proposals/"),
        {
            "title": "Launch meal planning",
            "starts_on": "2026-01-01",
            "ends_on": "2026-04-01",
            "key_results": [{"title": "Plans", "baseline": 0, "target": 100, "unit": "plans"}],
        },
    )
    assert drafted.status_code == 201, drafted.json()
    proposal = drafted.json()
    amended = api(room.voters[1]).patch(
        f"/api/proposals/{proposal['id']}/", {"description": "With **recipes**", "version": 1}
    )
    assert amended.status_code == 200
    assert "<strong>recipes</strong>" in amended.json()["description_html"]
    stale = api(room.voters[0]).patch(
        f"/api/proposals/{proposal['id']}/", {"title": "Lost?", "version": 1}
    )
    assert stale.status_code == 409
    revisions = lead.get(f"/api/proposals/{proposal['id']}/revisions/").json()["results"]
    assert [r["number"] for r in revisions] == [2, 1]

    assert api(team.stakeholder).post(url(room, "proposals/"), {"title": "x"}).status_code == 403
    assert lead.post(url(room, "phase/"), {"phase": "voting"}).status_code == 200
    assert api(room.voters[0]).post(url(room, "proposals/"), {"title": "late"}).status_code == 409

    vote_url = f"/api/proposals/{proposal['id']}/vote/"
    assert api(team.stakeholder).put(vote_url, {"value": "agree"}).status_code == 403
    assert api(room.voters[0]).put(vote_url, {"value": "object"}).status_code == 400
    for voter in room.voters:
        assert api(voter).put(vote_url, {"value": "agree"}).status_code == 200
    assert lead.post(url(room, "decide/"), {"proposal": proposal["id"]}).status_code == 409

    assert lead.post(url(room, "phase/"), {"phase": "revealed"}).status_code == 200
    assert api(room.voters[0]).put(vote_url, {"value": "abstain"}).status_code == 409
    assert (
        api(room.voters[0]).post(url(room, "decide/"), {"proposal": proposal["id"]}).status_code
        == 403
    )
    decided = lead.post(url(room, "decide/"), {"proposal": proposal["id"]})
    assert decided.status_code == 201, decided.json()
    decision = decided.json()
    assert decision["passed"] and decision["tallies"]["supporters"] == 3
    goal = Goal.objects.get(pk=decision["goal"])
    assert goal.status == "agreed" and goal.title == "Launch meal planning"
    workshop = lead.get(url(room)).json()
    assert workshop["phase"] == "decided" and workshop["adopted_goals"] == [goal.pk]
    assert lead.post(url(room, "phase/"), {"phase": "closed"}).status_code == 200
    assert lead.post(url(room, "phase/"), {"phase": "closed"}).status_code == 409


def test_it_answers_409_with_the_reason_when_the_rule_fails(team, api):
    room = make_room(team)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(room.voters[0], proposal, "object", "Not measurable")
    room.to("revealed")
    failed = api(team.leader).post(url(room, "decide/"), {"proposal": proposal.pk})
    assert failed.status_code == 409
    assert "objection" in failed.json()["non_field_errors"][0]
    again = api(team.leader).post(url(room, "rounds/"))
    assert again.status_code == 200 and again.json()["round"] == 2


def test_it_removes_a_participant_who_then_loses_access(team, api):
    room = make_room(team)
    seat = room.workshop.participants.get(user=room.voters[1])
    assert api(room.voters[1]).get(url(room)).status_code == 200
    assert api(team.leader).delete(url(room, f"participants/{seat.pk}/")).status_code == 204
    assert api(room.voters[1]).get(url(room)).status_code == 404


def test_it_refuses_malformed_votes_without_a_server_error(team, api):
    room = make_room(team, method=VotingMethod.SCORE)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    client = api(room.voters[0])
    for body in (
        {},
        {"value": None},
        {"value": [1]},
        {"value": {"a": 1}},
        {"value": 1.5},
        {"value": "9"},
    ):
        assert client.put(f"/api/proposals/{proposal.pk}/vote/", body).status_code == 400, body


def test_it_keeps_a_draft_key_results_due_date_and_refuses_a_date_out_of_bounds(team, api):
    room = make_room(team)
    assert api(team.leader).post(url(room, "phase/"), {"phase": "drafting"}).status_code == 200
    draft = {"title": "Plans", "baseline": 0, "target": 100, "due_on": "2026-03-15"}
    drafted = api(room.voters[0]).post(
        url(room, "proposals/"), {"title": "Meal planning", "key_results": [draft]}
    )
    assert drafted.status_code == 201, drafted.json()
    assert drafted.json()["key_results"][0]["due_on"] == "2026-03-15"
    for wrong in ("0001-01-01", "15/03/2026"):
        refused = api(room.voters[0]).post(
            url(room, "proposals/"),
            {"title": "Odd dates", "key_results": [{**draft, "due_on": wrong}]},
        )
        assert refused.status_code == 400, wrong
        assert "key_results" in refused.json()
    assert not Proposal.objects.filter(title="Odd dates").exists()


def test_draft_key_results_read_as_numbers_everywhere(team, api, client):
    """Drafts keep exact decimals; the API writes JSON numbers, as for key results, and the
    page and the revision history write them as people do."""
    room = make_room(team)
    assert api(team.leader).post(url(room, "phase/"), {"phase": "drafting"}).status_code == 200
    drafted = api(room.voters[0]).post(
        url(room, "proposals/"),
        {
            "title": "Launch meal planning",
            "ends_on": "2026-04-01",
            "key_results": [{"title": "Plans", "baseline": 42.5, "target": 100, "unit": "plans"}],
        },
    )
    assert drafted.status_code == 201, drafted.json()
    (draft,) = drafted.json()["key_results"]
    assert (draft["baseline"], draft["target"]) == (42.5, 100)
    detail = api(team.leader).get(f"/api/proposals/{drafted.json()['id']}/").json()
    assert detail["key_results"] == drafted.json()["key_results"]
    client.force_login(team.leader)
    page = client.get(f"/workshops/{room.workshop.pk}/").content.decode()
    assert "42.5 plans" in page and "42.50" not in page
    history = client.get(f"/proposals/{drafted.json()['id']}/history/").content.decode()
    assert "Plans: 42.5 → 100 plans" in history
