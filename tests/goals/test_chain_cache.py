"""The chain endpoint serves its JSON from the cache until anything in the chain changes."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
import time_machine
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from goalchain.renderers import JSONRenderer
from goals.api import chain_body
from goals.api.chain_body import forget_assembled_chains
from goals.api.hot_path import bodies_one_by_one
from goals.models import Goal, KeyResult, Level, Status
from goals.selectors.chain import load_chain
from goals.selectors.signature import chain_signature, goal_outlines, product_outlines
from tests.factories import KeyResultFactory, ProductFactory, make_chain, make_goal


@pytest.fixture
def chain(team):
    chain = make_chain(team.product)
    KeyResultFactory(goal=chain.sprint_goal, owner=team.member, baseline=0, target=10, current=0)
    return chain


def read(client, team) -> dict:
    response = client.get(f"/api/products/{team.product.pk}/chain/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def sprint_node(body: dict) -> dict:
    return body["vision"]["children"][0]["children"][0]["children"][0]


def patch(client, path: str, data: dict) -> None:
    response = client.patch(path, data, format="json")
    assert response.status_code == 200, response.json()


def test_a_products_outlines_are_its_goals_outlines(team, chain):
    """Read by product or by the goals' ids, a chain's outlines are the same: its key results
    and its links (the product goal serves two goals) counted, no other product's goal."""
    elsewhere = make_chain(ProductFactory())
    KeyResultFactory(goal=elsewhere.sprint_goal, owner=team.outsider)
    ids = list(Goal.objects.filter(product=team.product).values_list("pk", flat=True))
    by_ids = goal_outlines(f"IN ({', '.join(['%s'] * len(ids))})", ids)
    assert len(by_ids) == len(ids) == 5
    assert sorted(product_outlines(team.product)) == sorted(by_ids)


def test_a_goal_edit_shows_at_once(team, chain, api):
    client = api(team.leader)
    read(client, team)
    goal = chain.sprint_goal
    patch(
        client,
        f"/api/goals/{goal.pk}/",
        {"title": "Ship the planner", "version": goal.version, "change_reason": "Scope"},
    )
    assert sprint_node(read(client, team))["title"] == "Ship the planner"


def test_a_key_result_check_shows_with_its_rolled_up_progress(team, chain, api):
    client = api(team.leader)
    before = read(client, team)
    assert before["vision"]["progress"] == 0
    key_result = KeyResult.objects.get(goal=chain.sprint_goal)
    patch(
        client,
        f"/api/key-results/{key_result.pk}/",
        {"current": 5, "version": key_result.version},
    )
    after = read(client, team)
    assert sprint_node(after)["key_results"][0]["current"] == 5
    assert sprint_node(after)["progress"] == 50
    assert after["vision"]["progress"] > 0


