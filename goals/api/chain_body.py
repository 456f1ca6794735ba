"""The chain and chain health endpoints' bodies: the product's whole tree, and every health
finding, put together from each goal's cached body and findings (goals/api/hot_path.py),
each cached as a whole under the chain's signature.

After a write to a few goals, the tree usually keeps its shape: each web process keeps the
last chain it put together, with where each goal's body sits in it and each goal's
findings, and puts only the changed goals' in again. Whether the shape held is read from
the same query as the goals' signatures: the set of goals, and each goal's level, status,
start date and links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

from goalchain.renderers import JSONRenderer
from goalchain.runtime import collector_paused
from goals.api.hot_path import (
    GoalBody,
    bodies_one_by_one,
    findings_json,
    full_signatures,
    goal_bodies,
    goal_body,
    keep_built,
)
from goals.models import OPEN_STATUSES, Product
from goals.rules.health import score_of, whole_chain_findings
from goals.rules.quality import QualitySettings
from goals.rules.quality_drafts import Surroundings, surroundings_of
from goals.rules.remembered import Remembered
from goals.rules.schedule import local_today
from goals.selectors.chain import in_chain_order, link_ids, load_chain, orphans_of, vision_of
from goals.selectors.signature import (
    GoalOutline,
    chain_signature,
    people_version,
    product_outlines,
)

# Up to this many goals to build, a chain's missing bodies are built goal by goal; beyond,
# the whole chain is loaded at once (load_chain: a few microseconds a goal, not a query).
FEW_TO_BUILD = 100

# A chain of 10,000 goals kept in memory is about 15 MB: a web process keeps the last few
# chains it put together, and none larger than this.
_KEPT_CHAINS = 4
_LARGEST_KEPT = 20_000
# A body larger than this (a chain of about 1,000 goals) is cached after the answer.
LARGE_BODY = 1_000_000


def chain_json(product: Product) -> bytes:
    """The chain endpoint's body: from the cache when nothing changed since it was made."""
    signature = chain_signature(product)
    return signed_body(
        f"chain:{product.pk}", signature, lambda: b"".join(_assembled(product).parts)
    )


def health_json(product: Product) -> bytes:
    """The chain health endpoint's body, its score and every finding: about the chain as a
    whole first, then goal by goal in chain order. From the cache when nothing changed: the
    chain's signature covers everything a finding reads."""
    signature = chain_signature(product)
    return signed_body(f"health:{product.pk}", signature, lambda: _health(product))


def signed_body(key: str, signature: str, build: Callable[[], bytes]) -> bytes:
    """The body cached under `key` while `signature` holds, else built and cached.

    The signature is read before the body is built, so a write landing in between can only
    make the cached body newer than its signature, which the next read then rebuilds; never
    older. Two entries per key, overwritten by the next signature: the body with its
    signature, and the signature alone, read first so that a stale body (9 MB for a chain of
    10,000 goals) is not fetched only to be thrown away. A large body is written after the
    answer (keep_built): one landing after a newer body only makes the next read build again.
    """
    if cache.get(f"{key}:signature") == signature:
        cached = cache.get(key)
        if cached is not None and cached[0] == signature:
            body: bytes = cached[1]
            return body
    body = build()
    entries = {key: (signature, body), f"{key}:signature": signature}
    keep_built(entries, large=len(body) > LARGE_BODY)
    return body


type Shape = tuple[str, str, object, str]
type Links = tuple[dict[int, list[int]], dict[int, list[int]]]  # parent ids, child ids


def _shape(outline: GoalOutline) -> Shape:
    """What places a goal in the tree: its level and start date order it among its siblings,
    its status decides whether it is the vision or a live parent, its links where it hangs."""
    return (outline.level, outline.status, outline.starts_on, outline.links)


@dataclass(frozen=True)
class _Assembled:
    """A chain as put together: its parts (joined, the body), where each goal's body is
    among them (a goal with several parents is in the tree under each), and what decided
    its shape and its health score."""

    parts: list[bytes]
    places: dict[int, list[int]]
    shapes: dict[int, Shape]
    signatures: dict[int, str]
    findings: dict[int, bytes]
    open_ids: list[int]  # in chain order
    has_vision: bool
    around: Surroundings  # the open goals counted, for the chain's own findings

    def changed(self, outlines: list[GoalOutline], signatures: dict[int, str]) -> list[int] | None:
        """The goals whose bodies changed since, or None when the tree's shape did."""
        if len(outlines) != len(self.signatures):
            return None
        changed = []
        for outline in outlines:
            before = self.signatures.get(outline.id)
            if before is None or self.shapes[outline.id] != _shape(outline):
                return None
            if before != signatures[outline.id]:
                changed.append(outline.id)
        return changed

    def with_bodies(
        self,
        head: bytes,
        bodies: dict[int, GoalBody],
        signatures: dict[int, str],
        around: Surroundings,
    ) -> _Assembled:
        """The same tree with these goals' bodies and findings, the product's head and the
        open goals' count put in again."""
        parts = self.parts.copy()
        parts[0] = head
        findings = self.findings.copy()
        for pk, (body, goal_findings) in bodies.items():
            for place in self.places[pk]:
                parts[place] = body[:-1]
            findings[pk] = goal_findings
        parts[-1] = b'],"health_score":%d}' % self.score(findings)
        return _Assembled(
            parts,
            self.places,
            self.shapes,
            signatures,
            findings,
            self.open_ids,
            self.has_vision,
            around,
        )

    def score(self, findings: dict[int, bytes] | None = None) -> int:
        findings = self.findings if findings is None else findings
        flagged = sum(1 for pk in self.open_ids if findings[pk])
        return score_of(len(self.open_ids), flagged, has_vision=self.has_vision)


