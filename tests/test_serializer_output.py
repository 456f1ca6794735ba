"""What each API serializer writes, to the byte: keys, their order and how values are written.

The expected objects are rendered by the API's own renderer and compared as text with what the
serializer gives, so a renamed, moved or differently written field fails here (12 and 12.0,
a date and a date-time, a missing key and a null all render differently).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from rest_framework import serializers

from goalchain.renderers import JSONRenderer
from goals import access
from goals.api.serializers.conversations import (
    ActivitySerializer,
    CommentSerializer,
    FeedbackAnswerSerializer,
    FeedbackRoundSerializer,
    InsightSerializer,
    NotificationSerializer,
)
from goals.api.serializers.organizations import (
    InvitationSentSerializer,
    InvitationSerializer,
    OrganizationMemberSerializer,
    OrganizationSerializer,
    ProductMemberSerializer,
    ProductSerializer,
)
from goals.api.serializers.reviews import (
    CheckInSerializer,
    RetrospectiveSerializer,
    ReviewScheduleSerializer,
)
from goals.models import (
    CheckIn,
    CheckInValue,
    Comment,
    FeedbackRequest,
    FeedbackRound,
    Insight,
    InsightKind,
    Invitation,
    Level,
    Notification,
    OrgRole,
    ProductRole,
    Retrospective,
    ReviewSchedule,
    Status,
)
from goals.selectors.activity_items import Activity
from goals.selectors.conversations import feedback_rounds_of, round_view
from goals.selectors.organizations import (
    invitations_for,
    organization_memberships,
    pending_invitations,
    pending_product_invitations,
    product_memberships,
)
from goals.selectors.reviews import check_ins_of, schedule_of
from tests.factories import InvitationFactory, KeyResultFactory, UserFactory, make_goal
from workshops.access import get_proposal, get_workshop
from workshops.models import Decision, Phase, Proposal, Workshop
from workshops.selectors import participants
from workshops.serializers import ParticipantSerializer, ProposalSerializer, WorkshopSerializer

AT = datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
LATER = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)


def rendered(data: Any) -> str:
    return JSONRenderer().render(data).decode()


def assert_writes(serializer: serializers.BaseSerializer, expected: Any) -> None:
    assert rendered(serializer.data) == rendered(expected)


@pytest.fixture
def goal(team):
    return make_goal(team.product, Level.PRODUCT, status=Status.AGREED, title="Plan meals")


def test_comments(team, goal):
    first = Comment.objects.create(
        product=team.product,
        goal=goal,
        author=team.leader,
        body="Hello @Tom",
        body_html="<p>Hello @Tom</p>",
        edited_at=LATER,
        resolved_at=LATER,
        resolved_by=team.member,
    )
    first.mentions.set([team.stakeholder, team.member])
    gone = Comment.objects.create(
        product=team.product,
        goal=goal,
        parent=first,
        author=None,
        body="Was here",
        body_html="<p>Was here</p>",
        deleted_at=LATER,
    )
    Comment.objects.filter(pk__in=[first.pk, gone.pk]).update(created_at=AT)
    first, gone = Comment.objects.order_by("pk")

    assert_writes(
        CommentSerializer(first),
        {
            "id": first.pk,
            "goal": goal.pk,
            "proposal": None,
            "parent": None,
            "author": team.leader.pk,
            "author_name": "Lea Leader",
            "body": "Hello @Tom",
            "body_html": "<p>Hello @Tom</p>",
            "mentions": sorted([team.member.pk, team.stakeholder.pk]),
            "created_at": AT,
            "edited": True,
            "edited_at": LATER,
            "resolved": True,
            "resolved_at": LATER,
            "resolved_by": team.member.pk,
            "deleted": False,
        },
    )
    assert_writes(
        CommentSerializer([gone], many=True),
        [
            {
                "id": gone.pk,
                "goal": goal.pk,
                "proposal": None,
                "parent": first.pk,
                "author": None,
                "author_name": None,
                "body": "",
                "body_html": "",
                "mentions": [],
                "created_at": AT,
                "edited": False,
                "edited_at": None,
                "resolved": False,
                "resolved_at": None,
                "resolved_by": None,
                "deleted": True,
            }
        ],
    )


def test_insights(team, goal):
    number = Insight.objects.create(
        goal=goal,
        kind=InsightKind.QUANTITATIVE,
        summary="Half plan on Sundays",
        source="https://example.com/study",
        value=Decimal("12.5000"),
        unit="%",
        author=team.member,
    )
    whole = Insight.objects.create(
        goal=goal, kind=InsightKind.QUANTITATIVE, summary="s", source="", value=Decimal("12")
    )
    words = Insight.objects.create(
        goal=goal, kind=InsightKind.QUALITATIVE, summary="They like it", source="interviews"
    )
    Insight.objects.update(created_at=AT)
    number, whole, words = Insight.objects.order_by("pk")

    assert_writes(
        InsightSerializer([number, whole, words], many=True),
        [
            {
                "id": number.pk,
                "goal": goal.pk,
                "kind": "quantitative",
                "summary": "Half plan on Sundays",
                "source": "https://example.com/study",
                "value": 12.5,
                "unit": "%",
                "author": team.member.pk,
                "author_name": "Tom Team",
                "created_at": AT,
            },
            {
                "id": whole.pk,
                "goal": goal.pk,
                "kind": "quantitative",
                "summary": "s",
                "source": "",
                "value": 12,
                "unit": "",
                "author": None,
                "author_name": None,
                "created_at": AT,
            },
            {
                "id": words.pk,
                "goal": goal.pk,
                "kind": "qualitative",
                "summary": "They like it",
                "source": "interviews",
                "value": None,
                "unit": "",
                "author": None,
                "author_name": None,
                "created_at": AT,
            },
        ],
    )


def test_feedback_rounds_and_answers(team, goal):
    feedback_round = FeedbackRound.objects.create(
        goal=goal, requested_by=team.leader, question="Ready?", deadline=date(2030, 1, 9)
    )
    FeedbackRequest.objects.create(
        round=feedback_round,
        person=team.member,
        answer="support",
        comment="Yes",
        answered_at=LATER,
    )
    FeedbackRequest.objects.create(round=feedback_round, person=team.stakeholder)
    FeedbackRound.objects.update(created_at=AT)
    loaded = feedback_rounds_of(goal).get()
    waiting, answered = loaded.requests.all()
    member = {"person": team.member.pk, "name": "Tom Team"}
    stakeholder = {"person": team.stakeholder.pk, "name": "Sam Stakeholder"}
    answer = {
        "person": team.member.pk,
        "name": "Tom Team",
        "answer": "support",
        "comment": "Yes",
        "answered_at": LATER,
    }
    common = {
        "id": feedback_round.pk,
        "goal": goal.pk,
        "goal_title": "Plan meals",
        "requested_by": team.leader.pk,
        "requested_by_name": "Lea Leader",
        "question": "Ready?",
        "deadline": "2030-01-09",
        "open": True,
        "created_at": AT,
        "closed_at": None,
        "people": [stakeholder, member],
    }

    assert_writes(FeedbackAnswerSerializer(answered), answer)
    assert_writes(
        FeedbackAnswerSerializer(waiting),
        {
            "person": team.stakeholder.pk,
            "name": "Sam Stakeholder",
            "answer": "",
            "comment": "",
            "answered_at": None,
        },
    )
    assert_writes(
        FeedbackRoundSerializer(round_view(loaded, team.leader, access.Role.LEADER)),
        {
            **common,
            "my_answer": None,
            "answers": [answer],
            "not_answered": [stakeholder],
            "summary": {"support": 1, "concerns": 0, "object": 0, "no_answer": 1},
        },
    )
    assert_writes(
        FeedbackRoundSerializer(round_view(loaded, team.member, access.Role.TEAM)),
        {**common, "my_answer": answer, "answers": [answer], "not_answered": None, "summary": None},
    )


def test_notifications(team, goal):
    comment = Comment.objects.create(product=team.product, goal=goal, body="b", body_html="b")
    told = Notification.objects.create(
        recipient=team.member,
        kind="mention",
        key="one",
        actor=team.leader,
        product=team.product,
        goal=goal,
        comment=comment,
        text="Lea Leader mentioned you",
        excerpt="b",
        url="/goals/1/",
        created_at=AT,
        read_at=LATER,
    )
    plain = Notification.objects.create(
        recipient=team.member,
        kind="mention",
        key="two",
        product=team.product,
        text="t",
        url="/",
        created_at=AT,
    )

    assert_writes(
        NotificationSerializer([told, plain], many=True),
        [
            {
                "id": told.pk,
                "kind": "mention",
                "text": "Lea Leader mentioned you",
                "excerpt": "b",
                "url": "/goals/1/",
                "actor": team.leader.pk,
                "actor_name": "Lea Leader",
                "product": team.product.pk,
                "goal": goal.pk,
                "comment": comment.pk,
                "created_at": AT,
                "read": True,
                "read_at": LATER,
            },
            {
                "id": plain.pk,
                "kind": "mention",
                "text": "t",
                "excerpt": "",
                "url": "/",
                "actor": None,
                "actor_name": None,
                "product": team.product.pk,
                "goal": None,
                "comment": None,
                "created_at": AT,
                "read": False,
                "read_at": None,
            },
        ],
    )


def test_activity(team):
    items = [
        Activity("comment", AT, team.leader, "commented on", "Plan meals", "/g/", "Hi", 7, "!"),
        Activity("decision", AT, None, "decided", "A proposal", "/w/"),
    ]

    assert_writes(
        ActivitySerializer(items, many=True),
        [
            {
                "kind": "comment",
                "at": AT,
                "actor": team.leader.pk,
                "actor_name": "Lea Leader",
                "action": "commented on",
                "subject": "Plan meals",
                "after": "!",
                "goal": 7,
                "url": "/g/",
                "detail": "Hi",
            },
            {
                "kind": "decision",
                "at": AT,
                "actor": None,
                "actor_name": None,
                "action": "decided",
                "subject": "A proposal",
                "after": "",
                "goal": None,
                "url": "/w/",
                "detail": "",
            },
        ],
    )


def test_organizations_and_products(team):
    organization = team.product.organization
    organization.time_zone = "Europe/Berlin"
    organization.save()
    type(organization).objects.filter(pk=organization.pk).update(created_at=AT)
    type(team.product).objects.filter(pk=team.product.pk).update(created_at=AT)
    seen_by_admin = access.get_organization(team.org_admin, organization.pk)

    assert_writes(
        OrganizationSerializer(seen_by_admin),
        {
            "version": organization.version,
            "id": organization.pk,
            "name": organization.name,
            "business_strategy": organization.business_strategy,
            "business_strategy_html": organization.business_strategy_html,
            "time_zone": "Europe/Berlin",
            "email_domain": "",
            "sso_only": False,
            "require_two_factor": False,
            "role": "admin",
            "created_at": AT,
        },
    )
    for user, role in [(team.org_admin, "leader"), (team.member, "team")]:
        assert_writes(
            ProductSerializer(access.get_product(user, team.product.pk)),
            {
                "id": team.product.pk,
                "organization": organization.pk,
                "name": team.product.name,
                "portfolio_strategy": team.product.portfolio_strategy,
                "portfolio_strategy_html": team.product.portfolio_strategy_html,
                "role": role,
                "version": team.product.version,
                "created_at": AT,
            },
        )


def test_members_and_invitations(team):
    organization = team.product.organization
    to_org = InvitationFactory(
        organization=organization, email="new@example.com", role=OrgRole.ADMIN, invited_by=None
    )
    to_product = InvitationFactory(
        organization=organization,
        product=team.product,
        email="pm@example.com",
        product_role=ProductRole.STAKEHOLDER,
        invited_by=team.leader,
    )
    admin = organization_memberships(organization).get(user=team.org_admin)
    leader = product_memberships(team.product).get(user=team.leader)

    assert_writes(
        OrganizationMemberSerializer([admin, *pending_invitations(organization)], many=True),
        [
            {
                "id": admin.pk,
                "user": team.org_admin.pk,
                "email": team.org_admin.email,
                "name": team.org_admin.name,
                "role": "admin",
                "status": "active",
            },
            {
                "id": to_org.pk,
                "user": None,
                "email": "new@example.com",
                "name": "new@example.com",
                "role": "admin",
                "status": "pending",
            },
        ],
    )
    assert_writes(
        ProductMemberSerializer([leader, *pending_product_invitations(team.product)], many=True),
        [
            {
                "id": leader.pk,
                "user": team.leader.pk,
                "email": team.leader.email,
                "name": "Lea Leader",
                "role": "leader",
                "status": "active",
            },
            {
                "id": to_product.pk,
                "user": None,
                "email": "pm@example.com",
                "name": "pm@example.com",
                "role": "stakeholder",
                "status": "pending",
            },
        ],
    )
    assert_writes(
        InvitationSentSerializer([to_org, to_product], many=True),
        [
            {"email": "new@example.com", "role": "admin", "status": "pending"},
            {"email": "pm@example.com", "role": "stakeholder", "status": "pending"},
        ],
    )


def test_invitations_as_the_invited_see_them(team):
    invited = UserFactory(email="pm@example.com")
    organization = team.product.organization
    InvitationFactory(
        organization=organization, email="pm@example.com", role=OrgRole.MEMBER, invited_by=None
    )
    InvitationFactory(
        organization=organization,
        product=team.product,
        email="pm@example.com",
        product_role=ProductRole.TEAM,
        invited_by=team.leader,
    )
    Invitation.objects.update(created_at=AT)
    to_org, to_product = invitations_for(invited).order_by("pk")
    expected_org = {
        "id": to_org.pk,
        "organization_name": organization.name,
        "product_name": None,
        "role": "member",
        "invited_by_name": None,
        "created_at": AT,
        "status": "pending",
    }
    expected_product = {
        "id": to_product.pk,
        "organization_name": organization.name,
        "product_name": team.product.name,
        "role": "team",
        "invited_by_name": "Lea Leader",
        "created_at": AT,
        "status": "pending",
    }

    assert_writes(
        InvitationSerializer([to_org, to_product], many=True), [expected_org, expected_product]
    )
    to_org.accepted_at = LATER
    to_product.declined_at = LATER
    assert_writes(InvitationSerializer(to_org), {**expected_org, "status": "accepted"})
    assert_writes(InvitationSerializer(to_product), {**expected_product, "status": "declined"})


def test_review_schedules(team):
    default = schedule_of(team.product)
    expected = {
        "product_id": team.product.pk,
        "vision": default.vision_cadence,
        "user": default.user_cadence,
        "business": default.business_cadence,
        "product": default.product_cadence,
        "sprint": default.sprint_cadence,
        "remind_days_before": 2,
        "reminder_hour": 9,
        "time_zone": "UTC",
        "version": 1,
    }

    assert_writes(ReviewScheduleSerializer(default), expected)
    ReviewSchedule.objects.create(
        product=team.product, vision_cadence="yearly", sprint_cadence="weekly", reminder_hour=7
    )
    assert_writes(
        ReviewScheduleSerializer(schedule_of(team.product)),
        {**expected, "vision": "yearly", "sprint": "weekly", "reminder_hour": 7},
    )


def test_check_ins(team, goal):
    first = KeyResultFactory(goal=goal, title="Weekly plans")
    second = KeyResultFactory(goal=goal, title="Saved minutes")
    check_in = CheckIn.objects.create(
        goal=goal,
        author=team.member,
        confidence=4,
        note="Going well",
        next_review_on=date(2026, 3, 20),
    )
    CheckInValue.objects.create(
        check_in=check_in, key_result=first, value=Decimal("12.5000"), previous=Decimal("10")
    )
    CheckInValue.objects.create(
        check_in=check_in, key_result=second, value=Decimal("3"), previous=Decimal("0.2500")
    )
    plain = CheckIn.objects.create(goal=goal, author=None, confidence=2)
    CheckIn.objects.update(created_at=AT)
    values = [
        {"key_result": first.pk, "key_result_title": "Weekly plans", "value": 12.5, "previous": 10},
        {
            "key_result": second.pk,
            "key_result_title": "Saved minutes",
            "value": 3,
            "previous": 0.25,
        },
    ]

    assert_writes(
        CheckInSerializer(check_ins_of(goal).order_by("pk"), many=True),
        [
            {
                "id": check_in.pk,
                "goal": goal.pk,
                "author": team.member.pk,
                "author_name": "Tom Team",
                "confidence": 4,
                "note": "Going well",
                "created_at": AT,
                "next_review_on": "2026-03-20",
                "values": sorted(values, key=lambda v: v["key_result"]),
            },
            {
                "id": plain.pk,
                "goal": goal.pk,
                "author": None,
                "author_name": None,
                "confidence": 2,
                "note": "",
                "created_at": AT,
                "next_review_on": None,
                "values": [],
            },
        ],
    )


def test_retrospectives(team, goal):
    Retrospective.objects.create(
        goal=goal, what_happened="a", what_we_learned="b", what_we_change="c", author=team.leader
    )
    Retrospective.objects.update(created_at=AT, updated_at=LATER, version=3)

    assert_writes(
        RetrospectiveSerializer(Retrospective.objects.get()),
        {
            "goal": goal.pk,
            "what_happened": "a",
            "what_we_learned": "b",
            "what_we_change": "c",
            "author": team.leader.pk,
            "created_at": AT,
            "updated_at": LATER,
            "version": 3,
        },
    )


@pytest.fixture
def workshop(team, goal):
    workshop = Workshop.objects.create(
        product=team.product,
        title="Pick the product goal",
        target_level=Level.PRODUCT,
        parent_goal=goal,
        facilitator=team.leader,
        scheduled_at=LATER,
        agenda="Agenda",
        ground_rules="Rules",
        decision_rule="consent",
        timeboxes={"drafting": 30},
        phase=Phase.DRAFTING,
        phase_started_at=AT,
        round=2,
        cancel_reason="",
    )
    Workshop.objects.filter(pk=workshop.pk).update(created_at=AT)
    return workshop


def test_workshops(team, goal, workshop):
    adopted = make_goal(team.product, Level.PRODUCT)
    other = make_goal(team.product, Level.PRODUCT)
    for made, passed in [(other, True), (adopted, True), (None, True), (None, False)]:
        Decision.objects.create(
            workshop=workshop,
            proposal=Proposal.objects.create(workshop=workshop, title="p"),
            round=1,
            rule="consent",
            voting_method="consent",
            passed=passed,
            goal=made,
        )
    expected = {
        "id": workshop.pk,
        "product": team.product.pk,
        "title": "Pick the product goal",
        "target_level": "product",
        "parent_goal": goal.pk,
        "facilitator": team.leader.pk,
        "facilitator_name": "Lea Leader",
        "scheduled_at": LATER,
        "agenda": "Agenda",
        "ground_rules": "Rules",
        "voting_method": "consent",
        "decision_rule": "consent",
        "dots_per_voter": 3,
        "anonymous": False,
        "timeboxes": {"drafting": 30},
        "phase": "drafting",
        "phase_started_at": AT,
        "phase_ends_at": AT + timedelta(minutes=30),
        "round": 2,
        "not_held": False,
        "cancel_reason": "",
        "cancelled_at": None,
        "cancelled_by": None,
        "version": 1,
        "adopted_goals": sorted([adopted.pk, other.pk]),
        "created_at": AT,
    }

    assert_writes(WorkshopSerializer(get_workshop(team.leader, workshop.pk)), expected)
    Workshop.objects.filter(pk=workshop.pk).update(
        phase=Phase.PLANNED,
        timeboxes={},
        parent_goal=None,
        scheduled_at=AT - timedelta(days=400),
        cancelled_by=team.leader,
        cancelled_at=LATER,
        cancel_reason="No time",
    )
    Decision.objects.all().delete()
    assert_writes(
        WorkshopSerializer([get_workshop(team.leader, workshop.pk)], many=True),
        [
            {
                **expected,
                "parent_goal": None,
                "scheduled_at": AT - timedelta(days=400),
                "timeboxes": {},
                "phase": "planned",
                "phase_ends_at": None,
                "not_held": True,
                "cancel_reason": "No time",
                "cancelled_at": LATER,
                "cancelled_by": team.leader.pk,
                "adopted_goals": [],
            }
        ],
    )


def test_participants(team, workshop):
    seat = workshop.participants.create(user=team.member, can_vote=True)
    workshop.participants.create(user=team.stakeholder, can_vote=False)
    other = workshop.participants.get(user=team.stakeholder)

    assert_writes(
        ParticipantSerializer(participants(workshop), many=True),
        [
            {
                "id": other.pk,
                "user": team.stakeholder.pk,
                "email": team.stakeholder.email,
                "name": "Sam Stakeholder",
                "can_vote": False,
            },
            {
                "id": seat.pk,
                "user": team.member.pk,
                "email": team.member.email,
                "name": "Tom Team",
                "can_vote": True,
            },
        ],
    )


def in_stored_order(proposal: Proposal, drafts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`drafts` with each one's keys in the order the database keeps them: PostgreSQL's jsonb
    sorts an object's keys, SQLite keeps them as written, and the API shows them as kept."""
    stored = [d for d in Proposal.objects.get(pk=proposal.pk).key_results if isinstance(d, dict)]
    return [{key: draft[key] for key in kept} for kept, draft in zip(stored, drafts, strict=True)]


