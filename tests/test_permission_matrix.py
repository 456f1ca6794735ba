"""The permission matrix: every API endpoint and the main pages, for each role and action.

Roles: `leader`, `team` and `stakeholder` of the product; `viewer`, a member of the
organisation without a role in the product; `admin`, an organisation admin (acts as a leader
on every product of the organisation); `outsider`, a leader of a product in another
organisation; `anonymous`. Each row names an endpoint (or page) and an action (read, create,
update, delete) and writes down the status each role gets, in that order.

Another organisation's objects are 404 to outsiders, never 403, so ids reveal nothing. When
an outsider names such an object in a request body (the product of a new goal, the goal of
a new key result, the organisation of a new product, an export to import) the answer is a
400 on that field, the same as for an id that does not exist. A write that is refused
changes nothing.

The objects the rows act on are written once per module and worker, in a transaction rolled
back at the end; each test runs in a savepoint of it (pytest-django's `db`), so what a test
writes is gone before the next one starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, resolve

from accounts.tokens import token_create
from goals.models import (
    CalendarFeed,
    CheckIn,
    Comment,
    DeliveryAttempt,
    FeedbackRequest,
    FeedbackRound,
    Goal,
    GoalChange,
    Insight,
    Invitation,
    KeyResult,
    Level,
    MetricSource,
    MetricToken,
    MetricValue,
    Notification,
    Organization,
    OrganizationMembership,
    Product,
    ProductMembership,
    ProductRole,
    Retrospective,
    Status,
    User,
    Webhook,
)
from goals.services.comments import comment_create
from goals.services.feedback import feedback_round_open
from goals.services.insights import insight_create
from goals.services.metrics import metric_token_create
from goals.services.notifications import notify
from tests.conftest import Team, api_client_for, kept_for_the_module, make_team
from tests.factories import (
    Chain,
    InvitationFactory,
    KeyResultFactory,
    OrganizationFactory,
    OrganizationMembershipFactory,
    UserFactory,
    add_member,
    make_chain,
    make_goal,
    today,
)
from workshops.models import Participant, Phase, Proposal, Vote, Workshop
from workshops.services.proposals import proposal_create
from workshops.services.setup import participant_add, workshop_create, workshop_set_phase

pytestmark = pytest.mark.django_db

ROLES = ("leader", "team", "stakeholder", "viewer", "admin", "outsider", "anonymous")
UNTIL = today() + timedelta(days=7)
# A public address given as a number: accepted without a name to resolve.
PUBLIC_HOOK = "https://93.184.215.14/goal-chain"


# API. 401: not signed in; 403: signed in, not allowed; 404: another organisation's object
# (or, for a notification or a token, someone else's); 400: another organisation's object
# named in the body. 409 where a role may act but the object's state refuses it (a
# workshop's phase, a decision before the reveal): the permission check passed.
# action endpoint: (leader, team, stakeholder, viewer, admin, outsider, anonymous)
API: dict[str, tuple[int, ...]] = {
    "read organizations":                (200, 200, 200, 200, 200, 200, 401),
    "create organization":               (201, 201, 201, 201, 201, 201, 401),
    "read organization":                 (200, 200, 200, 200, 200, 404, 401),
    "update organization":               (403, 403, 403, 403, 200, 404, 401),
    "read organization members":         (200, 200, 200, 200, 200, 404, 401),
    "create organization member":        (403, 403, 403, 403, 201, 404, 401),
    "update organization member":        (403, 403, 403, 403, 200, 404, 401),
    "delete organization member":        (403, 403, 403, 403, 204, 404, 401),
    "read products":                     (200, 200, 200, 200, 200, 200, 401),
    "create product":                    (403, 403, 403, 403, 201, 400, 401),
    "read product":                      (200, 200, 200, 200, 200, 404, 401),
    "update product":                    (200, 403, 403, 403, 200, 404, 401),
    "delete product":                    (204, 403, 403, 403, 204, 404, 401),
    "read product members":              (200, 200, 200, 200, 200, 404, 401),
    "create product member":             (201, 403, 403, 403, 201, 404, 401),
    "update product member":             (200, 403, 403, 403, 200, 404, 401),
    "delete product member":             (204, 403, 403, 403, 204, 404, 401),
    "read product chain":                (200, 200, 200, 200, 200, 404, 401),
    "read product health":               (200, 200, 200, 200, 200, 404, 401),
    "read goals":                        (200, 200, 200, 200, 200, 200, 401),
    "create goal":                       (201, 201, 403, 403, 201, 400, 401),
    "read goal":                         (200, 200, 200, 200, 200, 404, 401),
    "update goal":                       (200, 200, 403, 403, 200, 404, 401),
    "delete goal":                       (204, 204, 403, 403, 204, 404, 401),
    "read goal history":                 (200, 200, 200, 200, 200, 404, 401),
    "read key results":                  (200, 200, 200, 200, 200, 200, 401),
    "create key result":                 (201, 201, 403, 403, 201, 400, 401),
    "read key result":                   (200, 200, 200, 200, 200, 404, 401),
    "update key result":                 (200, 200, 403, 403, 200, 404, 401),
    "delete key result":                 (204, 204, 403, 403, 204, 404, 401),
    "read goal comments":                (200, 200, 200, 200, 200, 404, 401),
    "create goal comment":               (201, 201, 201, 403, 201, 404, 401),
    "read comment":                      (200, 200, 200, 200, 200, 404, 401),
    "update comment":                    (403, 200, 403, 403, 403, 404, 401),
    "delete comment":                    (204, 204, 403, 403, 204, 404, 401),
    "read goal insights":                (200, 200, 200, 200, 200, 404, 401),
    "create goal insight":               (201, 201, 201, 403, 201, 404, 401),
    "read insight":                      (200, 200, 200, 200, 200, 404, 401),
    "delete insight":                    (204, 204, 403, 403, 204, 404, 401),
    "read feedback rounds":              (200, 200, 200, 200, 200, 404, 401),
    "create feedback round":             (201, 403, 403, 403, 201, 404, 401),
    "read feedback round":               (200, 200, 200, 200, 200, 404, 401),
    "update feedback answer":            (403, 200, 200, 403, 403, 404, 401),
    "update feedback round close":       (200, 403, 403, 403, 200, 404, 401),
    "create goal agreement":             (201, 201, 403, 403, 201, 404, 401),
    "read goal watch":                   (200, 200, 200, 200, 200, 404, 401),
    "update goal watch":                 (200, 200, 200, 200, 200, 404, 401),
    "read notifications":                (200, 200, 200, 200, 200, 200, 401),
    "read notification":                 (404, 200, 404, 404, 404, 404, 401),
    "update notification":               (404, 200, 404, 404, 404, 404, 401),
    "update notifications read-all":     (200, 200, 200, 200, 200, 200, 401),
    "read notification preferences":     (200, 200, 200, 200, 200, 200, 401),
    "update notification preferences":   (200, 200, 200, 200, 200, 200, 401),
    "read product activity":             (200, 200, 200, 200, 200, 404, 401),
    "read api tokens":                   (200, 200, 200, 200, 200, 200, 401),
    "create api token":                  (201, 201, 201, 201, 201, 201, 401),
    "delete api token":                  (204, 404, 404, 404, 404, 404, 401),
    "create calendar feed":              (201, 201, 201, 201, 201, 201, 401),
    "read review schedule":              (200, 200, 200, 200, 200, 404, 401),
    "update review schedule":            (200, 403, 403, 403, 200, 404, 401),
    "read check-ins":                    (200, 200, 200, 200, 200, 404, 401),
    "create check-in":                   (201, 201, 403, 403, 201, 404, 401),
    "read retrospective":                (200, 200, 200, 200, 200, 404, 401),
    "update retrospective":              (200, 200, 403, 403, 200, 404, 401),
    "update sprint verdict":             (200, 200, 403, 403, 200, 404, 401),
    "read export":                       (200, 200, 200, 200, 200, 404, 401),
    "create import":                     (403, 403, 403, 403, 201, 400, 401),
    "read workshops":                    (200, 200, 200, 200, 200, 200, 401),
    "create workshop":                   (201, 403, 403, 403, 201, 400, 401),
    "read workshop":                     (200, 200, 200, 404, 200, 404, 401),
    "update workshop":                   (200, 403, 403, 404, 200, 404, 401),
    "create workshop cancellation":      (200, 403, 403, 404, 200, 404, 401),
    "read workshop participants":        (200, 200, 200, 404, 200, 404, 401),
    "create workshop participant":       (201, 403, 403, 404, 201, 404, 401),
    "delete workshop participant":       (204, 403, 403, 404, 204, 404, 401),
    "update workshop phase":             (200, 403, 403, 404, 200, 404, 401),
    "create workshop round":             (409, 403, 403, 404, 409, 404, 401),
    "read workshop proposals":           (200, 200, 200, 404, 200, 404, 401),
    "create workshop proposal":          (201, 201, 403, 404, 403, 404, 401),
    "read proposal":                     (200, 200, 200, 404, 200, 404, 401),
    "update proposal":                   (200, 200, 403, 404, 403, 404, 401),
    "read proposal revisions":           (200, 200, 200, 404, 200, 404, 401),
    "read proposal comments":            (200, 200, 200, 404, 200, 404, 401),
    "create proposal comment":           (201, 201, 201, 404, 201, 404, 401),
    "update vote":                       (403, 200, 403, 404, 403, 404, 401),
    "read workshop results":             (200, 200, 200, 404, 200, 404, 401),
    "create workshop decision":          (409, 403, 403, 404, 403, 404, 401),
    "read workshop events":              (200, 200, 200, 404, 200, 404, 401),
    "read invitations":                  (200, 200, 200, 200, 200, 200, 401),
    "create invitation accept":          (404, 200, 404, 404, 404, 404, 401),
    "create invitation decline":         (404, 200, 404, 404, 404, 404, 401),
    "delete organization invitation":    (403, 403, 403, 403, 204, 404, 401),
    "delete product invitation":         (204, 403, 403, 403, 204, 404, 401),
    "read product webhooks":             (200, 403, 403, 403, 200, 404, 401),
    "create product webhook":            (201, 403, 403, 403, 201, 404, 401),
    "read webhook":                      (200, 403, 403, 403, 200, 404, 401),
    "update webhook":                    (200, 403, 403, 403, 200, 404, 401),
    "delete webhook":                    (204, 403, 403, 403, 204, 404, 401),
    "read webhook deliveries":           (200, 403, 403, 403, 200, 404, 401),
    "create webhook test":               (200, 403, 403, 403, 200, 404, 401),
    "read metric tokens":                (200, 403, 403, 403, 200, 404, 401),
    "create metric token":               (201, 403, 403, 403, 201, 404, 401),
    "delete metric token":               (204, 403, 403, 403, 204, 404, 401),
    "create key result value":           (201, 201, 403, 403, 201, 404, 401),
}  # fmt: skip

# Pages. Anonymous visitors are sent to sign in (302); a page's form posts answer 302 when
# they succeed.
PAGES: dict[str, tuple[int, ...]] = {
    "read home":                         (200, 200, 200, 200, 200, 200, 302),
    "read organization":                 (200, 200, 200, 200, 200, 404, 302),
    "read portfolio":                    (200, 200, 200, 200, 200, 404, 302),
    "update organization":               (403, 403, 403, 403, 302, 404, 302),
    "create product":                    (403, 403, 403, 403, 302, 404, 302),
    "read product chain":                (200, 200, 200, 200, 200, 404, 302),
    "update product":                    (302, 403, 403, 403, 302, 404, 302),
    "read product members":              (200, 200, 200, 200, 200, 404, 302),
    "read product health":               (200, 200, 200, 200, 200, 404, 302),
    "read vision board":                 (200, 200, 200, 200, 200, 404, 302),
    "read roadmap":                      (200, 200, 200, 200, 200, 404, 302),
    "read sprint board":                 (200, 200, 200, 200, 200, 404, 302),
    "read review meeting":               (200, 200, 200, 200, 200, 404, 302),
    "read product activity":             (200, 200, 200, 200, 200, 404, 302),
    "create goal form":                  (200, 200, 403, 403, 200, 404, 302),
    "read goal":                         (200, 200, 200, 200, 200, 404, 302),
    "create key result form":            (200, 200, 403, 403, 200, 404, 302),
    "update key result form":            (200, 200, 403, 403, 200, 404, 302),
    "create check-in form":              (200, 200, 403, 403, 200, 404, 302),
    "update retrospective form":         (200, 200, 403, 403, 200, 404, 302),
    "create comment":                    (302, 302, 302, 403, 302, 404, 302),
    "delete comment":                    (302, 302, 403, 403, 302, 404, 302),
    "delete insight":                    (302, 302, 403, 403, 302, 404, 302),
    "read feedback round":               (200, 200, 200, 200, 200, 404, 302),
    "read notifications":                (200, 200, 200, 200, 200, 200, 302),
    "read token settings":               (200, 200, 200, 200, 200, 200, 302),
    "read calendar settings":            (200, 200, 200, 200, 200, 200, 302),
    "create calendar link":              (302, 302, 302, 302, 302, 302, 302),
    "delete calendar feed":              (302, 302, 302, 302, 302, 302, 302),
    "create token":                      (302, 302, 302, 302, 302, 302, 302),
    "delete token":                      (302, 404, 404, 404, 404, 404, 302),
    "read security settings":            (200, 200, 200, 200, 200, 200, 302),
    "create two-factor setup form":      (200, 200, 200, 200, 200, 200, 302),
    "read workshops":                    (200, 200, 200, 200, 200, 404, 302),
    "create workshop form":              (200, 403, 403, 403, 200, 404, 302),
    "read workshop room":                (200, 200, 200, 404, 200, 404, 302),
    "read proposal":                     (302, 302, 302, 404, 302, 404, 302),
    "read invitation":                   (403, 200, 403, 403, 403, 403, 200),
    "update invitation answer":          (403, 302, 403, 403, 403, 403, 200),
    "delete organization invitation":    (403, 403, 403, 403, 302, 404, 302),
    "delete product invitation":         (302, 403, 403, 403, 302, 404, 302),
    "read integrations":                 (200, 403, 403, 403, 200, 404, 302),
    "read webhook":                      (200, 403, 403, 403, 200, 404, 302),
    "create webhook test":               (302, 403, 403, 403, 302, 404, 302),
    "delete webhook":                    (302, 403, 403, 403, 302, 404, 302),
    "read metric tokens":                (200, 403, 403, 403, 200, 404, 302),
    "create metric token":               (302, 403, 403, 403, 302, 404, 302),
    "delete metric token":               (302, 403, 403, 403, 302, 404, 302),
    "update data source":                (302, 302, 403, 403, 302, 404, 302),
    "create data source fetch":          (302, 302, 403, 403, 302, 404, 302),
    "delete data source":                (302, 302, 403, 403, 302, 404, 302),
}  # fmt: skip

Request = tuple[str, str, dict[str, Any] | None]


@dataclass
class World:
    team: Team
    chain: Chain
    users: dict[str, User | None]
    api: dict[str, Request]
    pages: dict[str, Request]
    # The fingerprint of the rows as written, which every test starts from: a refused write
    # must leave them as they are.
    untouched: tuple


def open_workshop(team, parent: Goal, *, phase: str) -> tuple[Workshop, Proposal]:
    """A workshop the leader facilitates: the team member votes, the stakeholder observes."""
    workshop = workshop_create(
        actor=team.leader,
        product=team.product,
        title=f"Roadmapping ({phase})",
        target_level=Level.PRODUCT,
        parent_goal=parent,
        facilitator=team.leader,
    )
    participant_add(actor=team.leader, workshop=workshop, user=team.member, can_vote=True)
    participant_add(actor=team.leader, workshop=workshop, user=team.stakeholder, can_vote=False)
    workshop = workshop_set_phase(actor=team.leader, workshop=workshop, phase=Phase.DRAFTING)
    proposal = proposal_create(actor=team.member, workshop=workshop, title="Launch a meal planner")
    if phase == Phase.VOTING:
        workshop = workshop_set_phase(actor=team.leader, workshop=workshop, phase=Phase.VOTING)
    return workshop, proposal


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Every object the rows act on, written once for the module's tests (see above)."""
    yield from kept_for_the_module(django_db_blocker, lambda: build_world(make_team()))


