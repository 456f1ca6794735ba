"""A goal's detail is served from the cache until anything it shows changes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from goalchain.renderers import JSONRenderer
from goals.api.hot_path import goals_for_api
from goals.api.serializers.goals import GoalSerializer
from goals.models import MAX_ID, Goal, GoalLink, KeyResult, OrganizationMembership, Product, Status
from tests.factories import KeyResultFactory, make_chain


@pytest.fixture
def chain(team):
    chain = make_chain(team.product)
    KeyResultFactory(goal=chain.sprint_goal, owner=team.member, baseline=0, target=10, current=0)
    return chain


def read(client, goal: Goal) -> dict:
    response = client.get(f"/api/goals/{goal.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def patch(client, path: str, data: dict) -> None:
    response = client.patch(path, data, format="json")
    assert response.status_code == 200, response.json()


def fresh(goal: Goal) -> dict:
    """The goal as the serializer makes it, past any cache."""
    loaded = goals_for_api(Goal.objects.select_related("product__organization")).get(pk=goal.pk)
    return dict(GoalSerializer(loaded).data)


def normalised(data: dict) -> dict:
    """JSON-compatible values: dates as the API writes them."""
    return json.loads(JSONRenderer().render(data))


def test_the_cached_body_is_the_serializers(team, chain, api):
    client = api(team.member)
    first = read(client, chain.sprint_goal)
    assert cache.get(f"chain:goal:{chain.sprint_goal.pk}:findings") is not None
    assert read(client, chain.sprint_goal) == first == normalised(fresh(chain.sprint_goal))


def test_a_goal_edit_shows_at_once(team, chain, api):
    client = api(team.leader)
    goal = chain.sprint_goal
    read(client, goal)
    patch(
        client,
        f"/api/goals/{goal.pk}/",
        {"title": "Ship the planner", "version": goal.version, "change_reason": "Scope"},
    )
    body = read(client, goal)
    assert (body["title"], body["version"]) == ("Ship the planner", goal.version + 1)


def test_key_result_checks_additions_and_deletions_show(team, chain, api):
    client = api(team.leader)
    goal = chain.sprint_goal
    read(client, goal)
    key_result = KeyResult.objects.get(goal=goal)
    patch(client, f"/api/key-results/{key_result.pk}/", {"current": 5, "version": 1})
    body = read(client, goal)
    assert (body["key_results"][0]["current"], body["progress"]) == (5, 50)
    created = client.post(
        "/api/key-results/",
        {
            "goal": goal.pk,
            "title": "Second",
            "baseline": 0,
            "target": 4,
            "owner": team.member.pk,
            "change_reason": "A second measure",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert [kr["title"] for kr in read(client, goal)["key_results"]][-1] == "Second"
    path = f"/api/key-results/{key_result.pk}/?change_reason=Replaced"
    assert client.delete(path).status_code == 204
    assert [kr["title"] for kr in read(client, goal)["key_results"]] == ["Second"]


def test_a_replaced_parent_shows(team, chain, api):
    client = api(team.leader)
    goal = chain.product_goal
    read(client, goal)
    patch(
        client,
        f"/api/goals/{goal.pk}/",
        {"parents": [chain.user_goal.pk], "version": goal.version, "change_reason": "Users"},
    )
    assert read(client, goal)["parents"] == [chain.user_goal.pk]


def test_a_dropped_parent_makes_the_goal_an_orphan(team, chain, api):
    """Health depends on the parents' status: a change to a parent shows on the child."""
    client = api(team.leader)
    goal = chain.sprint_goal
    assert "orphan" not in read(client, goal)["health"]
    parent = chain.product_goal
    patch(
        client,
        f"/api/goals/{parent.pk}/",
        {"status": Status.DROPPED, "version": parent.version, "change_reason": "Stopped"},
    )
    assert "orphan" in read(client, goal)["health"]


def test_a_deleted_parent_link_shows(team, chain, api):
    client = api(team.member)
    goal = chain.product_goal
    read(client, goal)
    GoalLink.objects.filter(child=goal, parent=chain.business_goal).delete()
    assert read(client, goal)["parents"] == [chain.user_goal.pk]


