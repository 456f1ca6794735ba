"""The metric tokens page: leaders create one (its secret shown once, in a worked example of a
push) and revoke one; nobody else gets in."""

from __future__ import annotations

import pytest

from goals.models import MetricToken
from goals.services.metrics import metric_token_create
from tests.factories import KeyResultFactory, make_chain

pytestmark = pytest.mark.django_db


def page_url(product) -> str:
    return f"/products/{product.pk}/metric-tokens/"


def test_a_leader_sees_the_secret_once_in_the_example_of_a_push(team, browser_client):
    chain = make_chain(team.product)
    kr = KeyResultFactory(goal=chain.product_goal, owner=team.member, title="Weekly cooks")
    client = browser_client(team.leader)

    created = client.post(page_url(team.product), {"name": "Nightly warehouse export"})

    assert created.status_code == 302 and created["Location"] == page_url(team.product)
    html = client.get(page_url(team.product)).content.decode()
    token = MetricToken.objects.get()
    secret = html.split('id="new-token" value="')[1].split('"')[0]
    assert secret.startswith(token.prefix) and secret.startswith("gcm_")
    assert 'data-copy="new-token"' in html
    assert f"curl -X POST &#x27;http://testserver/api/key-results/{kr.pk}/values/&#x27;" in html
    assert f"Authorization: Token {secret}" in html
    assert "Weekly cooks" in html and f"/api/key-results/{kr.pk}/values/" in html
    again = client.get(page_url(team.product)).content.decode()
    assert secret not in again and 'id="new-token"' not in again
    assert "Authorization: Token gcm_…" in again
    assert "Nightly warehouse export" in again


def test_a_name_is_asked_for_on_the_page(team, browser_client):
    response = browser_client(team.leader).post(page_url(team.product), {"name": ""})

    assert response.status_code == 400
    assert "Give the token a name, e.g. what will push values with it." in response.content.decode()
    assert not MetricToken.objects.exists()


def test_a_leader_revokes_a_token(team, browser_client):
    token, _ = metric_token_create(actor=team.org_admin, product=team.product, name="BI")
    client = browser_client(team.leader)

    response = client.post(f"{page_url(team.product)}{token.pk}/revoke/", follow=True)

    assert not MetricToken.objects.exists()
    html = response.content.decode()
    assert "Revoked the metric token “BI”: its pushes are refused from now on." in html
    assert "has no metric tokens" in html


@pytest.mark.parametrize("role", ["member", "stakeholder"])
def test_the_page_is_for_leaders(team, browser_client, role):
    token, _ = metric_token_create(actor=team.leader, product=team.product, name="BI")
    client = browser_client(getattr(team, role))

    assert client.get(page_url(team.product)).status_code == 403
    assert client.post(page_url(team.product), {"name": "Mine"}).status_code == 403
    assert client.post(f"{page_url(team.product)}{token.pk}/revoke/").status_code == 403
    assert list(MetricToken.objects.values_list("name", flat=True)) == ["BI"]


def test_the_members_page_links_leaders_to_it(team, browser_client):
    link = f'href="{page_url(team.product)}"'
    members = f"/products/{team.product.pk}/members/"
    assert link in browser_client(team.leader).get(members).content.decode()
    assert link not in browser_client(team.member).get(members).content.decode()


@pytest.mark.parametrize("rows", [1, 40])
def test_the_page_reads_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, rows
):
    chain = make_chain(team.product)
    for n in range(rows):
        metric_token_create(actor=team.leader, product=team.product, name=f"Export {n}")
        KeyResultFactory(goal=chain.product_goal, owner=team.member)
    client = browser_client(team.leader)
    # 1 session, 2 user, 3 product with my roles, 4 the key results pushed to with their
    # goals, 5 the tokens
    with django_assert_num_queries(5):
        response = client.get(page_url(team.product))
    assert response.content.decode().count("/revoke/") == rows
