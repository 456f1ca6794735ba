"""API: review schedules, check-ins, retrospectives of missed goals, sprint verdicts."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from goals import access
from goals.access import may_check_in
from goals.api.common import AuthedRequest, PaginatedView, paginated, parse
from goals.api.goals import goal_response
from goals.api.serializers.goals import GoalSerializer
from goals.api.serializers.reviews import (
    CheckInSerializer,
    RetrospectiveSerializer,
    ReviewScheduleSerializer,
    SprintVerdictSerializer,
)
from goals.errors import Forbidden, NotFound
from goals.models import Retrospective
from goals.selectors import reviews
from goals.selectors.reviews import schedule_of
from goals.services.check_ins import NOT_ALLOWED, check_in_create
from goals.services.outcomes import retrospective_save, sprint_verdict_set
from goals.services.reviews import schedule_update


class ProductReviewSchedule(APIView):
    """How often each level is reviewed; leaders change it."""

    @extend_schema(responses=ReviewScheduleSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        product = access.get_product(request.user, pk)
        return Response(ReviewScheduleSerializer(schedule_of(product)).data)

    @extend_schema(request=ReviewScheduleSerializer, responses=ReviewScheduleSerializer)
    def put(self, request: AuthedRequest, pk: int) -> Response:
        product = access.get_product(request.user, pk)
        access.require_role(product, (access.Role.LEADER,), "change the review schedule")
        data = parse(ReviewScheduleSerializer, request)
        schedule = schedule_update(
            actor=request.user, product=product, data=data, version=data.get("version")
        )
        return Response(ReviewScheduleSerializer(schedule).data)


class GoalCheckIns(PaginatedView):
    """A goal's check-ins, newest first. The goal's owner, its key results' owners, the team
    and its leaders check in; stakeholders read."""

    @extend_schema(responses=CheckInSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        return paginated(request, reviews.check_ins_of(goal), CheckInSerializer, self)

    @extend_schema(request=CheckInSerializer, responses={201: CheckInSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        key_results = list(goal.key_results.all())
        role = access.role_of(goal)
        if not may_check_in(goal, request.user, key_results, role=role):
            raise Forbidden(NOT_ALLOWED)
        data = parse(CheckInSerializer, request)
        check_in = check_in_create(actor=request.user, goal=goal, **data)
        return Response(
            CheckInSerializer(reviews.check_ins_of(goal).get(pk=check_in.pk)).data, status=201
        )


class GoalRetrospective(APIView):
    """The blameless retrospective of a missed goal: what happened, what we learned, what
    we change. The team and its leaders write it."""

    @extend_schema(responses=RetrospectiveSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        retrospective = Retrospective.objects.filter(goal=goal).first()
        if retrospective is None:
            raise NotFound("This goal has no retrospective.")
        return Response(RetrospectiveSerializer(retrospective).data)

    @extend_schema(request=RetrospectiveSerializer, responses=RetrospectiveSerializer)
    def put(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        access.require_role(goal, access.EDITORS, "write retrospectives")
        # The first PUT writes it: the service asks for the version once there is one.
        data: dict[str, Any] = parse(RetrospectiveSerializer, request, version_required=False)
        version = data.pop("version", None)
        retrospective = retrospective_save(
            actor=request.user, goal=goal, data=data, version=version
        )
        return Response(RetrospectiveSerializer(retrospective).data)


class GoalSprintVerdict(APIView):
    """Met or not met, at the sprint's end: the sprint goal's owner or a leader; with
    `close`, the sprint goal is closed in the same step."""

    @extend_schema(request=SprintVerdictSerializer, responses=GoalSerializer)
    def put(self, request: AuthedRequest, pk: int) -> HttpResponse:
        goal = access.get_goal(request.user, pk)
        data = parse(SprintVerdictSerializer, request)
        sprint_verdict_set(
            actor=request.user,
            goal=goal,
            verdict=data["sprint_verdict"],
            close=data["close"],
            outcome_note=data["outcome_note"],
            version=data["version"],
        )
        return goal_response(request.user, goal.pk)
