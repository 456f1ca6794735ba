"""/api/key-results/: CRUD with progress, and the goal's progress following along."""

from __future__ import annotations

import pytest

from goals.models import Goal, KeyResult
from goals.services.progress import recompute_progress
from tests.factories import (
    KeyResultFactory,
    OrganizationMembershipFactory,
    ProductFactory,
    make_chain,
)

KEY_RESULT_FIELDS = {
    "id",
    "goal",
    "title",
    "unit",
    "baseline",
    "target",
    "current",
    "owner",
    "due_on",
    "progress",
    "version",
}


@pytest.fixture
def chain(team):
    return make_chain(team.product)


@pytest.fixture
def leader(team, api):
    return api(team.leader)


def new_kr(team, chain, **body):
    return {
        "goal": chain.product_goal.pk,
        "title": "Weekly planners",
        "unit": "people",
        "baseline": 100,
        "target": 300,
        "owner": team.member.pk,
        "change_reason": "We found a better measure",  # the product goal is agreed
        **body,
    }


def test_it_creates_a_key_result_with_progress(team, chain, leader):
    response = leader.post(
        "/api/key-results/", new_kr(team, chain, current=150, due_on="2027-03-31"), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= KEY_RESULT_FIELDS
    assert (body["baseline"], body["target"], body["current"]) == (100, 300, 150)
    assert (body["progress"], body["owner"], body["version"]) == (25, team.member.pk, 1)
    assert body["due_on"] == "2027-03-31"
    assert Goal.objects.get(pk=chain.product_goal.pk).progress == 25
    assert Goal.objects.get(pk=chain.vision.pk).progress == 25


def test_it_starts_a_key_result_at_its_baseline(team, chain, leader):
    body = leader.post("/api/key-results/", new_kr(team, chain), format="json").json()
    assert (body["current"], body["progress"]) == (100, 0)


def test_it_accepts_decimal_values(team, chain, leader):
    body = leader.post(
        "/api/key-results/",
        new_kr(team, chain, baseline="0.5", target="2.5", current="1.0"),
        format="json",
    ).json()
    assert (body["baseline"], body["target"], body["current"], body["progress"]) == (
        0.5,
        2.5,
        1,
        25,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner": None}, "owner"),
        ({"owner": "absent"}, "owner"),
        ({"owner": "outsider"}, "owner"),
        ({"owner": "org_member"}, "owner"),
        ({"target": 100}, "target"),
        ({"title": " "}, "title"),
        ({"goal": "foreign"}, "goal"),
        ({"goal": 10**12}, "goal"),
        ({"baseline": "abc"}, "baseline"),
    ],
)
def test_it_refuses_a_key_result_that_breaks_a_rule_with_a_400(team, chain, leader, change, field):
    body = new_kr(team, chain, **change)
    if body.get("owner") == "absent":
        del body["owner"]
    elif body.get("owner") == "outsider":
        body["owner"] = team.outsider.pk
    elif body.get("owner") == "org_member":
        body["owner"] = OrganizationMembershipFactory(
            organization=team.product.organization
        ).user.pk
    if body["goal"] == "foreign":
        body["goal"] = make_chain(ProductFactory()).product_goal.pk
    response = leader.post("/api/key-results/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not KeyResult.objects.exists()


def test_it_lists_key_results_in_pages_and_filters_them(team, chain, leader):
    mine = KeyResultFactory(goal=chain.product_goal, owner=team.member)
    other = KeyResultFactory(goal=chain.user_goal, owner=team.member)
    KeyResultFactory(goal=make_chain(ProductFactory()).product_goal)  # foreign
    body = leader.get("/api/key-results/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert {row["id"] for row in body["results"]} == {mine.pk, other.pk}
    response = leader.get(f"/api/key-results/?goal={chain.product_goal.pk}")
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    response = leader.get(f"/api/key-results/?product={team.product.pk}")
    assert response.json()["count"] == 2


def test_it_shows_a_key_result(team, chain, api):
    kr = KeyResultFactory(goal=chain.product_goal, owner=team.member, current=20)
    response = api(team.stakeholder).get(f"/api/key-results/{kr.pk}/")
    assert response.status_code == 200
    assert response.json()["progress"] == 50


def test_it_updates_a_key_result_and_the_goals_progress(team, chain, api):
    kr = KeyResultFactory(
        goal=chain.product_goal, owner=team.member, baseline=0, target=10, current=0
    )
    response = api(team.member).patch(
        f"/api/key-results/{kr.pk}/", {"current": 7, "version": 1}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["progress"], response.json()["version"]) == (70, 2)
    assert Goal.objects.get(pk=chain.product_goal.pk).progress == 70
    assert Goal.objects.get(pk=chain.vision.pk).progress == 70


def test_it_refuses_a_stale_key_result_version_with_a_409(team, chain, leader):
    kr = KeyResultFactory(goal=chain.product_goal, owner=team.member)
    leader.patch(f"/api/key-results/{kr.pk}/", {"current": 20, "version": 1})
    response = leader.patch(f"/api/key-results/{kr.pk}/", {"current": 30, "version": 1})
    assert response.status_code == 409
    kr.refresh_from_db()
    assert (kr.current, kr.version) == (20, 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"target": 10}, "target"), ({"owner": None}, "owner"), ({"goal": "other"}, "goal")],
)
def test_it_refuses_a_key_result_update_that_breaks_a_rule(team, chain, leader, body, field):
    kr = KeyResultFactory(goal=chain.product_goal, owner=team.member)  # baseline 10
    if body.get("goal") == "other":
        body = {"goal": chain.user_goal.pk}
    response = leader.patch(f"/api/key-results/{kr.pk}/", {**body, "version": 1}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    kr.refresh_from_db()
    assert (kr.goal, kr.version) == (chain.product_goal, 1)


def test_it_deletes_a_key_result_and_recomputes_progress(team, chain, leader):
    kr = KeyResultFactory(goal=chain.product_goal, owner=team.member, current=30)

    recompute_progress(goal_ids=[chain.product_goal.pk])
    assert Goal.objects.get(pk=chain.product_goal.pk).progress == 100
    response = leader.delete(f"/api/key-results/{kr.pk}/?change_reason=Measured+elsewhere")
    assert response.status_code == 204
    assert not KeyResult.objects.filter(pk=kr.pk).exists()
    assert Goal.objects.get(pk=chain.product_goal.pk).progress == 0


def test_it_shows_key_results_on_their_goal(team, chain, leader):
    leader.post("/api/key-results/", new_kr(team, chain, current=200), format="json")
    body = leader.get(f"/api/goals/{chain.product_goal.pk}/").json()
    assert [kr["progress"] for kr in body["key_results"]] == [50]
    assert body["progress"] == 50


def test_it_hides_another_organisations_key_results(team, chain, api):
    kr = KeyResultFactory(goal=chain.product_goal, owner=team.member)
    outsider = api(team.outsider)
    for method in ("get", "patch", "delete"):
        assert getattr(outsider, method)(f"/api/key-results/{kr.pk}/").status_code == 404
    assert outsider.get("/api/key-results/").json()["count"] == 0
    assert outsider.get(f"/api/key-results/?goal={chain.product_goal.pk}").json()["count"] == 0
