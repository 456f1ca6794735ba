"""Writes to comments on goals and proposals: threads, mentions, edits, removal, resolving."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from goals.access import Role, role_in
from goals.errors import Conflict, DomainError, Forbidden
from goals.markdown import plain_text
from goals.models import (
    COMMENT_MAX_LENGTH,
    Comment,
    Goal,
    Notification,
    NotificationKind,
    ProductMembership,
    ProductRole,
    User,
)
from goals.rules.mentions import render_comment
from goals.selectors.notifications import watcher_ids
from goals.services.notifications import notify
from goals.services.watching import watch_automatically
from goals.services.webhooks import announce_goal
from goals.wording import excerpt_of
from workshops.models import Proposal


def comment_create(
    *,
    actor: User,
    body: str,
    goal: Goal | None = None,
    proposal: Proposal | None = None,
    parent_id: int | None = None,
) -> Comment:
    """Comment on a goal or a proposal, or reply in a thread; mentioned people are told."""
    if goal is not None and proposal is None:
        product_id = goal.product_id
    elif proposal is not None and goal is None:
        product_id = proposal.workshop.product_id
    else:
        raise DomainError("Comment on a goal or on a proposal.")
    text = _clean(body)
    if parent_id is not None:
        parent = (
            Comment.objects.select_related("parent")
            .filter(pk=parent_id, goal=goal, proposal=proposal)
            .first()
        )
        if parent is None:
            raise DomainError({"parent": ["Reply to a comment in this conversation."]})
        # Threads are one level deep: a reply to a reply joins the same thread.
        thread = parent.parent if parent.parent_id else parent
        if thread is None or thread.deleted_at is not None:
            raise Conflict({"parent": ["This thread was removed: start a new one instead."]})
        parent_id = thread.pk
    html, mentioned = render_comment(text, mentionable(goal=goal, proposal=proposal))
    with transaction.atomic():
        comment = Comment.objects.create(
            product_id=product_id,
            goal=goal,
            proposal=proposal,
            parent_id=parent_id,
            author=actor,
            body=text,
            body_html=html,
        )
        comment.mentions.set(mentioned)
        if goal is not None:
            watch_automatically(goal=goal, user_ids=[actor.pk, *(p.pk for p in mentioned)])
            # Only comments on goals leave: every member of the product reads those, while a
            # proposal's comments stay with the workshop's participants.
            announce_goal(
                event="comment.created", goal=goal, actor=actor, key=str(comment.pk),
                comment=lambda: {
                    "id": comment.pk,
                    "author": actor.display_name,
                    "excerpt": excerpt_of(plain_text(html)),
                    "reply": parent_id is not None,
                },
            )  # fmt: skip
        _announce(comment, actor, {p.pk for p in mentioned})
    return comment


def comment_update(*, actor: User, comment: Comment, body: str) -> Comment:
    """The author rewrites their comment; people mentioned for the first time are told."""
    if comment.author_id != actor.pk:
        raise Forbidden("Only the author can edit a comment.")
    text = _clean(body)
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.deleted_at is not None:
            raise Conflict({"body": ["This comment was removed."]})
        if current.body == text:
            return current
        before = set(current.mentions.values_list("pk", flat=True))
        html, mentioned = render_comment(
            text, mentionable(goal=current.goal, proposal=current.proposal)
        )
        current.body, current.body_html, current.edited_at = text, html, timezone.now()
        current.save(update_fields=["body", "body_html", "edited_at"])
        current.mentions.set(mentioned)
        new = {p.pk for p in mentioned} - before
        if new and current.goal is not None:
            watch_automatically(goal=current.goal, user_ids=new)
        _announce_mentions(current, actor, new)
    return current


def comment_delete(*, actor: User, comment: Comment) -> Comment:
    """The author or a product leader removes a comment; its place in the thread stays."""
    if comment.author_id != actor.pk and role_in(actor, comment.product_id) != Role.LEADER:
        raise Forbidden("Only the author or a product leader can remove a comment.")
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.deleted_at is not None:
            return current
        current.body, current.body_html = "", ""
        current.deleted_at, current.deleted_by = timezone.now(), actor
        current.save(update_fields=["body", "body_html", "deleted_at", "deleted_by"])
        current.mentions.clear()
        # Notifications quote the text: it goes with the comment.
        Notification.objects.filter(comment=current).delete()
    return current


def may_resolve(*, user: User, role: Role, author_id: int | None, owner_id: int | None) -> bool:
    """Who closes a thread: the person who opened it, the one who answers for what it is about
    (the goal's owner; a proposal's facilitator) and the product's leaders."""
    return role == Role.LEADER or user.pk in (author_id, owner_id)


