"""Forms of the alignment boards (vision board, quality checks, roadmap timeframes) and the
reading of a half-typed goal or proposal form for the as-you-type check. Like the other page
forms they only parse; goals/services/boards.py and goals/rules/quality.py decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms

from goals.forms.common import DateInWindowField, PageForm, text_field, version_field
from goals.models import Goal, KeyResult, Status
from goals.rules.quality import RULES
from goals.rules.quality_drafts import GoalDraft, MeasureDraft
from goals.services.boards import MAX_LIVE_PRODUCT_GOALS_LIMIT


class VisionBoardForm(PageForm):
    target_group = text_field(
        "Target group",
        rows=4,
        help_text="Who the product is for: the users and customers whose lives it changes.",
    )
    needs = text_field(
        "Needs",
        rows=4,
        help_text="The problems it solves and the benefits it gives, one a line. The chain's "
        "user goals are listed beside them.",
    )
    product_summary = text_field(
        "Product",
        rows=4,
        help_text="What the product is and what makes it stand out, one point a line.",
    )
    version = version_field()


class QualitySettingsForm(PageForm):
    rules_on = forms.MultipleChoiceField(
        label="Checks this product uses",
        choices=[(rule.code, rule.label) for rule in RULES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    max_live_product_goals = forms.IntegerField(
        label="Live product goals before it is too many",
        min_value=1,
        max_value=MAX_LIVE_PRODUCT_GOALS_LIMIT,
        help_text="Open product goals whose timeframe includes today.",
    )
    version = version_field()

    def rules_off(self) -> list[str]:
        on = set(self.cleaned_data["rules_on"])
        return [rule.code for rule in RULES if rule.code not in on]


class TimeframeForm(PageForm):
    """A product goal's new timeframe, dragged on the roadmap."""

    starts_on = DateInWindowField(label="Starts on")
    ends_on = DateInWindowField(label="Ends on")
    version = forms.IntegerField(widget=forms.HiddenInput)
    change_reason = text_field("Why are you changing an agreed goal?", rows=2)


# The as-you-type check reads whatever a goal or proposal form holds so far: what does not
# parse yet (a half-typed date) is simply not there, never an error.

MAX_KEY_RESULT_ROWS = 20


def draft_from_form(
    data: Mapping[str, str], *, level: str, prefix: str = "", saved: Goal | None = None
) -> GoalDraft:
    """A draft from posted goal or proposal form fields (names optionally `prefix-`ed).

    Key results come from rows named `key_results-<n>-title` / `-baseline` (the proposal
    form's); without such rows, the saved goal's own key results count."""

    def value(name: str) -> str:
        return (data.get(f"{prefix}-{name}" if prefix else name) or "").strip()

    rows = _key_result_rows(data, prefix)
    if rows is None:
        key_results: tuple[MeasureDraft, ...] = tuple(
            MeasureDraft(kr.title, kr.baseline) for kr in _saved_key_results(saved)
        )
    else:
        key_results = rows
    confidence = value("confidence")
    return GoalDraft(
        level=level,
        title=value("title"),
        description=value("description"),
        status=value("status") if value("status") in Status.values else Status.DRAFT,
        starts_on=date_field(value("starts_on")),
        ends_on=date_field(value("ends_on")),
        confidence=int(confidence) if confidence in {"1", "2", "3", "4", "5"} else None,
        key_results=key_results,
    )


def _key_result_rows(data: Mapping[str, str], prefix: str) -> tuple[MeasureDraft, ...] | None:
    start = f"{prefix}-key_results-" if prefix else "key_results-"
    if not any(name.startswith(start) for name in data):
        return None
    rows = []
    for n in range(MAX_KEY_RESULT_ROWS):
        title = (data.get(f"{start}{n}-title") or "").strip()
        baseline = (data.get(f"{start}{n}-baseline") or "").strip()
        target = (data.get(f"{start}{n}-target") or "").strip()
        if title or baseline or target:
            rows.append(MeasureDraft(title, _decimal(baseline)))
    return tuple(rows)


def _saved_key_results(goal: Goal | None) -> list[KeyResult]:
    return list(goal.key_results.order_by("id")) if goal is not None else []


def date_field(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text) if text else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None
