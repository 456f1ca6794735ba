"""API: a product's metric tokens, and values pushed to key results with one (or by a person
who may edit the key result)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.tokens import record_use
from goals import access
from goals.api.common import AuthedRequest, PaginatedView, paginated, parse
from goals.api.serializers.metrics import (
    CreatedMetricTokenSerializer,
    MetricTokenSerializer,
    MetricValueSerializer,
    NewMetricTokenSerializer,
    NewMetricValueSerializer,
    PushedValueSerializer,
)
from goals.models import MetricToken, User
from goals.selectors.metrics import metric_tokens_of
from goals.services import metrics

KEYWORD = "Token"


class MetricTokenList(PaginatedView):
    """The product's metric tokens, newest first, and new ones (leaders and admins)."""

    @extend_schema(responses=MetricTokenSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        product = access.get_product(request.user, pk)
        access.require_role(product, (access.Role.LEADER,), "see the metric tokens")
        return paginated(request, metric_tokens_of(product), MetricTokenSerializer, self)

    @extend_schema(request=NewMetricTokenSerializer, responses={201: CreatedMetricTokenSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        product = access.get_product(request.user, pk)
        access.require_role(product, (access.Role.LEADER,), "create metric tokens")
        data = parse(NewMetricTokenSerializer, request)
        token, secret = metrics.metric_token_create(
            actor=request.user, product=product, name=data["name"]
        )
        body: dict[str, Any] = {**MetricTokenSerializer(token).data, "token": secret}
        return Response(body, status=201)


class MetricTokenDetail(APIView):
    @extend_schema(responses={204: OpenApiResponse(description="Revoked.")})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        token = access.get_metric_token(request.user, pk)
        access.require_role(token, (access.Role.LEADER,), "revoke metric tokens")
        metrics.metric_token_revoke(actor=request.user, token=token)
        return Response(status=204)


class MetricTokenAuthentication(BaseAuthentication):
    """`Authorization: Token gcm_…`: signs nobody in; `request.auth` is the MetricToken.
    Any other header is left to the API's other ways of signing in."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, MetricToken] | None:
        words = get_authorization_header(request).split()
        if len(words) != 2 or words[0].lower() != KEYWORD.lower().encode():
            return None
        key = words[1].decode("ascii", errors="replace")
        if not key.startswith(metrics.METRIC_SECRET_START):
            return None
        token = metrics.metric_token_find(secret=key)
        if token is None:
            raise AuthenticationFailed(metrics.UNKNOWN_MESSAGE)
        record_use(token)
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class MetricTokenScheme(OpenApiAuthenticationExtension):
    """Documents the metric token in /api/schema/ (drf-spectacular finds it by import)."""

    target_class = MetricTokenAuthentication
    name = "metricTokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=KEYWORD
        )
        scheme["description"] = (
            "A metric token of the key result's product (gcm_…): it pushes values of that "
            "product's key results and does nothing else. Leaders create them with "
            "POST /api/products/{id}/metric-tokens/."
        )
        return scheme


class MayPushValues(BasePermission):
    """A metric token, or a signed-in person (whose role the view checks)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, MetricToken) or bool(request.user.is_authenticated)


class KeyResultValues(APIView):
    """Push a value of a key result, with a metric token of its product or as a person who
    may edit it (leaders, team members, organisation admins)."""

    # A metric token first, then the API's usual ways of signing in a person.
    authentication_classes = [
        MetricTokenAuthentication,
        *cast(list[type[BaseAuthentication]], api_settings.DEFAULT_AUTHENTICATION_CLASSES),
    ]
    permission_classes = [MayPushValues]

    @extend_schema(request=NewMetricValueSerializer, responses={201: PushedValueSerializer})
    def post(self, request: Request, pk: int) -> Response:
        token = request.auth if isinstance(request.auth, MetricToken) else None
        if token is not None:
            key_result = access.get_key_result_for_token(token, pk)
            actor, by = None, token.name
        else:
            person = cast(User, request.user)  # MayPushValues let only a person through
            key_result = access.get_key_result(person, pk)
            access.require_role(key_result, access.EDITORS, "record values of key results")
            actor, by = person, person.name
        data = parse(NewMetricValueSerializer, request)
        point, became_current = metrics.metric_value_record(
            key_result=key_result, by=by, actor=actor, token=token, **data
        )
        body = {**MetricValueSerializer(point).data, "became_current": became_current}
        return Response(body, status=201)
