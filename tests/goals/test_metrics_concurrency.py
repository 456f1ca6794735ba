"""Values from data arriving at the same moment (PostgreSQL: SQLite runs one writer at a time
anyway): no pushed value is lost, and a source read by two workers at once records once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from goals.models import GoalChange, KeyResult, MetricSource, MetricValue
from goals.services.metric_sources import metric_source_fetch
from goals.services.metrics import metric_token_create
from tests.conftest import api_client_for, skip_or_fail
from tests.factories import KeyResultFactory, make_chain
from tests.receiver import Reply

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS = 6


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL")


@pytest.fixture
def key_result(team):
    chain = make_chain(team.product)
    return KeyResultFactory(
        goal=chain.product_goal, owner=team.member, baseline=0, target=100, current=0
    )


def in_parallel(job, runs: int = RUNS) -> list:
    def run(n: int):
        try:
            return job(n)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=runs) as pool:
        return list(pool.map(run, range(runs)))


def test_parallel_pushes_keep_every_value_and_the_newest_is_current(postgres, team, key_result):
    _, secret = metric_token_create(actor=team.leader, product=team.product, name="Export")

    def push(n: int) -> int:
        client = api_client_for(None)
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        response = client.post(f"/api/key-results/{key_result.pk}/values/", {"value": n + 1})
        return response.status_code

    assert in_parallel(push) == [201] * RUNS
    points = list(MetricValue.objects.order_by("at", "id"))
    assert sorted(p.value for p in points) == [Decimal(n + 1) for n in range(RUNS)]
    key_result.refresh_from_db()
    assert key_result.current == points[-1].value
    moves = GoalChange.objects.filter(goal=key_result.goal, by_name="Export").count()
    assert key_result.version == 1 + moves


def test_a_source_read_by_parallel_workers_records_once(postgres, key_result, receiver):
    url = receiver.answer("/n", Reply(body=b"64", delay=0.2))
    # Written directly: saving it through the service would read it at once, after commit.
    source = MetricSource.objects.create(
        key_result=key_result, url=url, format="json", path="", every="hourly"
    )

    ran = in_parallel(lambda _: metric_source_fetch(source_id=source.pk))

    assert ran.count(True) == 1
    assert MetricValue.objects.count() == 1 and len(receiver.to("/n")) == 1
    assert KeyResult.objects.get(pk=key_result.pk).current == 64
