"""Pushing key-result values: with a metric token of the key result's product, or as a person
who may edit it. The newest value moves the key result's current value, its goal's progress
and history; an older one only joins the chart."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from goals.models import CheckIn, CheckInValue, GoalChange, KeyResult, MetricValue, Status
from goals.services.metrics import metric_token_create
from tests.conftest import api_client_for
from tests.factories import KeyResultFactory, ProductFactory, make_chain

pytestmark = pytest.mark.django_db

METRIC_ONLY = (
    "This is a metric token: it only pushes key-result values "
    "(POST /api/key-results/{id}/values/) and signs nobody in. Use a personal API token here."
)


@pytest.fixture
def chain(team):
    return make_chain(team.product)


@pytest.fixture
def key_result(team, chain):
    return KeyResultFactory(
        goal=chain.product_goal,
        owner=team.member,
        title="Weekly cooks",
        unit="cooks",
        baseline=Decimal(0),
        target=Decimal(1000),
        current=Decimal(0),
    )


@pytest.fixture
def secret(team):
    return metric_token_create(
        actor=team.leader, product=team.product, name="Nightly warehouse export"
    )[1]


def by_token(secret: str):
    client = api_client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def values_url(key_result) -> str:
    return f"/api/key-results/{key_result.pk}/values/"


def test_a_push_moves_current_progress_and_history_by_the_tokens_name(
    team, chain, key_result, secret
):
    response = by_token(secret).post(
        values_url(key_result), {"value": "250.5", "note": "From the warehouse"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["value"] == 250.5 and body["previous"] == 0
    assert body["by"] == "Nightly warehouse export"
    assert body["note"] == "From the warehouse" and body["became_current"] is True
    key_result.refresh_from_db()
    assert key_result.current == Decimal("250.5") and key_result.version == 2
    chain.product_goal.refresh_from_db()
    assert chain.product_goal.progress == 25
    chain.user_goal.refresh_from_db()
    assert chain.user_goal.progress == 25
    [entry] = (
        api_client_for(team.stakeholder)
        .get(f"/api/goals/{chain.product_goal.pk}/history/")
        .json()[:1]
    )
    assert entry["by"] is None and entry["by_name"] == "Nightly warehouse export"
    assert entry["changes"] == {"key_result:Weekly cooks.current": [0, 250.5]}
    assert entry["reason"] == "From the warehouse"


def test_the_goal_page_tells_who_moved_the_value(team, chain, key_result, secret, browser_client):
    by_token(secret).post(values_url(key_result), {"value": 40})

    html = browser_client(team.stakeholder).get(f"/goals/{chain.product_goal.pk}/").content
    page = html.decode()
    history = page[page.index('id="history-title"') :]
    assert "<strong>Nightly warehouse export</strong>" in history
    assert "Key result “Weekly cooks”: current value" in history
    activity = browser_client(team.stakeholder).get(f"/products/{team.product.pk}/activity/")
    assert (
        "<strong>Nightly warehouse export</strong> moved the current value of “Weekly cooks” "
        "from 0 to 40 on"
    ) in activity.content.decode()


def test_a_back_filled_value_joins_the_chart_but_leaves_current(key_result, secret):
    client = by_token(secret)
    client.post(values_url(key_result), {"value": 300})
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()

    response = client.post(values_url(key_result), {"value": 100, "at": yesterday})

    assert response.status_code == 201
    assert response.json()["became_current"] is False
    key_result.refresh_from_db()
    assert key_result.current == 300 and key_result.version == 2
    assert sorted(MetricValue.objects.values_list("value", flat=True)) == [100, 300]
    assert (
        GoalChange.objects.filter(goal=key_result.goal, by_name__isnull=False)
        .exclude(by_name="")
        .count()
        == 1
    )


def test_a_value_older_than_the_last_check_in_leaves_current(team, key_result, secret):
    check_in = CheckIn.objects.create(goal=key_result.goal, author=team.member, confidence=3)
    CheckInValue.objects.create(
        check_in=check_in, key_result=key_result, value=Decimal(500), previous=Decimal(0)
    )
    KeyResult.objects.filter(pk=key_result.pk).update(current=500)
    before = (check_in.created_at - timedelta(hours=1)).isoformat()

    response = by_token(secret).post(values_url(key_result), {"value": 10, "at": before})

    assert response.json()["became_current"] is False
    key_result.refresh_from_db()
    assert key_result.current == 500


def test_a_moment_in_the_future_is_refused(key_result, secret):
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()

    response = by_token(secret).post(values_url(key_result), {"value": 5, "at": tomorrow})

    assert response.status_code == 400
    assert response.json() == {
        "at": [
            "This moment is in the future: give the time the value was measured, or leave it "
            "out for now."
        ]
    }
    assert not MetricValue.objects.exists()


@pytest.mark.parametrize(
    "value", ["abc", "1e12", 100_000_000_000, "1.23456", True, None, "NaN", "Infinity", [1], ""]
)
def test_a_value_that_is_not_a_number_goal_chain_keeps_is_refused(key_result, secret, value):
    response = by_token(secret).post(values_url(key_result), {"value": value})

    assert response.status_code == 400
    assert response.json() == {
        "value": ["Give the value as a number below 100 billion, with at most four decimal places."]
    }
    key_result.refresh_from_db()
    assert key_result.current == 0 and not MetricValue.objects.exists()


def test_a_missing_value_and_a_long_note_are_refused(key_result, secret):
    response = by_token(secret).post(values_url(key_result), {"note": "x" * 501})

    assert response.status_code == 400
    assert set(response.json()) == {"value", "note"}


def test_another_products_token_finds_no_key_result(team, key_result):
    other = ProductFactory(organization=team.product.organization)
    _, theirs = metric_token_create(actor=team.org_admin, product=other, name="Theirs")

    response = by_token(theirs).post(values_url(key_result), {"value": 5})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not MetricValue.objects.exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/goals/"),
        ("get", "/api/tokens/"),
        ("post", "/api/key-results/"),
        ("get", "/api/products/{product}/metric-tokens/"),
        ("patch", "/api/key-results/{key_result}/"),
    ],
)
def test_a_metric_token_signs_nobody_in_anywhere_else(team, key_result, secret, method, url):
    address = url.format(product=team.product.pk, key_result=key_result.pk)

    response = getattr(by_token(secret), method)(address, {"current": 5, "version": 1})

    assert response.status_code == 401
    assert response.json() == {"detail": METRIC_ONLY}
    key_result.refresh_from_db()
    assert key_result.current == 0


def test_a_metric_token_opens_no_workshop_room(team, secret, client):
    response = client.get("/api/workshops/1/events/", HTTP_AUTHORIZATION=f"Token {secret}")

    assert response.status_code == 401
    assert response.json() == {"detail": METRIC_ONLY}


def test_an_unknown_metric_token_is_refused(key_result):
    response = by_token("gcm_not-a-token").post(values_url(key_result), {"value": 5})

    assert response.status_code == 401
    assert response.json() == {"detail": "This metric token is unknown or was revoked."}


def test_a_team_member_pushes_with_a_personal_token(team, key_result):
    response = api_client_for(team.member).post(values_url(key_result), {"value": 70})

    assert response.status_code == 201
    assert response.json()["by"] == "Tom Team"
    change = GoalChange.objects.filter(goal=key_result.goal).latest("at", "id")
    assert change.by == team.member and change.by_name == ""


def test_a_stakeholder_may_not_push(team, key_result):
    response = api_client_for(team.stakeholder).post(values_url(key_result), {"value": 70})

    assert response.status_code == 403
    assert not MetricValue.objects.exists()


def test_nobody_signed_in_may_not_push(key_result):
    assert api_client_for(None).post(values_url(key_result), {"value": 7}).status_code == 401


def test_a_closed_goals_key_results_take_no_more_values(chain, key_result, secret):
    chain.product_goal.status = Status.ACHIEVED
    chain.product_goal.save(update_fields=["status"])

    response = by_token(secret).post(values_url(key_result), {"value": 5})

    assert response.status_code == 409
    assert "its key results take no more values" in response.json()["non_field_errors"][0]
    assert not MetricValue.objects.exists()


def test_the_same_value_again_is_a_point_but_no_change(key_result, secret):
    client = by_token(secret)
    client.post(values_url(key_result), {"value": 8})
    changes = GoalChange.objects.count()

    response = client.post(values_url(key_result), {"value": "8.0"})

    assert response.status_code == 201
    assert MetricValue.objects.count() == 2 and GoalChange.objects.count() == changes
    key_result.refresh_from_db()
    assert key_result.version == 2


def test_a_push_reaches_the_cached_goal_and_chain(team, chain, key_result, secret):
    client = api_client_for(team.member)
    goal_url = f"/api/goals/{chain.product_goal.pk}/"
    chain_url = f"/api/products/{team.product.pk}/chain/"
    assert client.get(goal_url).json()["key_results"][0]["current"] == 0
    client.get(chain_url)

    by_token(secret).post(values_url(key_result), {"value": 500})

    goal = client.get(goal_url).json()
    assert goal["key_results"][0]["current"] == 500 and goal["progress"] == 50
    assert "source" not in goal["key_results"][0]  # a data source shows on the key result
    assert '"current":500,' in client.get(chain_url).content.decode()


def test_an_export_keeps_who_moved_a_value_through_an_import(team, key_result, secret):
    by_token(secret).post(values_url(key_result), {"value": 120, "note": "Nightly"})
    document = (
        api_client_for(team.leader)
        .get(f"/api/products/{team.product.pk}/export/?format=json")
        .json()
    )
    [moved] = [h for h in document["history"] if h["by_name"]]
    assert moved["by"] is None and moved["by_name"] == "Nightly warehouse export"
    assert moved["changes"] == {"key_result:Weekly cooks.current": [0, 120]}

    response = api_client_for(team.org_admin).post(
        "/api/products/import/",
        {"organization": team.product.organization_id, "document": document},
    )

    assert response.status_code == 201, response.content
    copied = GoalChange.objects.filter(goal__product_id=response.json()["product"]["id"])
    assert copied.filter(by_name="Nightly warehouse export", reason="Nightly").count() == 1
