"""The health trend: one snapshot per product a day, recorded by a beat job safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from goalchain.celery import app
from goals.models import HealthSnapshot, Level, Product
from goals.selectors.chain import load_chain
from goals.services.boards import health_snapshot_record
from goals.tasks import record_health_snapshots
from tests.factories import KeyResultFactory, ProductFactory, make_chain, make_goal, today


def test_the_daily_snapshot_is_a_beat_job():
    app.autodiscover_tasks(force=True)
    entry = app.conf.beat_schedule["health-snapshots"]
    assert entry["task"] == "goals.tasks.record_health_snapshots"
    assert entry["task"] in app.tasks


def test_it_records_a_products_health_with_its_findings_by_code(team):
    make_chain(team.product)
    make_goal(team.product, Level.PRODUCT, title="Improve planning")
    snapshot = health_snapshot_record(product_id=team.product.pk, day=today())
    chain = load_chain(team.product)
    assert snapshot is not None
    assert snapshot.score == chain.score
    assert snapshot.findings == len(chain.findings)
    assert snapshot.open_goals == 6
    assert snapshot.codes["orphan"] == 1
    assert snapshot.codes["vague_words"] == 1


def test_it_records_each_day_once(team):
    chain = make_chain(team.product)
    for goal in vars(chain).values():
        goal.owner = team.leader
        goal.save()
    for goal in (chain.user_goal, chain.business_goal, chain.product_goal):
        KeyResultFactory(goal=goal, owner=team.member)
    first = health_snapshot_record(product_id=team.product.pk, day=today())
    make_goal(team.product, Level.PRODUCT, title="An orphan changes the score")
    assert health_snapshot_record(product_id=team.product.pk, day=today()) is None
    assert HealthSnapshot.objects.get(product=team.product, day=today()).score == first.score
    tomorrow = health_snapshot_record(product_id=team.product.pk, day=today() + timedelta(days=1))
    assert tomorrow is not None and tomorrow.score < first.score


def test_it_skips_a_product_deleted_since_the_job_was_queued(db):
    assert health_snapshot_record(product_id=987654, day=today()) is None


def test_the_job_records_every_product_once_however_often_it_runs(team):
    ProductFactory.create_batch(3)
    make_chain(team.product)
    record_health_snapshots.delay()
    record_health_snapshots.delay()
    recorded = list(HealthSnapshot.objects.values_list("product_id", "day"))
    assert sorted(recorded) == sorted(
        (pk, today()) for pk in Product.objects.values_list("pk", flat=True)
    )
