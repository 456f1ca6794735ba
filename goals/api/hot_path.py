"""The API's measured hot path: goals as ready-made JSON bytes, from which
goals/api/chain_body.py puts whole chains together.

The chain and goal endpoints answer from JSON built here by hand, not by serializers, and
cached under signatures that change whenever anything shown changes. Serializers elsewhere
declare their fields; only this module (and the chain's head in chain_body.py) builds dicts,
because it is what `make bench` measures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch, QuerySet

from goalchain.cache import set_many_after_answer
from goalchain.renderers import JSONRenderer
from goals.models import (
    MAX_ID,
    Goal,
    KeyResult,
    User,
    key_result_progress,
)
from goals.rules.health import Finding, goal_findings
from goals.rules.schedule import local_today
from goals.selectors.signature import PEOPLE_KEY, GoalOutline, goal_outlines
from goals.wording import json_number

CHAIN_CACHE_SECONDS = 24 * 60 * 60
# More goals' bodies than this, built at once, are cached after the answer.
FEW_TO_WRITE_AT_ONCE = 100


# Each goal's JSON is cached under its signature, with its health findings as the chain
# health endpoint lists them (the JSON objects, comma-separated; empty when it has none):
# the goal detail and list serve the body, a chain is assembled from the bodies, its health
# from the findings, and its score from which goals have any.
type GoalBody = tuple[bytes, bytes]


def goal_body(
    goal: Goal,
    *,
    parent_ids: Iterable[int],
    key_results: Iterable[KeyResult],
    findings: list[Finding],
) -> GoalBody:
    """A goal's body and findings, from the goal with its parents' ids, key results (their
    owners loaded) and findings."""
    data = goal_as_dict(
        goal, parent_ids=parent_ids, key_results=key_results, health=codes_of(findings)
    )
    return JSONRenderer().render(data), findings_json(findings)


def findings_json(findings: Iterable[Finding]) -> bytes:
    """Findings as the chain health endpoint lists them: their JSON objects, comma-separated
    (no brackets, so that lists of them join into one)."""
    listed = [f.as_dict() for f in findings]
    return JSONRenderer().render(listed)[1:-1] if listed else b""  # most goals have none


def codes_of(findings: Iterable[Finding]) -> list[str]:
    """A goal's health codes: each code of its findings once, in their order."""
    return list(dict.fromkeys(f.code for f in findings))


def full_signatures(outlines: Iterable[GoalOutline], people: Any) -> dict[int, str]:
    """Each goal's signature with the names it shows (people_version)."""
    return {o.id: f"{o.signature}|{people}" for o in outlines}


def goal_bodies(
    outlines: list[GoalOutline],
    build: Callable[[list[int]], dict[int, GoalBody]],
    signatures: dict[int, str] | None = None,
) -> dict[int, GoalBody]:
    """The goals' bodies, from the cache where the signature still holds, else made by
    `build` from the ids missing and cached. A goal gone meanwhile is left out.

    `signatures` are full_signatures the caller read already; else the names' version is
    read with the bodies."""
    keys = {o.id: f"chain:goal:{o.id}:findings" for o in outlines}
    if not keys:
        return {}
    if signatures is None:
        found = cache.get_many([*keys.values(), PEOPLE_KEY])
        signatures = full_signatures(outlines, found.get(PEOPLE_KEY, 0))
    else:
        found = cache.get_many(list(keys.values()))
    bodies: dict[int, GoalBody] = {}
    for pk, key in keys.items():
        entry = found.get(key)
        if entry is not None and entry[0] == signatures[pk]:
            bodies[pk] = entry[1:]
    missing = [pk for pk in keys if pk not in bodies]
    if missing:
        built = build(missing)
        entries = {keys[pk]: (signatures[pk], *body) for pk, body in built.items()}
        keep_built(entries, large=len(entries) > FEW_TO_WRITE_AT_ONCE)
        bodies.update(built)
    return bodies


def keep_built(entries: dict[str, Any], *, large: bool) -> None:
    """Cache built entries, each holding the signature it was built under: a large write after
    the answer (goalchain/cache.py), a small one at once, so that the next read finds it."""
    if large:
        set_many_after_answer(entries, CHAIN_CACHE_SECONDS)
    else:
        cache.set_many(entries, CHAIN_CACHE_SECONDS)


