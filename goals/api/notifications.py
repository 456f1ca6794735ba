"""API: my notifications and email preference, watching goals, a product's activity feed."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from goals import access
from goals.api.common import AuthedRequest, PaginatedView, parse
from goals.api.serializers.conversations import (
    ActivitySerializer,
    MarkedSerializer,
    NotificationReadSerializer,
    NotificationSerializer,
    PreferencesSerializer,
    WatchSerializer,
)
from goals.errors import DomainError
from goals.pagination import Pagination
from goals.selectors import activity
from goals.selectors.notifications import inbox_of, is_watching
from goals.services.notifications import mark_all_read, mark_read, mark_unread, set_email_preference
from goals.services.watching import watch_set


class NotificationList(PaginatedView):
    """Your notifications, newest first."""

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="Only unread ones.")],
        responses=NotificationSerializer(many=True),
    )
    def get(self, request: AuthedRequest) -> Response:
        notifications = inbox_of(request.user)
        unread = request.query_params.get("unread", "")
        if unread not in ("", "true", "false", "1", "0"):
            raise DomainError({"unread": ["Give true or false."]})
        if unread in ("true", "1"):
            notifications = notifications.filter(read_at__isnull=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(notifications, request, view=self)
        return paginator.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationDetail(APIView):
    @extend_schema(responses=NotificationSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(NotificationSerializer(access.get_notification(request.user, pk)).data)

    @extend_schema(request=NotificationReadSerializer, responses=NotificationSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        notification = access.get_notification(request.user, pk)
        data = parse(NotificationReadSerializer, request)
        if data["read"]:
            mark_read(user=request.user, notification=notification)
        else:
            mark_unread(user=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)


class NotificationsReadAll(APIView):
    @extend_schema(request=None, responses=MarkedSerializer)
    def post(self, request: AuthedRequest) -> Response:
        return Response({"marked": mark_all_read(user=request.user)})


class NotificationPreferences(APIView):
    """How notifications reach you by email: right away, a daily digest, or not at all."""

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request: AuthedRequest) -> Response:
        return Response({"email_notifications": request.user.email_notifications})

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def patch(self, request: AuthedRequest) -> Response:
        data = parse(PreferencesSerializer, request)
        user = set_email_preference(user=request.user, frequency=data["email_notifications"])
        return Response({"email_notifications": user.email_notifications})


class GoalWatch(APIView):
    """Whether you watch a goal: watchers hear of its comments and of decisions under it."""

    @extend_schema(responses=WatchSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        return Response({"watching": is_watching(request.user, goal)})

    @extend_schema(request=WatchSerializer, responses=WatchSerializer)
    def put(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        data = parse(WatchSerializer, request)
        on = watch_set(user=request.user, goal=goal, watching=data["watching"])
        return Response({"watching": on})


class ProductActivity(PaginatedView):
    """What happened in a product, newest first: goal changes, check-ins, comments, insights
    and workshop decisions."""

    @extend_schema(responses=ActivitySerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        product = access.get_product(request.user, pk)
        paginator = Pagination()
        rows = paginator.paginate_queryset(
            activity.feed_rows(product, request.user), request, view=self
        )
        items = activity.feed_items(rows or [])
        return paginator.get_paginated_response(ActivitySerializer(items, many=True).data)
