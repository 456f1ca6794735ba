"""Goals stored with dates far outside any plan (year 1, year 9999), as older versions let
people type, break no page or endpoint for anyone ([2/7] item 3)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from goals.models import Level, Status
from tests.factories import make_chain, make_goal

pytestmark = pytest.mark.django_db

FIRST_DAY, LAST_DAY = date(1, 1, 1), date(9999, 12, 31)


@pytest.fixture
def odd(team):
    chain = make_chain(team.product)
    early = make_goal(
        team.product, Level.PRODUCT, chain.user_goal, title="From the year one",
        starts_on=FIRST_DAY, ends_on=date(1, 3, 1), status=Status.AGREED,
    )  # fmt: skip
    late = make_goal(
        team.product, Level.PRODUCT, chain.business_goal, title="Until the end of time",
        starts_on=date(9999, 10, 1), ends_on=LAST_DAY, status=Status.AGREED,
    )  # fmt: skip
    make_goal(
        team.product, Level.SPRINT, late, title="A far sprint",
        starts_on=date(9999, 12, 1), ends_on=LAST_DAY,
    )  # fmt: skip
    return chain, early, late


PAGES = [
    "/products/{product}/",
    "/products/{product}/roadmap/",
    "/products/{product}/roadmap/?all=1",
    "/products/{product}/sprints/",
    "/products/{product}/health/",
    "/products/{product}/vision-board/",
    "/products/{product}/reviews/",
    "/organizations/{organization}/portfolio/",
    "/goals/{early}/",
    "/goals/{late}/",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_board_shows_with_goals_at_the_ends_of_the_calendar(team, odd, browser_client, path):
    _, early, late = odd
    url = path.format(
        product=team.product.pk,
        organization=team.product.organization_id,
        early=early.pk,
        late=late.pk,
    )
    assert browser_client(team.leader).get(url).status_code == 200


def test_the_roadmap_lists_goals_it_cannot_draw_below_the_timeline(team, odd, browser_client):
    chain, early, late = odd
    client = browser_client(team.leader)
    # ?all=1: the goal of the year one ended long ago, and leaves the roadmap by default.
    html = client.get(f"/products/{team.product.pk}/roadmap/?all=1").content.decode()
    bars = set(re.findall(r'<svg class="bar[^>]*data-goal="(\d+)"', html))
    assert str(chain.product_goal.pk) in bars
    assert {str(early.pk), str(late.pk)}.isdisjoint(bars)
    for goal in (early, late):
        assert f'id="go-name-{goal.pk}"' in html
    # The timeline spans the drawable goals, not ten thousand years.
    assert html.count('class="month-line"') < 24


@pytest.mark.parametrize("query", ["", "?format=csv", "?format=markdown"])
def test_the_api_reads_them_too(team, odd, api, query):
    client = api(team.leader)
    for url in (
        f"/api/products/{team.product.pk}/chain/",
        f"/api/products/{team.product.pk}/health/",
        f"/api/products/{team.product.pk}/export/{query}",
        "/api/goals/?page_size=500",
    ):
        assert client.get(url).status_code == 200, url
