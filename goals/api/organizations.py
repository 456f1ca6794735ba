"""API: organisations, products and their members."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from goals import access
from goals.api.chain_body import chain_json, health_json
from goals.api.common import (
    AuthedRequest,
    PaginatedView,
    id_filter,
    paginated,
    parse,
    query_int,
)
from goals.api.serializers.organizations import (
    InvitationSentSerializer,
    OrganizationMemberInputSerializer,
    OrganizationMemberSerializer,
    OrganizationRoleSerializer,
    OrganizationSerializer,
    ProductMemberInputSerializer,
    ProductMemberSerializer,
    ProductRoleSerializer,
    ProductSerializer,
)
from goals.errors import DomainError, NotFound
from goals.models import OrgRole
from goals.rules.schedule import DEFAULT_TIME_ZONE
from goals.selectors.organizations import (
    pending_invitations,
    pending_product_invitations,
    product_memberships,
)
from goals.services.organizations import (
    organization_create,
    organization_member_add,
    organization_member_remove,
    organization_member_set_role,
    organization_update,
    product_create,
    product_delete,
    product_member_add,
    product_member_remove,
    product_member_set_role,
    product_update,
)


class OrganizationList(PaginatedView):
    @extend_schema(responses=OrganizationSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        orgs = access.visible_organizations(request.user).order_by("name", "id")
        return paginated(request, orgs, OrganizationSerializer, self)

    @extend_schema(request=OrganizationSerializer, responses={201: OrganizationSerializer})
    def post(self, request: AuthedRequest) -> Response:
        data = parse(OrganizationSerializer, request)
        org = organization_create(
            actor=request.user,
            name=data["name"],
            business_strategy=data.get("business_strategy", ""),
            time_zone=data.get("time_zone", DEFAULT_TIME_ZONE),
        )
        org.my_org_role = OrgRole.ADMIN  # type: ignore[attr-defined]
        return Response(OrganizationSerializer(org).data, status=201)


class OrganizationDetail(APIView):
    @extend_schema(responses=OrganizationSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        org = access.get_organization(request.user, pk)
        return Response(OrganizationSerializer(org).data)

    @extend_schema(request=OrganizationSerializer, responses=OrganizationSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        org = access.get_organization(request.user, pk)
        access.require_org_admin(org)
        data = parse(OrganizationSerializer, request, partial=True)
        updated = organization_update(
            actor=request.user, organization=org, data=data, version=data.get("version")
        )
        updated.my_org_role = org.my_org_role  # type: ignore[attr-defined]
        return Response(OrganizationSerializer(updated).data)


class OrganizationMembers(PaginatedView):
    @extend_schema(responses=OrganizationMemberSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        org = access.get_organization(request.user, pk)
        members: list[Any] = list(org.memberships.select_related("user").order_by("user__email"))
        members += list(pending_invitations(org))
        return paginated(request, members, OrganizationMemberSerializer, self)

    @extend_schema(
        request=OrganizationMemberInputSerializer, responses={201: InvitationSentSerializer}
    )
    def post(self, request: AuthedRequest, pk: int) -> Response:
        org = access.get_organization(request.user, pk)
        access.require_org_admin(org)
        data = parse(OrganizationMemberInputSerializer, request)
        invitation = organization_member_add(
            actor=request.user, organization=org, email=data["email"], role=data["role"]
        )
        return Response(InvitationSentSerializer(invitation).data, status=201)


class OrganizationMemberDetail(APIView):
    """Change an organisation member's role, or remove them (admins only)."""

    def _membership(self, request: AuthedRequest, pk: int, member_id: int) -> Any:
        org = access.get_organization(request.user, pk)
        membership = org.memberships.select_related("user").filter(pk=member_id).first()
        if membership is None:
            raise NotFound()
        access.require_org_admin(org)
        return membership

    @extend_schema(request=OrganizationRoleSerializer, responses=OrganizationMemberSerializer)
    def patch(self, request: AuthedRequest, pk: int, member_id: int) -> Response:
        membership = self._membership(request, pk, member_id)
        data = parse(OrganizationRoleSerializer, request)
        organization_member_set_role(membership=membership, role=data["role"])
        return Response(OrganizationMemberSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int, member_id: int) -> Response:
        organization_member_remove(membership=self._membership(request, pk, member_id))
        return Response(status=204)


