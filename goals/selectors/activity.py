"""A product's activity feed: goal changes, check-ins, comments, insights, feedback rounds
and workshop decisions, newest first, one page at a time.

Each entry reads as a sentence: who, what they did, the goal (a link), and what follows,
e.g. "Tara Team closed [Sprint 0] as achieved", "Sam moved the end date of [Cook more] from
5 Dec 2026 to 12 Dec 2026".

Every kind of activity is a `Source`: the rows of one model for a product, and how to tell
one of them. A page is read in two queries for the ids of all sources together (the count
and the page of a UNION), then one query per source on the page. A new kind of activity is
one more `Source` in `SOURCES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import CharField, F, Model, Prefetch, Q, QuerySet, Value

from goals.models import (
    CHECK_IN_REASON,
    CheckIn,
    CheckInValue,
    Comment,
    FeedbackRound,
    Goal,
    GoalChange,
    Insight,
    Product,
    User,
)
from goals.selectors.activity_items import (
    Activity,
    Names,
    field_pairs,
    tell_change,
    tell_check_in,
    tell_comment,
    tell_decision,
    tell_feedback_round,
    tell_insight,
)
from goals.wording import FIELD_WORDS
from workshops.access import visible_workshops
from workshops.models import Decision


@dataclass(frozen=True)
class Source:
    kind: str
    # This product's rows the user may see, with the row's time in `at`.
    rows: Callable[[Product, User], QuerySet[Any]]
    # The rows with these ids, loaded with what `tell` needs.
    load: Callable[[Sequence[int]], QuerySet[Any]]
    tell: Callable[[Any, Names], Activity]


# Fields a check-in never changes: an entry giving the check-in's reason that changes one of
# them was an edit, and stays in the feed.
_NOT_BY_CHECK_INS: list[str] = [
    name for name in FIELD_WORDS if name not in ("confidence", "next_review_on")
]


def _visible_workshop_ids(user: User) -> QuerySet[Any]:
    return visible_workshops(user).values("pk")


SOURCES: list[Source] = [
    Source(
        "goal_change",
        # A check-in's move of the goal's confidence and review is told by the check-in.
        rows=lambda product, user: (
            GoalChange.objects.filter(goal__product=product)
            .exclude(Q(reason=CHECK_IN_REASON) & ~Q(changes__has_any_keys=_NOT_BY_CHECK_INS))
            .annotate(when=F("at"))
        ),
        load=lambda ids: GoalChange.objects.filter(pk__in=ids).select_related("goal", "by"),
        tell=tell_change,
    ),
    Source(
        "check_in",
        rows=lambda product, user: CheckIn.objects.filter(goal__product=product).annotate(
            when=F("created_at")
        ),
        load=lambda ids: (
            CheckIn.objects.filter(pk__in=ids)
            .select_related("goal", "author")
            .prefetch_related(
                Prefetch(
                    "values",
                    CheckInValue.objects.select_related("key_result").order_by("key_result_id"),
                )
            )
        ),
        tell=tell_check_in,
    ),
    Source(
        "comment",
        # Proposal comments only for those who can enter the workshop.
        rows=lambda product, user: (
            Comment.objects.filter(product=product, deleted_at=None)
            .filter(Q(goal__isnull=False) | Q(proposal__workshop__in=_visible_workshop_ids(user)))
            .annotate(when=F("created_at"))
        ),
        load=lambda ids: Comment.objects.filter(pk__in=ids).select_related(
            "author", "goal", "proposal"
        ),
        tell=tell_comment,
    ),
    Source(
        "feedback_round",
        rows=lambda product, user: FeedbackRound.objects.filter(goal__product=product).annotate(
            when=F("created_at")
        ),
        load=lambda ids: FeedbackRound.objects.filter(pk__in=ids).select_related(
            "goal", "requested_by"
        ),
        tell=tell_feedback_round,
    ),
    Source(
        "insight",
        rows=lambda product, user: Insight.objects.filter(goal__product=product).annotate(
            when=F("created_at")
        ),
        load=lambda ids: Insight.objects.filter(pk__in=ids).select_related("goal", "author"),
        tell=tell_insight,
    ),
    Source(
        "decision",
        # Adoptions are public (the goal is in the chain); other decisions stay in the room.
        rows=lambda product, user: (
            Decision.objects.filter(workshop__product=product)
            .filter(Q(passed=True) | Q(workshop__in=_visible_workshop_ids(user)))
            .annotate(when=F("decided_at"))
        ),
        load=lambda ids: Decision.objects.filter(pk__in=ids).select_related(
            "workshop", "proposal", "decided_by"
        ),
        tell=tell_decision,
    ),
]
_BY_KIND = {source.kind: source for source in SOURCES}


def feed_rows(product: Product, user: User) -> QuerySet[Any]:
    """(kind, id, when) of every activity of the product the user may see, newest first.

    Count it and slice it like any queryset: each is one query whatever the size.
    """
    parts = [
        source.rows(product, user)
        .order_by()
        .annotate(activity=Value(source.kind, output_field=CharField()))
        .values_list("activity", "pk", "when")
        for source in SOURCES
    ]
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-when", "-pk")


def feed_items(rows: Sequence[tuple[str, int, datetime]]) -> list[Activity]:
    """The activities of a page of `feed_rows`: one query per kind on the page."""
    ids: dict[str, list[int]] = {}
    for kind, pk, _ in rows:
        ids.setdefault(kind, []).append(pk)
    loaded: dict[tuple[str, int], Model] = {}
    for kind, pks in ids.items():
        for obj in _BY_KIND[kind].load(pks):
            loaded[(kind, obj.pk)] = obj
    names = _names([obj for (kind, _), obj in loaded.items() if kind == "goal_change"])
    return [
        _BY_KIND[kind].tell(loaded[(kind, pk)], names)
        for kind, pk, _ in rows
        if (kind, pk) in loaded
    ]


def _names(changes: Sequence[Any]) -> Names:
    """The people and goals the history entries name by id: a query each, if any."""
    people: set[int] = set()
    goals: set[int] = set()
    for change in changes:
        pairs = field_pairs(change)
        if change.via or ("title" in pairs and pairs["title"][0] is None):
            continue  # told without naming them: an agreement, a creation
        for value in pairs.get("owner", ()):
            if isinstance(value, int):
                people.add(value)
        for value in pairs.get("parents", ()):
            if isinstance(value, list):
                goals.update(pk for pk in value if isinstance(pk, int))
    names = Names()
    if people:
        names.people = {user.pk: user.name for user in User.objects.filter(pk__in=people)}
    if goals:
        names.goals = dict(Goal.objects.filter(pk__in=goals).values_list("pk", "title"))
    return names