_ASSEMBLED: Remembered[int, _Assembled] = Remembered(_KEPT_CHAINS)


def forget_assembled_chains() -> None:
    """Empty this process's memory of chains, as a new process starts."""
    _ASSEMBLED.clear()


def _head(product: Product) -> bytes:
    head = JSONRenderer().render(
        {
            "product": product.pk,
            "name": product.name,
            "organization": product.organization_id,
            "business_strategy": product.organization.business_strategy,
            "portfolio_strategy": product.portfolio_strategy,
        }
    )
    return head[:-1] + b',"vision":'


def _health(product: Product) -> bytes:
    assembled = _assembled(product)
    chain_wide = whole_chain_findings(
        has_vision=assembled.has_vision,
        around=assembled.around,
        quality=QualitySettings.of(product),
    )
    parts = [findings_json(chain_wide)]
    parts += (assembled.findings[pk] for pk in assembled.open_ids)
    findings = b",".join(part for part in parts if part)
    return b'{"score":%d,"findings":[%b]}' % (assembled.score(), findings)


def _assembled(product: Product) -> _Assembled:
    """The product's chain put together from each goal's cached body and findings: after a
    change, only the goals whose signature moved are built again, and put into the chain
    this process put together last when its shape held. Everything it makes lives until
    the answer: the garbage collector would look through it for nothing."""
    with collector_paused():
        return _assemble(product)


def _assemble(product: Product) -> _Assembled:
    outlines = product_outlines(product)
    # Read before the bodies: a name changed in between makes them newer than this says.
    signatures = full_signatures(outlines, people_version())
    around = surroundings_of(outlines, today=local_today(product.organization.time_zone))

    loaded: list[Links] = []  # the links of the chain loaded to build, read once

    def build(pks: list[int]) -> dict[int, GoalBody]:
        if len(pks) <= FEW_TO_BUILD:
            return bodies_one_by_one(pks)
        chain = load_chain(product)
        loaded.append((chain.parent_ids, chain.child_ids))
        findings = chain.findings_by_goal()
        return {
            pk: goal_body(
                chain.by_id[pk],
                parent_ids=chain.parent_ids.get(pk, []),
                key_results=chain.key_results.get(pk, []),
                findings=findings.get(pk, []),
            )
            for pk in pks
            if pk in chain.by_id
        }

    before = _ASSEMBLED.get(product.pk)
    changed = None if before is None else before.changed(outlines, signatures)
    if before is not None and changed is not None:
        wanted = set(changed)
        bodies = goal_bodies([o for o in outlines if o.id in wanted], build, signatures)
        if len(bodies) == len(changed):  # else a goal was deleted meanwhile
            head = _head(product)
            return _keep(product, before.with_bodies(head, bodies, signatures, around))
    bodies = goal_bodies(outlines, build, signatures)
    links = loaded[0] if loaded else None
    return _keep(product, _tree(product, outlines, bodies, signatures, around, links))


def _keep(product: Product, assembled: _Assembled) -> _Assembled:
    if len(assembled.signatures) <= _LARGEST_KEPT:
        _ASSEMBLED.keep(product.pk, assembled)
    return assembled


def _tree(
    product: Product,
    outlines: list[GoalOutline],
    bodies: dict[int, GoalBody],
    signatures: dict[int, str],
    around: Surroundings,
    links: Links | None,
) -> _Assembled:
    """The chain put together from its goals' bodies, nested by their links: those of the
    chain loaded to build them, else read (each goal's children in chain order either way;
    a goal not among the bodies is left out)."""
    goals = in_chain_order(o for o in outlines if o.id in bodies)
    by_id = {g.id: g for g in goals}
    parent_ids, child_ids = links or link_ids(product, goals)
    # Written piece by piece into one list, joined once at the end (9 MB at 10,000 goals).
    parts: list[bytes] = [_head(product)]
    places: dict[int, list[int]] = {g.id: [] for g in goals}

    def write(root: int) -> None:
        """A goal's body, its subtree nested in it as "children". Written from a stack of
        what comes next, goal ids and closing bytes: a function calling itself would be a
        reference cycle, keeping every goal's body alive until a collection finds it."""
        upcoming: list[int | bytes] = [root]
        while upcoming:
            pk = upcoming.pop()
            if isinstance(pk, bytes):
                parts.append(pk)
                continue
            places[pk].append(len(parts))
            parts.extend((bodies[pk][0][:-1], b',"children":['))
            children = [c for c in child_ids.get(pk, ()) if c in by_id]
            upcoming.append(b"]}")
            for i in range(len(children) - 1, -1, -1):  # the first child comes out first
                upcoming.append(children[i])
                if i:
                    upcoming.append(b",")

    def parents(pk: int) -> list[GoalOutline]:
        return [by_id[p] for p in parent_ids.get(pk, ()) if p in by_id]

    vision = vision_of(goals)
    if vision is None:
        parts.append(b"null")
    else:
        write(vision.id)
    parts.append(b',"orphans":[')
    for i, orphan in enumerate(orphans_of(goals, parents)):
        if i:
            parts.append(b",")
        write(orphan.id)
    assembled = _Assembled(
        parts,
        places,
        {g.id: _shape(g) for g in goals},
        {g.id: signatures[g.id] for g in goals},
        {pk: body[1] for pk, body in bodies.items()},
        [g.id for g in goals if g.status in OPEN_STATUSES],
        vision is not None,
        around,
    )
    parts.append(b'],"health_score":%d}' % assembled.score())
    return assembled
