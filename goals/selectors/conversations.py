"""Reads of conversations: comment threads, insights, feedback rounds and the inbox.

Each read costs a fixed number of queries, however many comments or notifications there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from goals.access import Role, role_of
from goals.models import (
    Comment,
    FeedbackRequest,
    FeedbackRound,
    Goal,
    Insight,
    Product,
    User,
)
from goals.rules.feedback import is_open, tally
from workshops.models import Proposal


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.comment.resolved_at is not None


def comments_of(*, goal: Goal | None = None, proposal: Proposal | None = None) -> QuerySet[Comment]:
    """A goal's or a proposal's comments, oldest first, with their authors."""
    qs = Comment.objects.select_related("author", "resolved_by")
    qs = qs.filter(goal=goal) if goal is not None else qs.filter(proposal=proposal)
    return qs.order_by("created_at", "id")


def with_mention_ids(qs: QuerySet[Comment]) -> QuerySet[Comment]:
    """For the API: who each comment mentions, in one more query."""
    return qs.prefetch_related(Prefetch("mentions", queryset=User.objects.only("id")))


def threads(comments: QuerySet[Comment] | list[Comment]) -> list[Thread]:
    """Comments as threads: each first comment with its replies, in one query."""
    by_id: dict[int, Thread] = {}
    orphans: dict[int, list[Comment]] = defaultdict(list)
    for comment in comments:
        if comment.parent_id is None:
            by_id[comment.pk] = Thread(comment, orphans.pop(comment.pk, []))
        elif comment.parent_id in by_id:
            by_id[comment.parent_id].replies.append(comment)
        else:
            orphans[comment.parent_id].append(comment)
    return list(by_id.values())


def goal_insights(goal: Goal) -> list[Insight]:
    return list(goal.insights.select_related("author").order_by("-created_at", "-id"))


def insight_counts(product: Product) -> dict[int, int]:
    """How many insights each goal of the product has, in one query."""
    rows = (
        Insight.objects.filter(goal__product=product)
        .values("goal_id")
        .annotate(n=Count("id"))
        .values_list("goal_id", "n")
    )
    return dict(rows)


def feedback_rounds_of(goal: Goal) -> QuerySet[FeedbackRound]:
    """A goal's feedback rounds, newest first, with the people asked and their answers."""
    return (
        goal.feedback_rounds.select_related("requested_by")
        .prefetch_related(
            Prefetch(
                "requests",
                queryset=FeedbackRequest.objects.select_related("person").order_by(
                    "person__display_name", "person__email"
                ),
            )
        )
        .order_by("-created_at", "-id")
    )


@dataclass
class RoundView:
    """A feedback round as one viewer may see it: leaders see every answer, others their own."""

    round: FeedbackRound
    requests: list[FeedbackRequest]
    is_leader: bool
    mine: FeedbackRequest | None
    open: bool

    @property
    def answers(self) -> list[FeedbackRequest]:
        if self.is_leader:
            return [r for r in self.requests if r.answer]
        return [self.mine] if self.mine and self.mine.answer else []

    @property
    def not_answered(self) -> list[FeedbackRequest] | None:
        return [r for r in self.requests if not r.answer] if self.is_leader else None

    @property
    def summary(self) -> dict[str, int] | None:
        return tally(self.requests) if self.is_leader else None


def round_view(feedback_round: FeedbackRound, user: User, role: Role) -> RoundView:
    """What `user` (acting as `role` in the product) sees of a round whose requests are loaded."""
    requests = list(feedback_round.requests.all())
    mine = next((r for r in requests if r.person_id == user.pk), None)
    return RoundView(feedback_round, requests, role == Role.LEADER, mine, is_open(feedback_round))


def round_views(goal: Goal, user: User) -> list[RoundView]:
    role = role_of(goal)
    return [round_view(r, user, role) for r in feedback_rounds_of(goal)]
