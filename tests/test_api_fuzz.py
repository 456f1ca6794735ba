"""API fuzzing: schemathesis sends generated requests to every operation of the served OpenAPI
schema, as a leader, a team member, a stakeholder and an organisation admin, and checks there
is no server error and every response (status code, content type, body) is one the schema
documents. Mostly, a path or body names a seeded object instead of a generated id.

FUZZ_EXAMPLES sets the examples per operation: 10 by default (CI), 100 for a full run. The
run ends with a summary of the operations that answered with a success at least once
(tests/conftest.py), from the status codes each operation wrote to test-artifacts/fuzz/.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from accounts.tokens import token_create
from goalchain.renderers import JSONRenderer
from goalchain.wsgi import application
from goals.exchange import export_document
from goals.models import Insight, Level, Notification, NotificationKind, Status, Webhook
from goals.services.comments import comment_create
from goals.services.feedback import feedback_round_open
from goals.services.metrics import metric_token_create
from goals.services.outcomes import retrospective_save
from tests.conftest import FUZZ_OUTCOMES, Team, kept_for_the_module, make_team
from tests.factories import (
    PASSWORD,
    InvitationFactory,
    KeyResultFactory,
    OrganizationFactory,
    OrganizationMembershipFactory,
    make_chain,
    make_goal,
    today,
)
from workshops.models import Participant, Phase
from workshops.services.proposals import proposal_create
from workshops.services.setup import participant_add, workshop_create, workshop_set_phase
from workshops.services.votes import vote_cast

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


@pytest.fixture(scope="module")
def team(django_db_setup, django_db_blocker) -> Iterator[Team]:
    """One team for every operation: each request's writes roll back, so they all start
    from the same rows, written once (tests/conftest.py)."""
    yield from kept_for_the_module(django_db_blocker, make_team)


@pytest.fixture(scope="module")
def world(team, django_db_blocker) -> dict[tuple[str, str], list[Any]]:
    """A product with a chain, a key result, comments, an insight, a feedback round, a
    notification and three workshops (drafting, voting, revealed), and more; their ids by the
    first segment of the path and the path parameter that names them, and values for fields
    of request bodies by the field's name."""
    with django_db_blocker.unblock():
        return seed(team)


def seed(team: Team) -> dict[tuple[str, str], list[Any]]:
    chain = make_chain(team.product)
    draft = make_goal(team.product, Level.SPRINT, chain.product_goal, status=Status.DRAFT)
    proposed = make_goal(team.product, Level.SPRINT, chain.product_goal, status=Status.PROPOSED)
    # Two sprints that ended today: one agreed (its verdict is due), one missed, with its
    # retrospective.
    sprint = {"starts_on": today() - timedelta(days=14), "ends_on": today()}
    ended = make_goal(
        team.product, Level.SPRINT, chain.product_goal, status=Status.AGREED, **sprint
    )
    missed = make_goal(
        team.product,
        Level.SPRINT,
        chain.product_goal,
        status=Status.MISSED,
        outcome_note="Half of it shipped.",
        **sprint,
    )
    retrospective_save(
        actor=team.leader,
        goal=missed,
        data={"what_happened": "Late", "what_we_learned": "Scope", "what_we_change": "Less"},
    )
    # In the organisation, not yet in the product.
    newcomer = OrganizationMembershipFactory(organization=team.product.organization).user
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
    for phases in (
        [Phase.DRAFTING],
        [Phase.DRAFTING, Phase.VOTING],
        [Phase.DRAFTING, Phase.VOTING, Phase.REVEALED],
    ):
        workshop = workshop_create(
            actor=team.leader,
            product=team.product,
            title="Roadmapping",
            target_level=Level.PRODUCT,
            parent_goal=chain.user_goal,
            facilitator=team.leader,
        )
        for person in (team.member, team.stakeholder):
            participant_add(actor=team.leader, workshop=workshop, user=person, can_vote=None)
        workshop = workshop_set_phase(actor=team.leader, workshop=workshop, phase=phases[0])
        proposal = proposal_create(
            actor=team.member,
            workshop=workshop,
            title="A meal planner",
            starts_on=today(),
            ends_on=today() + timedelta(days=60),
        )
        for phase in phases[1:]:
            if phase == Phase.REVEALED:
                vote_cast(actor=team.member, proposal=proposal, value="agree")
            workshop_set_phase(actor=team.leader, workshop=workshop, phase=phase)
        comment_create(actor=team.stakeholder, proposal=proposal, body="Looks good")
        workshops.append(workshop.pk)
        proposals.append(proposal.pk)
    goals = [chain.vision.pk, chain.product_goal.pk, chain.sprint_goal.pk, draft.pk]
    goals += [proposed.pk, ended.pk, missed.pk]
    people = [team.leader, team.member, team.stakeholder]
    # A token of each person to revoke (the ones the requests sign in with are others).
    spare_tokens = [token_create(user=person, name="Spare")[0].pk for person in people]
    metric_tokens = [
        metric_token_create(actor=team.leader, product=team.product, name=f"Export {n}")[0].pk
        for n in range(2)
    ]
    # Invitations: each person's to another organisation (to accept or decline), one to
    # this organisation (its admin withdraws it) and one to the product (its leader does).
    invitations = [
        InvitationFactory(organization=OrganizationFactory(), email=person.email).pk
        for person in (*people, team.org_admin)
    ]
    invitations += [
        InvitationFactory(organization=team.product.organization).pk,
        InvitationFactory(
            organization=team.product.organization,
            product=team.product,
            email=team.org_admin.email,
            product_role="team",
        ).pk,
    ]
    # A hook to a private address: its test message is refused without waiting on a network.
    hook = Webhook.objects.create(
        product=team.product, url="http://127.0.0.1:9/hook", kind="slack", events=["goal.agreed"]
    )
    document = json.loads(JSONRenderer().render(export_document(team.product)))
    days = [str(today() + timedelta(days=n)) for n in (0, 14, 90)]
    return {
        # Values for fields of request bodies, by field name.
        ("body", "organization"): [team.product.organization_id],
        ("body", "product"): [team.product.pk],
        ("body", "goal"): goals,
        ("body", "parents"): goals,
        ("body", "parent_goal"): [chain.vision.pk, chain.user_goal.pk, chain.product_goal.pk],
        ("body", "owner"): [person.pk for person in people],
        ("body", "facilitator"): [team.leader.pk],
        ("body", "people"): [team.stakeholder.pk, team.member.pk],
        ("body", "key_result"): [key_result.pk],
        ("body", "proposal"): proposals,
        ("body", "parent"): [comment.pk],
        ("body", "email"): [*(p.email for p in (*people, newcomer)), "new.person@example.com"],
        ("body", "version"): [1],
        ("body", "expires_on"): [str(today() + timedelta(days=n)) for n in (1, 30)],
        ("body", "password"): [PASSWORD],
        ("body", "document"): [document],
        # Numbers within the stored precision, days near today, a consent vote.
        **{("body", name): [0, 10, 42.5] for name in ("baseline", "target", "current")},
        **{("body", name): days for name in ("starts_on", "ends_on", "due_on", "deadline")},
        ("body", "value"): [7, "agree", "object"],
        # A hook's or a data source's public address, given as a number (nothing to look
        # up); a hook's events; a data source's JSON pointer.
        ("body", "url"): ["https://93.184.215.14/goal-chain", "https://93.184.215.14/cooks.json"],
        ("body", "events"): ["goal.agreed", "review.overdue"],
        ("body", "path"): ["", "/data/0/count"],
        # Values for path parameters, by the path's first segment and the parameter.
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
        ("tokens", "id"): spare_tokens,
        ("webhooks", "id"): [hook.pk],
        ("metric-tokens", "id"): metric_tokens,
        ("invitations", "id"): invitations,
    }


