"""A big chain's folded branches: the chain page draws the levels above sprint goals, and a
folded branch's cards when it is opened (htmx), by a link that draws it open, or all at
once ("Expand all")."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from goals.models import Goal, Level
from goals.views import tree
from tests.factories import OrganizationFactory, ProductFactory
from tests.goals.pages import build_chain, chain_url

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def big(team, monkeypatch) -> list[Goal]:
    """A chain of 100 goals, drawn as a chain too big to draw folded branches up front."""
    monkeypatch.setattr(tree, "DRAW_FOLDED_UP_TO", 50)
    return build_chain(team.product, 100)


def sprint_titles(html: str) -> list[str]:
    return re.findall(r">(Sprint goal \d+)</a></h3>", html)


def branch_of(html: str, goal: Goal) -> tuple[str, str]:
    """The folded branch's URL and its link without htmx, from the product goal's card."""
    at = html.index(f">{goal.title}</a></h3>")
    details = html[html.index("<details", at) : html.index("</details>", at)]
    url = re.search(r'hx-get="([^"]+)"', details)
    link = re.search(r'<a href="([^"]+)">Show the (\d+) sprint goals?', details)
    assert url and link, details
    return url.group(1), link.group(1)


def product_goals(goals: list[Goal]) -> list[Goal]:
    return [g for g in goals if g.level == Level.PRODUCT]


def sprints_of(goal: Goal) -> list[str]:
    return sorted(g.title for g in goal.children.all())


def test_the_page_draws_sprint_goals_only_when_their_branch_opens(team, big, browser_client):
    client = browser_client(team.member)
    html = client.get(chain_url(team.product)).content.decode()
    assert sprint_titles(html) == []
    assert "Expand all" in html
    first = product_goals(big)[0]
    url, _ = branch_of(html, first)
    branch = client.get(url, **HTMX)
    assert branch.status_code == 200
    assert sorted(sprint_titles(branch.content.decode())) == sprints_of(first)


def test_a_branch_opened_is_drawn_as_the_whole_chain_draws_it(team, big, browser_client):
    client = browser_client(team.member)
    first = product_goals(big)[0]
    url, _ = branch_of(client.get(chain_url(team.product)).content.decode(), first)
    drawn = client.get(url, **HTMX).content.decode()
    whole = client.get(f"{chain_url(team.product)}?expand=1").content.decode()
    for title in sprints_of(first):
        assert card(drawn, title) == card(whole, title)


def card(html: str, title: str) -> str:
    at = html.index(f">{title}</a></h3>")
    return html[html.rindex("<li", 0, at) : html.index("</li>", at)]


def test_a_branch_opened_as_a_page_is_the_chain_with_it_open(team, big, browser_client):
    client = browser_client(team.member)
    first = product_goals(big)[0]
    url, link = branch_of(client.get(chain_url(team.product)).content.decode(), first)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{chain_url(team.product)}{link}"


def test_without_javascript_the_link_draws_the_branch_open(team, big, browser_client):
    client = browser_client(team.member)
    first, second = product_goals(big)[:2]
    _, link = branch_of(client.get(chain_url(team.product)).content.decode(), first)
    assert link.startswith(f"?open={first.pk}#node-")
    html = client.get(f"{chain_url(team.product)}{link.split('#')[0]}").content.decode()
    assert sorted(sprint_titles(html)) == sprints_of(first)
    branch_of(html, second)  # the others stay folded, drawn when opened


def test_expand_all_draws_every_branch_open(team, big, browser_client):
    html = browser_client(team.member).get(f"{chain_url(team.product)}?expand=1").content
    html = html.decode()
    assert len(sprint_titles(html)) == sum(g.level == Level.SPRINT for g in big)
    assert "data-lazy-branch" not in html
    assert '<details class="branch">' not in html


def test_a_filtered_chain_draws_every_match(team, big, browser_client):
    html = browser_client(team.member).get(f"{chain_url(team.product)}?level=sprint").content
    assert len(sprint_titles(html.decode())) == sum(g.level == Level.SPRINT for g in big)


def test_a_chain_of_a_few_goals_draws_its_folded_branches_up_front(team, browser_client):
    build_chain(team.product, 100)
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    assert '<details class="branch">' in html
    assert "data-lazy-branch" not in html
    assert len(sprint_titles(html)) > 0


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1e3", " 12", "9" * 30])
def test_odd_unfolding_values_draw_the_page_as_it_is(team, big, browser_client, value):
    for name in ("open", "expand"):
        response = browser_client(team.member).get(chain_url(team.product), {name: value})
        assert response.status_code == 200
    # The filters still apply beside an odd value.
    query = {"open": value, "level": "sprint"}
    html = browser_client(team.member).get(chain_url(team.product), query).content.decode()
    assert len(sprint_titles(html)) == sum(g.level == Level.SPRINT for g in big)


@pytest.mark.parametrize(
    "key", ["abc", "1--2", "-", "5-", "-5", "²", "١٢", "99999999", "9" * 40, "1-" + "9" * 40]
)
def test_a_branch_not_in_the_chain_is_not_found(team, big, browser_client, key):
    response = browser_client(team.member).get(f"/products/{team.product.pk}/branches/{key}/")
    assert response.status_code == 404


def test_a_branch_is_only_shown_to_the_products_people(team, big, browser_client):
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    url, _ = branch_of(html, product_goals(big)[0])
    assert browser_client(team.outsider).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(resolve_url(settings.LOGIN_URL))
    other = ProductFactory(organization=OrganizationFactory())
    path = url.replace(f"/products/{team.product.pk}/", f"/products/{other.pk}/")
    assert browser_client(team.member).get(path).status_code == 404


@pytest.mark.parametrize("size", [100, 400])
def test_a_branch_reads_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, monkeypatch, size
):
    monkeypatch.setattr(tree, "DRAW_FOLDED_UP_TO", 50)
    goals = build_chain(team.product, size)
    client = browser_client(team.member)
    url, _ = branch_of(
        client.get(chain_url(team.product)).content.decode(), product_goals(goals)[0]
    )
    # 1 session, 2 user, 3 product with my roles, 4 the chain's signature (the chain is the
    # one the page loaded), 5 the goals' insight counts.
    with django_assert_num_queries(5):
        response = client.get(url, **HTMX)
    assert sprint_titles(response.content.decode())