def build_world(team: Team) -> World:
    product = team.product
    org = product.organization
    chain = make_chain(product)
    goal = chain.product_goal
    kr = KeyResultFactory(goal=goal, owner=team.member)
    doomed = make_goal(product, Level.SPRINT, goal)
    viewer = OrganizationMembershipFactory(organization=org).user
    stakeholder_in_org = OrganizationMembership.objects.get(organization=org, user=team.stakeholder)
    stakeholder_in_product = ProductMembership.objects.get(product=product, user=team.stakeholder)
    draft = make_goal(product, Level.PRODUCT, chain.user_goal, owner=team.member)
    missed = make_goal(
        product, Level.PRODUCT, chain.user_goal, status=Status.MISSED, outcome_note="Too slow"
    )
    Retrospective.objects.create(
        goal=missed, what_happened="a", what_we_learned="b", what_we_change="c"
    )
    ended_sprint = make_goal(
        product,
        Level.SPRINT,
        goal,
        status=Status.AGREED,
        owner=team.member,
        starts_on=today() - timedelta(days=15),
        ends_on=today() - timedelta(days=1),
    )
    comment = comment_create(actor=team.member, body="Looks right", goal=goal)
    # A private address: the test message is refused at once, without waiting on a network.
    hook, doomed_hook = (
        Webhook.objects.create(
            product=product, url="http://127.0.0.1:9/hook", kind="slack", events=["goal.agreed"]
        )
        for _ in range(2)
    )
    insight = insight_create(
        actor=team.member, goal=goal, kind="qualitative", summary="Users plan", source="Survey"
    )
    feedback = feedback_round_open(
        actor=team.leader, goal=draft, people=[team.member, team.stakeholder], deadline=UNTIL
    )
    (notification,) = notify(
        recipients=[team.member.pk],
        kind="comment",
        event="permission-matrix",
        actor=team.leader,
        product_id=product.pk,
        text="A comment",
        url=f"/goals/{goal.pk}/",
    )
    drafting, proposal = open_workshop(team, chain.user_goal, phase=Phase.DRAFTING)
    voting, ballot = open_workshop(team, chain.business_goal, phase=Phase.VOTING)
    seat = Participant.objects.get(workshop=drafting, user=team.member)
    newcomer = add_member(product, UserFactory(), ProductRole.TEAM)
    undiscussed = make_goal(product, Level.PRODUCT, chain.business_goal)
    sprint_draft = make_goal(
        product, Level.SPRINT, goal, starts_on=today(), ends_on=today() + timedelta(days=14)
    )
    document = api_client_for(team.leader).get(f"/api/products/{product.pk}/export/").json()
    leaders_token, _ = token_create(user=team.leader, name="Nightly export")
    metric_token, _ = metric_token_create(actor=team.leader, product=product, name="Warehouse")
    # A key result read from a private address: a fetch is refused at once, sending nothing.
    sourced = KeyResultFactory(goal=chain.business_goal, owner=team.member)
    MetricSource.objects.create(
        key_result=sourced, url="http://127.0.0.1:9/n", format="json", path="", every="daily"
    )
    # Invitations: three for the team member's email to other organisations (to accept and
    # to decline by the API, to answer on the page), and two this organisation's admins and
    # the product's leaders may withdraw.
    to_accept, to_decline, page_invitation = (
        InvitationFactory(organization=OrganizationFactory(), email=team.member.email)
        for _ in range(3)
    )
    org_invitation = InvitationFactory(organization=org, email="joiner@example.com")
    product_invitation = InvitationFactory(
        organization=org,
        product=product,
        email=team.org_admin.email,
        product_role=ProductRole.TEAM,
    )

    o = f"/api/organizations/{org.pk}"
    g = f"/api/goals/{goal.pk}"
    p = f"/api/products/{product.pk}"
    w = f"/api/workshops/{drafting.pk}"
    api: dict[str, Request] = {
        # organisations, products and their members
        "read organizations": ("get", "/api/organizations/", None),
        "create organization": ("post", "/api/organizations/", {"name": "Fresh start"}),
        "read organization": ("get", f"{o}/", None),
        "update organization": ("patch", f"{o}/", {"name": "Renamed", "version": 1}),
        "read organization members": ("get", f"{o}/members/", None),
        "create organization member": ("post", f"{o}/members/", {"email": "new@example.com"}),
        "update organization member": (
            "patch",
            f"{o}/members/{stakeholder_in_org.pk}/",
            {"role": "admin"},
        ),
        "delete organization member": ("delete", f"{o}/members/{stakeholder_in_org.pk}/", None),
        "read products": ("get", "/api/products/", None),
        "create product": ("post", "/api/products/", {"organization": org.pk, "name": "New"}),
        "read product": ("get", f"{p}/", None),
        "update product": ("patch", f"{p}/", {"name": "Renamed", "version": 1}),
        "delete product": ("delete", f"{p}/", None),
        "read product members": ("get", f"{p}/members/", None),
        "create product member": (
            "post",
            f"{p}/members/",
            {"email": viewer.email, "role": "team"},
        ),
        "update product member": (
            "patch",
            f"{p}/members/{stakeholder_in_product.pk}/",
            {"role": "team"},
        ),
        "delete product member": ("delete", f"{p}/members/{stakeholder_in_product.pk}/", None),
        "read product chain": ("get", f"{p}/chain/", None),
        "read product health": ("get", f"{p}/health/", None),
        # goals and key results
        "read goals": ("get", "/api/goals/", None),
        "create goal": (
            "post",
            "/api/goals/",
            {
                "product": product.pk,
                "level": "product",
                "title": "New",
                "parents": [chain.user_goal.pk],
            },
        ),
        "read goal": ("get", f"/api/goals/{chain.sprint_goal.pk}/", None),
        "update goal": (
            "patch",
            f"/api/goals/{chain.sprint_goal.pk}/",
            {"confidence": 3, "version": 1},
        ),
        "delete goal": ("delete", f"/api/goals/{doomed.pk}/", None),
        "read goal history": ("get", f"/api/goals/{chain.sprint_goal.pk}/history/", None),
        "read key results": ("get", "/api/key-results/", None),
        "create key result": (
            "post",
            "/api/key-results/",
            {
                "goal": goal.pk,
                "title": "New",
                "baseline": 0,
                "target": 1,
                "owner": team.member.pk,
                "change_reason": "We measure this too",
            },
        ),
        "read key result": ("get", f"/api/key-results/{kr.pk}/", None),
        "update key result": ("patch", f"/api/key-results/{kr.pk}/", {"current": 20, "version": 1}),
        "delete key result": (
            "delete",
            f"/api/key-results/{kr.pk}/?change_reason=Measured+elsewhere",
            None,
        ),
        # conversations
        "read goal comments": ("get", f"{g}/comments/", None),
        "create goal comment": ("post", f"{g}/comments/", {"body": "Agreed"}),
        "read comment": ("get", f"/api/comments/{comment.pk}/", None),
        "update comment": ("patch", f"/api/comments/{comment.pk}/", {"body": "Edited"}),
        "delete comment": ("delete", f"/api/comments/{comment.pk}/", None),
        "read goal insights": ("get", f"{g}/insights/", None),
        "create goal insight": (
            "post",
            f"{g}/insights/",
            {"kind": "qualitative", "summary": "They cook", "source": "Interviews"},
        ),
        "read insight": ("get", f"/api/insights/{insight.pk}/", None),
        "delete insight": ("delete", f"/api/insights/{insight.pk}/", None),
        "read feedback rounds": ("get", f"/api/goals/{draft.pk}/feedback-rounds/", None),
        "create feedback round": (
            "post",
            f"/api/goals/{undiscussed.pk}/feedback-rounds/",
            {"people": [team.stakeholder.pk], "deadline": UNTIL.isoformat()},
        ),
        "read feedback round": ("get", f"/api/feedback-rounds/{feedback.pk}/", None),
        "update feedback answer": (
            "put",
            f"/api/feedback-rounds/{feedback.pk}/answer/",
            {"answer": "support"},
        ),
        "update feedback round close": ("post", f"/api/feedback-rounds/{feedback.pk}/close/", None),
        "create goal agreement": (
            "post",
            f"/api/goals/{sprint_draft.pk}/agreement/",
            {"agreed_by": [team.member.pk], "reason": "Sprint planning"},
        ),
        "read goal watch": ("get", f"{g}/watch/", None),
        "update goal watch": ("put", f"{g}/watch/", {"watching": True}),
        "read notifications": ("get", "/api/notifications/", None),
        "read notification": ("get", f"/api/notifications/{notification.pk}/", None),
        "update notification": (
            "patch",
            f"/api/notifications/{notification.pk}/",
            {"read": True},
        ),
        "update notifications read-all": ("post", "/api/notifications/read-all/", None),
        "read notification preferences": ("get", "/api/notification-preferences/", None),
        "update notification preferences": (
            "patch",
            "/api/notification-preferences/",
            {"email_notifications": "daily"},
        ),
        "read product activity": ("get", f"{p}/activity/", None),
        # personal API tokens: the leader's own, to revoke
        "read api tokens": ("get", "/api/tokens/", None),
        "create api token": ("post", "/api/tokens/", {"name": "CI", "read_only": True}),
        "delete api token": ("delete", f"/api/tokens/{leaders_token.pk}/", None),
        # the signed-in person's own calendar feed, made or replaced
        "create calendar feed": ("post", "/api/calendar-feed/", None),
        # the feedback loop
        "read review schedule": ("get", f"{p}/review-schedule/", None),
        "update review schedule": (
            "put",
            f"{p}/review-schedule/",
            {"product": "weekly", "version": 1},
        ),
        "read check-ins": ("get", f"{g}/check-ins/", None),
        "create check-in": (
            "post",
            f"{g}/check-ins/",
            {"values": [{"key_result": kr.pk, "value": 5}], "confidence": 4, "note": "On track"},
        ),
        "read retrospective": ("get", f"/api/goals/{missed.pk}/retrospective/", None),
        "update retrospective": (
            "put",
            f"/api/goals/{missed.pk}/retrospective/",
            {"what_happened": "x", "what_we_learned": "y", "what_we_change": "z", "version": 1},
        ),
        "update sprint verdict": (
            "put",
            f"/api/goals/{ended_sprint.pk}/sprint-verdict/",
            {"sprint_verdict": "met", "version": ended_sprint.version},
        ),
        # exchange
        "read export": ("get", f"{p}/export/", None),
        "create import": (
            "post",
            "/api/products/import/",
            {"organization": org.pk, "document": document},
        ),
        # workshops
        "read workshops": ("get", "/api/workshops/", None),
        "create workshop": (
            "post",
            "/api/workshops/",
            {
                "product": product.pk,
                "title": "Next quarter",
                "target_level": "product",
                "parent_goal": chain.user_goal.pk,
                "facilitator": team.leader.pk,
            },
        ),
        "read workshop": ("get", f"{w}/", None),
        "update workshop": ("patch", f"{w}/", {"title": "Renamed", "version": drafting.version}),
        "create workshop cancellation": ("post", f"{w}/cancel/", {"reason": "The offsite moved"}),
        "read workshop participants": ("get", f"{w}/participants/", None),
        "create workshop participant": (
            "post",
            f"{w}/participants/",
            {"email": newcomer.email, "can_vote": False},
        ),
        "delete workshop participant": ("delete", f"{w}/participants/{seat.pk}/", None),
        "update workshop phase": ("post", f"{w}/phase/", {"phase": "voting"}),
        "create workshop round": ("post", f"{w}/rounds/", None),
        "read workshop proposals": ("get", f"{w}/proposals/", None),
        "create workshop proposal": ("post", f"{w}/proposals/", {"title": "Another way"}),
        "read proposal": ("get", f"/api/proposals/{proposal.pk}/", None),
        "update proposal": (
            "patch",
            f"/api/proposals/{proposal.pk}/",
            {"title": "Better", "version": 1},
        ),
        "read proposal revisions": ("get", f"/api/proposals/{proposal.pk}/revisions/", None),
        "read proposal comments": ("get", f"/api/proposals/{proposal.pk}/comments/", None),
        "create proposal comment": (
            "post",
            f"/api/proposals/{proposal.pk}/comments/",
            {"body": "Why now?"},
        ),
        "update vote": ("put", f"/api/proposals/{ballot.pk}/vote/", {"value": "agree"}),
        "read workshop results": ("get", f"/api/workshops/{voting.pk}/results/", None),
        "create workshop decision": (
            "post",
            f"/api/workshops/{voting.pk}/decide/",
            {"proposal": ballot.pk},
        ),
        "read workshop events": ("get", f"{w}/events/?seconds=1", None),
        # invitations
        "read invitations": ("get", "/api/invitations/", None),
        "create invitation accept": ("post", f"/api/invitations/{to_accept.pk}/accept/", None),
        "create invitation decline": ("post", f"/api/invitations/{to_decline.pk}/decline/", None),
        "delete organization invitation": (
            "delete",
            f"/api/invitations/{org_invitation.pk}/",
            None,
        ),
        "delete product invitation": ("delete", f"/api/invitations/{product_invitation.pk}/", None),
        "read product webhooks": ("get", f"/api/products/{product.pk}/webhooks/", None),
        "create product webhook": (
            "post",
            f"/api/products/{product.pk}/webhooks/",
            {"url": PUBLIC_HOOK, "kind": "slack", "events": ["goal.agreed"]},
        ),
        "read webhook": ("get", f"/api/webhooks/{hook.pk}/", None),
        "update webhook": ("patch", f"/api/webhooks/{hook.pk}/", {"active": False, "version": 1}),
        "delete webhook": ("delete", f"/api/webhooks/{doomed_hook.pk}/", None),
        "read webhook deliveries": ("get", f"/api/webhooks/{hook.pk}/deliveries/", None),
        "create webhook test": ("post", f"/api/webhooks/{hook.pk}/test/", None),
        # values from data
        "read metric tokens": ("get", f"{p}/metric-tokens/", None),
        "create metric token": ("post", f"{p}/metric-tokens/", {"name": "BI"}),
        "delete metric token": ("delete", f"/api/metric-tokens/{metric_token.pk}/", None),
        "create key result value": ("post", f"/api/key-results/{kr.pk}/values/", {"value": 12}),
    }
    pages: dict[str, Request] = {
        "read home": ("get", "/", None),
        "read organization": ("get", f"/organizations/{org.pk}/", None),
        "read portfolio": ("get", f"/organizations/{org.pk}/portfolio/", None),
        "update organization": (
            "post",
            f"/organizations/{org.pk}/edit/",
            {"name": "Renamed", "version": org.version},
        ),
        "create product": ("post", f"/organizations/{org.pk}/products/", {"name": "Another"}),
        "read product chain": ("get", f"/products/{product.pk}/", None),
        "update product": (
            "post",
            f"/products/{product.pk}/edit/",
            {"name": "Renamed", "version": product.version},
        ),
        "read product members": ("get", f"/products/{product.pk}/members/", None),
        "read product health": ("get", f"/products/{product.pk}/health/", None),
        "read vision board": ("get", f"/products/{product.pk}/vision-board/", None),
        "read roadmap": ("get", f"/products/{product.pk}/roadmap/", None),
        "read sprint board": ("get", f"/products/{product.pk}/sprints/", None),
        "read review meeting": ("get", f"/products/{product.pk}/reviews/", None),
        "read product activity": ("get", f"/products/{product.pk}/activity/", None),
        "create goal form": ("get", f"/products/{product.pk}/goals/new/", None),
        "read goal": ("get", f"/goals/{goal.pk}/", None),
        "create key result form": ("get", f"/goals/{goal.pk}/key-results/", None),
        "update key result form": ("get", f"/key-results/{kr.pk}/", None),
        "create check-in form": ("get", f"/goals/{goal.pk}/check-in/", None),
        "update retrospective form": ("get", f"/goals/{missed.pk}/retrospective/", None),
        "create comment": ("post", f"/goals/{goal.pk}/comments/", {"body": "From the page"}),
        "delete comment": ("post", f"/comments/{comment.pk}/delete/", None),
        "delete insight": ("post", f"/insights/{insight.pk}/delete/", None),
        "read feedback round": ("get", f"/feedback/{feedback.pk}/", None),
        "read notifications": ("get", "/notifications/", None),
        "read token settings": ("get", "/settings/tokens/", None),
        "read calendar settings": ("get", "/settings/calendar/", None),
        "create calendar link": ("post", "/settings/calendar/", None),
        "delete calendar feed": ("post", "/settings/calendar/stop/", None),
        "create token": ("post", "/settings/tokens/", {"name": "CI", "access": "read-write"}),
        "delete token": ("post", f"/settings/tokens/{leaders_token.pk}/revoke/", None),
        "read security settings": ("get", "/settings/security/", None),
        "create two-factor setup form": ("get", "/settings/security/two-factor/", None),
        "read workshops": ("get", f"/products/{product.pk}/workshops/", None),
        "create workshop form": ("get", f"/products/{product.pk}/workshops/new/", None),
        "read workshop room": ("get", f"/workshops/{drafting.pk}/", None),
        "read proposal": ("get", f"/proposals/{proposal.pk}/", None),
        "read invitation": ("get", f"/invitations/{page_invitation.token}/", None),
        "update invitation answer": (
            "post",
            f"/invitations/{page_invitation.token}/",
            {"answer": "accept"},
        ),
        "delete organization invitation": (
            "post",
            f"/organizations/{org.pk}/invitations/{org_invitation.pk}/withdraw/",
            None,
        ),
        "delete product invitation": (
            "post",
            f"/products/{product.pk}/invitations/{product_invitation.pk}/withdraw/",
            None,
        ),
        "read integrations": ("get", f"/products/{product.pk}/integrations/", None),
        "read webhook": ("get", f"/webhooks/{hook.pk}/", None),
        "create webhook test": ("post", f"/webhooks/{hook.pk}/test/", None),
        "delete webhook": ("post", f"/webhooks/{doomed_hook.pk}/delete/", None),
        "read metric tokens": ("get", f"/products/{product.pk}/metric-tokens/", None),
        "create metric token": ("post", f"/products/{product.pk}/metric-tokens/", {"name": "BI"}),
        "delete metric token": (
            "post",
            f"/products/{product.pk}/metric-tokens/{metric_token.pk}/revoke/",
            None,
        ),
        "update data source": (
            "post",
            f"/key-results/{kr.pk}/source/",
            {"url": "https://93.184.215.14/n", "format": "json", "path": "", "every": "daily"},
        ),
        "create data source fetch": ("post", f"/key-results/{sourced.pk}/source/fetch/", None),
        "delete data source": ("post", f"/key-results/{sourced.pk}/source/remove/", None),
    }
    users: dict[str, User | None] = {
        "leader": team.leader,
        "team": team.member,
        "stakeholder": team.stakeholder,
        "viewer": viewer,
        "admin": team.org_admin,
        "outsider": team.outsider,
        "anonymous": None,
    }
    return World(team, chain, users, api, pages, fingerprint())


