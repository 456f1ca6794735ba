"""What a chain is made of, read in one query: the signature under which the API caches its
JSON and the pages keep the chains they loaded. Nothing has to remember to invalidate them."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.core.cache import cache
from django.db import connection

from goals.models import Goal, GoalLink, KeyResult, Product
from goals.rules.quality import QualitySettings
from goals.rules.schedule import local_today


def chain_signature(product: Product) -> str:
    """What a chain shows depends on, read in one aggregate query.

    Every write to a goal bumps its version (and `updated_at`), progress roll-ups change the
    sum of progress, a new or deleted goal, key result or link changes a count, and a link
    replaced by another changes the sum of link ids (new ids are larger than all old ones).
    The product's and organisation's own texts are on the product row, read before this,
    and so is its choice of goal-quality rules, which decides the health codes.
    Owners' names count too: saving a user bumps a counter in the cache. Health depends on
    the date, so the date is part of the signature.
    """
    goal, key_result, link = (m._meta.db_table for m in (Goal, KeyResult, GoalLink))
    sql = f"""
        SELECT g.n, g.u, g.v, g.p, k.n, k.u, k.v, l.n, l.s FROM
        (SELECT COUNT(*) n, MAX(updated_at) u, SUM(version) v, SUM(progress) p
           FROM {goal} WHERE product_id = %s) g,
        (SELECT COUNT(*) n, MAX(kr.updated_at) u, SUM(kr.version) v
           FROM {key_result} kr JOIN {goal} kg ON kg.id = kr.goal_id
          WHERE kg.product_id = %s) k,
        (SELECT COUNT(*) n, SUM(gl.id) s
           FROM {link} gl JOIN {goal} lg ON lg.id = gl.child_id
          WHERE lg.product_id = %s) l
    """  # table names come from the models, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [product.pk] * 3)
        row = cursor.fetchone()
    quality = QualitySettings.of(product)
    texts = "\0".join(
        (
            product.name,
            product.portfolio_strategy,
            product.organization.business_strategy,
            ",".join(sorted(quality.off)),
            str(quality.max_live_product_goals),
        )
    )
    digest = hashlib.blake2b(texts.encode(), digest_size=16).hexdigest()
    people = people_version()
    today = local_today(product.organization.time_zone)
    return "|".join(map(str, (*row, digest, people, today)))


PEOPLE_KEY = "chain:people"


def people_version() -> Any:
    """What changes whenever a name any chain shows may have changed (see people_changed)."""
    return cache.get(PEOPLE_KEY, 0)


def people_changed(update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    """A saved user may be a renamed owner: every cached chain is built again.

    Signing in saves only `last_login`, which no chain shows."""
    if update_fields is not None and not update_fields & {"display_name", "email"}:
        return
    try:
        cache.incr(PEOPLE_KEY)
    except ValueError:  # not there yet (or evicted): any new value differs from the absent 0
        cache.set(PEOPLE_KEY, time.time_ns(), timeout=None)
