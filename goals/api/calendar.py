"""API: the signed-in person's calendar feed (its address holds a secret, shown once)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from goals.api.common import AuthedRequest
from goals.selectors.calendar import feed_url
from goals.services.calendar import calendar_feed_rotate


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.URLField(
        read_only=True,
        help_text=(
            "The feed's address (iCalendar), to subscribe to in a calendar app. Shown this "
            "once; the address given before stops working."
        ),
    )


class CalendarFeedCreate(APIView):
    """Your personal calendar feed: reviews, workshops, feedback deadlines and sprint ends."""

    @extend_schema(request=None, responses={201: CalendarFeedSerializer})
    def post(self, request: AuthedRequest) -> Response:
        secret = calendar_feed_rotate(user=request.user)
        return Response({"url": feed_url(secret)}, status=201)
