"""The permission matrix: every API endpoint and the main pages, for each role and action.

Roles: `leader`, `team` and `stakeholder` of the product; `outsider`, a leader of a product
in another organisation; `anonymous`. Each row names an endpoint (or page) and an action
(read, create, update, delete) and writes down the status each role gets, in that order.

Another organisation's objects are 404 to outsiders, never 403, so ids reveal nothing. A
write that is refused changes nothing. `tests/goals/test_permissions.py` covers the
organisation, product, goal and key-result endpoints with more roles; this file covers the
rest of the API (conversations, the feedback loop, exchange, workshops) and the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, resolve

from accounts.tokens import token_create
from goals.models import (
    CheckIn,
    Comment,
    FeedbackRequest,
    FeedbackRound,
    Goal,
    Insight,
    Invitation,
    KeyResult,
    Level,
    Notification,
    OrganizationMembership,
    Product,
    ProductRole,
    Retrospective,
    Status,
    User,
)
from goals.services.comments import comment_create
from goals.services.feedback import feedback_round_open
from goals.services.insights import insight_create
from goals.services.notifications import notify
from tests.conftest import api_client_for
from tests.factories import (
    InvitationFactory,
    KeyResultFactory,
    OrganizationFactory,
    UserFactory,
    add_member,
    make_chain,
    make_goal,
    today,
)
from workshops.models import Participant, Phase, Proposal, Vote, Workshop
from workshops.services.proposals import proposal_create
from workshops.services.setup import participant_add, workshop_create, workshop_set_phase

ROLES = ("leader", "team", "stakeholder", "outsider", "anonymous")
UNTIL = today() + timedelta(days=7)


# API. 401: not signed in; 403: signed in, not allowed; 404: another organisation's object.
# 409 where a role may act but the object's state refuses it (a workshop's phase, a decision
# before the reveal): the permission check passed.
# action endpoint: (leader, team, stakeholder, outsider, anonymous)
API: dict[str, tuple[int, ...]] = {
    "read goal comments":                 (200, 200, 200, 404, 401),
    "create goal comment":                (201, 201, 201, 404, 401),
    "read comment":                       (200, 200, 200, 404, 401),
    "update comment":                     (403, 200, 403, 404, 401),
    "delete comment":                     (204, 204, 403, 404, 401),
    "read goal insights":                 (200, 200, 200, 404, 401),
    "create goal insight":                (201, 201, 201, 404, 401),
    "read insight":                       (200, 200, 200, 404, 401),
    "delete insight":                     (204, 204, 403, 404, 401),
    "read feedback rounds":               (200, 200, 200, 404, 401),
    "create feedback round":              (201, 403, 403, 404, 401),
    "read feedback round":                (200, 200, 200, 404, 401),
    "update feedback answer":             (403, 200, 200, 404, 401),
    "update feedback round close":        (200, 403, 403, 404, 401),
    "create goal agreement":              (201, 201, 403, 404, 401),
    "read goal watch":                    (200, 200, 200, 404, 401),
    "update goal watch":                  (200, 200, 200, 404, 401),
    "read notifications":                 (200, 200, 200, 200, 401),
    "read notification":                  (404, 200, 404, 404, 401),
    "update notification":                (404, 200, 404, 404, 401),
    "update notifications read-all":      (200, 200, 200, 200, 401),
    "read notification preferences":      (200, 200, 200, 200, 401),
        "update notification preferences":(200, 200, 200, 200, 401),
    "read product activity":              (200, 200, 200, 404, 401),
    "read api tokens":                    (200, 200, 200, 200, 401),
    "create api token":                   (201, 201, 201, 201, 401),
    "delete api token":                   (204, 404, 404, 404, 401),
    "read review schedule":               (200, 200, 200, 404, 401),
    "update review schedule":             (200, 403, 403, 404, 401),
    "read check-ins":                     (200, 200, 200, 404, 401),
    "create check-in":                    (201, 201, 403, 404, 401),
    "read retrospective":                 (200, 200, 200, 404, 401),
    "update retrospective":               (200, 200, 403, 404, 401),
    "update sprint verdict":              (200, 200, 403, 404, 401),
    "read export":                        (200, 200, 200, 404, 401),
    "create import":                      (403, 403, 403, 400, 401),
    "read workshops":                     (200, 200, 200, 200, 401),
    "create workshop":                    (201, 403, 403, 400, 401),
    "read workshop":                      (200, 200, 200, 404, 401),
    "update workshop":                    (200, 403, 403, 404, 401),
    "create workshop cancellation":       (200, 403, 403, 404, 401),
    "read workshop participants":         (200, 200, 200, 404, 401),
    "create workshop participant":        (201, 403, 403, 404, 401),
    "delete workshop participant":        (204, 403, 403, 404, 401),
    "update workshop phase":              (200, 403, 403, 404, 401),
    "create workshop round":              (409, 403, 403, 404, 401),
    "read workshop proposals":            (200, 200, 200, 404, 401),
    "create workshop proposal":           (201, 201, 403, 404, 401),
    "read proposal":                      (200, 200, 200, 404, 401),
    "update proposal":                    (200, 200, 403, 404, 401),
    "read proposal revisions":            (200, 200, 200, 404, 401),
    "read proposal comments":             (200, 200, 200, 404, 401),
    "create proposal comment":            (201, 201, 201, 404, 401),
    "update vote":                        (403, 200, 403, 404, 401),
    "read workshop results":              (200, 200, 200, 404, 401),
    "create workshop decision":           (409, 403, 403, 404, 401),
    "read workshop events":               (200, 200, 200, 404, 401),
    "read invitations":                   (200, 200, 200, 200, 401),
    "create invitation accept":           (404, 200, 404, 404, 401),
    "create invitation decline":          (404, 200, 404, 404, 401),
    "delete organization invitation":     (403, 403, 403, 404, 401),
    "delete product invitation":          (204, 403, 403, 404, 401),
}  # fmt: skip

# Pages. Anonymous visitors are sent to sign in (302); a page's form posts answer 302 when
# they succeed.
PAGES: dict[str, tuple[int, ...]] = {
    "read home":                          (200, 200, 200, 200, 302),
    "read organization":                  (200, 200, 200, 404, 302),
    "read portfolio":                     (200, 200, 200, 404, 302),
    "update organization":                (403, 403, 403, 404, 302),
    "create product":                     (403, 403, 403, 404, 302),
    "read product chain":                 (200, 200, 200, 404, 302),
    "update product":                     (302, 403, 403, 404, 302),
    "read product members":               (200, 200, 200, 404, 302),
    "read product health":                (200, 200, 200, 404, 302),
    "read vision board":                  (200, 200, 200, 404, 302),
    "read roadmap":                       (200, 200, 200, 404, 302),
    "read sprint board":                  (200, 200, 200, 404, 302),
    "read review meeting":                (200, 200, 200, 404, 302),
    "read product activity":              (200, 200, 200, 404, 302),
    "create goal form":                   (200, 200, 403, 404, 302),
    "read goal":                          (200, 200, 200, 404, 302),
    "create key result form":             (200, 200, 403, 404, 302),
    "update key result form":             (200, 200, 403, 404, 302),
    "create check-in form":               (200, 200, 403, 404, 302),
    "update retrospective form":          (200, 200, 403, 404, 302),
    "create comment":                     (302, 302, 302, 404, 302),
    "delete comment":                     (302, 302, 403, 404, 302),
    "delete insight":                     (302, 302, 403, 404, 302),
    "read feedback round":                (200, 200, 200, 404, 302),
    "read notifications":                 (200, 200, 200, 200, 302),
    "read token settings":                (200, 200, 200, 200, 302),
    "create token":                       (302, 302, 302, 302, 302),
    "delete token":                       (302, 404, 404, 404, 302),
    "read security settings":             (200, 200, 200, 200, 302),
    "create two-factor setup form":       (200, 200, 200, 200, 302),
    "read workshops":                     (200, 200, 200, 404, 302),
    "create workshop form":               (200, 403, 403, 404, 302),
    "read workshop room":                 (200, 200, 200, 404, 302),
    "read proposal":                      (302, 302, 302, 404, 302),
    # The invitation page is open to all: anonymous visitors are asked to sign in on it.
    "read invitation":                    (403, 200, 403, 403, 200),
    "update invitation answer":           (403, 302, 403, 403, 200),
    "delete organization invitation":     (403, 403, 403, 404, 302),
    "delete product invitation":          (302, 403, 403, 404, 302),
}  # fmt: skip

Request = tuple[str, str, dict[str, Any] | None]


@dataclass
class World:
    users: dict[str, User | None]
    api: dict[str, Request]
    pages: dict[str, Request]


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


@pytest.fixture
def world(team) -> World:
    product = team.product
    org = product.organization
    chain = make_chain(product)
    goal = chain.product_goal
    kr = KeyResultFactory(goal=goal, owner=team.member)
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

    g = f"/api/goals/{goal.pk}"
    p = f"/api/products/{product.pk}"
    w = f"/api/workshops/{drafting.pk}"
    api: dict[str, Request] = {
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
    }
    users: dict[str, User | None] = {
        "leader": team.leader,
        "team": team.member,
        "stakeholder": team.stakeholder,
        "outsider": team.outsider,
        "anonymous": None,
    }
    return World(users, api, pages)


def page_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def fingerprint() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(Product.objects.values_list("pk", "name", "version")),
        list(Goal.objects.values_list("pk", "version", "status", "sprint_verdict")),
        list(Comment.objects.values_list("pk", "body", "resolved_at", "deleted_at")),
        list(Insight.objects.values_list("pk")),
        list(KeyResult.objects.values_list("pk", "current")),
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
        list(Invitation.objects.values_list("pk", "accepted_at", "declined_at")),
        list(OrganizationMembership.objects.values_list("pk", "organization_id", "user_id")),
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
    before = fingerprint()

    response = getattr(api_client_for(world.users[role]), method)(url, body, format="json")

    assert response.status_code == expected, response.content
    if expected >= 400 and method != "get":
        assert fingerprint() == before
    if expected == 404:
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(("name", "role", "expected"), cases(PAGES))
def test_the_pages_answer_each_role_as_the_table_says(world, name, role, expected):
    method, url, body = world.pages[name]
    before = fingerprint()

    response = getattr(page_client(world.users[role]), method)(url, body or {})

    assert response.status_code == expected
    if role == "anonymous" and expected == 302:
        assert response["Location"].startswith("/login/?next=")
    if expected >= 400 and method != "get":
        assert fingerprint() == before


def test_the_tables_cover_every_api_endpoint(world):
    """Each API route is in this matrix or in tests/goals/test_permissions.py."""
    elsewhere = {
        "api-token",  # open to all: tests/test_hardening.py throttles it
        "api-organizations", "api-organization", "api-organization-members",
        "api-organization-member", "api-products", "api-product", "api-product-members",
        "api-product-member", "api-chain", "api-health", "api-goals", "api-goal",
        "api-goal-history", "api-key-results", "api-key-result",
    }  # fmt: skip
    here = {resolve(url.split("?")[0]).url_name for _, url, _ in world.api.values()}
    routes = {
        name
        for name in get_resolver().reverse_dict
        if isinstance(name, str) and name.startswith("api-")
    } - {"api-schema", "api-docs"}
    assert routes - here - elsewhere == set()
    assert all(len(statuses) == len(ROLES) for statuses in (*API.values(), *PAGES.values()))


def test_no_list_shows_another_organisations_rows(world, team):
    """The outsider's organisation has goals, a key result, a comment, a workshop and a
    notification; no list a member of this product reads contains any of them."""
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
