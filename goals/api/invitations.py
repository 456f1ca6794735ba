"""API: the invitations waiting for my answer, answering them, and withdrawing one."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from goals import access
from goals.api.common import AuthedRequest, PaginatedView, paginated
from goals.api.serializers.organizations import InvitationSerializer
from goals.errors import NotFound
from goals.models import Invitation
from goals.selectors.organizations import invitations_for
from goals.services.invitations import invitation_decline, invitation_join, invitation_withdraw


class InvitationList(PaginatedView):
    """Invitations sent to my email that I have not answered yet, oldest first."""

    @extend_schema(responses=InvitationSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        invitations = invitations_for(request.user)
        return paginated(request, invitations, InvitationSerializer, self)


def _mine(request: AuthedRequest, pk: int) -> Invitation:
    """A pending invitation of my email; anyone else's is not found, whoever asks."""
    invitation = invitations_for(request.user).filter(pk=access.object_id(pk)).first()
    if invitation is None:
        raise NotFound()
    return invitation


class InvitationAccept(APIView):
    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        invitation = _mine(request, pk)
        invitation_join(invitation=invitation, user=request.user)
        return Response(InvitationSerializer(invitation).data)


class InvitationDecline(APIView):
    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        invitation = _mine(request, pk)
        invitation_decline(invitation=invitation, user=request.user)
        return Response(InvitationSerializer(invitation).data)


class InvitationDetail(APIView):
    """Withdraw an invitation nobody has answered: organisation invitations by the
    organisation's admins, product invitations by the product's leaders."""

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        invitation = (
            Invitation.objects.pending()
            .filter(pk=access.object_id(pk))
            .only("pk", "organization_id", "product_id")
            .first()
        )
        if invitation is None:
            raise NotFound()
        if invitation.product_id is None:
            organization = access.get_organization(request.user, invitation.organization_id)
            access.require_org_admin(organization)
        else:
            product = access.get_product(request.user, invitation.product_id)
            access.require_role(product, (access.Role.LEADER,), "withdraw invitations")
        invitation_withdraw(invitation=invitation)
        return Response(status=204)