def bodies_one_by_one(pks: list[int]) -> dict[int, GoalBody]:
    """Bodies of a few goals, anywhere: a fixed number of queries, prefetched."""
    loaded = goals_for_api(Goal.objects.select_related("product__organization"))
    return {
        goal.pk: goal_body(
            goal,
            parent_ids=[p.pk for p in goal.parents.all()],
            key_results=goal.key_results.all(),
            findings=prefetched_findings(goal),
        )
        for goal in loaded.filter(pk__in=pks)
    }


def goals_json(user: User, pks: Iterable[int]) -> dict[int, bytes]:
    """Each goal's API body by id, from the cache when nothing it shows changed, built and
    cached when something did; goals `user` may not see are left out. A body is the same
    for everyone who may see the goal."""
    ids = sorted({pk for pk in pks if 1 <= pk <= MAX_ID})
    if not ids:
        return {}
    params: list[Any]
    if connection.vendor == "postgresql":
        # The ids as one array: a placeholder per id made a new query text for each number
        # of ids, which psycopg parsed again on every call (it caches up to 50 parameters)
        # and PostgreSQL planned again; that took longer than answering it.
        matching, params = "= ANY(%s)", [ids]
    else:
        matching, params = f"IN ({', '.join(['%s'] * len(ids))})", ids
    outlines = goal_outlines(matching, params, member=user)
    return {pk: body for pk, (body, _) in goal_bodies(outlines, bodies_one_by_one).items()}


def goal_as_dict(
    goal: Goal,
    *,
    parent_ids: Iterable[int],
    key_results: Iterable[KeyResult],
    health: list[str],
) -> dict[str, Any]:
    """One goal as the API shows it; dates stay objects, which the JSON renderer writes."""
    # Called once per goal of a whole chain (10,000 in the benchmark): plain attribute reads,
    # no helper calls per field.
    owner = goal.owner
    return {
        "id": goal.id,
        "product": goal.product_id,
        "level": goal.level,
        "title": goal.title,
        "description": goal.description,
        "description_html": goal.description_html,
        "parents": sorted(parent_ids),
        "owner": goal.owner_id,
        "owner_name": owner.name if owner else None,
        "status": goal.status,
        "starts_on": goal.starts_on,
        "ends_on": goal.ends_on,
        "confidence": goal.confidence,
        "next_review_on": goal.next_review_on,
        "outcome_note": goal.outcome_note,
        "sprint_verdict": goal.sprint_verdict or None,
        "version": goal.version,
        "progress": goal.progress,
        "key_results": [key_result_as_dict(kr) for kr in key_results],
        "health": health,
        "created_at": goal.created_at,
        "updated_at": goal.updated_at,
    }


def key_result_as_dict(key_result: KeyResult) -> dict[str, Any]:
    baseline, target, current = key_result.baseline, key_result.target, key_result.current
    return {
        "id": key_result.id,
        "goal": key_result.goal_id,
        "title": key_result.title,
        "unit": key_result.unit,
        "baseline": json_number(baseline),
        "target": json_number(target),
        "current": json_number(current),
        "owner": key_result.owner_id,
        "owner_name": key_result.owner.name,
        "due_on": key_result.due_on,
        "progress": key_result_progress(baseline, target, current),
        "version": key_result.version,
    }


def goals_for_api(qs: QuerySet[Goal]) -> QuerySet[Goal]:
    """What a goal list or detail needs: owners, parents and key results in fixed queries."""
    return qs.select_related("owner").prefetch_related(
        Prefetch("parents", queryset=Goal.objects.order_by("id")),
        Prefetch("key_results", queryset=KeyResult.objects.select_related("owner")),
    )


def goal_api_dict(goal: Goal) -> dict[str, Any]:
    """One goal of `goals_for_api`, as the API shows it."""
    return goal_as_dict(
        goal,
        parent_ids=[p.pk for p in goal.parents.all()],
        key_results=goal.key_results.all(),
        health=codes_of(prefetched_findings(goal)),
    )


def prefetched_findings(goal: Goal) -> list[Finding]:
    """Health findings of one goal whose parents and key results are prefetched."""
    return goal_findings(
        goal,
        list(goal.parents.all()),
        list(goal.key_results.all()),
        today=local_today(goal.product.organization.time_zone),
    )
