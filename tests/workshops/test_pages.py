"""The workshop room page: phases, proposals and their amendments, votes, reveal, decisions."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from goals.models import Goal, Level, Status
from tests.factories import make_goal
from tests.workshops.conftest import make_room
from workshops.models import Decision, Proposal, ProposalStatus, Vote, VotingMethod
from workshops.services.decisions import workshop_decide
from workshops.services.proposals import proposal_update
from workshops.services.setup import participant_add, workshop_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def room_url(room, suffix: str = "") -> str:
    return f"/workshops/{room.workshop.pk}/{suffix}"


def html_of(response) -> str:
    return response.content.decode()


def proposal_data(prefix: str = "new", **fields) -> dict:
    data = {"title": "Meal planner", "description": "", "starts_on": "", "ends_on": ""}
    data.update(fields)
    return {f"{prefix}-{name}": value for name, value in data.items()}


def sprint_room(team):
    """A sprint planning workshop under an agreed product goal, in drafting."""
    room = make_room(team)
    product_goal = make_goal(team.product, Level.PRODUCT, room.parent, status=Status.AGREED)
    workshop = workshop_create(
        actor=team.leader,
        product=team.product,
        title="Sprint 12 planning",
        target_level=Level.SPRINT,
        parent_goal=product_goal,
        facilitator=team.leader,
    )
    for voter in room.voters:
        participant_add(actor=team.leader, workshop=workshop, user=voter)
    room.workshop = workshop
    room.to("drafting")
    return room


# Who sees the room ---------------------------------------------------------------------------


def test_it_shows_the_room_to_participants_the_facilitator_and_leaders(room, team, browser_client):
    for person in (team.leader, room.voters[0], team.stakeholder, team.org_admin):
        response = browser_client(person).get(room_url(room))
        assert response.status_code == 200, person
        assert "Roadmapping Q1" in html_of(response)


def test_it_hides_the_room_from_everyone_else(room, team, browser_client):
    room.workshop.participants.filter(user=room.voters[2]).delete()
    for person in (room.voters[2], team.outsider):
        client = browser_client(person)
        assert client.get(room_url(room)).status_code == 404
        assert client.get(room_url(room, "live/")).status_code == 404


def test_it_loads_the_events_script_and_the_stream_from_the_last_event(room, browser_client):
    html = html_of(browser_client(room.voters[0]).get(room_url(room)))
    assert '<script src="/static/js/room.js" defer></script>' in html
    assert re.search(rf'data-events="/api/workshops/{room.workshop.pk}/events/\?after=\d+"', html)
    assert "<script>" not in html and "style=" not in html


# The phase banner and the facilitator's controls ---------------------------------------------


def test_it_counts_down_the_timebox_of_the_current_phase(team, browser_client):
    room = make_room(team, timeboxes={"drafting": 20})
    room.to("drafting")
    html = html_of(browser_client(room.voters[0]).get(room_url(room)))
    ends = room.workshop.phase_started_at + timedelta(minutes=20)
    assert f'datetime="{ends.isoformat()}" data-countdown' in html
    assert 'aria-current="step">Drafting' in html


def test_it_moves_the_phase_for_the_facilitator_only(room, browser_client):
    client = browser_client(room.voters[0])
    assert client.post(room_url(room, "phase/"), {"phase": "drafting"}).status_code == 403
    client = browser_client(room.facilitator)
    response = client.post(room_url(room, "phase/"), {"phase": "drafting"}, **HTMX)
    assert response.status_code == 200
    assert 'id="room-phase"' in html_of(response)
    assert "room-changed" in response["HX-Trigger-After-Settle"]
    room.workshop.refresh_from_db()
    assert room.workshop.phase == "drafting"


def test_it_refuses_the_same_move_twice_and_says_why(room, browser_client):
    client = browser_client(room.facilitator)
    client.post(room_url(room, "phase/"), {"phase": "drafting"}, **HTMX)
    response = client.post(room_url(room, "phase/"), {"phase": "drafting"}, **HTMX)
    assert 'role="alert"' in html_of(response)
    assert "it can only move on to voting" in html_of(response)
    assert "HX-Trigger-After-Settle" not in response


def test_it_refuses_voting_without_proposals_in_the_banner(room, browser_client):
    room.to("drafting")
    client = browser_client(room.facilitator)
    response = client.post(room_url(room, "phase/"), {"phase": "voting"})
    assert response.status_code == 302
    html = html_of(client.get(response["Location"]))
    assert "Draft at least one proposal before voting." in html


# Drafting --------------------------------------------------------------------------------------


def test_it_lets_a_voter_draft_a_proposal(room, browser_client):
    room.to("drafting")
    client = browser_client(room.voters[1])
    data = proposal_data(
        description="Families **plan** a week.",
        **{
            "key_results-0-title": "Weekly plans",
            "key_results-0-baseline": "0",
            "key_results-0-target": "500",
            "key_results-0-unit": "plans",
            "key_results-0-owner": str(room.voters[2].pk),
            "key_results-0-due_on": "2026-03-15",
        },
    )
    response = client.post(room_url(room, "proposals/"), data, **HTMX)
    assert response.status_code == 200
    assert "“Meal planner” was added." in html_of(response)
    proposal = Proposal.objects.get()
    assert proposal.author == room.voters[1]
    assert proposal.key_results == [
        {
            "title": "Weekly plans",
            "unit": "plans",
            "baseline": "0",
            "target": "500",
            "owner": room.voters[2].pk,
            "due_on": "2026-03-15",
        }
    ]
    html = html_of(client.get(room_url(room)))
    assert '<td data-label="Due">15 Mar 2026</td>' in html
    assert "Families <strong>plan</strong> a week." in html
    assert f'id="proposal-{proposal.pk}"' in html


def test_it_refuses_drafting_to_observers(room, team, browser_client):
    room.to("drafting")
    client = browser_client(team.stakeholder)
    assert 'id="proposal-new-form"' not in html_of(client.get(room_url(room)))
    assert client.post(room_url(room, "proposals/"), proposal_data()).status_code == 403
    assert not Proposal.objects.exists()


def test_it_shows_a_six_week_sprint_proposal_as_an_error_under_its_end_date(team, browser_client):
    room = sprint_room(team)
    client = browser_client(room.voters[0])
    data = proposal_data(title="Six weeks", starts_on="2026-03-02", ends_on="2026-04-13")
    response = client.post(room_url(room, "proposals/"), data)
    html = html_of(response)
    assert response.status_code == 400
    assert "A sprint goal spans one to four weeks" in html
    assert re.search(
        r'aria-invalid="true" aria-describedby="id_new-ends_on_error id_new-ends_on_check" '
        r'id="id_new-ends_on"',
        html,
    )
    assert '<ul class="errorlist" id="id_new-ends_on_error">' in html
    assert 'value="Six weeks"' in html  # nothing typed is lost
    assert not Proposal.objects.exists()


def test_it_checks_a_proposal_against_the_chain_rules_as_you_type(team, browser_client):
    room = sprint_room(team)
    client = browser_client(room.voters[0])
    data = proposal_data(title="Six weeks", starts_on="2026-03-02", ends_on="2026-04-13")
    response = client.post(room_url(room, "proposals/check/?prefix=new"), data, **HTMX)
    html = html_of(response)
    assert response.status_code == 200
    ends_on = re.search(r'<div class="check" id="id_new-ends_on_check"[^>]*>(.*?)</div>', html)
    assert ends_on and "A sprint goal spans one to four weeks" in ends_on.group(1)
    assert 'hx-swap-oob="innerHTML"' in html
    title = re.search(r'<div class="check" id="id_new-title_check"[^>]*>(.*?)</div>', html)
    assert title and title.group(1) == ""
    assert not Proposal.objects.exists()


def test_a_refused_sprint_proposal_gets_the_rule_and_no_advice_beside_it(team, browser_client):
    room = sprint_room(team)
    client = browser_client(room.voters[0])
    data = proposal_data(title="Ten weeks", starts_on="2026-03-02", ends_on="2026-05-11")
    checks = html_of(client.post(room_url(room, "proposals/check/?prefix=new"), data, **HTMX))
    assert checks.count("<li") == 1
    assert "A sprint goal spans one to four weeks" in checks
    advice = client.post(
        f"/products/{team.product.pk}/quality-check/",
        {**data, "level": "sprint", "prefix": "new"},
        **HTMX,
    )
    assert html_of(advice).strip() == ""


def test_the_checked_fields_are_described_by_their_check(room, browser_client):
    room.to("drafting")
    html = html_of(browser_client(room.voters[0]).get(room_url(room)))
    assert re.search(r'aria-describedby="[^"]*id_new-ends_on_check"', html)
    assert 'id="id_new-ends_on_check" aria-live="polite"' in html


def test_it_amends_a_proposal_and_keeps_a_revision_with_a_diff(room, browser_client):
    room.to("drafting")
    proposal = room.propose(title="Meal planner for families")
    client = browser_client(room.voters[1])
    data = proposal_data(f"p{proposal.pk}", title="Meal planner for busy families", version=1)
    response = client.post(f"/proposals/{proposal.pk}/", data, **HTMX)
    assert response.status_code == 200
    assert "Amendment saved." in html_of(response)
    proposal.refresh_from_db()
    assert (proposal.title, proposal.version, proposal.revisions.count()) == (
        "Meal planner for busy families",
        2,
        2,
    )
    history = html_of(client.get(f"/proposals/{proposal.pk}/history/"))
    assert "<ins>busy </ins>" in history
    assert room.voters[1].name in history and "saved revision 2" in history


def test_a_stale_amendment_shows_both_texts_and_keeps_mine_on_request(room, browser_client):
    room.to("drafting")
    proposal = room.propose(title="Meal planner")
    theirs = browser_client(room.voters[1])
    theirs.post(
        f"/proposals/{proposal.pk}/",
        proposal_data(f"p{proposal.pk}", title="Their planner", version=1),
        **HTMX,
    )
    mine = browser_client(room.voters[2])
    data = proposal_data(f"p{proposal.pk}", title="My planner", description="Mine.", version=1)
    response = mine.post(f"/proposals/{proposal.pk}/", data, **HTMX)
    html = html_of(response)
    assert response.status_code == 200
    assert f"Saved now by {room.voters[1].name}" in html
    assert "Their planner" in html  # theirs, beside …
    assert 'value="My planner"' in html and ">\nMine.</textarea>" in html  # … mine, kept
    assert "Keep mine (save over)" in html and "Take theirs" in html
    assert f'name="p{proposal.pk}-version" value="2"' in html
    proposal.refresh_from_db()
    assert proposal.title == "Their planner"

    data[f"p{proposal.pk}-version"] = 2  # "keep mine" posts the form as it now stands
    mine.post(f"/proposals/{proposal.pk}/", data, **HTMX)
    proposal.refresh_from_db()
    assert (proposal.title, proposal.version) == ("My planner", 3)


def test_without_javascript_a_stale_amendment_shows_the_whole_room_with_both_texts(
    room, browser_client
):
    room.to("drafting")
    proposal = room.propose(title="Meal planner")
    proposal_update(
        actor=room.voters[1], proposal=proposal, data={"title": "Their planner"}, version=1
    )
    data = proposal_data(f"p{proposal.pk}", title="My planner", version=1)
    response = browser_client(room.voters[2]).post(f"/proposals/{proposal.pk}/", data)
    html = html_of(response)
    assert response.status_code == 400
    assert "<html" in html and "Keep mine (save over)" in html
    assert 'value="My planner"' in html and "Their planner" in html


def test_the_check_knows_only_the_forms_of_the_room(room, browser_client):
    url = f"/workshops/{room.workshop.pk}/proposals/check/?prefix=x"
    assert browser_client(room.voters[0]).post(url, {}).status_code == 404


def test_take_theirs_reopens_the_form_with_what_is_saved(room, browser_client):
    room.to("drafting")
    proposal = room.propose(title="Saved title")
    client = browser_client(room.voters[2])
    response = client.get(f"/proposals/{proposal.pk}/", **HTMX)
    html = html_of(response)
    assert f'<article id="proposal-{proposal.pk}"' in html and "<html" not in html
    assert f'id="proposal-{proposal.pk}-amend" class="disclosure amend" data-live open' in html
    assert 'value="Saved title"' in html
    assert client.get(f"/proposals/{proposal.pk}/")["Location"].endswith(
        f"/workshops/{room.workshop.pk}/#proposal-{proposal.pk}"
    )


def test_it_offers_no_amend_form_outside_drafting(room, browser_client):
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    client = browser_client(room.voters[0])
    assert f'id="amend-{proposal.pk}"' not in html_of(client.get(room_url(room)))
    data = proposal_data(f"p{proposal.pk}", title="Late change", version=1)
    html = html_of(client.post(f"/proposals/{proposal.pk}/", data, **HTMX))
    assert "Proposals can be amended in the drafting phase." in html
    assert 'value="Late change"' in html


# Voting --------------------------------------------------------------------------------------


def voting_room(team, **kw):
    room = make_room(team, **kw)
    room.to("drafting")
    proposals = [room.propose(title="Meal planner"), room.propose(title="Fridge scanner")]
    room.to("voting")
    return room, proposals


def vote(client, proposal, value, reason=""):
    data = {f"v{proposal.pk}-value": value, f"v{proposal.pk}-reason": reason}
    return client.post(f"/proposals/{proposal.pk}/vote/", data, **HTMX)


def test_it_records_a_vote_from_the_ballot_and_shows_it_to_the_voter_only(team, browser_client):
    room, (planner, _) = voting_room(team)
    client = browser_client(room.voters[0])
    response = vote(client, planner, "agree")
    assert "Your vote is in." in html_of(response)
    assert "room-changed" in response["HX-Trigger-After-Settle"]
    assert Vote.objects.get().value == "agree"
    html = html_of(client.get(room_url(room)))
    assert "your vote: <strong>Agree</strong>" in html
    assert f'value="agree" required id="id_v{planner.pk}-value_0" checked>' in html


def test_an_objection_without_a_reason_is_an_error_on_the_reason(team, browser_client):
    room, (planner, _) = voting_room(team)
    html = html_of(vote(browser_client(room.voters[0]), planner, "object"))
    assert "Say why you object" in html
    assert f'id="id_v{planner.pk}-reason_error"' in html
    assert re.search(rf'aria-invalid="true"[^>]*id="id_v{planner.pk}-reason"', html)
    assert not Vote.objects.exists()


def test_observers_get_no_ballot_and_cannot_vote(team, browser_client):
    room, (planner, _) = voting_room(team)
    client = browser_client(team.stakeholder)
    assert f'id="vote-{planner.pk}"' not in html_of(client.get(room_url(room)))
    assert vote(client, planner, "agree").status_code == 403
    assert not Vote.objects.exists()


def test_observers_reach_each_proposals_discussion_from_the_room(team, browser_client):
    room, (planner, _) = voting_room(team)
    html = html_of(browser_client(team.stakeholder).get(room_url(room)))
    assert f'href="/proposals/{planner.pk}/comments/"' in html


def test_dot_voting_shows_the_dots_left(team, browser_client):
    room, (planner, scanner) = voting_room(team, method=VotingMethod.DOT, dots_per_voter=5)
    client = browser_client(room.voters[0])
    vote(client, planner, "3")
    html = html_of(client.get(room_url(room)))
    assert "<strong>2 of 5 dots</strong> left" in html
    assert re.search(rf'name="v{scanner.pk}-value" min="0" max="2"', html)
    assert re.search(rf'name="v{planner.pk}-value" value="3" min="0" max="5"', html)
    html = html_of(vote(client, scanner, "3"))
    assert "Place 0 to 2 dots" in html


@pytest.mark.parametrize("method", [VotingMethod.SCORE, VotingMethod.FIST_OF_FIVE])
def test_score_and_fist_of_five_ballots_offer_one_to_five(team, browser_client, method):
    room, (planner, _) = voting_room(team, method=method)
    html = html_of(browser_client(room.voters[0]).get(room_url(room)))
    values = re.findall(rf'name="v{planner.pk}-value" value="(\d)"', html)
    assert values == ["5", "4", "3", "2", "1"]
    assert vote(browser_client(room.voters[0]), planner, "6").status_code == 200
    assert not Vote.objects.exists()


def test_participants_show_who_has_voted(team, browser_client):
    room, (planner, scanner) = voting_room(team)
    room.vote(room.voters[0], planner, "agree")
    room.vote(room.voters[0], scanner, "agree")
    room.vote(room.voters[1], planner, "abstain")
    html = html_of(browser_client(team.leader).get(room_url(room)))
    people = html[html.index('id="room-participants"') :]
    assert re.search(rf"{room.voters[0].name}</span>\s*<span[^>]*>.*?Voted</span>", people, re.S)
    assert "Voted on 1" in people
    assert "Not voted yet" in people
    assert "<strong>1 of 3</strong> voters have voted." in html


def test_once_every_proposal_is_decided_nobody_is_shown_as_not_voted(team, browser_client):
    room, (planner, scanner) = voting_room(team)
    for voter in room.voters:
        room.vote(voter, planner, "agree")
        room.vote(voter, scanner, "agree")
    room.to("revealed")
    client = browser_client(room.facilitator)
    for proposal in (planner, scanner):
        client.post(room_url(room, "decide/"), {"proposal": proposal.pk}, **HTMX)
    html = html_of(client.get(room_url(room)))
    people = html[html.index('id="room-participants"') :]
    assert "Not voted yet" not in people and "Voted</span>" not in people


# Reveal and decisions ------------------------------------------------------------------------


def revealed_room(team, **kw):
    room, (planner, scanner) = voting_room(team, **kw)
    room.vote(room.voters[0], planner, "agree")
    room.vote(room.voters[1], planner, "object", "Ignores retention")
    room.vote(room.voters[0], scanner, "agree")
    room.vote(room.voters[1], scanner, "agree")
    room.to("revealed")
    return room, planner, scanner


def test_after_the_reveal_it_shows_tallies_a_chart_objections_and_names(team, browser_client):
    room, planner, _ = revealed_room(team)
    html = html_of(browser_client(team.stakeholder).get(room_url(room)))
    card = html[html.index(f'id="proposal-{planner.pk}"') :]
    assert "<strong>2 voters</strong> · 1 in favour · 1 objection" in card
    assert '<rect width="50" height="10">' in card  # one of two agreed
    assert f"<strong>{room.voters[1].name}:</strong> Ignores retention" in card
    assert f"<strong>{room.voters[0].name}</strong>: Agree" in card


def test_anonymous_results_never_name_voters(team, browser_client):
    room, planner, _ = revealed_room(team, anonymous=True)
    html = html_of(browser_client(team.leader).get(room_url(room)))
    start = html.index(f'id="proposal-{planner.pk}"')
    tally = html[html.index('class="tally"', start) : html.index("</article>", start)]
    assert "Ignores retention" in tally
    assert room.voters[1].name not in tally and room.voters[0].name not in tally
    assert "Who voted what" not in tally
    assert "nobody sees who voted what" in tally


def test_only_the_facilitator_decides(team, browser_client):
    room, _, scanner = revealed_room(team)
    html = html_of(browser_client(room.voters[0]).get(room_url(room)))
    assert f'id="decide-{scanner.pk}"' not in html
    response = browser_client(room.voters[0]).post(
        room_url(room, "decide/"), {"proposal": scanner.pk}
    )
    assert response.status_code == 403


def test_a_passing_decision_links_the_agreed_goal(team, browser_client):
    room, _, scanner = revealed_room(team)
    client = browser_client(room.facilitator)
    response = client.post(room_url(room, "decide/"), {"proposal": scanner.pk}, **HTMX)
    html = html_of(response)
    goal = Goal.objects.get(title="Fridge scanner")
    assert f'href="/goals/{goal.pk}/"' in html
    assert "Adopted" in html and "is now an agreed goal" in html
    assert goal.status == Status.AGREED


def test_a_failing_decision_shows_its_reason_and_offers_a_new_round(team, browser_client):
    room, planner, _ = revealed_room(team)
    client = browser_client(room.facilitator)
    html = html_of(client.post(room_url(room, "decide/"), {"proposal": planner.pk}, **HTMX))
    assert "Not adopted in round 1:</strong> 1 objection raised" in html
    assert Decision.objects.get().passed is False
    room_html = html_of(browser_client(room.voters[2]).get(room_url(room)))
    assert "1 objection raised: resolve them before adopting." in room_html

    client = browser_client(room.facilitator)
    response = client.post(room_url(room, "rounds/"), **HTMX)
    assert "Round 2: back to drafting." in html_of(response)
    room.workshop.refresh_from_db()
    assert (room.workshop.phase, room.workshop.round) == ("drafting", 2)
    html = html_of(client.get(room_url(room)))
    assert "Round 1: not adopted." in html
    assert Proposal.objects.get(pk=planner.pk).status == ProposalStatus.OPEN


def test_the_live_partial_holds_the_rooms_live_sections_only(room, browser_client):
    response = browser_client(room.voters[0]).get(room_url(room, "live/"))
    html = html_of(response)
    for section in ("room-phase", "room-proposals", "room-participants"):
        assert f'id="{section}"' in html
    assert "<html" not in html and "Agenda" not in html


# The goal page -------------------------------------------------------------------------------


def test_the_adopted_goal_shows_its_decision_record(team, browser_client):
    room, planner, scanner = revealed_room(team)
    decision = workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=scanner)
    html = html_of(browser_client(team.stakeholder).get(f"/goals/{decision.goal_id}/"))
    record = html[html.index('class="panel decision-record"') :]
    assert f'href="/workshops/{room.workshop.pk}/">Roadmapping Q1</a>' in record
    assert "<dt>Rule</dt><dd>Consent</dd>" in record
    assert f"<dt>Decided by</dt><dd>{room.facilitator.name}</dd>" in record
    assert "<dd>2, 2 in favour, 0 objecting</dd>" in record
    assert '<rect width="100" height="10">' in record
    assert planner.title not in record


def test_a_goal_made_by_hand_shows_no_decision_record(team, browser_client):
    goal = make_goal(team.product, Level.VISION, status=Status.AGREED, ends_on=date(2040, 1, 1))
    html = html_of(browser_client(team.member).get(f"/goals/{goal.pk}/"))
    assert "decision-record" not in html


def test_proposal_forms_check_goal_quality_as_people_type(room, team, browser_client):
    room.to("drafting")
    html = html_of(browser_client(room.voters[0]).get(room_url(room)))
    assert f'hx-post="/products/{team.product.pk}/quality-check/"' in html
    assert '"level": "product"' in html and '"prefix": "new"' in html