class ProductList(PaginatedView):
    @extend_schema(
        parameters=[id_filter("organization", "Only this organisation's")],
        responses=ProductSerializer(many=True),
    )
    def get(self, request: AuthedRequest) -> Response:
        products = access.visible_products(request.user).order_by("name", "id")
        organization = query_int(request, "organization")
        if organization is not None:
            products = products.filter(organization_id=organization)
        return paginated(request, products, ProductSerializer, self)

    @extend_schema(request=ProductSerializer, responses={201: ProductSerializer})
    def post(self, request: AuthedRequest) -> Response:
        data = parse(ProductSerializer, request)
        try:
            org = access.get_organization(request.user, data["organization"])
        except NotFound:
            raise DomainError({"organization": ["Unknown organisation."]}) from None
        access.require_org_admin(org)
        product = product_create(
            actor=request.user,
            organization=org,
            name=data["name"],
            portfolio_strategy=data.get("portfolio_strategy", ""),
        )
        return Response(
            ProductSerializer(access.get_product(request.user, product.pk)).data, status=201
        )


class ProductDetail(APIView):
    @extend_schema(responses=ProductSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(ProductSerializer(access.get_product(request.user, pk)).data)

    @extend_schema(request=ProductSerializer, responses=ProductSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        product = access.get_product(request.user, pk)
        access.require_role(product, (access.Role.LEADER,), "edit the product")
        data = parse(ProductSerializer, request, partial=True)
        if "organization" in data and data["organization"] != product.organization_id:
            raise DomainError({"organization": ["A product stays in its organisation."]})
        product_update(actor=request.user, product=product, data=data, version=data.get("version"))
        return Response(ProductSerializer(access.get_product(request.user, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        product = access.get_product(request.user, pk)
        access.require_role(product, (access.Role.LEADER,), "delete the product")
        product_delete(actor=request.user, product=product)
        return Response(status=204)


class ProductMembers(PaginatedView):
    @extend_schema(responses=ProductMemberSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        product = access.get_product(request.user, pk)
        members: list[Any] = list(product_memberships(product))
        members += list(pending_product_invitations(product))
        return paginated(request, members, ProductMemberSerializer, self)

    @extend_schema(request=ProductMemberInputSerializer, responses={201: InvitationSentSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        product = access.get_product(request.user, pk)
        access.require_role(product, (access.Role.LEADER,), "add members")
        data = parse(ProductMemberInputSerializer, request)
        invitation = product_member_add(
            actor=request.user, product=product, email=data["email"], role=data["role"]
        )
        return Response(InvitationSentSerializer(invitation).data, status=201)


class ProductMemberDetail(APIView):
    """Change a product member's role, or take them off the product (leaders only)."""

    def _membership(self, request: AuthedRequest, pk: int, member_id: int) -> Any:
        product = access.get_product(request.user, pk)
        membership = product.memberships.select_related("user").filter(pk=member_id).first()
        if membership is None:
            raise NotFound()
        access.require_role(product, (access.Role.LEADER,), "manage members")
        return membership

    @extend_schema(request=ProductRoleSerializer, responses=ProductMemberSerializer)
    def patch(self, request: AuthedRequest, pk: int, member_id: int) -> Response:
        membership = self._membership(request, pk, member_id)
        data = parse(ProductRoleSerializer, request)
        product_member_set_role(membership=membership, role=data["role"])
        return Response(ProductMemberSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int, member_id: int) -> Response:
        product_member_remove(membership=self._membership(request, pk, member_id))
        return Response(status=204)


_GOAL_TREE = inline_serializer(
    "ChainGoal",
    fields={
        "id": serializers.IntegerField(),
        "level": serializers.CharField(),
        "title": serializers.CharField(),
        "children": serializers.ListField(child=serializers.DictField()),
    },
)


class ProductChain(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Chain",
            fields={
                "product": serializers.IntegerField(),
                "name": serializers.CharField(),
                "organization": serializers.IntegerField(),
                "business_strategy": serializers.CharField(),
                "portfolio_strategy": serializers.CharField(),
                "vision": _GOAL_TREE,
                "orphans": serializers.ListField(child=_GOAL_TREE),
                "health_score": serializers.IntegerField(),
            },
        )
    )
    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        product = access.get_product(request.user, pk)
        return HttpResponse(chain_json(product), content_type="application/json")


class ProductHealth(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Health",
            fields={
                "score": serializers.IntegerField(min_value=0, max_value=100),
                "findings": serializers.ListField(
                    child=inline_serializer(
                        "Finding",
                        fields={
                            "goal": serializers.IntegerField(allow_null=True),
                            "code": serializers.CharField(),
                            "message": serializers.CharField(),
                            "suggestion": serializers.CharField(allow_blank=True),
                        },
                    )
                ),
            },
        )
    )
    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        product = access.get_product(request.user, pk)
        return HttpResponse(health_json(product), content_type="application/json")
