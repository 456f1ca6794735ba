"""API fuzzing: schemathesis sends generated requests to every operation of the served OpenAPI
schema, as a leader, a team member and a stakeholder, and checks there is no server error and
every response (status code, content type, body) is one the schema documents.

FUZZ_EXAMPLES sets the examples per operation: 10 by default (CI), 100 for a full run.
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from goalchain.wsgi import application
from goals.models import Insight, Level, Notification, NotificationKind, Status
from goals.services.comments import comment_create
from goals.services.feedback import feedback_round_open
from tests.factories import KeyResultFactory, make_chain, make_goal, today
from workshops import services as workshop_services
from workshops.models import Participant, Phase

EXAMPLES = int(os.getenv("FUZZ_EXAMPLES", "10"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


# The schema the app serves, fetched in-process; requests go to the same WSGI application.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """The WSGI handler closes "old" connections around each request, which would drop the
    test's transaction; Django's test client disconnects the same signal."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(team) -> dict[tuple[str, str], list[int]]:
    """A product with a chain, a key result, comments, an insight, a feedback round, a
    notification and two workshops (drafting and voting): their ids by the first segment of
    the path and the path parameter that names them."""
    chain = make_chain(team.product)
    draft = make_goal(team.product, Level.SPRINT, chain.product_goal, status=Status.DRAFT)
    key_result = KeyResultFactory(goal=chain.product_goal, owner=team.member)
    comment = comment_create(actor=team.member, goal=chain.product_goal, body="Why @Lea?")
    insight = Insight.objects.create(
        goal=chain.product_goal,
        kind="quantitative",
        summary="Churn",
        source="BI",
        value=Decimal("4.5"),
        unit="%",
        author=team.member,
    )
    feedback_round = feedback_round_open(
        actor=team.leader, goal=draft, people=[team.stakeholder], deadline=today()
    )
    notification = Notification.objects.create(
        recipient=team.member,
        kind=NotificationKind.COMMENT,
        key="fuzz",
        product=team.product,
        goal=chain.product_goal,
        comment=comment,
    )
    workshops, proposals = [], []
    for phases in ([Phase.DRAFTING], [Phase.DRAFTING, Phase.VOTING]):
        workshop = workshop_services.workshop_create(
            actor=team.leader,
            product=team.product,
            title="Roadmapping",
            target_level=Level.PRODUCT,
            parent_goal=chain.user_goal,
            facilitator=team.leader,
        )
        for person in (team.member, team.stakeholder):
            workshop_services.participant_add(
                actor=team.leader, workshop=workshop, user=person, can_vote=None
            )
        workshop = workshop_services.workshop_set_phase(
            actor=team.leader, workshop=workshop, phase=phases[0]
        )
        proposal = workshop_services.proposal_create(
            actor=team.member,
            workshop=workshop,
            title="A meal planner",
            starts_on=today(),
            ends_on=today() + timedelta(days=60),
        )
        for phase in phases[1:]:
            workshop_services.workshop_set_phase(actor=team.leader, workshop=workshop, phase=phase)
        comment_create(actor=team.stakeholder, proposal=proposal, body="Looks good")
        workshops.append(workshop.pk)
        proposals.append(proposal.pk)
    goals = [chain.vision.pk, chain.product_goal.pk, chain.sprint_goal.pk, draft.pk]
    return {
        ("organizations", "id"): [team.product.organization_id],
        ("organizations", "member_id"): ids(team.product.organization.memberships),
        ("products", "id"): [team.product.pk],
        ("products", "member_id"): ids(team.product.memberships),
        ("goals", "id"): goals,
        ("key-results", "id"): [key_result.pk],
        ("comments", "id"): [comment.pk],
        ("insights", "id"): [insight.pk],
        ("feedback-rounds", "id"): [feedback_round.pk],
        ("notifications", "id"): [notification.pk],
        ("workshops", "id"): workshops,
        ("workshops", "participant_id"): ids(Participant.objects.filter(workshop__in=workshops)),
        ("proposals", "id"): proposals,
    }


def ids(rows) -> list[int]:
    return list(rows.values_list("pk", flat=True))


@pytest.fixture
def tokens(team) -> dict[str, str]:
    people = {"leader": team.leader, "team": team.member, "stakeholder": team.stakeholder}
    return {role: Token.objects.get_or_create(user=user)[0].key for role, user in people.items()}


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_answer_is_one_the_schema_documents(case, data, world, tokens):
    # Generated ids rarely exist: half the time, aim the path at a seeded object instead.
    segment = case.operation.path.split("/")[2]
    for name in case.path_parameters or {}:
        if data.draw(st.booleans()):
            case.path_parameters[name] = data.draw(st.sampled_from(world[segment, name]))
    for role, token in tokens.items():
        # Each role starts from the same seeded data: every request's writes roll back.
        with transaction.atomic():
            try:
                case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
            except Exception as failure:
                failure.add_note(f"Sent as the {role}.")
                raise
            transaction.set_rollback(True)


def test_every_operation_documents_the_error_responses(db, client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"400", "403", "404"} <= documented, f"{method} {path}"
            if method != "get":
                assert "409" in documented, f"{method} {path}"
    assert "401" in paths["/api/goals/"]["get"]["responses"]
    assert "401" not in paths["/api/auth/token/"]["post"]["responses"]


def test_the_lists_are_documented_as_pages(db, client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path in ("/api/goals/", "/api/workshops/{id}/proposals/", "/api/notifications/"):
        ok = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"].startswith("#/components/schemas/Paginated"), path
    history = paths["/api/goals/{id}/history/"]["get"]["responses"]["200"]
    assert history["content"]["application/json"]["schema"]["type"] == "array"
