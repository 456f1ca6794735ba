"""What a chain is made of, each read in one query: the chain's signature, under which the
API caches its JSON and the pages keep the chains they loaded, and each goal's own, under
which the API caches a goal's JSON and puts a changed chain together again. Nothing has to
remember to invalidate them."""

from __future__ import annotations

import hashlib
import time
from datetime import date
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db import connection

from goals.models import (
    Goal,
    GoalLink,
    KeyResult,
    Organization,
    OrganizationMembership,
    Product,
    User,
)
from goals.rules.quality import QualitySettings
from goals.rules.schedule import local_today


def chain_signature(product: Product, people: Any = None) -> str:
    """What a chain shows depends on, read in one aggregate query (with `people`, the
    people_version() the caller read already).

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
    if people is None:
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


class GoalOutline(NamedTuple):
    """A goal as the signature query reads it: where it stands in the chain, and the
    signature of everything its JSON shows."""

    id: int
    level: str
    status: str
    starts_on: date | None
    ends_on: date | None
    links: str  # the count and the sum of the ids of its links to parents
    signature: str


class _Scope(NamedTuple):
    """Which goals an outline query reads, as SQL: a join and a condition for the key results
    (aliased `kr`), the same for the links to parents (`gl`), and a condition on the goals
    (`g`). Each condition takes the same parameters."""

    key_results_join: str
    key_results_where: str
    links_join: str
    links_where: str
    goals_where: str


def goal_outlines(
    matching: str, params: list[Any], member: User | None = None
) -> list[GoalOutline]:
    """One query for the goals whose ids match the SQL `matching` (with `params`), which
    follows a goal id: `IN (…)` or `= ANY(%s)`. Given a `member`, only goals of
    organisations they belong to."""
    scope = _Scope("", f"kr.goal_id {matching}", "", f"gl.child_id {matching}", f"g.id {matching}")
    return _outlines(scope, params, member)


def product_outlines(product: Product) -> list[GoalOutline]:
    """One query for every goal of a product. Each table is read by the product rather than
    by the list of its goals' ids, which PostgreSQL answers faster for a whole chain."""
    goal = Goal._meta.db_table
    scope = _Scope(
        f"JOIN {goal} kg ON kg.id = kr.goal_id",
        "kg.product_id = %s",
        f"JOIN {goal} cg ON cg.id = gl.child_id",
        "cg.product_id = %s",
        "g.product_id = %s",
    )
    return _outlines(scope, [product.pk])


def _outlines(scope: _Scope, params: list[Any], member: User | None = None) -> list[GoalOutline]:
    """The goals of `scope` with their signatures.

    As for the chain: every write to a goal or key result bumps its version, a new or deleted
    key result or link changes a count, a link replaced by another changes the sum of link
    ids. Parents count by their versions: their status and end date decide health codes.
    The product's goal-quality rules and the organisation's time zone (which decides the date)
    come from their rows; owners' names from the people counter, read with the bodies.
    """
    tables = (Goal, KeyResult, GoalLink, Product, Organization, OrganizationMembership)
    goal, key_result, link, product, organization, membership = (m._meta.db_table for m in tables)
    member_join = ""
    if member is not None:
        member_join = f"JOIN {membership} m ON m.organization_id = o.id AND m.user_id = %s"
        params = [member.pk, *params, *params, *params]
    else:
        params = params * 3
    # The signature is written by the database: formatting ten values a goal in Python
    # took longer than the query.
    parts = ("o.time_zone", "p.quality_rules_off", "p.max_live_product_goals", "g.version",
             "g.updated_at", "g.progress", "k.n", "k.u", "k.v", "l.n", "l.s", "l.v")  # fmt: skip
    signature = " || '|' || ".join(f"COALESCE(CAST({part} AS TEXT), '')" for part in parts)
    sql = f"""
        SELECT g.id, g.level, g.status, g.starts_on, g.ends_on,
               COALESCE(CAST(l.n AS TEXT), '') || '|' || COALESCE(CAST(l.s AS TEXT), ''),
               o.time_zone, {signature}
          FROM {goal} g
          JOIN {product} p ON p.id = g.product_id
          JOIN {organization} o ON o.id = p.organization_id
          {member_join}
          LEFT JOIN (SELECT kr.goal_id, COUNT(*) n, MAX(kr.updated_at) u, SUM(kr.version) v
                       FROM {key_result} kr {scope.key_results_join}
                      WHERE {scope.key_results_where} GROUP BY kr.goal_id) k
                 ON k.goal_id = g.id
          LEFT JOIN (SELECT gl.child_id, COUNT(*) n, SUM(gl.id) s, SUM(pg.version) v
                       FROM {link} gl {scope.links_join}
                       JOIN {goal} pg ON pg.id = gl.parent_id
                      WHERE {scope.links_where} GROUP BY gl.child_id) l
                 ON l.child_id = g.id
         WHERE {scope.goals_where}
    """  # table and column names come from the models, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    today: dict[str, date] = {}
    outlines = []
    for pk, level, status, starts_on, ends_on, links, time_zone, signature in rows:
        if time_zone not in today:
            today[time_zone] = local_today(time_zone)
        signature = f"{signature}|{today[time_zone]}"
        outlines.append(GoalOutline(pk, level, status, starts_on, ends_on, links, signature))
    return outlines
