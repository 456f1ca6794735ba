"""Reads of the values that reach key results from data: a product's metric tokens, the key
results a token can push to, the data sources due for a fetch, and the data points a key
result's chart shows. One query each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from goals.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    KeyResult,
    MetricSource,
    MetricToken,
    MetricValue,
    Product,
)

# A chart shows at most this many of a key result's latest data points: an hourly source
# sends 24 a day, and a line of thousands of points says no more than one of a hundred.
CHART_POINTS = 100


def metric_tokens_of(product: Product) -> QuerySet[MetricToken]:
    """The product's metric tokens, newest first."""
    return MetricToken.objects.filter(product=product).order_by("-created_at", "-id")


def push_targets(product: Product) -> QuerySet[KeyResult]:
    """The key results of the product's open goals, which tokens push values to, with their
    goals."""
    return (
        KeyResult.objects.filter(goal__product=product, goal__status__in=OPEN_STATUSES)
        .select_related("goal")
        .order_by("goal__title", "goal_id", "id")
    )


def due_metric_sources(now: datetime) -> list[int]:
    """The data sources whose next fetch has come, oldest due first; a closed goal's key
    results take no more values, so their sources rest."""
    return list(
        MetricSource.objects.filter(next_fetch_at__lte=now)
        .exclude(key_result__goal__status__in=CLOSED_STATUSES)
        .order_by("next_fetch_at", "id")
        .values_list("pk", flat=True)
    )


def chart_points(key_result_ids: Iterable[int]) -> dict[int, list[MetricValue]]:
    """The latest data points of each key result (up to CHART_POINTS), oldest first."""
    latest = (
        MetricValue.objects.filter(key_result_id__in=list(key_result_ids))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("key_result_id"),
                order_by=[F("at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=CHART_POINTS)
        .order_by("key_result_id", "at", "id")
    )
    points: dict[int, list[MetricValue]] = defaultdict(list)
    for point in latest:
        points[point.key_result_id].append(point)
    return points