def page_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def fingerprint() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(Organization.objects.values_list("pk", "name", "version")),
        list(
            OrganizationMembership.objects.values_list("pk", "organization_id", "user_id", "role")
        ),
        list(Product.objects.values_list("pk", "name", "version")),
        list(ProductMembership.objects.values_list("pk", "role")),
        list(Goal.objects.values_list("pk", "version", "status", "sprint_verdict", "progress")),
        GoalChange.objects.count(),
        list(Comment.objects.values_list("pk", "body", "resolved_at", "deleted_at")),
        list(Insight.objects.values_list("pk")),
        list(KeyResult.objects.values_list("pk", "version", "current")),
        list(FeedbackRound.objects.values_list("pk", "closed_at")),
        list(FeedbackRequest.objects.values_list("pk", "answer")),
        list(Notification.objects.values_list("pk", "read_at")),
        list(User.objects.values_list("pk", "email_notifications")),
        list(CheckIn.objects.values_list("pk")),
        list(Retrospective.objects.values_list("pk", "version")),
        list(Workshop.objects.values_list("pk", "phase")),
        list(Participant.objects.values_list("pk", "can_vote")),
        list(Proposal.objects.values_list("pk", "title", "version")),
        list(Vote.objects.values_list("pk")),
        list(Invitation.objects.values_list("pk", "role", "accepted_at", "declined_at")),
        list(Webhook.objects.values_list("pk", "active", "events", "version")),
        DeliveryAttempt.objects.count(),
        list(CalendarFeed.objects.values_list("pk", "key_hash")),
        list(MetricToken.objects.values_list("pk", "name")),
        list(MetricValue.objects.values_list("pk")),
        list(MetricSource.objects.values_list("pk", "url", "next_fetch_at", "last_error")),
    )


