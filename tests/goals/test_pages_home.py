"""Home: my organisations and products, my goals and key results, a new organisation."""

from __future__ import annotations

import pytest

from goals.models import Level, Organization, OrganizationMembership, OrgRole, Status
from tests.factories import (
    GoalFactory,
    InvitationFactory,
    KeyResultFactory,
    ProductFactory,
    add_member,
)


def test_it_lists_my_organisations_and_products(team, browser_client):
    html = browser_client(team.member).get("/").content.decode()
    assert team.product.organization.name in html
    assert f'href="/products/{team.product.pk}/"' in html
    assert "Team" in html


def test_it_lists_my_open_goals_and_key_results(team, browser_client):
    mine = GoalFactory(product=team.product, title="Mine to move", owner=team.member)
    GoalFactory(product=team.product, title="Closed one", owner=team.member, status=Status.DROPPED)
    other = GoalFactory(
        product=team.product, level=Level.PRODUCT, title="Lea's goal", owner=team.leader
    )
    KeyResultFactory(goal=other, title="My number", owner=team.member)
    html = browser_client(team.member).get("/").content.decode()
    assert "Mine to move" in html
    assert "My number" in html
    assert "Closed one" not in html
    assert f'href="/goals/{mine.pk}/"' in html


def test_it_does_not_show_other_organisations(team, browser_client):
    html = browser_client(team.member).get("/").content.decode()
    assert "Otto" not in html
    outsider_org = team.outsider.org_memberships.get().organization
    assert outsider_org.name not in html


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_it_creates_an_organisation_with_me_as_admin(team, browser_client):
    response = browser_client(team.member).post(
        "/organizations/new/", {"name": "Side project", "business_strategy": ""}
    )
    org = Organization.objects.get(name="Side project")
    assert response["Location"] == f"/organizations/{org.pk}/"
    assert (
        OrganizationMembership.objects.get(organization=org, user=team.member).role == OrgRole.ADMIN
    )


def test_it_shows_an_empty_organisation_name_inline(team, browser_client):
    response = browser_client(team.member).post("/organizations/new/", {"name": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give it a name." in html
    assert 'aria-invalid="true"' in html
    assert '<details class="disclosure" open>' in html


def test_it_links_the_api_docs_and_signs_out_by_post(team, browser_client):
    html = browser_client(team.member).get("/").content.decode()
    assert 'href="/api/docs/"' in html
    assert '<form method="post" action="/logout/">' in html


def test_it_loads_htmx_and_scripts_without_inline_code(team, browser_client):
    html = browser_client(team.member).get("/").content.decode()
    assert "django_htmx/htmx-2" in html
    assert '"includeIndicatorStyles": false, "defaultSettleDelay": 0' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "<script>" not in html and " on" + "click=" not in html and "hx-on" not in html
    assert 'style="' not in html


@pytest.mark.parametrize("rows", [1, 40])
def test_it_reads_home_in_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, rows
):
    for i in range(rows):
        product = ProductFactory(organization=team.product.organization)
        add_member(product, team.member)
        goal = GoalFactory(product=product, title=f"Goal {i}", owner=team.member)
        KeyResultFactory(goal=goal, owner=team.member)
        InvitationFactory(email=team.member.email, invited_by=team.leader)
    client = browser_client(team.member)
    # 1 session, 2 user, 3 products with my roles, 4 organisations with my role,
    # 5 my goals, 6 my key results, 7 invitations for me with what and who.
    with django_assert_num_queries(7):
        assert client.get("/").status_code == 200
