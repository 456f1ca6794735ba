"""Review dates on the chain and goal pages, progress charts, and the review meeting page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import CheckIn, CheckInValue, Comment, Goal, KeyResult, Level, Status
from tests.factories import KeyResultFactory, make_chain, make_goal

NOW = datetime(2026, 6, 10, 10, tzinfo=UTC)  # a Wednesday
TODAY = date(2026, 6, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def chain(team):
    chain = make_chain(team.product)
    Goal.objects.filter(pk=chain.product_goal.pk).update(
        next_review_on=TODAY + timedelta(days=3), owner=team.member
    )
    Goal.objects.filter(pk=chain.user_goal.pk).update(next_review_on=TODAY - timedelta(days=2))
    return chain


def check_in(goal, author, confidence, values, days_ago):
    entry = CheckIn.objects.create(goal=goal, author=author, confidence=confidence)
    CheckIn.objects.filter(pk=entry.pk).update(created_at=NOW - timedelta(days=days_ago))
    for key_result, (previous, value) in values.items():
        CheckInValue.objects.create(
            check_in=entry, key_result=key_result, previous=previous, value=value
        )
        KeyResult.objects.filter(pk=key_result.pk).update(current=value)
    return entry


def test_the_chain_page_says_when_reviews_are_due(team, chain, browser_client):
    html = browser_client(team.stakeholder).get(f"/products/{team.product.pk}/").content.decode()
    assert '<span class="meta-item review-due">Review due in 3 days</span>' in html
    assert '<span class="meta-item review-due is-overdue">Review overdue by 2 days</span>' in html


def test_the_goal_page_says_when_the_review_is_due(team, chain, browser_client):
    html = browser_client(team.member).get(f"/goals/{chain.user_goal.pk}/").content.decode()
    assert "Review overdue by 2 days" in html
    html = browser_client(team.member).get(f"/goals/{chain.product_goal.pk}/").content.decode()
    assert "Review due in 3 days" in html


def test_closed_goals_show_no_review_due(team, chain, browser_client):
    Goal.objects.filter(pk=chain.user_goal.pk).update(status=Status.ACHIEVED, outcome_note="Yes")
    html = browser_client(team.member).get(f"/goals/{chain.user_goal.pk}/").content.decode()
    assert "Review overdue" not in html


def test_review_overdue_is_in_chain_health_by_the_organisations_date(team, chain, api):
    Goal.objects.filter(pk=chain.product_goal.pk).update(next_review_on=TODAY)
    org = team.product.organization
    org.time_zone = "Pacific/Kiritimati"  # UTC+14: already 11 June there
    org.save()

    findings = api(team.member).get(f"/api/products/{team.product.pk}/health/").json()["findings"]

    overdue = {f["goal"] for f in findings if f["code"] == "review_overdue"}
    assert overdue == {chain.user_goal.pk, chain.product_goal.pk}
    goal = api(team.member).get(f"/api/goals/{chain.product_goal.pk}/").json()
    assert "review_overdue" in goal["health"]


# Progress charts ---------------------------------------------------------------------------


@pytest.fixture
def charted(team, chain):
    Goal.objects.filter(pk=chain.product_goal.pk).update(
        starts_on=TODAY - timedelta(days=30), ends_on=TODAY + timedelta(days=60)
    )
    kr = KeyResultFactory(
        goal=chain.product_goal, title="Weekly planners", unit="users",
        baseline=Decimal(100), target=Decimal(300), current=Decimal(100), owner=team.member,
        due_on=TODAY + timedelta(days=60),
    )  # fmt: skip
    check_in(chain.product_goal, team.member, 4, {kr: (100, 140)}, days_ago=20)
    check_in(chain.product_goal, team.leader, 3, {kr: (140, 175)}, days_ago=6)
    return kr


def test_each_key_result_has_a_progress_chart_against_its_plan(
    team, chain, charted, browser_client
):
    html = browser_client(team.stakeholder).get(f"/goals/{chain.product_goal.pk}/").content.decode()

    svg = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    assert 'role="img"' in svg
    assert f'aria-labelledby="chart-{charted.pk}-title chart-{charted.pk}-desc"' in svg
    assert "Progress of “Weekly planners”" in svg
    assert "From 100 users (baseline" in svg
    assert "2 check-ins, the latest 175 users" in svg
    points = re.search(r'<polyline class="chart-line" points="([^"]+)"', svg).group(1).split()
    assert len(points) == 3  # the baseline at the start, then two check-ins
    assert points[0].startswith("16.0,")  # the goal's start is the left edge
    assert '<line class="chart-plan"' in svg
    assert 'x2="424.0"' in svg  # the plan reaches the target at the key result's due date
    section = html[html.index('id="check-ins"') : html.index('id="check-ins"') + 20000]
    assert "style=" not in section  # CSP: no inline styles,
    assert "<script" not in section  # and no inline script


def test_the_chart_values_are_also_a_table(team, chain, charted, browser_client):
    html = browser_client(team.member).get(f"/goals/{chain.product_goal.pk}/").content.decode()
    assert '<td class="num">175 users</td>' in html


def test_the_goal_page_charts_confidence_over_time_with_a_table(
    team, chain, charted, browser_client
):
    html = browser_client(team.member).get(f"/goals/{chain.product_goal.pk}/").content.decode()

    figure = re.search(r'<figure class="kr-chart confidence-chart">.*?</figure>', html, re.S)
    svg = figure.group(0)
    goal = chain.product_goal
    assert (
        f'aria-labelledby="chart-confidence-{goal.pk}-title chart-confidence-{goal.pk}-desc"' in svg
    )
    assert 'role="img"' in svg
    assert f"Confidence in “{goal.title}”" in svg
    assert "2 check-ins, from 4 of 5 on 21 May 2026, now 3 of 5 on 4 Jun 2026." in svg
    points = re.search(r'<polyline class="chart-line" points="([^"]+)"', svg).group(1).split()
    assert len(points) == 2
    assert "<summary>The values" in svg
    assert '<td>4 Jun 2026, 10:00</td><td class="num">3 of 5</td>' in svg


def test_the_goal_page_spreads_one_days_check_ins_along_the_time_axis(
    team, chain, charted, browser_client
):
    morning = check_in(chain.product_goal, team.member, 2, {charted: (175, 180)}, days_ago=1)
    check_in(chain.product_goal, team.member, 4, {charted: (180, 190)}, days_ago=1)
    CheckIn.objects.filter(pk=morning.pk).update(created_at=NOW - timedelta(days=1, hours=6))

    html = browser_client(team.member).get(f"/goals/{chain.product_goal.pk}/").content.decode()

    for figure in re.findall(r'<figure class="kr-chart.*?</figure>', html, re.S):
        points = re.search(r'class="chart-line" points="([^"]+)"', figure).group(1).split()
        xs = [float(point.split(",")[0]) for point in points[-2:]]
        assert xs[0] < xs[1]  # the morning's check-in left of the evening's


def test_the_goal_page_lists_check_ins_with_their_values(team, chain, charted, browser_client):
    html = browser_client(team.member).get(f"/goals/{chain.product_goal.pk}/").content.decode()
    history = html[html.index('id="check-ins-title"') :]
    assert history.index("Lea Leader") < history.index("Tom Team")  # newest first
    assert "confidence 3 of 5" in history
    assert "<del>140</del>" in history and "<ins>175</ins>" in history


def test_the_goal_page_reads_check_ins_in_fixed_queries(team, chain, charted, browser_client):
    client = browser_client(team.member)
    url = f"/goals/{chain.product_goal.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        check_in(chain.product_goal, team.member, 1 + i % 5, {charted: (175, 180 + i)}, days_ago=5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)


# The review meeting ------------------------------------------------------------------------


def meeting(product) -> str:
    return f"/products/{product.pk}/reviews/"


def test_the_review_meeting_groups_goals_due_this_period_by_level(team, chain, browser_client):
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(next_review_on=TODAY + timedelta(days=30))
    Goal.objects.filter(pk=chain.vision.pk).update(next_review_on=TODAY + timedelta(days=80))

    html = browser_client(team.stakeholder).get(meeting(team.product)).content.decode()

    sections = dict(re.findall(r'id="reviews-(\w+)-title">(.*?)</section>', html, re.S))
    assert chain.user_goal.title in sections["user"]  # overdue
    assert chain.product_goal.title in sections["product"]  # in 3 days, within two weeks
    assert chain.sprint_goal.title not in sections["sprint"]  # a month away, weekly cadence
    assert chain.vision.title in sections["vision"]  # within the quarter
    assert "Nothing due." in sections["business"]
    assert "Every two weeks · due by 24 Jun 2026" in sections["product"]


def test_the_review_meeting_shows_latest_values_confidence_trend_and_open_comments(
    team, chain, browser_client
):
    kr = KeyResultFactory(
        goal=chain.product_goal, title="Weekly planners", unit="users",
        baseline=Decimal(100), target=Decimal(300), current=Decimal(100), owner=team.member,
    )  # fmt: skip
    check_in(chain.product_goal, team.member, 4, {kr: (100, 150)}, days_ago=14)
    check_in(chain.product_goal, team.member, 2, {kr: (150, 160)}, days_ago=1)
    Comment.objects.create(
        product=team.product, goal=chain.product_goal, author=team.stakeholder,
        body="Can we test with **families**?", body_html="<p>Can we test with families?</p>",
    )  # fmt: skip
    Comment.objects.create(
        product=team.product, goal=chain.product_goal, author=team.member,
        body="Done.", body_html="<p>Done.</p>", resolved_at=NOW,
    )  # fmt: skip

    html = browser_client(team.leader).get(meeting(team.product)).content.decode()

    item = html[html.index(chain.product_goal.title) :]
    assert '<td class="num" data-label="Now">160 users</td>' in item
    assert '<td class="num" data-label="Change">+10</td>' in item
    assert '<span class="trend trend-dropping">dropping</span>' in item
    assert "1 open comment" in item
    assert "Can we test with families?" in item
    assert "Done." not in item
    assert f'href="/goals/{chain.product_goal.pk}/check-in/"' in item


def test_the_review_meeting_charts_each_goals_confidence_with_a_table(team, chain, browser_client):
    check_in(chain.product_goal, team.member, 4, {}, days_ago=14)
    check_in(chain.product_goal, team.member, 2, {}, days_ago=1)

    html = browser_client(team.leader).get(meeting(team.product)).content.decode()

    item = html[html.index(chain.product_goal.title) :]
    figure = re.search(r'<figure class="kr-chart confidence-chart">.*?</figure>', item, re.S)
    svg = figure.group(0)
    assert 'role="img"' in svg
    assert "2 check-ins, from 4 of 5 on 27 May 2026, now 2 of 5 on 9 Jun 2026." in svg
    assert '<td>9 Jun 2026, 10:00</td><td class="num">2 of 5</td>' in svg
    assert "style=" not in item and "<script" not in item.split("</main>")[0]
    user_goal = html[html.index(chain.user_goal.title) : html.index(chain.product_goal.title)]
    assert "confidence-chart" not in user_goal  # no check-ins, no chart


def test_the_review_meeting_costs_a_fixed_number_of_queries(
    team, chain, browser_client, django_assert_num_queries
):
    def add_goals(count: int) -> None:
        for i in range(count):
            goal = make_goal(
                team.product, Level.PRODUCT, chain.user_goal, status=Status.AGREED,
                owner=team.member, next_review_on=TODAY + timedelta(days=i % 10),
            )  # fmt: skip
            kr = KeyResultFactory(goal=goal, owner=team.member)
            check_in(goal, team.member, 3, {kr: (10, 12)}, days_ago=3)
            check_in(goal, team.member, 4, {kr: (12, 15)}, days_ago=1)
            Comment.objects.create(product=team.product, goal=goal, author=team.member, body="?")

    client = browser_client(team.member)
    for count in (1, 40):
        add_goals(count)
        # 1 session, 2 user, 3 product with my roles, 4 schedule, 5 goals due with owners,
        # 6 their check-ins with authors, 7 the latest check-ins' values, 8 key results with
        # owners, 9 open comments with authors.
        with django_assert_num_queries(9):
            response = client.get(meeting(team.product))
        assert response.status_code == 200
        assert response.content.decode().count('class="review-item"') >= count


def test_the_review_meeting_is_hidden_from_other_organisations(team, chain, browser_client):
    assert browser_client(team.outsider).get(meeting(team.product)).status_code == 404


def test_the_product_tabs_link_to_the_review_meeting(team, chain, browser_client):
    html = browser_client(team.member).get(f"/products/{team.product.pk}/").content.decode()
    assert f'href="{meeting(team.product)}"' in html
