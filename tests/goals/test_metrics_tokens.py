"""Metric tokens: a leader makes one for a product, its secret is shown once and kept only as
a hash, and a revoked one pushes nothing (the API and the page)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from goals.models import MetricToken
from goals.services.metrics import metric_token_create
from tests.conftest import api_client_for
from tests.factories import KeyResultFactory, make_chain

pytestmark = pytest.mark.django_db


def tokens_url(product) -> str:
    return f"/api/products/{product.pk}/metric-tokens/"


def push(secret: str, key_result, body: dict | None = None):
    client = api_client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.post(f"/api/key-results/{key_result.pk}/values/", body or {"value": 12})


@pytest.fixture
def key_result(team):
    chain = make_chain(team.product)
    return KeyResultFactory(goal=chain.product_goal, owner=team.member)


def test_a_leader_creates_a_token_whose_secret_is_shown_once_and_kept_hashed(team):
    client = api_client_for(team.leader)

    response = client.post(tokens_url(team.product), {"name": "Nightly warehouse export"})

    assert response.status_code == 201
    body = response.json()
    secret = body.pop("token")
    assert secret.startswith("gcm_")
    assert set(body) == {"id", "name", "prefix", "created_at", "last_used_at"}
    assert body["name"] == "Nightly warehouse export"
    assert secret.startswith(body["prefix"]) and len(body["prefix"]) < len(secret) // 3
    assert body["last_used_at"] is None
    stored = MetricToken.objects.get(pk=body["id"])
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {value for value in vars(stored).values() if isinstance(value, str)}
    assert stored.created_by == team.leader


def test_the_list_never_shows_the_secret(team):
    _, secret = metric_token_create(actor=team.leader, product=team.product, name="BI")
    client = api_client_for(team.org_admin)

    response = client.get(tokens_url(team.product))

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["name"] == "BI" and "token" not in row
    assert secret not in response.content.decode()


def test_a_revoked_token_pushes_nothing(team, key_result):
    token, secret = metric_token_create(actor=team.leader, product=team.product, name="BI")
    assert push(secret, key_result).status_code == 201

    response = api_client_for(team.org_admin).delete(f"/api/metric-tokens/{token.pk}/")

    assert response.status_code == 204
    refused = push(secret, key_result, {"value": 13})
    assert refused.status_code == 401
    assert refused.json() == {"detail": "This metric token is unknown or was revoked."}
    assert key_result.metric_values.count() == 1


@pytest.mark.parametrize("role", ["member", "stakeholder"])
def test_only_leaders_and_admins_manage_tokens(team, role):
    token, _ = metric_token_create(actor=team.leader, product=team.product, name="BI")
    client = api_client_for(getattr(team, role))

    assert client.get(tokens_url(team.product)).status_code == 403
    assert client.post(tokens_url(team.product), {"name": "Mine"}).status_code == 403
    assert client.delete(f"/api/metric-tokens/{token.pk}/").status_code == 403
    assert list(MetricToken.objects.values_list("name", flat=True)) == ["BI"]


def test_another_organisations_tokens_are_not_found(team):
    token, _ = metric_token_create(actor=team.leader, product=team.product, name="BI")
    client = api_client_for(team.outsider)

    assert client.get(tokens_url(team.product)).status_code == 404
    assert client.post(tokens_url(team.product), {"name": "Theirs"}).status_code == 404
    assert client.delete(f"/api/metric-tokens/{token.pk}/").status_code == 404
    assert MetricToken.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the token a name, e.g. what will push values with it."),
        ("   ", "Give the token a name, e.g. what will push values with it."),
        ("x" * 101, "Keep the name to 100 characters or fewer."),
    ],
)
def test_a_token_needs_a_name(team, name, message):
    response = api_client_for(team.leader).post(tokens_url(team.product), {"name": name})

    assert response.status_code == 400
    assert response.json() == {"name": [message]}
    assert not MetricToken.objects.exists()


def test_the_last_use_is_recorded_at_most_once_a_minute(team, key_result):
    token, secret = metric_token_create(actor=team.leader, product=team.product, name="BI")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        push(secret, key_result)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        push(secret, key_result)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        push(secret, key_result)
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


@pytest.mark.parametrize("rows", [1, 60])
def test_the_token_list_reads_a_fixed_number_of_queries(team, django_assert_num_queries, rows):
    for n in range(rows):
        metric_token_create(actor=team.leader, product=team.product, name=f"Export {n}")
    client = api_client_for(team.leader)
    # 1. the personal token and its user, 2. the product with my roles,
    # 3. the count of tokens, 4. the page of tokens
    with django_assert_num_queries(4):
        response = client.get(f"{tokens_url(team.product)}?page_size=100")
    assert len(response.json()["results"]) == rows
