"""API: comments on goals and on workshop proposals, and insights on goals."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from goals import access
from goals.api.common import AuthedRequest, PaginatedView, paginated, parse
from goals.api.serializers.conversations import (
    CommentSerializer,
    CommentUpdateSerializer,
    InsightSerializer,
)
from goals.models import User
from goals.selectors import conversations
from goals.services.comments import comment_create, comment_delete, comment_resolve, comment_update
from goals.services.insights import insight_create, insight_delete
from workshops.access import get_comment, get_proposal, visible_comments


def _comment_data(user: User, pk: int) -> dict[str, object]:
    comment = conversations.with_mention_ids(visible_comments(user)).get(pk=pk)
    return dict(CommentSerializer(comment).data)


class GoalComments(PaginatedView):
    """A goal's comments, oldest first; any member of the product may comment."""

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        comments = conversations.with_mention_ids(conversations.comments_of(goal=goal))
        return paginated(request, comments, CommentSerializer, self)

    @extend_schema(request=CommentSerializer, responses={201: CommentSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        access.require_role(goal, access.MEMBERS, "comment")
        data = parse(CommentSerializer, request)
        comment = comment_create(
            actor=request.user, goal=goal, body=data["body"], parent_id=data.get("parent")
        )
        return Response(_comment_data(request.user, comment.pk), status=201)


class ProposalComments(PaginatedView):
    """A workshop proposal's comments; everyone in the room may comment, observers too."""

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        proposal = get_proposal(request.user, pk)
        comments = conversations.with_mention_ids(conversations.comments_of(proposal=proposal))
        return paginated(request, comments, CommentSerializer, self)

    @extend_schema(request=CommentSerializer, responses={201: CommentSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        proposal = get_proposal(request.user, pk)
        data = parse(CommentSerializer, request)
        comment = comment_create(
            actor=request.user,
            proposal=proposal,
            body=data["body"],
            parent_id=data.get("parent"),
        )
        return Response(_comment_data(request.user, comment.pk), status=201)


class CommentDetail(APIView):
    @extend_schema(responses=CommentSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(_comment_data(request.user, get_comment(request.user, pk).pk))

    @extend_schema(request=CommentUpdateSerializer, responses=CommentSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        comment = get_comment(request.user, pk)
        data = parse(CommentUpdateSerializer, request, partial=True)
        # Both changes or neither: a refused resolve leaves the text as it was.
        with transaction.atomic():
            if "body" in data:
                comment = comment_update(actor=request.user, comment=comment, body=data["body"])
            if "resolved" in data:
                comment_resolve(actor=request.user, comment=comment, resolved=data["resolved"])
        return Response(_comment_data(request.user, comment.pk))

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        comment = get_comment(request.user, pk)
        comment_delete(actor=request.user, comment=comment)
        return Response(status=204)


class GoalInsights(PaginatedView):
    """Baseline information on a goal; any member of the product, stakeholders included."""

    @extend_schema(responses=InsightSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        insights = goal.insights.select_related("author").order_by("-created_at", "-id")
        return paginated(request, insights, InsightSerializer, self)

    @extend_schema(request=InsightSerializer, responses={201: InsightSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        access.require_role(goal, access.MEMBERS, "add insights")
        data = parse(InsightSerializer, request)
        insight = insight_create(actor=request.user, goal=goal, **data)
        return Response(InsightSerializer(insight).data, status=201)


class InsightDetail(APIView):
    @extend_schema(responses=InsightSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(InsightSerializer(access.get_insight(request.user, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        insight = access.get_insight(request.user, pk)
        insight_delete(actor=request.user, insight=insight)
        return Response(status=204)