def cases(table: dict[str, tuple[int, ...]]) -> list[Any]:
    return [
        pytest.param(name, role, statuses[i], id=f"{name} as {role}")
        for name, statuses in table.items()
        for i, role in enumerate(ROLES)
    ]


@pytest.mark.parametrize(("name", "role", "expected"), cases(API))
def test_the_api_answers_each_role_as_the_table_says(world, name, role, expected):
    method, url, body = world.api[name]
    refused_write = expected >= 400 and method != "get"

    response = getattr(api_client_for(world.users[role]), method)(url, body, format="json")

    assert response.status_code == expected, response.content
    if refused_write:
        assert fingerprint() == world.untouched
    if expected == 404:
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(("name", "role", "expected"), cases(PAGES))
def test_the_pages_answer_each_role_as_the_table_says(world, name, role, expected):
    method, url, body = world.pages[name]
    refused_write = expected >= 400 and method != "get"

    response = getattr(page_client(world.users[role]), method)(url, body or {})

    assert response.status_code == expected
    if role == "anonymous" and expected == 302:
        assert response["Location"].startswith("/login/?next=")
    if refused_write:
        assert fingerprint() == world.untouched


def test_the_tables_cover_every_api_endpoint_and_role(world):
    # Signing in for a token is open to all: tests/test_hardening.py throttles it.
    elsewhere = {"api-token"}
    here = {resolve(url.split("?")[0]).url_name for _, url, _ in world.api.values()}
    routes = {
        name
        for name in get_resolver().reverse_dict
        if isinstance(name, str) and name.startswith("api-")
    } - {"api-schema", "api-docs"}
    assert routes - here - elsewhere == set()
    assert all(len(statuses) == len(ROLES) for statuses in (*API.values(), *PAGES.values()))