def test_proposals(team, workshop):
    drafts = [
        {"title": "Plans", "unit": "%", "baseline": "10.5000", "target": "30", "owner": None},
        {"title": "Minutes", "baseline": None, "target": "0.2500", "due_on": "2026-05-01"},
        "not a draft",
    ]
    drafted = Proposal.objects.create(
        workshop=workshop,
        author=team.member,
        title="Plan in minutes",
        description="Why",
        description_html="<p>Why</p>",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 6, 30),
        key_results=drafts,
    )
    bare = Proposal.objects.create(workshop=workshop, author=None, title="Bare", status="adopted")
    Proposal.objects.update(created_at=AT, updated_at=LATER)
    common = {"workshop": workshop.pk, "version": 1, "created_at": AT, "updated_at": LATER}

    assert_writes(
        ProposalSerializer(get_proposal(team.leader, drafted.pk)),
        {
            "id": drafted.pk,
            "workshop": workshop.pk,
            "author": team.member.pk,
            "author_name": "Tom Team",
            "title": "Plan in minutes",
            "description": "Why",
            "description_html": "<p>Why</p>",
            "starts_on": "2026-04-01",
            "ends_on": "2026-06-30",
            "key_results": in_stored_order(
                drafted,
                [
                    {"title": "Plans", "unit": "%", "baseline": 10.5, "target": 30, "owner": None},
                    {"title": "Minutes", "baseline": None, "target": 0.25, "due_on": "2026-05-01"},
                ],
            ),
            "status": "open",
            **{k: common[k] for k in ("version", "created_at", "updated_at")},
        },
    )
    assert_writes(
        ProposalSerializer([get_proposal(team.leader, bare.pk)], many=True),
        [
            {
                "id": bare.pk,
                "workshop": workshop.pk,
                "author": None,
                "author_name": None,
                "title": "Bare",
                "description": "",
                "description_html": "",
                "starts_on": None,
                "ends_on": None,
                "key_results": [],
                "status": "adopted",
                **{k: common[k] for k in ("version", "created_at", "updated_at")},
            }
        ],
    )
