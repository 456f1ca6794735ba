"""How pages and emails say what an invitation offers."""

from __future__ import annotations

from django import template

from goals.models import Invitation, OrgRole, ProductRole

register = template.Library()


@register.filter
def invitation_role_label(invitation: Invitation) -> str:
    """The role offered as the members pages name it: "Member", "Team member"."""
    roles: type[OrgRole] | type[ProductRole] = OrgRole
    role = invitation.role
    if invitation.product_id is not None:
        roles, role = ProductRole, invitation.product_role
    return str(roles(role).label) if role in roles.values else "Member"


@register.filter
def invitation_offer(invitation: Invitation) -> str:
    """What accepting does: "join Healthy Eating Co. as a member", or for a product, "join
    Meal planner in Healthy Eating Co. as a team member"."""
    where = invitation.organization.name
    if invitation.product is not None:
        where = f"{invitation.product.name} in {where}"
    role = invitation_role_label(invitation).lower()
    return f"join {where} as {'an' if role[0] in 'aeiou' else 'a'} {role}"
