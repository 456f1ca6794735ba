"""Who may see and do what. Every lookup of an object by id goes through here.

An organisation's members can read all of its products; product members act in
the role they were given there; organisation admins act as leaders on every
product of their organisation. Anything else is "not found".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from goals.errors import Forbidden, NotFound
from goals.models import (
    MAX_ID,
    FeedbackRound,
    Goal,
    Insight,
    KeyResult,
    Level,
    MetricToken,
    Notification,
    Organization,
    OrganizationMembership,
    OrgRole,
    Product,
    ProductMembership,
    User,
    Webhook,
)


class Role(StrEnum):
    LEADER = "leader"
    TEAM = "team"
    STAKEHOLDER = "stakeholder"
    VIEWER = "viewer"  # an organisation member without a role in this product


EDITORS = (Role.LEADER, Role.TEAM)
MEMBERS = (Role.LEADER, Role.TEAM, Role.STAKEHOLDER)


def with_roles(qs: QuerySet[Any], user: User, *, product: str, organization: str) -> QuerySet[Any]:
    """Annotate `my_role` and `my_org_role` (paths to the product and org ids) and hide the rest."""
    return qs.annotate(
        my_role=Subquery(
            ProductMembership.objects.filter(product_id=OuterRef(product), user_id=user.pk).values(
                "role"
            )[:1]
        ),
        my_org_role=Subquery(
            OrganizationMembership.objects.filter(
                organization_id=OuterRef(organization), user_id=user.pk
            ).values("role")[:1]
        ),
    ).filter(my_org_role__isnull=False)


def role_of(obj: Any) -> Role:
    """The effective role from the annotations that `with_roles` added."""
    if obj.my_org_role == OrgRole.ADMIN:
        return Role.LEADER
    if obj.my_role:
        return Role(obj.my_role)
    return Role.VIEWER


def visible_organizations(user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user).annotate(
        my_org_role=Subquery(
            OrganizationMembership.objects.filter(
                organization_id=OuterRef("pk"), user_id=user.pk
            ).values("role")[:1]
        )
    )


def visible_products(user: User) -> QuerySet[Product]:
    return with_roles(
        Product.objects.select_related("organization"),
        user,
        product="pk",
        organization="organization_id",
    )


def visible_goals(user: User) -> QuerySet[Goal]:
    return with_roles(
        Goal.objects.select_related("product__organization", "owner"),
        user,
        product="product_id",
        organization="product__organization_id",
    )


def listed_goals(user: User) -> QuerySet[Goal]:
    """The goals `user` may see, for a list that shows no role: a join on their membership,
    where visible_goals works out their roles too (two subqueries a row)."""
    return Goal.objects.filter(product__organization__memberships__user=user)


def visible_key_results(user: User) -> QuerySet[KeyResult]:
    return with_roles(
        KeyResult.objects.select_related("goal__product__organization", "owner"),
        user,
        product="goal__product_id",
        organization="goal__product__organization_id",
    )


def get_organization(user: User, pk: object) -> Organization:
    org = visible_organizations(user).filter(pk=object_id(pk)).first()
    if org is None:
        raise NotFound()
    return org


def get_product(user: User, pk: object) -> Product:
    product = visible_products(user).filter(pk=object_id(pk)).first()
    if product is None:
        raise NotFound()
    return product


def get_goal(user: User, pk: object) -> Goal:
    goal = visible_goals(user).filter(pk=object_id(pk)).first()
    if goal is None:
        raise NotFound()
    return goal


def get_key_result(user: User, pk: object) -> KeyResult:
    key_result = visible_key_results(user).filter(pk=object_id(pk)).first()
    if key_result is None:
        raise NotFound()
    return key_result


def get_webhook(user: User, pk: object) -> Webhook:
    """A hook of a product the user can see; managing it is for its leaders (`require_role`)."""
    hook = (
        with_roles(
            Webhook.objects.select_related("product__organization"),
            user,
            product="product_id",
            organization="product__organization_id",
        )
        .filter(pk=object_id(pk))
        .first()
    )
    if hook is None:
        raise NotFound()
    return hook


def get_metric_token(user: User, pk: object) -> MetricToken:
    """A metric token of a product the user sees (its role annotated, for the leaders' check)."""
    token = (
        with_roles(
            MetricToken.objects.select_related("product"),
            user,
            product="product_id",
            organization="product__organization_id",
        )
        .filter(pk=object_id(pk))
        .first()
    )
    if token is None:
        raise NotFound()
    return token


def get_key_result_for_token(token: MetricToken, pk: object) -> KeyResult:
    """A key result a metric token pushes to: one of its product's; any other is not found."""
    found = KeyResult.objects.filter(pk=object_id(pk), goal__product_id=token.product_id).first()
    if found is None:
        raise NotFound()
    return found


def get_insight(user: User, pk: object) -> Insight:
    insight = (
        with_roles(
            Insight.objects.select_related("goal__product__organization", "author"),
            user,
            product="goal__product_id",
            organization="goal__product__organization_id",
        )
        .filter(pk=object_id(pk))
        .first()
    )
    if insight is None:
        raise NotFound()
    return insight


def get_feedback_round(user: User, pk: object) -> FeedbackRound:
    feedback_round = (
        with_roles(
            FeedbackRound.objects.select_related(
                "goal__product__organization", "goal__owner", "requested_by"
            ),
            user,
            product="goal__product_id",
            organization="goal__product__organization_id",
        )
        .filter(pk=object_id(pk))
        .first()
    )
    if feedback_round is None:
        raise NotFound()
    return feedback_round


def get_notification(user: User, pk: object) -> Notification:
    """Only the recipient ever sees a notification."""
    notification = Notification.objects.filter(recipient=user, pk=object_id(pk)).first()
    if notification is None:
        raise NotFound()
    return notification


def role_in(user: User, product_id: int) -> Role:
    """The user's effective role in a product, read from the database (for services)."""
    product = (
        with_roles(Product.objects.all(), user, product="pk", organization="organization_id")
        .filter(pk=product_id)
        .first()
    )
    return role_of(product) if product is not None else Role.VIEWER


def require_org_admin(org: Organization) -> None:
    if getattr(org, "my_org_role", None) != OrgRole.ADMIN:
        raise Forbidden("Only the organisation's admins can do this.")


def require_role(obj: Any, roles: tuple[Role, ...], what: str) -> None:
    if role_of(obj) not in roles:
        raise Forbidden(f"Your role in this product does not allow you to {what}.")


def can_edit_goals(obj: Any) -> bool:
    return role_of(obj) in EDITORS


def owns(role: Role, user: User, owner_ids: Iterable[int | None]) -> bool:
    """Owning a goal or key result counts only while its owner is a member of the product:
    taken off it, they keep the name on it until reassigned, but no right to write to it."""
    return role in MEMBERS and user.pk in set(owner_ids)


def may_write_owned(role: Role, user: User, owner_ids: Iterable[int | None]) -> bool:
    """Leaders and team members write; owners write to what they own (see `owns`)."""
    return role in EDITORS or owns(role, user, owner_ids)


def can_lead(obj: Any) -> bool:
    return role_of(obj) == Role.LEADER


def object_id(pk: object) -> int:
    """An id from a URL or body; anything that is not one, or out of the ids' range, is
    simply not found."""
    try:
        value = int(str(pk))
    except ValueError:
        raise NotFound() from None
    if not 1 <= value <= MAX_ID:
        raise NotFound()
    return value


def may_check_in(
    goal: Goal, user: User, key_results: Sequence[KeyResult], *, role: Role | None = None
) -> bool:
    """Team members and leaders; the owners of the goal or its key results while members.

    `role` is the user's in the goal's product when the caller knows it already."""
    return may_write_owned(
        role or role_in(user, goal.product_id),
        user,
        [goal.owner_id, *(kr.owner_id for kr in key_results)],
    )


def may_record_agreement(role: Role, level: str) -> bool:
    """Leaders record agreements on any level, team members on sprint goals only."""
    return role == Role.LEADER or (role == Role.TEAM and level == Level.SPRINT)


def may_agree_from_round(role: Role) -> bool:
    """Leaders and team members mark a goal agreed from a round; the round's answers decide."""
    return role in EDITORS


def may_judge(role: Role, user: User, goal: Goal) -> bool:
    """Who gives a sprint's verdict: a leader, or its owner while still a member."""
    return role == Role.LEADER or owns(role, user, [goal.owner_id])
