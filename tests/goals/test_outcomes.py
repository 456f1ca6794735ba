"""Closing goals: wins are announced once and listed, misses get a blameless retrospective
that the next goal at their level is drafted with, sprints get a met / not met verdict."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from goals.errors import DomainError
from goals.models import (
    Goal,
    GoalChange,
    Level,
    Notification,
    ReminderKind,
    ReminderSent,
    Retrospective,
    SprintVerdict,
    Status,
)
from goals.services.goals import goal_update
from goals.services.outcomes import sprint_verdict_set
from goals.services.reminders import send_due_reminders
from goals.tasks import announce_win
from tests.factories import OrganizationMembershipFactory, make_chain

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def chain(team):
    return make_chain(team.product)


def achieve(client, goal, note="Families plan in 8 minutes."):
    return client.patch(
        f"/api/goals/{goal.pk}/",
        {"status": "achieved", "outcome_note": note, "version": goal.version},
        format="json",
    )


# Wins -------------------------------------------------------------------------------------


def test_a_win_is_announced_to_every_member_but_the_one_who_closed_it(
    team, chain, api, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = achieve(api(team.leader), chain.product_goal)

    assert response.status_code == 200
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [team.member.email, team.stakeholder.email]
    )
    message = mailoutbox[0]
    assert chain.product_goal.title in message.subject
    assert "Families plan in 8 minutes." in message.body
    assert f"/goals/{chain.product_goal.pk}/" in message.body
    assert "text/html" in message.alternatives[0][1]
    assert Notification.objects.filter(kind="win").count() == 2


def test_a_win_is_announced_once_however_often_its_task_runs(
    team, chain, api, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        achieve(api(team.leader), chain.product_goal)

    announce_win.delay(chain.product_goal.pk)
    announce_win.delay(chain.product_goal.pk)

    assert len(mailoutbox) == 2
    assert ReminderSent.objects.filter(kind=ReminderKind.WIN).count() == 2


def test_the_announcement_is_queued_only_after_the_commit(
    team, chain, api, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        achieve(api(team.leader), chain.product_goal)
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_a_missed_goal_is_not_announced(
    team, chain, api, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api(team.leader).patch(
            f"/api/goals/{chain.product_goal.pk}/",
            {"status": "missed", "outcome_note": "Users did not come back.", "version": 1},
            format="json",
        )
    assert Goal.objects.get(pk=chain.product_goal.pk).status == "missed"
    assert mailoutbox == []


def test_wins_are_listed_on_the_chain_page(team, chain, browser_client):
    goal_update(
        actor=team.leader,
        goal=chain.product_goal,
        data={"status": Status.ACHIEVED, "outcome_note": "Planning takes 8 minutes."},
    )
    html = browser_client(team.stakeholder).get(f"/products/{team.product.pk}/").content.decode()
    assert 'id="wins-title">Wins</h2>' in html
    wins = html[html.index('id="wins"') :]
    assert chain.product_goal.title in wins
    assert "Planning takes 8 minutes." in wins


def test_a_chain_without_wins_has_no_wins_list(team, chain, browser_client):
    html = browser_client(team.member).get(f"/products/{team.product.pk}/").content.decode()
    assert 'id="wins"' not in html


# Misses and their retrospectives ---------------------------------------------------------


@pytest.fixture
def missed(team, chain):
    return goal_update(
        actor=team.leader,
        goal=chain.product_goal,
        data={"status": Status.MISSED, "outcome_note": "Planning still takes half an hour."},
    )


RETRO = {
    "what_happened": "The fridge scanner shipped late.",
    "what_we_learned": "Test the camera flow on old phones first.",
    "what_we_change": "A device lab day in every sprint.",
}


def test_a_missed_goal_asks_what_we_learned(team, missed, browser_client):
    html = browser_client(team.member).get(f"/goals/{missed.pk}/").content.decode()
    assert 'id="retrospective"' in html
    assert "What did we learn?" in html
    assert f'action="/goals/{missed.pk}/retrospective/"' in html


def test_the_retrospective_is_kept_on_the_goal(team, missed, browser_client):
    response = browser_client(team.member).post(f"/goals/{missed.pk}/retrospective/", RETRO)

    assert response.status_code == 302
    assert response["Location"] == f"/goals/{missed.pk}/#retrospective"
    retrospective = Retrospective.objects.get(goal=missed)
    assert retrospective.what_we_learned == RETRO["what_we_learned"]
    assert retrospective.author == team.member
    html = browser_client(team.stakeholder).get(f"/goals/{missed.pk}/").content.decode()
    assert "A device lab day in every sprint." in html
    assert "Write the retrospective" not in html  # stakeholders read it


def test_a_retrospective_needs_all_three_answers(team, missed, browser_client):
    response = browser_client(team.member).post(
        f"/goals/{missed.pk}/retrospective/", {**RETRO, "what_we_change": " "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_what_we_change_error"' in html
    assert not Retrospective.objects.exists()


def test_a_retrospective_with_htmx_comes_back_in_place_on_errors(team, missed, browser_client):
    response = browser_client(team.member).post(
        f"/goals/{missed.pk}/retrospective/", {**RETRO, "what_happened": ""}, **HTMX
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith("<form")


def test_only_missed_goals_get_a_retrospective(team, chain, api):
    response = api(team.member).put(
        f"/api/goals/{chain.product_goal.pk}/retrospective/", RETRO, format="json"
    )
    assert response.status_code == 400
    assert not Retrospective.objects.exists()


def test_the_retrospective_api_writes_and_reads_with_a_version(team, missed, api):
    url = f"/api/goals/{missed.pk}/retrospective/"
    assert api(team.member).get(url).status_code == 404

    created = api(team.member).put(url, RETRO, format="json")
    assert created.status_code == 200
    assert created.json()["version"] == 1

    stale = api(team.leader).put(url, {**RETRO, "what_happened": "x", "version": 7}, format="json")
    assert stale.status_code == 409
    updated = api(team.leader).put(
        url, {**RETRO, "what_happened": "y", "version": 1}, format="json"
    )
    assert updated.json()["version"] == 2
    assert api(team.stakeholder).get(url).json()["what_happened"] == "y"
    assert api(team.stakeholder).put(url, RETRO, format="json").status_code == 403
    assert api(team.outsider).get(url).status_code == 404


def test_lessons_are_offered_when_the_next_goal_at_that_level_is_drafted(
    team, missed, browser_client
):
    Retrospective.objects.create(goal=missed, author=team.member, **RETRO)
    client = browser_client(team.member)

    html = client.get(f"/products/{team.product.pk}/goals/new/?level=product").content.decode()
    assert "Lessons from earlier goals at this level" in html
    assert "Test the camera flow on old phones first." in html
    assert "A device lab day in every sprint." in html

    inline = client.get(
        f"/products/{team.product.pk}/goals/new/?level=product&slot=1", **HTMX
    ).content.decode()
    assert "Test the camera flow on old phones first." in inline

    other_level = client.get(f"/products/{team.product.pk}/goals/new/?level=sprint")
    assert "Lessons from earlier goals" not in other_level.content.decode()


# Sprint verdicts -----------------------------------------------------------------------------


@pytest.fixture
def sprint(team, chain):
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(
        owner=team.member, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 16)
    )
    return Goal.objects.get(pk=chain.sprint_goal.pk)


AFTER_THE_SPRINT = datetime(2026, 3, 16, 12, tzinfo=UTC)


@time_machine.travel(AFTER_THE_SPRINT, tick=False)
@pytest.mark.parametrize("who", ["member", "leader"])  # the owner, a leader
def test_the_owner_or_a_leader_gives_the_verdict_at_the_sprints_end(team, sprint, api, who):
    response = api(getattr(team, who)).put(
        f"/api/goals/{sprint.pk}/sprint-verdict/",
        {"sprint_verdict": "not_met", "version": sprint.version},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["sprint_verdict"] == "not_met"
    goal = Goal.objects.get(pk=sprint.pk)
    assert goal.sprint_verdict == SprintVerdict.NOT_MET
    assert goal.version == sprint.version + 1
    verdict = GoalChange.objects.filter(goal=goal).latest("id")
    assert verdict.changes["sprint_verdict"] == [None, "not_met"]


@time_machine.travel(AFTER_THE_SPRINT, tick=False)
def test_other_team_members_and_stakeholders_do_not_give_the_verdict(team, sprint, api):
    Goal.objects.filter(pk=sprint.pk).update(owner=team.leader)
    for person in (team.member, team.stakeholder):
        response = api(person).put(
            f"/api/goals/{sprint.pk}/sprint-verdict/",
            {"sprint_verdict": "met", "version": sprint.version},
            format="json",
        )
        assert response.status_code == 403
    assert Goal.objects.get(pk=sprint.pk).sprint_verdict == ""


def test_the_verdict_waits_for_the_sprints_end(team, sprint, api):
    with time_machine.travel(AFTER_THE_SPRINT - timedelta(days=2), tick=False):
        response = api(team.member).put(
            f"/api/goals/{sprint.pk}/sprint-verdict/",
            {"sprint_verdict": "met", "version": sprint.version},
            format="json",
        )
    assert response.status_code == 400
    assert "sprint's end" in response.json()["sprint_verdict"][0]


@time_machine.travel(AFTER_THE_SPRINT, tick=False)
def test_only_sprint_goals_get_a_verdict_and_only_met_or_not_met(team, chain, sprint, api):
    client = api(team.leader)
    url = f"/api/goals/{chain.product_goal.pk}/sprint-verdict/"
    body = {"sprint_verdict": "met", "version": chain.product_goal.version}
    assert client.put(url, body, format="json").status_code == 400
    url = f"/api/goals/{sprint.pk}/sprint-verdict/"
    body = {"sprint_verdict": "maybe", "version": sprint.version}
    assert client.put(url, body, format="json").status_code == 400
    assert client.put(url, {}, format="json").status_code == 400


@time_machine.travel(AFTER_THE_SPRINT, tick=False)
def test_the_verdict_form_on_the_goal_page(team, sprint, browser_client):
    client = browser_client(team.member)
    html = client.get(f"/goals/{sprint.pk}/").content.decode()
    assert "The sprint has ended: did it meet its goal?" in html
    assert f'action="/goals/{sprint.pk}/verdict/"' in html

    response = client.post(
        f"/goals/{sprint.pk}/verdict/", {"sprint_verdict": "met", "version": sprint.version}
    )

    assert response.status_code == 302
    html = client.get(f"/goals/{sprint.pk}/").content.decode()
    assert '<span class="verdict verdict-met">Met</span>' in html


@time_machine.travel(AFTER_THE_SPRINT, tick=False)
def test_a_verdict_form_without_a_choice_says_so_next_to_it(team, sprint, browser_client):
    response = browser_client(team.member).post(
        f"/goals/{sprint.pk}/verdict/", {"version": sprint.version}
    )
    assert response.status_code == 400
    assert "Choose met or not met." in response.content.decode()


def test_no_verdict_form_for_stakeholders_or_viewers(team, sprint, browser_client):
    viewer = OrganizationMembershipFactory(organization=team.product.organization).user
    for person in (team.stakeholder, viewer):
        client = browser_client(person)
        assert 'name="sprint_verdict"' not in client.get(f"/goals/{sprint.pk}/").content.decode()
        assert (
            client.post(f"/goals/{sprint.pk}/verdict/", {"sprint_verdict": "met"}).status_code
            == 403
        )


def test_the_verdict_prompt_stops_once_given(team, sprint, mailoutbox):
    with time_machine.travel(AFTER_THE_SPRINT, tick=False):
        Goal.objects.filter(pk=sprint.pk).update(sprint_verdict=SprintVerdict.MET)
        send_due_reminders()
    assert not [m for m in mailoutbox if sprint.title in m.subject]


def test_a_draft_level_sprint_goal_is_not_a_verdict_target(team):
    goal = Goal.objects.create(product=team.product, level=Level.SPRINT, title="Draft sprint")

    with pytest.raises(DomainError):
        sprint_verdict_set(actor=team.leader, goal=goal, verdict="met")


ODD_VALUES: list[object] = [None, [], {}, 10**30, 1.5, True, "", "x" * 30000, "\x00"]


@time_machine.travel(AFTER_THE_SPRINT, tick=False)
def test_retrospectives_and_verdicts_never_fail_on_odd_values(team, missed, sprint, api):
    client = api(team.leader)
    answers = {}
    for url, body in (
        (f"/api/goals/{missed.pk}/retrospective/", {**RETRO, "version": 1}),
        (f"/api/goals/{sprint.pk}/sprint-verdict/", {"sprint_verdict": "met", "version": 1}),
    ):
        for field in body:
            for value in ODD_VALUES:
                response = client.put(url, {**body, field: value}, format="json")
                if response.status_code >= 500:
                    answers[f"{url} {field}={value!r:.20}"] = response.status_code
    assert answers == {}
