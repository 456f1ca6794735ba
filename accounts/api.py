"""API: the signed-in person's own API tokens (the secret only in the answer that creates one)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import tokens
from goals.api.common import AuthedRequest, PaginatedView, paginated, parse
from goals.api.serializers.common import DateInWindowField


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    prefix = serializers.CharField(
        read_only=True, help_text="The secret's first characters, to tell tokens apart."
    )
    # The metaclass takes declared fields off the class: this does not replace Field.read_only.
    read_only = serializers.BooleanField(read_only=True)  # type: ignore[assignment]
    expires_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="The last day the token works."
    )
    created_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Recorded at most once a minute."
    )


class NewApiTokenSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=tokens.NAME_MAX_LENGTH,
        error_messages={
            "required": tokens.NAME_MISSING,
            "blank": tokens.NAME_MISSING,
            "max_length": tokens.NAME_TOO_LONG,
        },
    )
    read_only = serializers.BooleanField(  # type: ignore[assignment]  # as above
        required=False,
        default=False,
        help_text="Read-only tokens get 403 on any write.",
        error_messages={"invalid": "Give true or false."},
    )
    expires_on = DateInWindowField(
        required=False, allow_null=True, help_text="The last day the token works; after today."
    )


class CreatedApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text="The secret: shown this once, never again."
    )


class TokenList(PaginatedView):
    """Your API tokens, newest first, and new ones."""

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        return paginated(request, tokens.tokens_of(request.user), ApiTokenSerializer, self)

    @extend_schema(request=NewApiTokenSerializer, responses={201: CreatedApiTokenSerializer})
    def post(self, request: AuthedRequest) -> Response:
        data = parse(NewApiTokenSerializer, request)
        token, secret = tokens.token_create(user=request.user, **data)
        body: dict[str, Any] = {**ApiTokenSerializer(token).data, "token": secret}
        return Response(body, status=201)


class TokenDetail(APIView):
    @extend_schema(responses={204: OpenApiResponse(description="Revoked.")})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        tokens.token_revoke(user=request.user, token_id=pk)
        return Response(status=204)
