"""The export: a whole product as one JSON document, one writer per section of it.

The document names goals by their id in the exporting installation (`ref`) and people by
email, so it can be read by a person, kept in version control and imported anywhere. Each
section is read in a fixed number of queries, whatever the size of the product.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from goals.exchange.document import FORMAT, FORMAT_VERSION, PRODUCT_TEXTS
from goals.models import (
    CheckIn,
    Comment,
    Goal,
    GoalChange,
    GoalLink,
    Insight,
    KeyResult,
    Level,
    Organization,
    Product,
    Retrospective,
    ReviewSchedule,
    User,
)
from goals.wording import plain_number
from workshops.models import Decision


def export_document(product: Product) -> dict[str, Any]:
    """Everything of a product as plain JSON values, in a fixed number of queries.

    The big sections (goals, key results, history) read rows, not model instances: making
    an instance costs more than writing its entry."""
    goals = list(
        Goal.objects.filter(product=product)
        .order_by("id")
        .values(
            "id",
            "level",
            "title",
            "description",
            "status",
            "owner_id",
            "owner__email",
            "starts_on",
            "ends_on",
            "confidence",
            "next_review_on",
            "outcome_note",
            "sprint_verdict",
            "progress",
            "created_at",
        )
    )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": _datetime(timezone.now()),
        "organization": _organization(product.organization),
        "product": _product(product),
        "members": _members(product),
        "goals": _goals(product, goals),
        "key_results": _key_results(product),
        "history": _history(product, goals),
        "review_schedule": _review_schedule(product),
        "check_ins": _check_ins(product),
        "retrospectives": _retrospectives(product),
        "comments": _comments(product),
        "insights": _insights(product),
        "decisions": _decisions(product),
    }


def _organization(organization: Organization) -> dict[str, Any]:
    return {
        "name": organization.name,
        "business_strategy": organization.business_strategy,
    }


def _product(product: Product) -> dict[str, Any]:
    return {
        "name": product.name,
        "portfolio_strategy": product.portfolio_strategy,
        **{name: getattr(product, name) for name in PRODUCT_TEXTS},
        "quality_rules_off": product.quality_rules_off,
        "max_live_product_goals": product.max_live_product_goals,
    }


def _members(product: Product) -> list[dict[str, Any]]:
    members = product.memberships.select_related("user").order_by("role", "user__email")
    return [{"email": m.user.email, "name": m.user.display_name, "role": m.role} for m in members]


def _goals(product: Product, goals: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    parents: dict[int, list[int]] = defaultdict(list)
    for child_id, parent_id in (
        GoalLink.objects.filter(child__product=product)
        .order_by("parent_id")
        .values_list("child_id", "parent_id")
    ):
        parents[child_id].append(parent_id)
    return [
        {
            "ref": goal["id"],
            "level": goal["level"],
            "title": goal["title"],
            "description": goal["description"],
            "status": goal["status"],
            "owner": goal["owner__email"],
            "parents": parents.get(goal["id"], []),
            "starts_on": _date(goal["starts_on"]),
            "ends_on": _date(goal["ends_on"]),
            "confidence": goal["confidence"],
            "next_review_on": _date(goal["next_review_on"]),
            "outcome_note": goal["outcome_note"],
            "sprint_verdict": goal["sprint_verdict"],
            "progress": goal["progress"],
            "created_at": _datetime(goal["created_at"]),
        }
        for goal in goals
    ]


def _key_results(product: Product) -> list[dict[str, Any]]:
    key_results = KeyResult.objects.filter(goal__product=product).values_list(
        "id", "goal_id", "title", "unit", "baseline", "target", "current", "owner__email", "due_on"
    )
    return [
        {
            "ref": ref,
            "goal": goal_id,
            "title": title,
            "unit": unit,
            "baseline": plain_number(baseline),
            "target": plain_number(target),
            "current": plain_number(current),
            "owner": owner,
            "due_on": _date(due_on),
        }
        for ref, goal_id, title, unit, baseline, target, current, owner, due_on in key_results
    ]


def _history(product: Product, goals: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = (
        GoalChange.objects.filter(goal__product=product)
        .order_by("goal_id", "at", "id")
        .values_list("goal_id", "at", "by__email", "by_name", "reason", "via", "changes")
    )
    emails = {u.pk: u.email for u in User.objects.filter(product_memberships__product=product)}
    for goal in goals:
        if goal["owner_id"] is not None:
            emails[goal["owner_id"]] = goal["owner__email"]
    return [
        {
            "goal": goal_id,
            "at": _datetime(at),
            "by": by,
            "by_name": by_name,
            "reason": reason,
            "via": via,
            "changes": _portable_changes(changes, emails),
        }
        for goal_id, at, by, by_name, reason, via, changes in rows
    ]


def _review_schedule(product: Product) -> dict[str, Any]:
    schedule = ReviewSchedule.objects.filter(product=product).first() or ReviewSchedule()
    return {
        **{level: schedule.cadence(level) for level in Level.values},
        "remind_days_before": schedule.remind_days_before,
        "reminder_hour": schedule.reminder_hour,
    }


def _check_ins(product: Product) -> list[dict[str, Any]]:
    check_ins = (
        CheckIn.objects.filter(goal__product=product)
        .select_related("author")
        .prefetch_related("values")
        .order_by("created_at", "id")
    )
    return [
        {
            "goal": check_in.goal_id,
            "author": check_in.author.email if check_in.author else None,
            "confidence": check_in.confidence,
            "note": check_in.note,
            "created_at": _datetime(check_in.created_at),
            "next_review_on": _date(check_in.next_review_on),
            "values": [
                {
                    "key_result": v.key_result_id,
                    "value": plain_number(v.value),
                    "previous": plain_number(v.previous),
                }
                for v in check_in.values.all()
            ],
        }
        for check_in in check_ins
    ]


def _retrospectives(product: Product) -> list[dict[str, Any]]:
    retrospectives = Retrospective.objects.filter(goal__product=product).select_related("author")
    return [
        {
            "goal": retro.goal_id,
            "what_happened": retro.what_happened,
            "what_we_learned": retro.what_we_learned,
            "what_we_change": retro.what_we_change,
            "author": retro.author.email if retro.author else None,
            "created_at": _datetime(retro.created_at),
        }
        for retro in retrospectives.order_by("goal_id")
    ]


def _comments(product: Product) -> list[dict[str, Any]]:
    comments = (
        Comment.objects.filter(goal__product=product)
        .select_related("author")
        .order_by("created_at", "id")
    )
    return [
        {
            "ref": comment.pk,
            "goal": comment.goal_id,
            "parent": comment.parent_id,
            "author": comment.author.email if comment.author else None,
            "body": "" if comment.deleted_at else comment.body,
            "created_at": _datetime(comment.created_at),
            "edited_at": _optional_datetime(comment.edited_at),
            "resolved_at": _optional_datetime(comment.resolved_at),
            "deleted_at": _optional_datetime(comment.deleted_at),
        }
        for comment in comments
    ]


def _insights(product: Product) -> list[dict[str, Any]]:
    insights = (
        Insight.objects.filter(goal__product=product)
        .select_related("author")
        .order_by("created_at", "id")
    )
    return [
        {
            "goal": insight.goal_id,
            "kind": insight.kind,
            "summary": insight.summary,
            "source": insight.source,
            "value": None if insight.value is None else plain_number(insight.value),
            "unit": insight.unit,
            "author": insight.author.email if insight.author else None,
            "created_at": _datetime(insight.created_at),
        }
        for insight in insights
    ]


def _decisions(product: Product) -> list[dict[str, Any]]:
    decisions = (
        Decision.objects.filter(goal__product=product)
        .select_related("workshop__facilitator", "proposal", "decided_by")
        .order_by("decided_at", "id")
    )
    return [
        {
            "goal": decision.goal_id,
            "workshop": decision.workshop.title,
            "facilitator": decision.workshop.facilitator.email,
            "proposal": decision.proposal.title,
            "round": decision.round,
            "rule": decision.rule,
            "voting_method": decision.voting_method,
            "tallies": decision.tallies,
            "objections": decision.objections,
            "decided_by": decision.decided_by.email if decision.decided_by else None,
            "decided_at": _datetime(decision.decided_at),
        }
        for decision in decisions
    ]


def _portable_changes(changes: dict[str, Any], emails: dict[int, str]) -> dict[str, Any]:
    """A history entry with owners as emails; parents are goal ids, the document's refs."""
    if "owner" not in changes:
        return changes
    portable = dict(changes)
    portable["owner"] = [emails.get(v) if isinstance(v, int) else v for v in changes["owner"] or []]
    return portable


def _optional_datetime(value: datetime | None) -> str | None:
    return _datetime(value) if value else None


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