def test_a_renamed_owner_shows(team, chain, api):
    client = api(team.member)
    goal = chain.sprint_goal
    read(client, goal)
    team.member.display_name = "Renamed Person"
    team.member.save()
    assert read(client, goal)["key_results"][0]["owner_name"] == "Renamed Person"


def test_a_switched_off_quality_rule_leaves_the_health_codes(team, chain, api):
    client = api(team.member)
    goal = chain.product_goal
    Goal.objects.filter(pk=goal.pk).update(title="Families plan their week", version=5)
    assert "not_measurable" in read(client, goal)["health"]
    Product.objects.filter(pk=team.product.pk).update(quality_rules_off=["not_measurable"])
    assert "not_measurable" not in read(client, goal)["health"]


def test_a_new_day_recomputes_health(team, chain, api):
    client = api(team.member)
    goal = chain.sprint_goal
    Goal.objects.filter(pk=goal.pk).update(next_review_on=timezone.localdate(), version=5)
    assert "review_overdue" not in read(client, goal)["health"]
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert "review_overdue" in read(client, goal)["health"]


def test_the_day_is_the_organisations(team, chain, api):
    """At 10:00 UTC it turns tomorrow on Kiritimati (UTC+14) while the UTC date stands."""
    client = api(team.member)
    goal = chain.sprint_goal
    team.product.organization.time_zone = "Pacific/Kiritimati"
    team.product.organization.save()
    nine = timezone.now().replace(hour=9, minute=0)
    Goal.objects.filter(pk=goal.pk).update(next_review_on=nine.date(), version=5)
    with time_machine.travel(nine):
        assert "review_overdue" not in read(client, goal)["health"]
    with time_machine.travel(nine + timedelta(hours=2)):
        assert "review_overdue" in read(client, goal)["health"]


def test_a_write_past_the_services_still_shows(team, chain, api):
    client = api(team.member)
    goal = chain.sprint_goal
    read(client, goal)
    Goal.objects.filter(pk=goal.pk).update(title="Edited in the admin", version=9)
    assert read(client, goal)["title"] == "Edited in the admin"


def test_every_reader_gets_the_same_cached_body(team, chain, api):
    path = f"/api/goals/{chain.sprint_goal.pk}/"
    first = api(team.member).get(path)
    second = api(team.stakeholder).get(path)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content


def test_a_cached_goal_stays_hidden_from_outsiders(team, chain, api):
    path = f"/api/goals/{chain.sprint_goal.pk}/"
    assert api(team.member).get(path).status_code == 200
    assert api(team.outsider).get(path).status_code == 404
    OrganizationMembership.objects.filter(user=team.member).delete()
    assert api(team.member).get(path).status_code == 404


@pytest.mark.parametrize("pk", [0, MAX_ID, MAX_ID + 1, 10**30])
def test_ids_out_of_range_are_not_found(team, api, pk):
    assert api(team.member).get(f"/api/goals/{pk}/").status_code == 404


def test_the_list_serves_the_same_bodies_and_shows_edits(team, chain, api):
    client = api(team.leader)
    goal = chain.sprint_goal

    def listed() -> dict:
        response = client.get(f"/api/goals/?product={team.product.pk}&level=sprint")
        assert response.status_code == 200
        (only,) = response.json()["results"]
        return only

    assert listed() == read(client, goal)
    patch(
        client,
        f"/api/goals/{goal.pk}/",
        {"title": "Ship the planner", "version": goal.version, "change_reason": "Scope"},
    )
    assert listed()["title"] == "Ship the planner"
    Goal.objects.filter(pk=goal.pk).update(title="Edited in the admin", version=9)
    assert listed() == read(client, goal)
    assert listed()["title"] == "Edited in the admin"


def test_a_write_answers_with_the_body_the_detail_then_serves(team, chain, api):
    client = api(team.leader)
    goal = chain.sprint_goal
    response = client.patch(
        f"/api/goals/{goal.pk}/",
        {"title": "Ship the planner", "version": goal.version, "change_reason": "Scope"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == read(client, goal)