def conversation_owner_id(*, goal: Goal | None, proposal: Proposal | None) -> int | None:
    """Who answers for a conversation: the goal's owner, or the workshop's facilitator."""
    if goal is not None:
        return goal.owner_id
    return proposal.workshop.facilitator_id if proposal is not None else None


def comment_resolve(*, actor: User, comment: Comment, resolved: bool) -> Comment:
    """Resolve or reopen a thread: its author, the goal's owner and the product's leaders may."""
    if comment.parent_id is not None:
        raise DomainError({"resolved": ["Resolve the thread at its first comment."]})
    owner_id = conversation_owner_id(goal=comment.goal, proposal=comment.proposal)
    if not may_resolve(
        user=actor,
        role=role_in(actor, comment.product_id),
        author_id=comment.author_id,
        owner_id=owner_id,
    ):
        raise Forbidden(
            "Only the person who started the thread, the goal's owner and the product's "
            "leaders resolve threads."
        )
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.deleted_at is not None:
            raise Conflict({"resolved": ["This thread was removed: there is nothing to resolve."]})
        if (current.resolved_at is not None) != resolved:
            current.resolved_at = timezone.now() if resolved else None
            current.resolved_by = actor if resolved else None
            current.save(update_fields=["resolved_at", "resolved_by"])
    return current


def mentionable(*, goal: Goal | None = None, proposal: Proposal | None = None) -> QuerySet[User]:
    """Who may be mentioned: the product's members; on a proposal, those who can see it."""
    if goal is not None:
        return User.objects.filter(product_memberships__product_id=goal.product_id, is_active=True)
    assert proposal is not None
    workshop = proposal.workshop
    members = ProductMembership.objects.filter(product_id=workshop.product_id)
    return (
        User.objects.filter(is_active=True, pk__in=members.values("user_id"))
        .filter(
            Q(pk=workshop.facilitator_id)
            | Q(workshop_seats__workshop=workshop)
            | Q(pk__in=members.filter(role=ProductRole.LEADER).values("user_id"))
            | Q(
                org_memberships__organization_id=workshop.product.organization_id,
                org_memberships__role="admin",
            )
        )
        .distinct()
    )


def _clean(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise DomainError({"body": ["Write something first."]})
    if len(text) > COMMENT_MAX_LENGTH:
        raise DomainError(
            {
                "body": [
                    f"Keep a comment to {COMMENT_MAX_LENGTH:,} characters; "
                    f"this one has {len(text):,}."
                ]
            }
        )
    return text


def _where(comment: Comment) -> tuple[str, str]:
    """The comment's subject title and the address of the comment on its page."""
    if comment.goal is not None:
        return comment.goal.title, f"{reverse('goal', args=[comment.goal_id])}#comment-{comment.pk}"
    proposal = comment.proposal
    assert proposal is not None
    url = reverse("proposal-comments", args=[proposal.pk])
    return proposal.title, f"{url}#comment-{comment.pk}"


def _announce(comment: Comment, actor: User, mentioned: set[int]) -> None:
    """Mentioned people, then the thread's people, then the followers: each told once."""
    _announce_mentions(comment, actor, mentioned)
    title = _where(comment)[0]
    thread: set[int] = set()
    if comment.parent_id is not None:
        thread = set(
            Comment.objects.filter(Q(pk=comment.parent_id) | Q(parent_id=comment.parent_id))
            .exclude(author=None)
            .values_list("author_id", flat=True)
        )
        _tell(
            comment,
            actor,
            recipients=thread - mentioned,
            kind=NotificationKind.REPLY,
            event=f"comment:{comment.pk}",
            text=f"{actor.name} replied in a conversation on “{title}”",
        )
    if comment.goal is not None:
        followers = watcher_ids(comment.goal)
    else:
        # A proposal's author follows the conversation about it.
        author_id = comment.proposal.author_id if comment.proposal else None
        followers = {author_id} if author_id else set()
    _tell(
        comment,
        actor,
        recipients={pk for pk in followers if pk} - mentioned - thread,
        kind=NotificationKind.COMMENT,
        event=f"comment:{comment.pk}",
        text=f"{actor.name} commented on “{title}”",
    )


def _announce_mentions(comment: Comment, actor: User, mentioned: set[int]) -> None:
    _tell(
        comment,
        actor,
        recipients=mentioned,
        kind=NotificationKind.MENTION,
        event=f"mention:{comment.pk}",
        text=f"{actor.name} mentioned you on “{_where(comment)[0]}”",
    )


def _tell(
    comment: Comment, actor: User, *, recipients: set[int], kind: str, event: str, text: str
) -> None:
    notify(
        recipients=recipients,
        kind=kind,
        event=event,
        actor=actor,
        product_id=comment.product_id,
        goal_id=comment.goal_id,
        comment_id=comment.pk,
        text=text,
        excerpt=plain_text(comment.body_html),
        url=_where(comment)[1],
    )