def ids(rows) -> list[int]:
    return list(rows.values_list("pk", flat=True))


# Whether to use a seeded value: three times in four, and first (Hypothesis starts simple).
SEEDED = st.integers(0, 3).map(lambda n: n < 3)


def aim(value: object, world: dict[tuple[str, str], list[Any]], data: st.DataObject) -> None:
    """Mostly, put a seeded id (or email) in a body field that names one: generated ids
    rarely exist, and without this most writes would only ever meet "unknown id"."""
    if isinstance(value, list):
        for item in value:
            aim(item, world, data)
    if not isinstance(value, dict):
        return
    for name, field in value.items():
        seeded = world.get(("body", name))
        if seeded and data.draw(SEEDED):
            chosen = data.draw(st.sampled_from(seeded))
            value[name] = [chosen] if isinstance(field, list) else chosen
        else:
            aim(field, world, data)


@pytest.fixture(scope="module")
def tokens(team, django_db_blocker) -> dict[str, str]:
    people = {
        "leader": team.leader,
        "team member": team.member,
        "stakeholder": team.stakeholder,
        "organisation admin": team.org_admin,
    }
    with django_db_blocker.unblock():
        return {role: token_create(user=user, name="Fuzz")[1] for role, user in people.items()}


@pytest.fixture
def outcomes(request):
    """The status codes one operation answered, written to test-artifacts/fuzz/."""
    seen: Counter[int] = Counter()
    yield seen
    FUZZ_OUTCOMES.mkdir(parents=True, exist_ok=True)
    operation = request.node.name.partition("[")[2].rstrip("]")  # "GET /api/goals/"
    name = re.sub(r"[^A-Za-z0-9]+", "_", operation).strip("_")
    (FUZZ_OUTCOMES / f"{name}.json").write_text(
        json.dumps({"operation": operation, "statuses": dict(seen)})
    )


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_answer_is_one_the_schema_documents(case, data, db, world, tokens, outcomes):
    # Generated ids rarely exist: mostly, aim the path at a seeded object instead.
    segment = case.operation.path.split("/")[2]
    for name in case.path_parameters or {}:
        if data.draw(SEEDED):
            case.path_parameters[name] = data.draw(st.sampled_from(world[segment, name]))
    aim(case.body, world, data)
    for role, token in tokens.items():
        # Each role starts from the same seeded data: every request's writes roll back.
        with transaction.atomic():
            try:
                response = case.call_and_validate(
                    headers={"Authorization": f"Token {token}"}, checks=CHECKS
                )
            except Exception as failure:
                failure.add_note(f"Sent as the {role}.")
                raise
            outcomes[response.status_code] += 1
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
