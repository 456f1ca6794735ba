"""API: feedback rounds, a leader's request for feedback on a draft goal by a deadline."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from goals import access
from goals.api.common import AuthedRequest, PaginatedView, paginated, parse
from goals.api.serializers.conversations import (
    FeedbackAnswerInputSerializer,
    FeedbackAnswerSerializer,
    FeedbackRoundInputSerializer,
    FeedbackRoundSerializer,
)
from goals.errors import DomainError
from goals.models import FeedbackRound, Goal, User
from goals.selectors import conversations
from goals.services.feedback import feedback_answer, feedback_round_close, feedback_round_open


def _round_data(user: User, pk: int) -> dict[str, object]:
    feedback_round = access.get_feedback_round(user, pk)
    loaded = conversations.feedback_rounds_of(feedback_round.goal).get(pk=pk)
    view = conversations.round_view(loaded, user, access.role_of(feedback_round))
    return dict(FeedbackRoundSerializer(view).data)


def _people(goal: Goal, ids: list[int]) -> list[User]:
    """The people behind the ids of a request body; strangers are a field error."""
    found = {
        user.pk: user
        for user in User.objects.filter(
            pk__in=ids, org_memberships__organization_id=goal.product.organization_id
        )
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise DomainError({"people": ["One of the people to ask is not in this organisation."]})
    return [found[pk] for pk in ids]


class GoalFeedbackRounds(PaginatedView):
    """A goal's feedback rounds, newest first. Leaders open one on a draft or proposed goal."""

    @extend_schema(responses=FeedbackRoundSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        role = access.role_of(goal)
        views = [
            conversations.round_view(r, request.user, role)
            for r in conversations.feedback_rounds_of(goal)
        ]
        return paginated(request, views, FeedbackRoundSerializer, self)

    @extend_schema(request=FeedbackRoundInputSerializer, responses={201: FeedbackRoundSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        access.require_role(goal, (access.Role.LEADER,), "ask for feedback")
        data = parse(FeedbackRoundInputSerializer, request)
        feedback_round = feedback_round_open(
            actor=request.user,
            goal=goal,
            people=_people(goal, data["people"]),
            deadline=data["deadline"],
            question=data["question"],
        )
        return Response(_round_data(request.user, feedback_round.pk), status=201)


class FeedbackRoundDetail(APIView):
    """One round: leaders see who answered what and who has not; others their own answer."""

    @extend_schema(responses=FeedbackRoundSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(_round_data(request.user, pk))


class FeedbackRoundAnswer(APIView):
    """Answer a round you were asked in; a second PUT replaces the answer until the deadline."""

    @extend_schema(request=FeedbackAnswerInputSerializer, responses=FeedbackAnswerSerializer)
    def put(self, request: AuthedRequest, pk: int) -> Response:
        feedback_round = access.get_feedback_round(request.user, pk)
        data = parse(FeedbackAnswerInputSerializer, request)
        answer = feedback_answer(
            actor=request.user,
            feedback_round=feedback_round,
            answer=data["answer"],
            comment=data["comment"],
        )
        return Response(FeedbackAnswerSerializer(answer).data)


class FeedbackRoundClose(APIView):
    """Close a round before its deadline (leaders); the summary goes out as at the deadline."""

    @extend_schema(request=None, responses=FeedbackRoundSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        feedback_round: FeedbackRound = access.get_feedback_round(request.user, pk)
        access.require_role(feedback_round, (access.Role.LEADER,), "close feedback rounds")
        feedback_round_close(feedback_round_id=feedback_round.pk, actor=request.user)
        return Response(_round_data(request.user, pk))
