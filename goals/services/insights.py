"""Writes to insights: findings and data points, each with its source, attached to goals."""

from __future__ import annotations

from decimal import Decimal

from goals.access import Role, role_in
from goals.errors import Errors, Forbidden
from goals.models import Goal, Insight, InsightKind, User

SUMMARY_MAX_LENGTH = 2000
SOURCE_MAX_LENGTH = 500
UNIT_MAX_LENGTH = 40


def insight_create(
    *,
    actor: User,
    goal: Goal,
    kind: str,
    summary: str,
    source: str,
    value: Decimal | None = None,
    unit: str = "",
) -> Insight:
    """Attach what someone knows to a goal; a data point needs its number."""
    errors = Errors()
    summary, source, unit = (summary or "").strip(), (source or "").strip(), (unit or "").strip()
    if kind not in InsightKind.values:
        errors.add("kind", f"Choose one of: {', '.join(InsightKind.values)}.")
    if not summary:
        errors.add("summary", "Say what you found.")
    elif len(summary) > SUMMARY_MAX_LENGTH:
        errors.add("summary", f"Keep the summary to {SUMMARY_MAX_LENGTH:,} characters.")
    if not source:
        errors.add("source", "Name the source: a study, a report, a dashboard, a conversation.")
    elif len(source) > SOURCE_MAX_LENGTH:
        errors.add("source", f"Keep the source to {SOURCE_MAX_LENGTH} characters.")
    if kind == InsightKind.QUANTITATIVE and value is None:
        errors.add("value", "A quantitative data point needs its value.")
    if kind == InsightKind.QUALITATIVE and value is not None:
        errors.add("value", "A qualitative finding has no value; record a number as quantitative.")
    if value is not None and not value.is_finite():
        errors.add("value", "Give a number.")
    if len(unit) > UNIT_MAX_LENGTH:
        errors.add("unit", f"Keep the unit to {UNIT_MAX_LENGTH} characters.")
    elif unit and value is None:
        errors.add("unit", "A unit goes with a value.")
    errors.raise_if_any()
    return Insight.objects.create(
        goal=goal,
        kind=kind,
        summary=summary,
        source=source,
        value=value,
        unit=unit,
        author=actor,
    )


def insight_delete(*, actor: User, insight: Insight) -> None:
    """The author or a product leader removes an insight."""
    if insight.author_id != actor.pk and role_in(actor, insight.goal.product_id) != Role.LEADER:
        raise Forbidden("Only the author or a product leader can remove an insight.")
    insight.delete()
