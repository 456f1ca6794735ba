"""Insights: qualitative findings and quantitative data points with their source, attached to
goals by any product member, shown beside the goal and counted on the chain page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from goals.models import Insight
from goals.services.insights import insight_create
from tests.factories import OrganizationMembershipFactory
from tests.goals.conversations import HTMX

pytestmark = pytest.mark.django_db


def insights_url(goal) -> str:
    return f"/api/goals/{goal.pk}/insights/"


def test_stakeholders_add_findings_and_data_points(team, goal, api):
    client = api(team.stakeholder)
    finding = client.post(
        insights_url(goal),
        {
            "kind": "qualitative",
            "summary": "Customer service hears weekly that planning takes too long.",
            "source": "Support tickets, Q3",
        },
    )
    assert finding.status_code == 201, finding.json()
    assert finding.json()["value"] is None
    number = client.post(
        insights_url(goal),
        {
            "kind": "quantitative",
            "summary": "Median time to plan a week",
            "source": "https://analytics.example.com/dash/42",
            "value": "34.5",
            "unit": "minutes",
        },
    )
    assert number.status_code == 201, number.json()
    data = number.json()
    assert (data["value"], data["unit"], data["author_name"]) == (
        34.5,
        "minutes",
        "Sam Stakeholder",
    )
    listed = api(team.member).get(insights_url(goal)).json()
    assert [i["kind"] for i in listed["results"]] == ["quantitative", "qualitative"]
    assert api(team.member).get(f"/api/insights/{data['id']}/").json()["summary"] == (
        "Median time to plan a week"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "quantitative", "summary": "x", "source": "y"}, "value"),
        ({"kind": "qualitative", "summary": "x", "source": "y", "value": 3}, "value"),
        ({"kind": "qualitative", "summary": " ", "source": "y"}, "summary"),
        ({"kind": "qualitative", "summary": "x", "source": ""}, "source"),
        ({"kind": "qualitative", "summary": "x" * 2001, "source": "y"}, "summary"),
        ({"kind": "qualitative", "summary": "x", "source": "y", "unit": "%"}, "unit"),
        ({"kind": "rumour", "summary": "x", "source": "y"}, "kind"),
        ({"kind": "quantitative", "summary": "x", "source": "y", "value": "NaN"}, "value"),
    ],
)
def test_it_refuses_insights_that_do_not_hold_up(team, goal, api, body, field):
    response = api(team.stakeholder).post(insights_url(goal), body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Insight.objects.exists()


def test_members_without_a_role_and_outsiders_cannot_add(team, goal, api):
    body = {"kind": "qualitative", "summary": "x", "source": "y"}
    viewer = OrganizationMembershipFactory(organization=team.product.organization).user
    assert api(viewer).post(insights_url(goal), body).status_code == 403
    assert api(team.outsider).post(insights_url(goal), body).status_code == 404
    insight = insight_create(actor=team.member, goal=goal, **body)
    for method in ("get", "delete"):
        assert (
            getattr(api(team.outsider), method)(f"/api/insights/{insight.pk}/").status_code == 404
        )
    assert api(team.outsider).get(insights_url(goal)).status_code == 404


def test_the_author_or_a_leader_removes_an_insight(team, goal, api):
    body = {"kind": "qualitative", "summary": "x", "source": "y"}
    mine = insight_create(actor=team.stakeholder, goal=goal, **body)
    theirs = insight_create(actor=team.member, goal=goal, **body)
    assert api(team.stakeholder).delete(f"/api/insights/{theirs.pk}/").status_code == 403
    assert api(team.stakeholder).delete(f"/api/insights/{mine.pk}/").status_code == 204
    assert api(team.leader).delete(f"/api/insights/{theirs.pk}/").status_code == 204
    assert not Insight.objects.exists()


def test_insights_show_beside_the_goal_with_safe_source_links(team, goal, browser_client):
    insight_create(
        actor=team.stakeholder,
        goal=goal,
        kind="quantitative",
        summary="Median planning time",
        source="https://analytics.example.com/x",
        value=Decimal(34),
        unit="minutes",
    )
    insight_create(
        actor=team.stakeholder,
        goal=goal,
        kind="qualitative",
        summary="Parents complain",
        source="javascript:alert(1)",
    )
    insight_create(
        actor=team.stakeholder,
        goal=goal,
        kind="qualitative",
        summary="Families plan on Sundays",
        source="Interviews 2026, notes at www.notes.example.org/sundays. Ask <Ana>",
    )
    html = browser_client(team.stakeholder).get(f"/goals/{goal.pk}/").content.decode()
    assert "Median planning time" in html
    assert "34 minutes" in html
    assert (
        '<a href="https://analytics.example.com/x" rel="nofollow">'
        "https://analytics.example.com/x</a>" in html
    )
    # A web address within the source's words is a link too; the words around it stay text.
    assert (
        'Interviews 2026, notes at <a href="https://www.notes.example.org/sundays" '
        'rel="nofollow">www.notes.example.org/sundays</a>. Ask &lt;Ana&gt;' in html
    )
    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html  # shown as text


def test_insights_are_added_from_the_page(team, goal, browser_client):
    client = browser_client(team.stakeholder)
    bad = client.post(
        f"/goals/{goal.pk}/insights/", {"kind": "quantitative", "summary": "x", "source": "y"}
    )
    assert bad.status_code == 400
    assert "A quantitative data point needs its value." in bad.content.decode()
    htmx = client.post(
        f"/goals/{goal.pk}/insights/",
        {"kind": "qualitative", "summary": "Found it", "source": "Interviews"},
        **HTMX,
    )
    assert htmx.status_code == 200
    assert htmx["HX-Retarget"] == "#insights"
    assert "Found it" in htmx.content.decode()
    insight = Insight.objects.get()
    assert client.post(f"/insights/{insight.pk}/delete/").status_code == 302
    assert not Insight.objects.exists()


def test_the_chain_page_counts_insights_per_goal(team, goal, browser_client):
    for n in range(3):
        insight_create(
            actor=team.stakeholder, goal=goal, kind="qualitative", summary=f"s{n}", source="x"
        )
    html = browser_client(team.stakeholder).get(f"/products/{team.product.pk}/").content.decode()
    assert (
        f'<a class="meta-item meta-insights" href="/goals/{goal.pk}/#insights">'
        '<span class="meta-label">Insights</span> 3' in html
    )
