"""Who may enter which workshop, and what they may do there.

Comments live on goals and on proposals; a proposal's comments are visible to whoever may
enter its workshop, so comment visibility is decided here, next to the workshop rule.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from goalchain.compiled import Compiled
from goals.access import Role, object_id, role_of, with_roles
from goals.errors import NotFound
from goals.models import Comment, User
from workshops.models import Participant, Proposal, Workshop


def visible_workshops(user: User) -> QuerySet[Workshop]:
    """Workshops a person may enter: as facilitator, participant, or the product's leader."""
    qs = with_roles(
        Workshop.objects.select_related(
            "product__organization", "facilitator", "parent_goal", "cancelled_by"
        ),
        user,
        product="product_id",
        organization="product__organization_id",
    )
    # Facilitators and participants enter only while members of the product: taking someone
    # off a product ends their place in its workshops at once. A seat is looked up, not
    # joined: a join would repeat the workshop once per participant, to be made distinct.
    seated = Exists(Participant.objects.filter(workshop_id=OuterRef("pk"), user_id=user.pk))
    return qs.filter(
        (Q(my_role__isnull=False) & (Q(facilitator=user) | seated))
        | Q(my_role="leader")
        | Q(my_org_role="admin")
    )


def may_enter(user: User, workshop_id: int) -> bool:
    """Whether `user` may enter the workshop, by visible_workshops' rule (a ballot and an
    open event stream ask, so its SQL is compiled once)."""
    return bool(_ENTRY.rows(user.pk, workshop_id))


_ENTRY = Compiled(
    lambda user_id, workshop_id: (
        visible_workshops(User(pk=user_id)).filter(pk=workshop_id).values("pk")[:1]
    )
)


def get_workshop(user: User, pk: object) -> Workshop:
    workshop = visible_workshops(user).filter(pk=object_id(pk)).first()
    if workshop is None:
        raise NotFound()
    return workshop


def get_proposal(user: User, pk: object) -> Proposal:
    proposal = Proposal.objects.select_related("author").filter(pk=object_id(pk)).first()
    if proposal is None:
        raise NotFound()
    proposal.workshop = get_workshop(user, proposal.workshop_id)
    return proposal


def get_proposal_to_vote_on(user: User, pk: object) -> Proposal:
    """get_proposal for a ballot, in one query compiled once: the proposal's status and its
    workshop's voting method, when `user` may enter the workshop by visible_workshops' rule.
    Casting the vote reads the rest of the workshop itself (locked in its phase). Every other
    field is deferred: reading one loads it, rather than giving a model default."""
    proposal_id = object_id(pk)
    found = _BALLOT.rows(user.pk, proposal_id)
    if not found:
        raise NotFound()
    ((workshop_id, status, method),) = found
    proposal = Proposal.from_db(
        None, ["id", "workshop_id", "status"], [proposal_id, workshop_id, status]
    )
    proposal.workshop = Workshop.from_db(None, ["id", "voting_method"], [workshop_id, method])
    return proposal


_BALLOT = Compiled(
    lambda user_id, proposal_id: Proposal.objects.filter(
        pk=proposal_id,
        workshop__in=visible_workshops(User(pk=user_id)).values("pk"),
    ).values_list("workshop_id", "status", "workshop__voting_method")
)


def seat_of(workshop: Workshop, user: User) -> Participant | None:
    return Participant.objects.filter(workshop=workshop, user=user).first()


def can_run(workshop: Workshop, user: User) -> bool:
    """The facilitator or a product leader moves phases."""
    return workshop.facilitator_id == user.pk or role_of(workshop) == Role.LEADER


def can_decide(workshop: Workshop, user: User) -> bool:
    """The facilitator decides: applying the rule is theirs alone, even over a leader."""
    return workshop.facilitator_id == user.pk


def can_draft(workshop: Workshop, user: User) -> bool:
    """Voters and the facilitator draft and amend; observers watch and comment."""
    return drafts(workshop, user, seat_of(workshop, user))


def drafts(workshop: Workshop, user: User, seat: Participant | None) -> bool:
    """`can_draft` for a seat already loaded."""
    return workshop.facilitator_id == user.pk or (seat is not None and seat.can_vote)


def visible_comments(user: User) -> QuerySet[Comment]:
    """Comments on goals the user can see, and on proposals of workshops they can enter."""
    qs = with_roles(
        Comment.objects.select_related(
            "product__organization", "author", "goal", "proposal__workshop"
        ),
        user,
        product="product_id",
        organization="product__organization_id",
    )
    return qs.filter(
        Q(goal__isnull=False) | Q(proposal__workshop__in=visible_workshops(user).values("pk"))
    )


def get_comment(user: User, pk: object) -> Comment:
    comment = visible_comments(user).filter(pk=object_id(pk)).first()
    if comment is None:
        raise NotFound()
    return comment
