"""Workshop pages read a fixed number of queries, however many proposals, people and votes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from goals.models import Goal, Level, ProductMembership, ProductRole, Status, User
from tests.factories import UserFactory, add_member, make_goal
from tests.workshops.conftest import make_room
from workshops.models import (
    Decision,
    Participant,
    Proposal,
    ProposalRevision,
    Vote,
    Workshop,
    WorkshopEvent,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def crowded(team, size: int, phase: str):
    """A room with `size` more participants and `size` proposals, each voted on by everyone,
    with revisions, draft key results and (after the reveal) a failed decision each."""
    room = make_room(team, timeboxes={phase: 10})
    workshop = room.workshop
    people = UserFactory.create_batch(size)
    for person in people:
        add_member(team.product, person, ProductRole.TEAM)
    Participant.objects.bulk_create(Participant(workshop=workshop, user=p) for p in people)
    voters = [*room.voters, *people]
    proposals = Proposal.objects.bulk_create(
        Proposal(
            workshop=workshop,
            author=voters[i % len(voters)],
            title=f"Proposal {i}",
            description_html=f"<p>Idea {i}</p>",
            key_results=[
                {"title": "KR", "unit": "%", "baseline": "1", "target": "2", "owner": p.pk}
                for p in voters[:2]
            ],
        )
        for i in range(size)
    )
    ProposalRevision.objects.bulk_create(
        ProposalRevision(proposal=p, number=n, by=voters[n], snapshot={}, changes={})
        for p in proposals
        for n in (1, 2)
    )
    Vote.objects.bulk_create(
        Vote(proposal=p, voter=v, value="object" if v == voters[0] else "agree", reason="no")
        for p in proposals
        for v in voters
    )
    if phase in ("revealed", "decided"):
        Decision.objects.bulk_create(
            Decision(
                workshop=workshop,
                proposal=p,
                rule="consent",
                voting_method="consent",
                passed=False,
                reason="1 objection raised",
                decided_by=team.leader,
            )
            for p in proposals
        )
    WorkshopEvent.objects.create(workshop=workshop, kind="phase")
    Workshop.objects.filter(pk=workshop.pk).update(phase=phase, phase_started_at=timezone.now())
    return room, proposals


# Each room read: 1 session, 2 user, 3 the workshop with product, organisation, facilitator,
# parent goal and my roles, 4 participants with their users, 5 proposals with authors and
# revision counts, 6 this round's votes, 7 decisions with who decided and the goals,
# 8 product members (key result owners and names), 9 the latest event id.
ROOM_QUERIES = 9


@pytest.mark.parametrize("size", [1, 25])
@pytest.mark.parametrize("phase", ["drafting", "voting", "revealed"])
def test_the_room_reads_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, size, phase
):
    room, _ = crowded(team, size, phase)
    client = browser_client(room.voters[0])
    with django_assert_num_queries(ROOM_QUERIES):
        response = client.get(f"/workshops/{room.workshop.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('class="panel proposal ') == size


@pytest.mark.parametrize("size", [1, 25])
def test_the_live_sections_read_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, size
):
    room, _ = crowded(team, size, "revealed")
    client = browser_client(team.leader)
    with django_assert_num_queries(ROOM_QUERIES):
        response = client.get(f"/workshops/{room.workshop.pk}/live/", **HTMX)
    assert response.content.decode().count('class="tally"') == size


@pytest.mark.parametrize("size", [1, 25])
def test_a_proposal_card_reads_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, size
):
    room, proposals = crowded(team, size, "drafting")
    client = browser_client(room.voters[1])
    # 1 session, 2 user, 3 the proposal with its author, 4 its workshop with my roles,
    # then the room as above (5 to 10).
    with django_assert_num_queries(4 + ROOM_QUERIES - 3):
        response = client.get(f"/proposals/{proposals[-1].pk}/", **HTMX)
    assert f'id="amend-{proposals[-1].pk}"' in response.content.decode()


@pytest.mark.parametrize("size", [1, 25])
def test_the_workshop_list_reads_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, size
):
    room = make_room(team)
    goals = Goal.objects.bulk_create(
        Goal(product=team.product, level=Level.PRODUCT, title=f"G{i}", status=Status.AGREED)
        for i in range(size)
    )
    for i, goal in enumerate(goals):
        workshop = Workshop.objects.create(
            product=team.product,
            title=f"W{i}",
            target_level=Level.PRODUCT,
            parent_goal=room.parent,
            facilitator=team.leader,
            decision_rule="consent",
            phase=["planned", "voting", "closed"][i % 3],
        )
        proposal = Proposal.objects.create(workshop=workshop, title=f"P{i}")
        Decision.objects.create(
            workshop=workshop, proposal=proposal, rule="consent", voting_method="consent",
            passed=True, goal=goal,
        )  # fmt: skip
    client = browser_client(team.leader)
    # 1 session, 2 user, 3 the product with my roles, 4 the workshops I may enter,
    # 5 their adopting decisions with the goals.
    with django_assert_num_queries(5):
        response = client.get(f"/products/{team.product.pk}/workshops/")
    assert response.content.decode().count('class="workshop-row ') == size + 1


@pytest.mark.parametrize("size", [1, 25])
def test_the_history_reads_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, size
):
    room = make_room(team)
    proposal = Proposal.objects.create(workshop=room.workshop, title="P")
    ProposalRevision.objects.bulk_create(
        ProposalRevision(
            proposal=proposal,
            number=n,
            by=room.voters[n % 3],
            snapshot={},
            changes={
                "title": [f"Title {n}", f"Title {n + 1}"],
                "key_results": [
                    [],
                    [{"title": "K", "target": "2", "owner": room.voters[n % 3].pk}],
                ],
            },
        )
        for n in range(1, size + 1)
    )
    client = browser_client(room.voters[0])
    # 1 session, 2 user, 3 the proposal, 4 its workshop with my roles,
    # 5 revisions with who saved them, 6 the owners named in key results.
    with django_assert_num_queries(6):
        response = client.get(f"/proposals/{proposal.pk}/history/")
    assert response.content.decode().count("<ins>") >= size


@pytest.mark.parametrize("size", [1, 25])
def test_the_participants_page_reads_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, size
):
    room, _ = crowded(team, size, "planned")
    for person in UserFactory.create_batch(size):
        add_member(team.product, person, ProductRole.STAKEHOLDER)
    client = browser_client(team.leader)
    # 1 session, 2 user, 3 the workshop with my roles, 4 participants with their users,
    # 5 product members (who can still be invited).
    with django_assert_num_queries(5):
        response = client.get(f"/workshops/{room.workshop.pk}/participants/")
    assert response.content.decode().count('name="members"') == size + 1  # and the leader


@pytest.mark.parametrize("size", [1, 25])
def test_the_plan_form_reads_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, size
):
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)
    Goal.objects.bulk_create(
        Goal(product=team.product, level=Level.USER, title=f"U{i}") for i in range(size)
    )
    ProductMembership.objects.bulk_create(
        ProductMembership(product=team.product, user=u, role=ProductRole.TEAM)
        for u in User.objects.bulk_create(User(email=f"m{i}@example.com") for i in range(size))
    )
    assert vision
    client = browser_client(team.leader)
    # 1 session, 2 user, 3 the product with my roles, 4 members (facilitators), 5 parent goals.
    with django_assert_num_queries(5):
        response = client.get(f"/products/{team.product.pk}/workshops/new/")
    assert response.content.decode().count("(user goal)</option>") == size
