"""The parts every goal card draws, written in Python so that the Django templates and the
chain page's Jinja2 tree (goals/jinja2/goals/chain_nodes.jinja) draw them alike and fast:
`{{ goal|timeframe }}`, `{{ value|progress_bar }}`, `{% chain_nodes nodes %}`, the tree, and
`{% chain_findings all_badges %}`, the list of its health findings."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from django import template
from django.template import engines
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from goals.models import Level, Status
from goals.rules.remembered import Remembered

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


# The chain page's cards as drawn last, by everything a card shows: from one request to the
# next most cards are unchanged, and drawing one costs more than the rest of the page's work
# for it. Bounded (a few thousand cards, some 2 KB each), as a process keeps it for every
# product it serves.
_CARDS: Remembered[tuple[object, ...], str] = Remembered(8_000)


@register.simple_tag(takes_context=True)
def chain_nodes(context: template.Context, nodes: Any) -> SafeString:
    """The chain page's cards for `nodes` (a goals.views.tree.Node, or a list of them) and
    everything under them. Jinja2 draws each card, far faster than Django's templates; a
    card drawn before with the same content is taken as it was."""
    tree = engines["jinja2"].env.get_template("goals/chain_nodes.jinja")  # type: ignore[attr-defined]
    product = context["product"]
    can_edit = context.get("can_edit", False)
    focus = context.get("focus")
    review_today = context.get("review_today")
    card = tree.make_module(
        {
            "product": product,
            # A goal's page is this path and its id: reversed once, not for every card.
            "goal_path": reverse("goal", args=[0]).removesuffix("0/"),
            "branch_path": reverse("product-branch", args=[product.pk, "0"]).removesuffix("0/"),
            "levels": dict(Level.choices),
            "statuses": dict(Status.choices),
            "can_edit": can_edit,
            "focus": focus,
            "review_today": review_today,
        }
    ).card
    # The words of a card (month names, labels) are in the request's language.
    page = (get_language(), product.pk, can_edit, review_today)
    drawn: list[str] = []

    def draw(node: Any) -> None:
        key = (*page, focus == node.goal.pk, *_shown(node))
        html = _CARDS.get(key)
        if html is None:
            html = _CARDS.keep(key, str(card(node)))
        drawn.append(html)
        if not node.lazy:
            for child in node.children:
                draw(child)
        drawn.append("</ul></details></li>" if node.children else "</li>")

    for node in nodes if isinstance(nodes, list) else [nodes]:
        draw(node)
    return mark_safe("".join(drawn))


def _shown(node: Any) -> tuple[object, ...]:
    """Everything chain_nodes.jinja reads from a node and its goal, but the page's own."""
    goal = node.goal
    return (
        goal.pk, goal.level, goal.status, goal.title, goal.owner.name if goal.owner else "",
        goal.starts_on, goal.ends_on, goal.confidence, goal.progress, goal.next_review_on,
        goal.sprint_verdict, node.key, node.first, node.match, node.open, node.lazy, *node.badges,
        node.insights, node.also_under.title if node.also_under else None,
        node.child_label if node.children else None,
    )  # fmt: skip


@register.simple_tag
def chain_findings(all_badges: list[tuple[Any, Any]]) -> SafeString:
    """The chain's health findings, one item each (a badge and its message, linked to its
    goal when it has one). Drawn here, not by a loop of Django's template: a chain of 10,000
    goals has about 2,000, and each item's {% url %} was a reverse of its own."""
    goal_path = reverse("goal", args=[0]).removesuffix("0/")
    return format_html_join(
        "\n",
        '<li><span class="badge badge-{}">{}</span> {}</li>',
        (
            (
                badge.code,
                badge.label,
                format_html('<a href="{}{}/">{}</a>', goal_path, goal.pk, badge.message)
                if goal is not None
                else badge.message,
            )
            for goal, badge in all_badges
        ),
    )
