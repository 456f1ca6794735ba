"""The parts every goal card draws, written in Python so that the Django templates and the
chain page's Jinja2 tree (goals/jinja2/goals/chain_nodes.jinja) draw them alike and fast:
`{{ goal|timeframe }}`, `{{ value|progress_bar }}`, and `{% chain_nodes nodes %}`, the tree."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from django import template
from django.template import engines
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from goals.models import Level, Status

register = template.Library()


@cache
def _month(language: str | None, month: int) -> str:
    return str(MONTHS_3[month]).title()


def day_month_year(day: date) -> str:
    """The date as `{{ day|date:"j M Y" }}` writes it ("6 Dec 2026"), without parsing the
    format each time: a chain page writes thousands."""
    return f"{day.day} {_month(get_language(), day.month)} {day.year}"


def _time(day: date) -> str:
    return f'<time datetime="{day.isoformat()}">{day_month_year(day)}</time>'


# Dates and whole numbers need no escaping: these filters write their HTML directly, as
# format_html costs more than the rest of a card.
@register.filter
def timeframe(goal: Any) -> SafeString:
    """When a goal (or a proposal) runs, in words: "1 Jan 2027 – 31 Mar 2027"."""
    starts_on, ends_on = goal.starts_on, goal.ends_on
    if starts_on and ends_on:
        return mark_safe(f"{_time(starts_on)} – {_time(ends_on)}")
    if ends_on:
        return mark_safe(f"until {_time(ends_on)}")
    if starts_on:
        return mark_safe(f"from {_time(starts_on)}")
    return mark_safe("no dates yet")


@register.filter
def progress_bar(value: int) -> SafeString:
    """A progress percentage as a bar with its figure beside it."""
    value = int(value)
    return mark_safe(
        f'<span class="progress"><progress max="100" value="{value}" aria-label="Progress">'
        f'{value}%</progress><span class="progress-value">{value}%</span></span>'
    )


@register.simple_tag(takes_context=True)
def chain_nodes(context: template.Context, nodes: Any) -> SafeString:
    """The chain page's cards for `nodes` (a goals.views.tree.Node, or a list of them) and
    everything under them. Jinja2 draws them: Django's templates took a millisecond a card."""
    tree = engines["jinja2"].env.get_template("goals/chain_nodes.jinja")  # type: ignore[attr-defined]
    product = context["product"]
    return mark_safe(
        tree.render(
            nodes=nodes if isinstance(nodes, list) else [nodes],
            product=product,
            # A goal's page is this path and its id: reversed once, not for every card.
            goal_path=reverse("goal", args=[0]).removesuffix("0/"),
            levels=dict(Level.choices),
            statuses=dict(Status.choices),
            can_edit=context.get("can_edit", False),
            focus=context.get("focus"),
            review_today=context.get("review_today"),
        )
    )
