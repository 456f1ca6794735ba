"""Small helpers shared by the API views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from goals.models import MAX_ID, Product, User
from goals.pagination import Pagination
from goals.services.versioning import VERSION_REQUIRED

# Writes that replace what someone read: they must say which version they edited.
_EDITS = ("PATCH", "PUT")


class AuthedRequest(Request):
    """A request to a view that requires sign-in (the default): `user` is a real user."""

    user: User  # type: ignore[assignment]  # narrowed from User | AnonymousUser


def parse(
    serializer_class: type[serializers.Serializer],
    request: Request,
    *,
    partial: bool = False,
    version_required: bool | None = None,
) -> dict[str, Any]:
    """Validate the request body's types and shape; a bad body is a 400 naming each field.

    A PATCH or PUT of an object that carries `version` (its serializer takes one) must send
    it, so every edit of such an object is checked against the version it was made on.
    `version_required=False` is for a PUT that may create the object (no version yet): its
    service then asks for the version of one that exists."""
    if not isinstance(request.data, dict):
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
    serializer = serializer_class(data=request.data, partial=partial)
    valid = serializer.is_valid()
    errors = dict(serializer.errors)
    version = serializer.fields.get("version")
    if version_required is None:
        version_required = (
            request.method in _EDITS and version is not None and not version.read_only
        )
    if version_required and "version" not in request.data:
        errors["version"] = [VERSION_REQUIRED]
    if errors or not valid:
        raise serializers.ValidationError(errors)
    return dict(serializer.validated_data)


class PaginatedView(APIView):
    """A view whose GET answers with `paginated`: the schema then shows the page's shape."""

    pagination_class = Pagination


def paginated(
    request: Request,
    items: QuerySet[Any] | Sequence[Any],
    serializer_class: type[serializers.Serializer],
    view: Any,
) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(items, request, view=view)
    data = serializer_class(page, many=True).data
    return paginator.get_paginated_response(data)


def id_filter(name: str, description: str = "") -> OpenApiParameter:
    """A list filter by id, documented with the range `query_int` accepts."""
    return OpenApiParameter(
        name, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, description=description
    )


def query_int(request: Request, name: str) -> int | None:
    """An id filter from the query string; anything but a storable positive id is a 400."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_ID:
        raise serializers.ValidationError({name: ["Give the id: a whole number."]})
    return number


def query_text(request: Request, name: str) -> str:
    """A text from the query string. A null character, which no database column stores, is
    a 400 (as in request bodies), not a failed write."""
    value = request.query_params.get(name, "")
    if "\x00" in value:
        raise serializers.ValidationError({name: ["Remove the null character from the text."]})
    return value


def organization_person(product: Product, user_id: int) -> User | None:
    """The person of the product's organisation with this id, or None. Which of them may own
    a goal or facilitate a workshop is the services' rule (only the product's members)."""
    return User.objects.filter(
        pk=user_id, org_memberships__organization_id=product.organization_id
    ).first()