@pytest.mark.parametrize(
    ("url", "own_ids"),
    [
        ("/api/organizations/", "organizations"),
        ("/api/products/", "products"),
        ("/api/goals/", "goals"),
        ("/api/key-results/", "key_results"),
    ],
)
def test_an_outsider_never_sees_another_organisations_rows(world, url, own_ids):
    team = world.team
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


def test_a_stakeholder_reads_the_chain_but_cannot_change_it(world):
    client = api_client_for(world.team.stakeholder)
    goal_id = world.chain.sprint_goal.pk
    assert client.get(f"/api/goals/{goal_id}/").status_code == 200
    response = client.patch(f"/api/goals/{goal_id}/", {"title": "Mine", "change_reason": "x"})
    assert response.status_code == 403
    assert "detail" in response.json()
    assert Goal.objects.get(pk=goal_id).title != "Mine"


def test_no_list_shows_another_organisations_rows(world):
    """The outsider's organisation has goals, a key result, a comment, a workshop and a
    notification; no list a member of this product reads contains any of them."""
    team = world.team
    theirs = team.outsider.product_memberships.get().product
    chain = make_chain(theirs)
    KeyResultFactory(goal=chain.product_goal, owner=team.outsider)
    comment_create(actor=team.outsider, body="Ours", goal=chain.product_goal)
    workshop_create(
        actor=team.outsider,
        product=theirs,
        title="Their workshop",
        target_level=Level.PRODUCT,
        parent_goal=chain.user_goal,
        facilitator=team.outsider,
    )
    notify(
        recipients=[team.outsider.pk],
        kind="comment",
        event="theirs",
        actor=None,
        product_id=theirs.pk,
        text="Theirs",
        url="/",
    )
    notify(
        recipients=[team.leader.pk, team.stakeholder.pk],
        kind="comment",
        event="ours",
        actor=None,
        product_id=team.product.pk,
        text="Ours",
        url="/",
    )
    foreign = {
        "/api/organizations/": {theirs.organization_id},
        "/api/products/": {theirs.pk},
        "/api/goals/": set(Goal.objects.filter(product=theirs).values_list("pk", flat=True)),
        "/api/key-results/": set(
            KeyResult.objects.filter(goal__product=theirs).values_list("pk", flat=True)
        ),
        "/api/workshops/": set(
            Workshop.objects.filter(product=theirs).values_list("pk", flat=True)
        ),
        "/api/notifications/": set(
            Notification.objects.filter(recipient=team.outsider).values_list("pk", flat=True)
        ),
    }
    for role in ("leader", "team", "stakeholder"):
        client = api_client_for(world.users[role])
        for url, their_ids in foreign.items():
            assert their_ids
            response = client.get(f"{url}?page_size=500")
            assert response.status_code == 200
            ids = {row["id"] for row in response.json()["results"]}
            assert ids and not ids & their_ids, (role, url)
        # Filtering by their product shows nothing rather than their rows.
        for url in ("/api/goals/", "/api/workshops/"):
            rows = client.get(f"{url}?product={theirs.pk}").json()
            assert rows.get("results", []) == [], (role, url)
