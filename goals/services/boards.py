"""Writes behind the alignment boards: the Product Vision Board's texts, a product's choice of
goal-quality rules, and the daily health snapshot."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db import transaction

from goals.errors import Errors
from goals.models import OPEN_STATUSES, HealthSnapshot, Product, User
from goals.rules.quality import LABELS
from goals.selectors.chain import load_chain
from goals.services.versioning import check_version, model_update, save_versioned

VISION_BOARD_FIELDS = ("target_group", "needs", "product_summary")
BOARD_TEXT_MAX_LENGTH = 5_000
MAX_LIVE_PRODUCT_GOALS_LIMIT = 50


def vision_board_update(
    *, actor: User, product: Product, data: dict[str, str], version: int | None = None
) -> Product:
    """Change the Vision Board's target group, needs and product description."""
    errors = Errors()
    values = {}
    for name in VISION_BOARD_FIELDS:
        if name not in data:
            continue
        text = (data[name] or "").strip()
        if len(text) > BOARD_TEXT_MAX_LENGTH:
            errors.add(name, f"Keep it under {BOARD_TEXT_MAX_LENGTH:,} characters.")
        values[name] = text
    errors.raise_if_any()
    with transaction.atomic():
        current = Product.objects.select_for_update().get(pk=product.pk)
        check_version(current, version)
        model_update(current, values)
    return current


def quality_settings_update(
    *,
    actor: User,
    product: Product,
    rules_off: Iterable[str],
    max_live_product_goals: int,
    version: int | None = None,
) -> Product:
    """Switch goal-quality rules on or off for a product, and set its limit of live product
    goals."""
    errors = Errors()
    off = sorted(set(rules_off))
    unknown = [code for code in off if code not in LABELS]
    if unknown:
        errors.add("rules_off", f"Unknown rules: {', '.join(unknown)}.")
    if not 1 <= max_live_product_goals <= MAX_LIVE_PRODUCT_GOALS_LIMIT:
        errors.add(
            "max_live_product_goals",
            f"Choose between 1 and {MAX_LIVE_PRODUCT_GOALS_LIMIT} live product goals.",
        )
    errors.raise_if_any()
    with transaction.atomic():
        current = Product.objects.select_for_update().get(pk=product.pk)
        check_version(current, version)
        current.quality_rules_off = off
        current.max_live_product_goals = max_live_product_goals
        save_versioned(current, ["quality_rules_off", "max_live_product_goals"])
    return current


def health_snapshot_record(*, product_id: int, day: date) -> HealthSnapshot | None:
    """Record a product's chain health for `day`, once: when that day is already recorded
    (the job ran before, or runs twice at once) nothing changes and None is returned."""
    if HealthSnapshot.objects.filter(product_id=product_id, day=day).exists():
        return None
    product = Product.objects.select_related("organization").filter(pk=product_id).first()
    if product is None:  # deleted since the job was queued
        return None
    chain = load_chain(product)
    snapshot, created = HealthSnapshot.objects.get_or_create(
        product=product,
        day=day,
        defaults={
            "score": chain.score,
            "open_goals": sum(1 for g in chain.goals if g.status in OPEN_STATUSES),
            "findings": len(chain.findings),
            "codes": dict(Counter(f.code for f in chain.findings)),
        },
    )
    return snapshot if created else None
