"""The chains the pages show, kept by each web process while nothing in them changes.

The pages that show a whole chain (the chain page and its folded branches, the health board,
the roadmap) read it far more often than it changes. A web process keeps the chains it
loaded last, each with the chain's signature (goals/selectors/signature.py) read before it
was loaded. While the signature holds, the chain is taken as it is. Once it moved, the rows
that tell what changed are read again (each goal's and key result's version and time of
writing, each goal's progress, the links): when only a few goals changed, those goals are
loaded again, and the findings of those goals and their children worked out anew (all of
them when the date or the product's quality rules changed); when goals came or went, links
changed, a goal moved in the chain's order or a person was renamed, the whole chain is
loaded again. Nothing has to remember to forget a chain.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from goals.models import Goal, GoalLink, KeyResult, Product
from goals.rules.quality import QualitySettings
from goals.rules.remembered import Remembered
from goals.rules.schedule import local_today
from goals.selectors.chain import Chain, load_chain, load_goals
from goals.selectors.signature import chain_signature, people_version

# A chain of 10,000 goals kept is about 22 MB: a process keeps two, none larger than this.
_KEPT_CHAINS = 2
_LARGEST_KEPT = 20_000
# Beyond this many changed goals, loading the whole chain is as quick.
FEW_CHANGED = 100


@dataclass(frozen=True)
class _Kept:
    signature: str
    people: Any  # people_version() before the chain was loaded: owners' names
    chain: Chain


_KEPT: Remembered[int, _Kept] = Remembered(_KEPT_CHAINS)


def current_chain(product: Product) -> Chain:
    """The product's chain as load_chain reads it, kept from an earlier read while nothing in
    it changed (one query to know), else brought up to date or loaded, and kept.

    What decides is read before what is loaded, so a write landing in between can only make
    the kept chain newer than what was read, which the next read then loads again; never
    older. The chain's goals are shared by the requests that read it: read only."""
    people = people_version()
    signature = chain_signature(product, people)
    kept = _KEPT.get(product.pk)
    if kept is not None and kept.signature == signature:
        return kept.chain
    chain = None
    if kept is not None and kept.people == people:
        chain = _brought_up_to_date(product, kept.chain)
    if chain is None:
        chain = load_chain(product)
    if len(chain.goals) <= _LARGEST_KEPT:
        _KEPT.keep(product.pk, _Kept(signature, people, chain))
    return chain


def forget_kept_chains() -> None:
    """Empty this process's memory of chains, as a new process starts."""
    _KEPT.clear()


def _brought_up_to_date(product: Product, chain: Chain) -> Chain | None:
    """`chain` with the goals changed since loaded again (3 queries to find them, 3 to load
    them when there are any) and its findings worked out anew, or None when it has to be
    loaded whole."""
    rows = Goal.objects.filter(product=product).values_list(
        "id", "version", "progress", "updated_at"
    )
    goals = {pk: written for pk, *written in rows}
    if goals.keys() != chain.by_id.keys():
        return None
    # One link a pair of goals (a constraint): compared as sets.
    links = GoalLink.objects.filter(child__product=product).values_list("child_id", "parent_id")
    if set(links) != {(child, parent) for child, ps in chain.parent_ids.items() for parent in ps}:
        return None
    changed = {
        pk for pk, written in goals.items()
        if [(goal := chain.by_id[pk]).version, goal.progress, goal.updated_at] != written
    }  # fmt: skip
    key_result_rows = KeyResult.objects.filter(goal__product=product).values_list(
        "id", "goal_id", "version", "updated_at"
    )
    before = {
        (kr.id, kr.goal_id, kr.version, kr.updated_at)
        for krs in chain.key_results.values()
        for kr in krs
    }
    changed.update(goal for _, goal, *_ in before.symmetric_difference(key_result_rows))
    if len(changed) > FEW_CHANGED:
        return None
    fresh, fresh_key_results = load_goals(product, changed) if changed else ([], {})
    reloaded = {goal.id: goal for goal in fresh}
    for pk, goal in reloaded.items():
        kept = chain.by_id[pk]
        if (goal.level, goal.starts_on) != (kept.level, kept.starts_on):
            return None  # its place in the chain's order moved
    key_results = defaultdict(list, chain.key_results)
    for pk in changed:
        key_results[pk] = fresh_key_results.get(pk, [])
    known = None
    if (local_today(product.organization.time_zone), QualitySettings.of(product)) == (
        chain.today,
        chain.quality,
    ):
        # A goal's findings read the goal, its key results and its parents: those of the
        # goals changed and of their children are worked out again.
        stale = changed.union(*(chain.child_ids.get(pk, ()) for pk in changed))
        found = chain.findings_by_goal()
        known = {pk: found.get(pk, []) for pk in chain.by_id if pk not in stale}
    return Chain(
        product,
        [reloaded.get(goal.id, goal) for goal in chain.goals],
        chain.parent_ids,
        chain.child_ids,
        key_results,
        known,
    )
