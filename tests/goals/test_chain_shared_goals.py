"""A product goal that serves two goals is drawn under both: the count above the chain says
so, and its second card says where else it is, so nobody takes it for a second goal
([2/7] item 14)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from goals.models import Level
from tests.factories import GoalFactory, link
from tests.goals.pages import chain_url

pytestmark = pytest.mark.django_db


def summary(html: str) -> str:
    return unescape(re.search(r'<p class="muted" aria-live="polite">(.*?)</p>', html).group(1))


def cards(html: str) -> int:
    return len(re.findall(r'<article class="card ', html))


def test_the_count_says_why_more_cards_show_than_goals(team, chain, browser_client):
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    # Six goals; "Fridge planner" and its sprint goal are drawn under both goals it serves.
    assert cards(html) == 8
    assert summary(html) == (
        "6 goals in this chain. “Fridge planner” serves more than one goal and is shown under "
        "each, so 8 cards show."
    )


def test_a_goal_shown_again_says_where_it_was_shown_first(team, chain, browser_client):
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    first = min(chain["user"], chain["business"], key=lambda goal: html.index(goal.title))
    shared, sprint = chain["shared"], chain["sprint"]
    for goal in (shared, sprint):
        assert html.count(f'<a href="#goal-{goal.pk}">Also shown under “{first.title}”</a>') == 1
        # The note sits on the second card, after the first one.
        assert html.index(f'id="goal-{goal.pk}"') < html.index(f'href="#goal-{goal.pk}"')
    assert html.count(" is-repeat") == 2


def test_a_chain_without_shared_goals_says_only_the_count(team, chain, browser_client):
    chain["shared"].parent_links.filter(parent=chain["business"]).delete()
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    assert summary(html) == "6 goals in this chain."
    assert cards(html) == 6
    assert "Also shown under" not in html and " is-repeat" not in html


def test_it_counts_several_shared_goals(team, chain, browser_client):
    link(
        GoalFactory(product=team.product, level=Level.PRODUCT, title="Shopping list"),
        chain["user"],
        chain["business"],
    )
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    assert cards(html) == 10
    assert summary(html) == (
        "7 goals in this chain. 2 goals serve more than one goal and are shown under each, "
        "so 10 cards show."
    )


def test_a_filtered_chain_explains_its_repeated_cards_too(team, chain, browser_client):
    url = chain_url(team.product) + "?level=sprint"
    html = browser_client(team.member).get(url).content.decode()
    assert summary(html).startswith("Showing 1 of 6 goals that match, with the goals they serve.")
    assert "“Fridge planner” serves more than one goal and is shown under each" in summary(html)
