"""Pages of conversations on goals and proposals: comments, insights and watching.

With htmx each action redraws its own section of the page; without, it redirects back to
the page, or shows the form on a page of its own when there is something to correct.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from goals import access
from goals.errors import DomainError, Forbidden
from goals.forms.conversations import CommentEditForm, CommentForm, FeedbackRoundForm, InsightForm
from goals.models import Comment, Goal, Status, User
from goals.selectors import conversations
from goals.selectors.notifications import is_watching
from goals.selectors.organizations import product_memberships
from goals.services import comments, insights
from goals.services.comments import (
    comment_create,
    comment_update,
    conversation_owner_id,
    may_resolve,
)
from goals.services.insights import insight_create
from goals.services.watching import watch_set
from goals.views.common import AuthedRequest, is_htmx, page, swap
from workshops.access import get_comment, get_proposal
from workshops.models import Proposal


@dataclass
class Conversation:
    """The goal or the proposal a conversation is about."""

    reader: User
    goal: Goal | None = None
    proposal: Proposal | None = None
    # The reader's role where the goal or workshop came without role annotations: a comment
    # loaded through `access` carries them itself.
    known_role: access.Role | None = None

    @classmethod
    def of(cls, comment: Comment, reader: User) -> Conversation:
        return cls(reader, comment.goal, comment.proposal, access.role_of(comment))

    @property
    def product_id(self) -> int:
        return self.goal.product_id if self.goal else self._proposal.workshop.product_id

    @property
    def role(self) -> access.Role:
        if self.known_role is not None:
            return self.known_role
        return access.role_of(self.goal if self.goal else self._proposal.workshop)

    @property
    def may_resolve_any(self) -> bool:
        """Whether the reader may resolve threads they did not start."""
        owner_id = conversation_owner_id(goal=self.goal, proposal=self.proposal)
        return may_resolve(user=self.reader, role=self.role, author_id=None, owner_id=owner_id)

    @property
    def can_comment(self) -> bool:
        # On a proposal: everyone who can enter the room, observers too.
        return self.role in access.MEMBERS if self.goal else True

    @property
    def comments_url(self) -> str:
        if self.goal:
            return reverse("goal-comments", args=[self.goal.pk])
        return reverse("proposal-comments", args=[self._proposal.pk])

    @property
    def page_url(self) -> str:
        return reverse("goal", args=[self.goal.pk]) if self.goal else self.comments_url

    @property
    def mentions_url(self) -> str:
        return reverse("api-product-members", args=[self.product_id]) + "?page_size=500"

    @property
    def _proposal(self) -> Proposal:
        assert self.proposal is not None
        return self.proposal


def thread_context(
    conversation: Conversation,
    *,
    form: CommentForm | None = None,
    reply_form: CommentForm | None = None,
    notice: str = "",
) -> dict[str, Any]:
    """The comments section: threads, the forms, and what this reader may do in it."""
    role = conversation.role
    mentions_url = conversation.mentions_url
    return {
        "threads": conversations.threads(
            conversations.comments_of(goal=conversation.goal, proposal=conversation.proposal)
        ),
        "comments_url": conversation.comments_url,
        "mentions_url": mentions_url,
        "can_comment": conversation.can_comment,
        "comment_form": form or CommentForm(mentions_url=mentions_url),
        "reply_form": reply_form,
        "reply_to": _parent_id(reply_form) if reply_form is not None else None,
        "can_resolve_any": conversation.may_resolve_any,
        "can_remove_any": role == access.Role.LEADER,
        "comment_notice": notice,
    }


def _parent_id(form: CommentForm) -> int | None:
    try:
        return int(form.data.get("parent", ""))
    except ValueError:
        return None


def goal_conversation(request: AuthedRequest, goal: Goal) -> dict[str, Any]:
    """What the goal page shows beside the goal: comments, insights, feedback, watching."""
    role = access.role_of(goal)
    rounds = conversations.round_views(goal, request.user)
    may_ask = (
        role == access.Role.LEADER
        and goal.status in (Status.DRAFT, Status.PROPOSED)
        and not any(r.open for r in rounds)
    )
    people = (
        [m.user for m in product_memberships(goal.product) if m.user_id != request.user.pk]
        if may_ask
        else []
    )
    return {
        **thread_context(Conversation(request.user, goal)),
        "insights": conversations.goal_insights(goal),
        "insight_form": InsightForm() if role in access.MEMBERS else None,
        "rounds": rounds,
        "round_form": FeedbackRoundForm(people=people) if may_ask else None,
        "watching": is_watching(request.user, goal),
    }


def _done(
    request: AuthedRequest, conversation: Conversation, notice: str, comment: Comment | None
) -> HttpResponse:
    """After a change: the redrawn comments (htmx), or back to the page at the comment."""
    if is_htmx(request):
        context = thread_context(conversation, notice=notice)
        return swap(render(request, "goals/_comments.html", context), "#comments")
    messages.success(request, notice)
    anchor = f"comment-{comment.pk}" if comment is not None else "comments"
    return redirect(f"{conversation.page_url}#{anchor}")


def _form_page(
    request: AuthedRequest,
    form: Any,
    *,
    conversation: Conversation,
    title: str,
    button: str,
    status: int = 200,
) -> HttpResponse:
    """A comment form on a page of its own, for browsers without JavaScript."""
    context = {
        "form": form,
        "action": request.path,
        "title": title,
        "button": button,
        "back": conversation.page_url,
    }
    return render(request, "goals/comment_form.html", context, status=status)


@page
def goal_comments(request: AuthedRequest, pk: int) -> HttpResponse:
    conversation = Conversation(request.user, access.get_goal(request.user, pk))
    if request.method == "POST":
        access.require_role(conversation.goal, access.MEMBERS, "comment")
        return _add_comment(request, conversation)
    if is_htmx(request):
        return render(request, "goals/_comments.html", thread_context(conversation))
    return redirect(f"{conversation.page_url}#comments")


@page
def proposal_comments(request: AuthedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal(request.user, pk)
    conversation = Conversation(request.user, proposal=proposal)
    if request.method == "POST":
        return _add_comment(request, conversation)
    if is_htmx(request):
        return render(request, "goals/_comments.html", thread_context(conversation))
    workshop = proposal.workshop
    context = {
        **thread_context(conversation),
        "proposal": proposal,
        "workshop": workshop,
        "product": workshop.product,
        "organization": workshop.product.organization,
    }
    return render(request, "goals/proposal_comments.html", context)


def _add_comment(request: AuthedRequest, conversation: Conversation) -> HttpResponse:
    form = CommentForm(request.POST, mentions_url=conversation.mentions_url)
    is_reply = bool(request.POST.get("parent"))
    if form.is_valid():
        try:
            comment = comment_create(
                actor=request.user,
                goal=conversation.goal,
                proposal=conversation.proposal,
                parent_id=form.cleaned_data["parent"],
                body=form.cleaned_data["body"],
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            return _done(
                request, conversation, "Reply added." if is_reply else "Comment added.", comment
            )
    if is_htmx(request):
        if is_reply:
            context = thread_context(conversation, reply_form=form)
        else:
            context = thread_context(conversation, form=form)
        return swap(render(request, "goals/_comments.html", context), "#comments")
    return _form_page(
        request,
        form,
        conversation=conversation,
        title="Your reply" if is_reply else "Your comment",
        button="Reply" if is_reply else "Comment",
        status=400,
    )


@page
def comment_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    comment = get_comment(request.user, pk)
    conversation = Conversation.of(comment, request.user)
    if comment.author_id != request.user.pk or comment.deleted_at is not None:
        raise Forbidden("Only the author can edit a comment.")
    args = {"mentions_url": conversation.mentions_url, "auto_id": f"edit-{comment.pk}-%s"}
    if request.method != "POST":
        form = CommentEditForm(initial={"body": comment.body}, **args)
        status = 200
    else:
        form = CommentEditForm(request.POST, **args)
        if form.is_valid():
            try:
                comment_update(actor=request.user, comment=comment, body=form.cleaned_data["body"])
            except DomainError as error:
                form.show_errors(error)
            else:
                return _done(request, conversation, "Comment saved.", comment)
        status = 200 if is_htmx(request) else 400
    if is_htmx(request):
        context = {"comment": comment, "form": form, "comments_url": conversation.comments_url}
        return render(request, "goals/_comment_edit.html", context, status=status)
    return _form_page(
        request,
        form,
        conversation=conversation,
        title="Edit your comment",
        button="Save comment",
        status=status,
    )


@page
@require_POST
def comment_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    comment = get_comment(request.user, pk)
    comments.comment_delete(actor=request.user, comment=comment)
    return _done(request, Conversation.of(comment, request.user), "Comment removed.", comment)


@page
@require_POST
def comment_resolve(request: AuthedRequest, pk: int) -> HttpResponse:
    comment = get_comment(request.user, pk)
    resolved = request.POST.get("resolved") == "1"
    comments.comment_resolve(actor=request.user, comment=comment, resolved=resolved)
    notice = "Thread resolved." if resolved else "Thread reopened."
    return _done(request, Conversation.of(comment, request.user), notice, comment)


@page
@require_POST
def goal_watch(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = access.get_goal(request.user, pk)
    on = watch_set(user=request.user, goal=goal, watching=request.POST.get("watching") == "1")
    notice = (
        "You watch this goal: you hear of its comments and decisions."
        if on
        else "You no longer watch this goal."
    )
    if is_htmx(request):
        context = {"goal": goal, "watching": on, "watch_notice": notice}
        return render(request, "goals/_goal_aside.html#watch", context)
    messages.success(request, notice)
    return redirect(f"{reverse('goal', args=[goal.pk])}#watch")


@page
@require_POST
def insight_new(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = access.get_goal(request.user, pk)
    access.require_role(goal, access.MEMBERS, "add insights")
    form = InsightForm(request.POST)
    if form.is_valid():
        try:
            insight_create(actor=request.user, goal=goal, **form.cleaned_data)
        except DomainError as error:
            form.show_errors(error)
        else:
            return _insights_done(request, goal, "Insight added.")
    return _render_insights(request, goal, form=form, status=200 if is_htmx(request) else 400)


@page
@require_POST
def insight_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    insight = access.get_insight(request.user, pk)
    insights.insight_delete(actor=request.user, insight=insight)
    # The insight's goal came without the reader's role; the redrawn list needs it.
    goal = access.get_goal(request.user, insight.goal_id)
    return _insights_done(request, goal, "Insight removed.")


def _insights_done(request: AuthedRequest, goal: Goal, notice: str) -> HttpResponse:
    if is_htmx(request):
        return _render_insights(request, goal, notice=notice)
    messages.success(request, notice)
    return redirect(f"{reverse('goal', args=[goal.pk])}#insights")


def _render_insights(
    request: AuthedRequest,
    goal: Goal,
    *,
    form: InsightForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "goal": goal,
        "insights": conversations.goal_insights(goal),
        "insight_form": form or InsightForm(),
        "can_remove_any": access.can_lead(goal),
        "insight_notice": notice,
    }
    if is_htmx(request):
        response = render(request, "goals/_goal_aside.html#insights", context, status=status)
        return swap(response, "#insights")
    return render(request, "goals/insight_form.html", context, status=status)
