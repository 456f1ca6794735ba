"""GET /api/products/{id}/chain/ and /health/."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from goals.models import Level, Status
from goals.services.boards import quality_settings_update
from tests.factories import KeyResultFactory, make_chain, make_goal, today
from tests.goals.test_api_key_results import new_kr


@pytest.fixture
def chain(team):
    return make_chain(team.product)


def get_chain(client, team) -> dict:
    response = client.get(f"/api/products/{team.product.pk}/chain/")
    assert response.status_code == 200
    return response.json()


def titles(nodes: list[dict]) -> list[str]:
    return [node["title"] for node in nodes]


def test_it_shows_the_chain_nested_under_the_vision(team, chain, api):
    body = get_chain(api(team.stakeholder), team)
    assert {"product", "business_strategy", "portfolio_strategy", "vision", "orphans"} <= set(body)
    assert body["product"] == team.product.pk
    assert body["business_strategy"] == team.product.organization.business_strategy
    assert body["portfolio_strategy"] == team.product.portfolio_strategy
    vision = body["vision"]
    assert (vision["id"], vision["level"]) == (chain.vision.pk, "vision")
    assert titles(vision["children"]) == [chain.user_goal.title, chain.business_goal.title]
    for serving in vision["children"]:
        (product_goal,) = serving["children"]
        assert product_goal["id"] == chain.product_goal.pk
        assert [s["id"] for s in product_goal["children"]] == [chain.sprint_goal.pk]
        assert product_goal["children"][0]["children"] == []
    assert body["orphans"] == []


def test_it_gives_each_goal_in_the_chain_its_fields(team, chain, api):
    KeyResultFactory(goal=chain.product_goal, owner=team.member)
    body = get_chain(api(team.member), team)
    product_goal = body["vision"]["children"][0]["children"][0]
    assert {
        "id", "level", "title", "description_html", "parents", "owner", "status", "starts_on",
        "ends_on", "progress", "key_results", "health", "version", "children",
    } <= set(product_goal)  # fmt: skip
    assert product_goal["parents"] == sorted([chain.user_goal.pk, chain.business_goal.pk])
    assert len(product_goal["key_results"]) == 1
    assert "no_owner" in product_goal["health"]


def test_it_shows_goals_without_live_parents_as_orphans(team, chain, api):
    loose = make_goal(team.product, Level.PRODUCT, title="Loose")
    under_dropped = make_goal(team.product, Level.SPRINT, title="Under dropped")
    dropped = make_goal(team.product, Level.PRODUCT, chain.user_goal, status=Status.DROPPED)
    under_dropped.parents.add(dropped)
    sprint_of_loose = make_goal(team.product, Level.SPRINT, loose, title="Sprint of loose")
    body = get_chain(api(team.member), team)
    orphans = {node["title"]: node for node in body["orphans"]}
    assert set(orphans) == {"Loose", "Under dropped"}
    assert titles(orphans["Loose"]["children"]) == [sprint_of_loose.title]


def test_it_shows_a_chain_without_vision(team, api):
    make_goal(team.product, Level.USER, title="Lonely")
    body = get_chain(api(team.member), team)
    assert body["vision"] is None
    assert titles(body["orphans"]) == ["Lonely"]


def test_it_shows_the_live_vision_not_the_dropped_one(team, chain, api):
    chain.vision.status = Status.DROPPED
    chain.vision.save()
    new_vision = make_goal(team.product, Level.VISION, title="New North")
    body = get_chain(api(team.member), team)
    assert body["vision"]["id"] == new_vision.pk
    assert set(titles(body["orphans"])) == {chain.user_goal.title, chain.business_goal.title}


def test_it_hides_another_organisations_chain(team, chain, api):
    assert api(team.outsider).get(f"/api/products/{team.product.pk}/chain/").status_code == 404
    assert api(team.outsider).get(f"/api/products/{team.product.pk}/health/").status_code == 404


def health(client, team) -> dict:
    response = client.get(f"/api/products/{team.product.pk}/health/")
    assert response.status_code == 200
    return response.json()


def test_it_reports_chain_health_findings(team, api):
    start = today()
    user_goal = make_goal(team.product, Level.USER, title="No vision above", owner=team.leader)
    product_goal = make_goal(
        team.product,
        Level.PRODUCT,
        user_goal,
        owner=team.leader,
        starts_on=start,
        ends_on=start + timedelta(days=400),
    )
    sprint = make_goal(
        team.product,
        Level.SPRINT,
        product_goal,
        starts_on=start + timedelta(days=395),
        ends_on=start + timedelta(days=409),
        confidence=1,
        next_review_on=start - timedelta(days=3),
    )
    body = health(api(team.stakeholder), team)
    assert set(body) == {"score", "findings"}
    found = {(f["goal"], f["code"]) for f in body["findings"]}
    assert found == {
        (None, "no_vision"),
        (user_goal.pk, "orphan"),
        (user_goal.pk, "no_key_results"),
        (user_goal.pk, "not_measurable"),  # goal quality: no number in "No vision above"
        (product_goal.pk, "no_key_results"),
        (product_goal.pk, "timeframe"),
        (sprint.pk, "outlives_parent"),
        (sprint.pk, "low_confidence"),  # confidence 1 of 5, said once (not sprint_stretch too)
        (sprint.pk, "no_owner"),
        (sprint.pk, "review_overdue"),
    }
    assert all(isinstance(f["message"], str) and f["message"] for f in body["findings"])
    assert body["score"] == 0


def test_it_scores_a_healthy_chain_100(team, chain, api):
    for goal in vars(chain).values():
        goal.owner = team.leader
        goal.save()
    for goal in (chain.user_goal, chain.business_goal, chain.product_goal):
        KeyResultFactory(goal=goal, owner=team.member)
    body = health(api(team.member), team)
    assert body == {"score": 100, "findings": []}


def test_it_scores_between_0_and_100(team, chain, api):
    score = health(api(team.member), team)["score"]
    assert 0 <= score < 100


def test_it_builds_a_chain_through_the_api_and_rolls_progress_up(team, api):
    client = api(team.leader)

    def post(url, **body):
        response = client.post(url, body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()["id"]

    pid = team.product.pk
    vision = post("/api/goals/", product=pid, level="vision", title="Healthier lives")
    user_goal = post("/api/goals/", product=pid, level="user", title="Log", parents=[vision])
    business_goal = post(
        "/api/goals/", product=pid, level="business", title="Grow", parents=[vision]
    )
    product_goal = post(
        "/api/goals/",
        product=pid,
        level="product",
        title="Planner",
        parents=[user_goal, business_goal],
    )
    post(
        "/api/key-results/",
        goal=product_goal,
        title="Plans",
        baseline=0,
        target=100,
        current=50,
        owner=team.member.pk,
    )
    sprint = post(
        "/api/goals/", product=pid, level="sprint", title="Ship", parents=[product_goal],
        starts_on="2026-01-01", ends_on="2026-01-15",
    )  # fmt: skip
    body = get_chain(client, team)
    vision_node = body["vision"]
    assert vision_node["id"] == vision
    assert vision_node["progress"] == 50
    under_user, under_business = vision_node["children"]
    assert under_user["children"][0]["id"] == under_business["children"][0]["id"] == product_goal
    assert under_user["children"][0]["progress"] == 50
    assert under_user["children"][0]["children"][0]["id"] == sprint
    assert body["orphans"] == []


def test_every_kind_of_write_shows_in_chain_health_at_once(team, chain, api):
    """Health is served from the cache while the chain's signature holds: each write that
    changes a finding changes the signature."""
    client = api(team.leader)
    goal_url = f"/api/goals/{chain.product_goal.pk}/"

    def codes() -> set[str]:
        body = health(client, team)
        return {f["code"] for f in body["findings"] if f["goal"] == chain.product_goal.pk}

    def patch(**fields) -> None:
        version = client.get(goal_url).json()["version"]
        body = {"version": version, "change_reason": "Agreed again", **fields}
        assert client.patch(goal_url, body, format="json").status_code == 200

    assert {"no_owner", "no_key_results"} <= codes()
    assert codes() == codes()  # read twice, the second from the cache
    patch(owner=team.member.pk)
    assert "no_owner" not in codes()
    key_result = new_kr(team, chain)
    assert client.post("/api/key-results/", key_result, format="json").status_code == 201
    assert "no_key_results" not in codes()
    patch(title="Bury the cancel flow five screens deep")
    assert "unethical" in codes()
    team.product.refresh_from_db()
    quality_settings_update(
        actor=team.leader,
        product=team.product,
        rules_off=["unethical"],
        max_live_product_goals=5,
        version=team.product.version,
    )
    assert "unethical" not in codes()
    patch(next_review_on=(today() + timedelta(days=1)).isoformat())
    assert "review_overdue" not in codes()
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert "review_overdue" in codes()  # a new day
    vision = chain.vision
    vision.status = Status.DROPPED
    vision.save()
    user_goal_codes = {
        f["code"] for f in health(client, team)["findings"] if f["goal"] == chain.user_goal.pk
    }
    assert "orphan" in user_goal_codes
