"""The goal page's agreement: a status control offering only what the person may do, "Record
an agreement" and "Mark agreed from this round", both through the agreement services."""

from __future__ import annotations

import re

import pytest

from goals.models import (
    AgreementWay,
    Comment,
    FeedbackAnswer,
    Goal,
    GoalChange,
    Level,
    Status,
)
from goals.services.agreement import goal_agreed_by_decision
from tests.factories import (
    KeyResultFactory,
    UserFactory,
    add_member,
    make_chain,
    make_closed_round,
    make_goal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(team):
    return make_chain(team.product)


def goal_url(goal: Goal) -> str:
    return f"/goals/{goal.pk}/"


def status_options(html: str) -> list[str]:
    select = re.search(r'<select name="status".*?</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="(\w+)"', select.group(0))


def test_the_status_control_never_offers_agreed_on_a_draft(team, draft, browser_client):
    html = browser_client(team.leader).get(goal_url(draft)).content.decode()
    assert status_options(html) == ["draft", "proposed", "dropped"]


def test_the_status_control_offers_closing_only_on_an_agreed_goal(team, chain, browser_client):
    html = browser_client(team.member).get(goal_url(chain.user_goal)).content.decode()
    assert status_options(html) == ["draft", "proposed", "agreed", "achieved", "missed", "dropped"]


def test_the_status_control_reopens_a_closed_goal_as_a_draft_only(team, chain, browser_client):
    missed = make_goal(team.product, Level.USER, chain.vision, status=Status.MISSED,
                       outcome_note="Too soon.")  # fmt: skip
    html = browser_client(team.leader).get(goal_url(missed)).content.decode()
    assert status_options(html) == ["draft", "missed", "dropped"]


def test_posting_agreed_on_the_page_is_refused_inline(team, draft, browser_client):
    response = browser_client(team.leader).post(
        goal_url(draft),
        {"title": draft.title, "status": "agreed", "parents": [p.pk for p in draft.parents.all()],
         "version": draft.version},
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be set to agreed by hand" in html
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_leader_is_offered_to_record_an_agreement(team, draft, browser_client):
    html = browser_client(team.leader).get(goal_url(draft)).content.decode()
    assert "Record an agreement" in html
    assert "<legend>Who agreed</legend>" in html
    for person in (team.leader, team.member, team.stakeholder):
        assert f"{person.name} ({person.email})" in html
    assert "Mark agreed from this round" not in html


@pytest.mark.parametrize("who", ["member", "stakeholder"])
def test_others_are_not_offered_to_record_an_agreement_on_a_user_goal(
    team, draft, browser_client, who
):
    html = browser_client(getattr(team, who)).get(goal_url(draft)).content.decode()
    assert "Record an agreement" not in html


def test_a_team_member_is_offered_to_record_an_agreement_on_a_sprint_goal(
    team, chain, browser_client
):
    sprint = make_goal(team.product, Level.SPRINT, chain.product_goal, title="Ship it")
    html = browser_client(team.member).get(goal_url(sprint)).content.decode()
    assert "Record an agreement" in html


def test_the_agreement_panel_is_gone_once_agreed(team, chain, browser_client):
    html = browser_client(team.leader).get(goal_url(chain.user_goal)).content.decode()
    assert "Record an agreement" not in html
    assert 'id="agreement"' not in html


def test_a_leader_records_an_agreement_on_the_page(team, draft, browser_client):
    client = browser_client(team.leader)
    response = client.post(
        f"/goals/{draft.pk}/agreement/",
        {"agreement-agreed_by": [team.member.pk, team.stakeholder.pk],
         "agreement-reason": "Agreed at the offsite."},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == goal_url(draft)
    draft.refresh_from_db()
    assert (draft.status, draft.agreed_via) == (Status.AGREED, AgreementWay.RECORD)
    html = client.get(goal_url(draft)).content.decode()
    assert "“Plan meals fast” is agreed; the record is in its history." in html
    assert (
        "Recorded an agreement reached elsewhere: agreed by Sam Stakeholder, Tom Team — "
        "Agreed at the offsite." in html
    )
    assert "<dt>How agreed</dt><dd>Recorded agreement</dd>" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"agreement-reason": "Offsite."}, "Choose the people who agreed."),
        ({"agreement-agreed_by": ["member"]}, "Say where and why it was agreed."),
        ({"agreement-agreed_by": ["999999"], "agreement-reason": "x"}, "Select a valid choice."),
    ],
)
def test_it_shows_record_errors_inline(team, draft, browser_client, data, message):
    if data.get("agreement-agreed_by") == ["member"]:
        data = {**data, "agreement-agreed_by": [team.member.pk]}
    response = browser_client(team.leader).post(f"/goals/{draft.pk}/agreement/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert '<details class="disclosure" open>' in html
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_it_shows_a_missing_parent_inline(team, browser_client):
    orphan = make_goal(team.product, Level.USER, title="Loose")
    response = browser_client(team.leader).post(
        f"/goals/{orphan.pk}/agreement/",
        {"agreement-agreed_by": [team.member.pk], "agreement-reason": "x"},
    )
    assert response.status_code == 400
    assert "Link “Loose” to a product vision before it is agreed." in response.content.decode()


def test_a_team_member_cannot_record_on_a_user_goal_by_posting(team, draft, browser_client):
    response = browser_client(team.member).post(
        f"/goals/{draft.pk}/agreement/",
        {"agreement-agreed_by": [team.leader.pk], "agreement-reason": "x"},
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_the_agreement_pages_take_posts_only(team, draft, browser_client):
    client = browser_client(team.leader)
    assert client.get(f"/goals/{draft.pk}/agreement/").status_code == 405
    assert client.get(f"/goals/{draft.pk}/agreement/round/").status_code == 405


def test_a_goal_is_marked_agreed_from_a_round_on_the_page(team, draft, browser_client):
    feedback_round = make_closed_round(
        draft,
        team.leader,
        {team.member: FeedbackAnswer.SUPPORT, team.stakeholder: FeedbackAnswer.SUPPORT},
    )
    client = browser_client(team.member)
    html = client.get(goal_url(draft)).content.decode()
    assert "Mark agreed from this round" in html
    assert "Everyone asked in the feedback round" in html
    response = client.post(
        f"/goals/{draft.pk}/agreement/round/", {"feedback_round": feedback_round.pk}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.agreed_via) == (Status.AGREED, AgreementWay.FEEDBACK_ROUND)
    html = client.get(goal_url(draft)).content.decode()
    assert "is agreed: everyone asked in the round supported it." in html
    assert "Agreed after feedback round (everyone asked supported)." in html


def test_no_mark_agreed_button_when_someone_did_not_support(team, draft, browser_client):
    make_closed_round(
        draft,
        team.leader,
        {team.member: FeedbackAnswer.SUPPORT, team.stakeholder: FeedbackAnswer.CONCERNS},
    )
    html = browser_client(team.leader).get(goal_url(draft)).content.decode()
    assert "Mark agreed from this round" not in html


def test_it_shows_who_did_not_support_inline(team, draft, browser_client):
    feedback_round = make_closed_round(
        draft,
        team.leader,
        {team.member: FeedbackAnswer.SUPPORT, team.stakeholder: FeedbackAnswer.OBJECT},
    )
    response = browser_client(team.leader).post(
        f"/goals/{draft.pk}/agreement/round/", {"feedback_round": feedback_round.pk}
    )
    assert response.status_code == 400
    assert (
        "Not everyone asked supported it: Sam Stakeholder (object) did not."
        in response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_stakeholders_cannot_mark_agreed_from_a_round(team, draft, browser_client):
    feedback_round = make_closed_round(draft, team.leader, {team.member: FeedbackAnswer.SUPPORT})
    html = browser_client(team.stakeholder).get(goal_url(draft)).content.decode()
    assert "Mark agreed from this round" not in html
    response = browser_client(team.stakeholder).post(
        f"/goals/{draft.pk}/agreement/round/", {"feedback_round": feedback_round.pk}
    )
    assert response.status_code == 403


def test_the_history_says_a_workshop_agreed_it(team, chain, browser_client):
    goal = make_goal(team.product, Level.BUSINESS, chain.vision, title="Grow")
    goal_agreed_by_decision(actor=team.leader, goal=goal, workshop_title="Spring plan")
    html = browser_client(team.stakeholder).get(goal_url(goal)).content.decode()
    assert "Agreed in workshop “Spring plan”." in html


@pytest.mark.parametrize("rows", [1, 30])
def test_the_goal_page_with_agreement_forms_reads_in_a_fixed_number_of_queries(
    team, draft, browser_client, django_assert_num_queries, rows
):
    people = [add_member(team.product, UserFactory()) for _ in range(rows)]
    for i in range(rows):
        KeyResultFactory(goal=draft, owner=team.member)
        GoalChange.objects.create(
            goal=draft, by=team.leader, changes={"status": ["draft", "agreed"]},
            reason=f"Agreed in workshop “W{i}”.", via=AgreementWay.WORKSHOP,
        )  # fmt: skip
        Comment.objects.create(product=team.product, goal=draft, author=team.stakeholder, body="c")
    make_closed_round(draft, team.leader, dict.fromkeys(people, FeedbackAnswer.SUPPORT))
    client = browser_client(team.leader)
    # As the goal page for anyone who edits it (tests/goals/test_pages_goal.py), plus the
    # people a leader may ask for feedback (20): the agreement's forms reuse the members and
    # feedback rounds the page loads anyway.
    with django_assert_num_queries(20):
        response = client.get(goal_url(draft))
    html = response.content.decode()
    assert "Mark agreed from this round" in html and "Record an agreement" in html


def test_a_stakeholder_posting_an_agreement_is_refused(team, draft, browser_client):
    response = browser_client(team.stakeholder).post(
        f"/goals/{draft.pk}/agreement/",
        {"agreement-agreed_by": [team.leader.pk], "agreement-reason": "x"},
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_round_of_another_goal_is_refused_inline(team, draft, chain, browser_client):
    other = make_closed_round(chain.user_goal, team.leader, {team.member: FeedbackAnswer.SUPPORT})
    response = browser_client(team.leader).post(
        f"/goals/{draft.pk}/agreement/round/", {"feedback_round": other.pk}
    )
    assert response.status_code == 400
    assert "That feedback round is not about this goal." in response.content.decode()


def test_only_the_newest_round_is_offered(team, draft, browser_client):
    make_closed_round(draft, team.leader, {team.member: FeedbackAnswer.SUPPORT})
    make_closed_round(draft, team.leader, {team.member: FeedbackAnswer.OBJECT})
    html = browser_client(team.leader).get(goal_url(draft)).content.decode()
    assert "Mark agreed from this round" not in html
