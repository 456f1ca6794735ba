"""Webhooks and chat hooks of a product, their delivery log and a test message (leaders)."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from goals import access
from goals.api.common import AuthedRequest, PaginatedView, paginated, parse
from goals.api.serializers.webhooks import (
    DeliveryAttemptSerializer,
    WebhookCreatedSerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
)
from goals.models import Webhook
from goals.selectors.webhooks import delivery_log, hooks_of
from goals.services.deliveries import delivery_send_now
from goals.services.webhooks import webhook_create, webhook_delete, webhook_ping, webhook_update

MANAGE = "manage this product's hooks"


def _hook(request: AuthedRequest, pk: int) -> Webhook:
    hook = access.get_webhook(request.user, pk)
    access.require_role(hook, (access.Role.LEADER,), MANAGE)
    return hook


class ProductWebhooks(PaginatedView):
    @extend_schema(responses=WebhookSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        product = access.get_product(request.user, pk)
        access.require_role(product, (access.Role.LEADER,), MANAGE)
        return paginated(request, hooks_of(product), WebhookSerializer, self)

    @extend_schema(request=WebhookSerializer, responses={201: WebhookCreatedSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        product = access.get_product(request.user, pk)
        access.require_role(product, (access.Role.LEADER,), MANAGE)
        data = parse(WebhookSerializer, request)
        created = webhook_create(
            actor=request.user, product=product, url=data["url"], kind=data["kind"],
            events=data["events"], active=data["active"],
        )  # fmt: skip
        return Response(WebhookCreatedSerializer(created).data, status=201)


class WebhookDetail(APIView):
    @extend_schema(responses=WebhookSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(WebhookSerializer(_hook(request, pk)).data)

    @extend_schema(request=WebhookUpdateSerializer, responses=WebhookSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        hook = _hook(request, pk)
        data = parse(WebhookUpdateSerializer, request, partial=True)
        version = data.pop("version", None)
        with transaction.atomic():
            webhook_update(webhook=hook, version=version, values=data)
        return Response(WebhookSerializer(hook).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        webhook_delete(webhook=_hook(request, pk))
        return Response(status=204)


class WebhookDeliveries(PaginatedView):
    @extend_schema(responses=DeliveryAttemptSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        hook = _hook(request, pk)
        return paginated(request, delivery_log(hook), DeliveryAttemptSerializer, self)


class WebhookTest(APIView):
    """Send a `ping` now and answer with how the attempt went (it is in the log too)."""

    @extend_schema(request=None, responses=DeliveryAttemptSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        hook = _hook(request, pk)
        attempt = delivery_send_now(delivery=webhook_ping(webhook=hook))
        return Response(DeliveryAttemptSerializer(attempt).data)