def test_new_and_deleted_goals_and_key_results_show(team, chain, api):
    client = api(team.leader)
    read(client, team)
    created = client.post(
        "/api/goals/",
        {
            "product": team.product.pk,
            "level": "sprint",
            "title": "Second sprint",
            "parents": [chain.product_goal.pk],
            "starts_on": str(timezone.localdate()),
            "ends_on": str(timezone.localdate() + timedelta(days=14)),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    product_node = read(client, team)["vision"]["children"][0]["children"][0]
    assert "Second sprint" in [child["title"] for child in product_node["children"]]
    key_result = KeyResult.objects.get(goal=chain.sprint_goal)
    path = f"/api/key-results/{key_result.pk}/?change_reason=Done+differently"
    assert client.delete(path).status_code == 204
    assert sprint_node(read(client, team))["key_results"] == []
    assert client.delete(f"/api/goals/{created.json()['id']}/").status_code == 204
    product_node = read(client, team)["vision"]["children"][0]["children"][0]
    assert "Second sprint" not in [child["title"] for child in product_node["children"]]


def test_a_new_parent_moves_the_goal(team, chain, api):
    client = api(team.leader)
    read(client, team)
    product_goal = chain.product_goal
    patch(
        client,
        f"/api/goals/{product_goal.pk}/",
        {
            "parents": [chain.user_goal.pk],
            "version": product_goal.version,
            "change_reason": "Serves users only",
        },
    )
    business = read(client, team)["vision"]["children"][1]
    assert business["id"] == chain.business_goal.pk
    assert business["children"] == []


def test_product_and_strategy_texts_show(team, chain, api):
    client = api(team.org_admin)
    read(client, team)
    patch(
        client,
        f"/api/products/{team.product.pk}/",
        {"portfolio_strategy": "Focus", "version": team.product.version},
    )
    patch(
        client,
        f"/api/organizations/{team.product.organization_id}/",
        {"business_strategy": "Grow", "version": team.product.organization.version},
    )
    body = read(client, team)
    assert (body["portfolio_strategy"], body["business_strategy"]) == ("Focus", "Grow")


def test_a_write_past_the_services_still_shows(team, chain, api):
    """The signature is read from the rows, so even an admin's edit cannot leave it stale."""
    client = api(team.member)
    read(client, team)
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(title="Edited in the admin", version=9)
    assert sprint_node(read(client, team))["title"] == "Edited in the admin"


def test_a_new_day_recomputes_health(team, chain, api):
    client = api(team.member)
    first = read(client, team)
    # The day is the organisation's (UTC here): health depends on it.
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        tomorrow = timezone.localdate()
        assert read(client, team) == first
        assert str(tomorrow) in cache.get(f"chain:{team.product.pk}")[0]


def test_every_reader_gets_the_same_cached_body(team, chain, api):
    first = api(team.member).get(f"/api/products/{team.product.pk}/chain/")
    second = api(team.stakeholder).get(f"/api/products/{team.product.pk}/chain/")
    assert first.content == second.content


def test_a_renamed_owner_shows(team, chain, api):
    client = api(team.member)
    read(client, team)
    team.member.display_name = "Renamed Person"
    team.member.save()
    assert sprint_node(read(client, team))["key_results"][0]["owner_name"] == "Renamed Person"


def test_signing_in_keeps_the_cached_chains(team, chain, api):
    read(api(team.member), team)
    signature = cache.get(f"chain:{team.product.pk}")[0]
    update_last_login(None, team.leader)
    assert chain_signature(team.product) == signature


def nodes(node: dict):
    yield node
    for child in node["children"]:
        yield from nodes(child)


def test_every_way_of_assembling_gives_the_same_chain(team, chain, api, monkeypatch):
    """Built whole, goal by goal, or from goal bodies already cached: one and the same body,
    each node the goal's own detail with its children, the score the chain health's."""
    product = team.product
    loose = make_goal(product, Level.PRODUCT, title="Loose", owner=team.member)
    make_goal(product, Level.SPRINT, loose, title="Sprint of loose")
    dropped = make_goal(product, Level.PRODUCT, chain.user_goal, status=Status.DROPPED)
    make_goal(product, Level.SPRINT, dropped, title="Under dropped")
    KeyResultFactory(goal=chain.product_goal, owner=team.member, baseline=0, target=4, current=1)
    client = api(team.leader)
    url = f"/api/products/{product.pk}/chain/"

    monkeypatch.setattr(chain_body, "FEW_TO_BUILD", 0)  # the whole chain loaded at once
    cache.clear()
    forget_assembled_chains()
    whole = client.get(url).content
    monkeypatch.setattr(chain_body, "FEW_TO_BUILD", 10_000)  # goal by goal
    cache.clear()
    forget_assembled_chains()
    one_by_one = client.get(url).content
    cache.delete(f"chain:{product.pk}")  # each goal's body from the cache
    forget_assembled_chains()
    from_bodies = client.get(url).content
    assert whole == one_by_one == from_bodies
    health_url = f"/api/products/{product.pk}/health/"
    assert client.get(health_url).content == health_worked_out_whole(product)

    body = orjson.loads(whole)
    assert {n["title"] for n in body["orphans"]} == {"Loose", "Under dropped"}
    assert body["health_score"] == load_chain(product).score
    shown = [n for root in (body["vision"], *body["orphans"]) for n in nodes(root)]
    assert len({n["id"] for n in shown}) == Goal.objects.filter(product=product).count()
    for node in shown:
        detail = client.get(f"/api/goals/{node['id']}/").json()
        assert {k: v for k, v in node.items() if k != "children"} == detail


def test_a_change_to_one_goal_builds_only_that_goal(team, chain, api, monkeypatch):
    client = api(team.leader)
    url = f"/api/products/{team.product.pk}/chain/"
    client.get(url)
    built = []
    one_by_one = bodies_one_by_one

    def spy(pks):
        built.append(sorted(pks))
        return one_by_one(pks)

    monkeypatch.setattr(chain_body, "bodies_one_by_one", spy)
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(title="Scan the fridge")
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(version=F("version") + 1)
    assert sprint_node(read(client, team))["title"] == "Scan the fridge"
    # The parent's version counts in its children's signatures (their health may change).
    Goal.objects.filter(pk=chain.product_goal.pk).update(version=F("version") + 1)
    read(client, team)
    assert built == [[chain.sprint_goal.pk], sorted([chain.product_goal.pk, chain.sprint_goal.pk])]


def test_a_stale_chain_is_not_fetched(team, chain, api, monkeypatch):
    """The signature is kept apart from the body: a chain that changed is not read (9 MB at
    10,000 goals) only to be thrown away."""
    client = api(team.leader)
    read(client, team)
    key = f"chain:{team.product.pk}"
    fetched = []
    get = cache.get

    def spy(name, *args, **kwargs):
        if name.startswith(key):
            fetched.append(name)
        return get(name, *args, **kwargs)

    monkeypatch.setattr(cache, "get", spy)
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(version=F("version") + 1)
    read(client, team)
    assert fetched == [f"{key}:signature"]
    read(client, team)
    assert fetched == [f"{key}:signature", f"{key}:signature", key]


def test_a_chain_put_together_again_in_place_is_the_chain_built_afresh(
    team, chain, api, monkeypatch
):
    """After each kind of write, the chain this process puts together from the one it kept
    (only the changed goals' bodies put in again, where the tree kept its shape) is byte for
    byte the chain built from nothing; a write that moves the tree builds it whole."""
    product = team.product
    client = api(team.leader)
    url = f"/api/products/{product.pk}/chain/"
    second = make_goal(product, Level.SPRINT, chain.product_goal, title="Second sprint")
    key_result = KeyResult.objects.get(goal=chain.sprint_goal)
    whole = []
    tree = chain_body._tree
    monkeypatch.setattr(chain_body, "_tree", lambda *args: whole.append(1) or tree(*args))

    def bump(goal, **fields):
        Goal.objects.filter(pk=goal.pk).update(**fields, version=F("version") + 1)

    writes = {
        "a title": (lambda: bump(chain.sprint_goal, title="Scan the fridge"), False),
        "a key result": (
            lambda: KeyResult.objects.filter(pk=key_result.pk).update(
                current=4, version=F("version") + 1
            ),
            False,
        ),
        "a confidence": (lambda: bump(chain.sprint_goal, confidence=1), False),
        "a parent's end date": (
            lambda: bump(chain.product_goal, ends_on=chain.product_goal.starts_on + timedelta(1)),
            False,
        ),
        "the product's name": (lambda: patch_product(product, name="Renamed product"), False),
        "an owner's name": (lambda: rename(team.member, "Tess Renamed"), False),
        "a start date, which orders siblings": (
            lambda: bump(second, starts_on=timezone.localdate() - timedelta(days=400)),
            True,
        ),
        "a status": (lambda: bump(chain.business_goal, status=Status.DROPPED), True),
        "a new goal": (
            lambda: make_goal(product, Level.SPRINT, chain.product_goal, title="Third"),
            True,
        ),
        "a new parent": (lambda: add_parent(second, chain.sprint_goal), True),
        "a deleted goal": (lambda: Goal.objects.filter(pk=second.pk).delete(), True),
    }
    health = f"/api/products/{product.pk}/health/"
    client.get(url)
    for i, (what, (write, moves_the_tree)) in enumerate(writes.items()):
        whole.clear()
        write()
        # Chain health first, every other time: it puts the chain together just the same.
        served_health = client.get(health).content if i % 2 else None
        served = client.get(url).content
        assert whole == ([1] if moves_the_tree else []), what
        assert client.get(health).content == health_worked_out_whole(product), what
        assert served_health in (None, health_worked_out_whole(product)), what
        cache.clear()
        forget_assembled_chains()
        assert served == client.get(url).content, what


def health_worked_out_whole(product) -> bytes:
    """Chain health's body as every finding of the whole chain loaded at once."""
    chain = load_chain(product)
    findings = [finding.as_dict() for finding in chain.findings]
    return JSONRenderer().render({"score": chain.score, "findings": findings})


def patch_product(product, **fields) -> None:
    type(product).objects.filter(pk=product.pk).update(**fields, version=F("version") + 1)


def rename(user, name: str) -> None:
    user.display_name = name
    user.save()


def add_parent(child, parent) -> None:
    child.parents.add(parent)
