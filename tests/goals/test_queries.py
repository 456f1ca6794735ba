"""Reads cost a fixed number of queries, whatever the size of the chain or the list."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F

from goalchain.cache import written
from goals.models import Goal, GoalLink, KeyResult, Level, Status
from tests.conftest import api_client_for
from tests.factories import ProductFactory, today


def build_chain(product, size: int, owner) -> None:
    """A chain of `size` goals: one vision, then user/business, product and sprint goals.

    Every product goal serves two goals above it and carries two key results, so the tree
    has shared children, owners and key results to load.
    """
    start = today()

    def goal(level: str, n: int, days: int) -> Goal:
        return Goal(
            product=product,
            level=level,
            title=f"{level} {n}",
            status=Status.AGREED,
            owner=owner,
            starts_on=start,
            ends_on=start + timedelta(days=days),
            confidence=2 if n % 3 == 0 else 4,
        )

    rest = size - 1
    n_upper = max(1, rest // 10)
    n_product = max(1, rest // 4)
    n_sprint = max(0, rest - n_upper - n_product)
    (vision,) = Goal.objects.bulk_create([goal(Level.VISION, 0, 6 * 365)])
    upper = Goal.objects.bulk_create(
        goal(Level.USER if i % 2 else Level.BUSINESS, i, 2 * 365) for i in range(n_upper)
    )
    products = Goal.objects.bulk_create(goal(Level.PRODUCT, i, 90) for i in range(n_product))
    sprints = Goal.objects.bulk_create(goal(Level.SPRINT, i, 14) for i in range(n_sprint))
    links = [GoalLink(child=g, parent=vision) for g in upper]
    for i, g in enumerate(products):
        parents = {upper[i % len(upper)].pk: upper[i % len(upper)]}
        parents.setdefault(upper[(i + 1) % len(upper)].pk, upper[(i + 1) % len(upper)])
        links += [GoalLink(child=g, parent=p) for p in parents.values()]
    links += [GoalLink(child=g, parent=products[i % len(products)]) for i, g in enumerate(sprints)]
    GoalLink.objects.bulk_create(links)
    KeyResult.objects.bulk_create(
        KeyResult(
            goal=g,
            title=f"KR {i}",
            baseline=Decimal(0),
            target=Decimal(10),
            current=Decimal(i % 10),
            owner=owner,
        )
        for g in products
        for i in range(2)
    )
    assert Goal.objects.filter(product=product).count() == size


@pytest.mark.parametrize("size", [5, 500])
def test_it_reads_the_whole_chain_in_a_fixed_number_of_queries(
    team, django_assert_num_queries, size
):
    build_chain(team.product, size, team.member)
    client = api_client_for(team.member)
    url = f"/api/products/{team.product.pk}/chain/"
    # 1. the token and its user
    # 2. the product, with its organisation and my roles (two subqueries)
    # 3. the chain's signature (counts, versions, latest changes)
    # 4. each goal's signature, and where it stands in the chain
    # then, nothing cached yet: a few goals are built one by one (5. goals with owners,
    # 6. their parents, 7. their key results with owners) and 8. the links between the goals
    # are read to nest them; many are loaded as a whole chain (5. goals, 6. links, 7. key
    # results, 8. the people owning them), whose links nest them.
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["vision"] is not None
    assert sum(len(child["children"]) for child in body["vision"]["children"]) >= 1
    written()  # the bodies of more than a hundred goals built at once are cached after the answer
    # Unchanged since: the token, the product and the signature; the body comes from the cache.
    with django_assert_num_queries(3):
        again = client.get(url)
    assert again.content == response.content
    # One goal changed: only that goal's body is built (5-7 above), and put into the chain
    # this process kept, whose shape held: the links are not read.
    last = Goal.objects.filter(product=team.product).latest("pk")
    Goal.objects.filter(pk=last.pk).update(title="Changed", version=F("version") + 1)
    with django_assert_num_queries(7):
        changed = client.get(url).json()
    assert changed["vision"] == {**body["vision"], "children": changed["vision"]["children"]}
    # One goal moved: the chain is put together again, reading the links (8).
    Goal.objects.filter(pk=last.pk).update(status=Status.DROPPED, version=F("version") + 1)
    with django_assert_num_queries(8):
        moved = client.get(url).json()
    assert moved["vision"]["id"] == body["vision"]["id"]


@pytest.mark.parametrize("size", [5, 500])
def test_it_reads_chain_health_in_a_fixed_number_of_queries(team, django_assert_num_queries, size):
    build_chain(team.product, size, team.member)
    client = api_client_for(team.member)
    url = f"/api/products/{team.product.pk}/health/"
    # 1-4 as for the whole chain: the token, the product, the chain's signature, each goal's
    # signature; then the goals' bodies and findings built and the links read, to know the
    # chain's order and which goals hang in it (5-8, as for the chain).
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert any(f["code"] == "low_confidence" for f in response.json()["findings"])
    written()
    # Nothing changed since: 1-3 as above, and the findings come from the cache.
    with django_assert_num_queries(3):
        again = client.get(url)
    assert again.content == response.content
    # One goal changed: only that goal's findings are worked out again (5-7 as for a few).
    last = Goal.objects.filter(product=team.product).latest("pk")
    Goal.objects.filter(pk=last.pk).update(confidence=1, version=F("version") + 1)
    with django_assert_num_queries(7):
        changed = client.get(url).json()
    assert [
        f for f in changed["findings"] if f["goal"] == last.pk and f["code"] == "low_confidence"
    ]
    # The chain read after it finds every goal's body in place: 1-4 only.
    with django_assert_num_queries(4):
        client.get(f"/api/products/{team.product.pk}/chain/")


@pytest.mark.parametrize("rows", [1, 200])
def test_it_lists_goals_in_a_fixed_number_of_queries(team, django_assert_num_queries, rows):
    build_chain(team.product, max(rows, 5), team.member)
    client = api_client_for(team.member)
    # 1. the token and its user
    # 2. the ids of the page's goals, with the count of all I can see
    # 3. their signatures
    # 4. the goals with products, organisations and owners
    # 5. their parents
    # 6. their key results with their owners
    with django_assert_num_queries(6):
        response = client.get(f"/api/goals/?page_size={rows}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
    written()  # the bodies of more than a hundred goals built at once are cached after the answer
    # The same page at another address, unchanged: each goal's body comes from the cache,
    # as for a goal's detail.
    with django_assert_num_queries(3):
        again = client.get(f"/api/goals/?page_size={rows}&page=1")
    assert again.json()["results"] == response.json()["results"]
    # Asked again: the answer kept for the token (goals/api/fast_reads.py).
    with django_assert_num_queries(0):
        kept = client.get(f"/api/goals/?page_size={rows}")
    assert kept.content == response.content


@pytest.mark.parametrize("rows", [1, 200])
def test_it_lists_key_results_in_a_fixed_number_of_queries(team, django_assert_num_queries, rows):
    build_chain(team.product, 500, team.member)  # 250 product goals with two key results each
    client = api_client_for(team.member)
    # 1. the token and its user
    # 2. the count of key results I can see
    # 3. the page of key results with goals, products, owners and my roles
    with django_assert_num_queries(3):
        response = client.get(f"/api/key-results/?page_size={rows}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 200])
def test_it_shows_a_goal_with_many_key_results_in_a_fixed_number_of_queries(
    team, django_assert_num_queries, rows
):
    build_chain(team.product, 5, team.member)
    goal = Goal.objects.get(product=team.product, level=Level.PRODUCT)
    KeyResult.objects.bulk_create(
        KeyResult(goal=goal, title=f"K{i}", baseline=0, target=5, current=1, owner=team.leader)
        for i in range(rows)
    )
    client = api_client_for(team.member)
    # 1. the token and its user
    # 2. the goal's signature, which also checks that the reader may see it
    # 3. the goal with product, organisation and owner
    # 4. its parents
    # 5. its key results with their owners
    with django_assert_num_queries(5):
        response = client.get(f"/api/goals/{goal.pk}/")
    assert len(response.json()["key_results"]) == rows + 2
    # Read again, unchanged: the answer kept for the token (goals/api/fast_reads.py).
    with django_assert_num_queries(0):
        again = client.get(f"/api/goals/{goal.pk}/")
    assert again.content == response.content
    # Read with another token, unchanged: the token and the signature; the body comes from
    # the cache.
    other_client = api_client_for(team.member)
    with django_assert_num_queries(2):
        other = other_client.get(f"/api/goals/{goal.pk}/")
    assert other.content == response.content


@pytest.mark.parametrize("rows", [1, 200])
def test_it_lists_products_and_organisations_in_a_fixed_number_of_queries(
    team, django_assert_num_queries, rows
):
    for _ in range(rows):
        ProductFactory(organization=team.product.organization)
    client = api_client_for(team.member)
    # 1. the token and its user; 2. the count; 3. the page with organisations and my roles
    with django_assert_num_queries(3):
        assert client.get("/api/products/?page_size=500").status_code == 200
    with django_assert_num_queries(3):
        assert client.get("/api/organizations/").status_code == 200
