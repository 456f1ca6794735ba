"""Who may do what, per object: every role against every endpoint, written down as a table.

Roles: `leader`, `team` and `stakeholder` of the product; `viewer`, an organisation member
without a role in the product; `admin`, an organisation admin (acts as a leader on every
product of the organisation); `outsider`, a leader in another organisation; `anonymous`.

Another organisation's objects are 404 to outsiders, never 403, so ids reveal nothing. When
an outsider names such an object in a request body (the product of a new goal, the goal of
a new key result, the organisation of a new product) the answer is a 400 on that field,
the same as for an id that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from goals.models import (
    Goal,
    GoalChange,
    Invitation,
    KeyResult,
    Level,
    Organization,
    OrganizationMembership,
    Product,
    ProductMembership,
    User,
)
from tests.conftest import api_client_for
from tests.factories import (
    KeyResultFactory,
    OrganizationMembershipFactory,
    make_chain,
    make_goal,
)

ROLES = ("leader", "team", "stakeholder", "viewer", "admin", "outsider", "anonymous")

# endpoint: (leader, team, stakeholder, viewer, admin, outsider, anonymous)
EXPECTED: dict[str, tuple[int, ...]] = {
    "GET organizations":                 (200, 200, 200, 200, 200, 200, 401),
    "POST organizations":                (201, 201, 201, 201, 201, 201, 401),
    "GET organization":                  (200, 200, 200, 200, 200, 404, 401),
    "PATCH organization":                (403, 403, 403, 403, 200, 404, 401),
    "GET organization members":          (200, 200, 200, 200, 200, 404, 401),
    "POST organization members":         (403, 403, 403, 403, 201, 404, 401),
    "PATCH organization member":         (403, 403, 403, 403, 200, 404, 401),
    "DELETE organization member":        (403, 403, 403, 403, 204, 404, 401),
    "GET products":                      (200, 200, 200, 200, 200, 200, 401),
    "POST products":                     (403, 403, 403, 403, 201, 400, 401),
    "GET product":                       (200, 200, 200, 200, 200, 404, 401),
    "PATCH product":                     (200, 403, 403, 403, 200, 404, 401),
    "DELETE product":                    (204, 403, 403, 403, 204, 404, 401),
    "GET product members":               (200, 200, 200, 200, 200, 404, 401),
    "POST product members":              (201, 403, 403, 403, 201, 404, 401),
    "PATCH product member":              (200, 403, 403, 403, 200, 404, 401),
    "DELETE product member":             (204, 403, 403, 403, 204, 404, 401),
    "GET chain":                         (200, 200, 200, 200, 200, 404, 401),
    "GET health":                        (200, 200, 200, 200, 200, 404, 401),
    "GET goals":                         (200, 200, 200, 200, 200, 200, 401),
    "POST goals":                        (201, 201, 403, 403, 201, 400, 401),
    "GET goal":                          (200, 200, 200, 200, 200, 404, 401),
    "PATCH goal":                        (200, 200, 403, 403, 200, 404, 401),
    "DELETE goal":                       (204, 204, 403, 403, 204, 404, 401),
    "GET goal history":                  (200, 200, 200, 200, 200, 404, 401),
    "GET key results":                   (200, 200, 200, 200, 200, 200, 401),
    "POST key results":                  (201, 201, 403, 403, 201, 400, 401),
    "GET key result":                    (200, 200, 200, 200, 200, 404, 401),
    "PATCH key result":                  (200, 200, 403, 403, 200, 404, 401),
    "DELETE key result":                 (204, 204, 403, 403, 204, 404, 401),
}  # fmt: skip


@dataclass
class World:
    users: dict[str, User | None]
    requests: dict[str, tuple[str, str, dict[str, Any] | None]]


@pytest.fixture
def world(team) -> World:
    product = team.product
    org = product.organization
    chain = make_chain(product)
    draft = make_goal(product, Level.SPRINT, chain.product_goal)
    kr = KeyResultFactory(goal=chain.product_goal, owner=team.member)
    viewer = OrganizationMembershipFactory(organization=org).user
    stakeholder_in_org = OrganizationMembership.objects.get(organization=org, user=team.stakeholder)
    stakeholder_in_product = ProductMembership.objects.get(product=product, user=team.stakeholder)
    users: dict[str, User | None] = {
        "leader": team.leader,
        "team": team.member,
        "stakeholder": team.stakeholder,
        "viewer": viewer,
        "admin": team.org_admin,
        "outsider": team.outsider,
        "anonymous": None,
    }
    org_url = f"/api/organizations/{org.pk}/"
    product_url = f"/api/products/{product.pk}/"
    requests = {
        "GET organizations": ("get", "/api/organizations/", None),
        "POST organizations": ("post", "/api/organizations/", {"name": "Fresh start"}),
        "GET organization": ("get", org_url, None),
        "PATCH organization": ("patch", org_url, {"name": "Renamed", "version": 1}),
        "GET organization members": ("get", f"{org_url}members/", None),
        "POST organization members": ("post", f"{org_url}members/", {"email": "new@example.com"}),
        "PATCH organization member": (
            "patch",
            f"{org_url}members/{stakeholder_in_org.pk}/",
            {"role": "admin"},
        ),
        "DELETE organization member": (
            "delete",
            f"{org_url}members/{stakeholder_in_org.pk}/",
            None,
        ),
        "GET products": ("get", "/api/products/", None),
        "POST products": ("post", "/api/products/", {"organization": org.pk, "name": "New"}),
        "GET product": ("get", product_url, None),
        "PATCH product": ("patch", product_url, {"name": "Renamed", "version": 1}),
        "DELETE product": ("delete", product_url, None),
        "GET product members": ("get", f"{product_url}members/", None),
        "POST product members": (
            "post",
            f"{product_url}members/",
            {"email": viewer.email, "role": "team"},
        ),
        "PATCH product member": (
            "patch",
            f"{product_url}members/{stakeholder_in_product.pk}/",
            {"role": "team"},
        ),
        "DELETE product member": (
            "delete",
            f"{product_url}members/{stakeholder_in_product.pk}/",
            None,
        ),
        "GET chain": ("get", f"{product_url}chain/", None),
        "GET health": ("get", f"{product_url}health/", None),
        "GET goals": ("get", "/api/goals/", None),
        "POST goals": (
            "post",
            "/api/goals/",
            {
                "product": product.pk,
                "level": "product",
                "title": "New",
                "parents": [chain.user_goal.pk],
            },
        ),
        "GET goal": ("get", f"/api/goals/{chain.sprint_goal.pk}/", None),
        "PATCH goal": (
            "patch",
            f"/api/goals/{chain.sprint_goal.pk}/",
            {"confidence": 3, "version": 1},
        ),
        "DELETE goal": ("delete", f"/api/goals/{draft.pk}/", None),
        "GET goal history": ("get", f"/api/goals/{chain.sprint_goal.pk}/history/", None),
        "GET key results": ("get", "/api/key-results/", None),
        "POST key results": (
            "post",
            "/api/key-results/",
            {
                "goal": chain.product_goal.pk,
                "title": "New",
                "baseline": 0,
                "target": 1,
                "owner": team.member.pk,
                "change_reason": "We measure this too",
            },
        ),
        "GET key result": ("get", f"/api/key-results/{kr.pk}/", None),
        "PATCH key result": ("patch", f"/api/key-results/{kr.pk}/", {"current": 20, "version": 1}),
        "DELETE key result": (
            "delete",
            f"/api/key-results/{kr.pk}/?change_reason=Measured+elsewhere",
            None,
        ),
    }
    return World(users, requests)


def fingerprint() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(Organization.objects.values_list("pk", "name", "version")),
        list(OrganizationMembership.objects.values_list("pk", "role")),
        list(Invitation.objects.values_list("pk", "role")),
        list(Product.objects.values_list("pk", "name", "version")),
        list(ProductMembership.objects.values_list("pk", "role")),
        list(Goal.objects.values_list("pk", "version", "progress")),
        list(KeyResult.objects.values_list("pk", "version", "current")),
        GoalChange.objects.count(),
    )


CASES = [
    pytest.param(endpoint, role, statuses[i], id=f"{endpoint} as {role}")
    for endpoint, statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("endpoint", "role", "expected"), CASES)
def test_it_answers_each_role_as_the_table_says(world, endpoint, role, expected):
    method, url, body = world.requests[endpoint]
    client = api_client_for(world.users[role])
    before = fingerprint()
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code == expected, response.content
    if expected >= 400 and method != "get":
        assert fingerprint() == before
    if expected == 404:
        assert response.json() == {"detail": "Not found."}


def test_the_table_covers_every_role_and_endpoint():
    assert all(len(statuses) == len(ROLES) for statuses in EXPECTED.values())
    assert len(EXPECTED) == 30


@pytest.mark.parametrize(
    ("url", "own_ids"),
    [
        ("/api/organizations/", "organizations"),
        ("/api/products/", "products"),
        ("/api/goals/", "goals"),
        ("/api/key-results/", "key_results"),
    ],
)
def test_an_outsider_never_sees_another_organisations_rows(world, team, url, own_ids):
    outsiders_product = team.outsider.product_memberships.get().product
    theirs = make_chain(outsiders_product)
    their_kr = KeyResultFactory(goal=theirs.product_goal, owner=team.outsider)
    allowed = {
        "organizations": {outsiders_product.organization_id},
        "products": {outsiders_product.pk},
        "goals": {g.pk for g in vars(theirs).values()},
        "key_results": {their_kr.pk},
    }[own_ids]
    rows = api_client_for(team.outsider).get(f"{url}?page_size=500").json()["results"]
    assert {row["id"] for row in rows} == allowed


def test_a_stakeholder_reads_the_chain_but_cannot_change_it(world, team):
    client = api_client_for(team.stakeholder)
    goal_id = Goal.objects.get(product=team.product, level=Level.SPRINT, status="agreed").pk
    assert client.get(f"/api/goals/{goal_id}/").status_code == 200
    response = client.patch(f"/api/goals/{goal_id}/", {"title": "Mine", "change_reason": "x"})
    assert response.status_code == 403
    assert "detail" in response.json()
    assert Goal.objects.get(pk=goal_id).title != "Mine"
