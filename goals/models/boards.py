"""Seeing alignment: the daily snapshots of a product's chain health behind the health
dashboard's trend."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from goals.models.people import Product


class HealthSnapshot(models.Model):
    """A product's chain health on one day, recorded once a day for the health trend."""

    product = models.ForeignKey(Product, models.CASCADE, related_name="health_snapshots")
    day = models.DateField()
    score = models.PositiveSmallIntegerField()
    open_goals = models.PositiveIntegerField(default=0)
    findings = models.PositiveIntegerField(default=0)
    codes = models.JSONField(default=dict)  # findings per code, e.g. {"orphan": 2}
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["product", "day"]
        constraints = [
            models.UniqueConstraint(fields=["product", "day"], name="one_health_snapshot_a_day")
        ]

    def __str__(self) -> str:
        return f"Health of product {self.product_id} on {self.day}: {self.score}"
