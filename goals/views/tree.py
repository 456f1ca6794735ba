"""The chain page's tree, built in Python from a loaded Chain (no queries here).

A product goal serving two user or business goals appears under both, so every place a
goal appears gets its own `key` (the path of ids from the top) for element ids. Its first
place carries its anchor; every later one says where else it is shown, and the count above
the tree says why there are more cards than goals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from goals.models import CHILD_LEVELS, Goal, Level
from goals.rules.health import Finding
from goals.rules.quality import LABELS as QUALITY_LABELS
from goals.selectors.chain import Chain
from goals.wording import counted

# Friendly words for chain health codes; the finding's message says the rest.
HEALTH_LABELS = {
    "no_vision": "No vision",
    "orphan": "Not linked",
    "no_key_results": "No key results",
    "timeframe": "Unusual timeframe",
    "outlives_parent": "Ends after its parent",
    "review_overdue": "Review overdue",
    "low_confidence": "Low confidence",
    "no_owner": "No owner",
    "agreed_outside_workshop": "Agreed outside a workshop",
    **QUALITY_LABELS,
}

# The levels a goal's children may have, with their names (read for every card).
_CHILD_LEVELS = {
    level: [(child, Level(child).label) for child in children]
    for level, children in CHILD_LEVELS.items()
}

# In a big chain, sprint goals start folded so the levels above stay readable.
FOLD_SPRINTS_ABOVE = 60
# In a chain this big, a folded branch's cards are drawn only when it is opened: drawing
# every sprint goal of 10,000 goals up front took seconds.
DRAW_FOLDED_UP_TO = 1_000


@dataclass(frozen=True)
class Badge:
    code: str
    label: str
    message: str


def badges(findings: list[Finding]) -> list[Badge]:
    """Health findings as badges: a short label, the finding's message as explanation."""
    return [
        Badge(f.code, HEALTH_LABELS.get(f.code, f.code.replace("_", " ").capitalize()), f.message)
        for f in findings
    ]


@dataclass
class Node:
    goal: Goal
    key: str
    first: bool  # the first place this goal appears: it carries the goal's anchor
    match: bool
    open: bool = True
    lazy: bool = False  # folded, its children's cards drawn only when it is opened
    badges: list[Badge] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    insights: int = 0
    # In a later place of a goal shown more than once: the goal under which it was shown first.
    also_under: Goal | None = None

    @property
    def child_levels(self) -> list[tuple[str, str]]:
        return _CHILD_LEVELS[self.goal.level]

    @property
    def child_label(self) -> str:
        count = len(self.children)
        levels = {child.goal.level for child in self.children}
        noun = Level(levels.pop()).label.lower() if len(levels) == 1 else "goal"
        return counted(count, noun)


@dataclass
class Tree:
    vision: Node | None
    orphans: list[Node]
    shown: int
    total: int
    filtered: bool
    product_badges: list[Badge]  # findings about the product, e.g. no vision
    all_badges: list[tuple[Goal | None, Badge]]
    cards: int = 0  # the places goals are drawn: more than the goals when one serves two
    shared: list[Goal] = field(default_factory=list)  # goals drawn under more than one goal

    @property
    def shared_note(self) -> str:
        """Why more cards show than the count of goals says ("" when they agree)."""
        if not self.shared:
            return ""
        cards = counted(self.cards, "card")
        if len(self.shared) == 1:
            return (
                f"“{self.shared[0].title}” serves more than one goal and is shown under each, "
                f"so {cards} show."
            )
        return (
            f"{counted(len(self.shared), 'goal')} serve more than one goal and are shown under "
            f"each, so {cards} show."
        )


def build_tree(
    chain: Chain,
    *,
    level: str = "",
    status: str = "",
    focus: int | None = None,
    open_branch: int | None = None,
    expand: bool = False,
    insight_counts: Mapping[int, int] | None = None,
) -> Tree:
    """The vision's tree and the orphans' subtrees, pruned to the goals matching the filters.

    Goals that do not match but lead to one that does stay as context. The branches above
    `focus` (a goal just added) and `open_branch` are drawn open; with `expand`, all are.
    """
    findings = chain.findings_by_goal()
    filtered = bool(level or status)
    fold_sprints = len(chain.goals) > FOLD_SPRINTS_ABOVE and not filtered
    shown: set[int] = set()
    first_paths: dict[int, tuple[int, ...]] = {}
    drawn_under: dict[int, set[int | None]] = {}
    cards = 0
    unfold = _ancestors(chain, focus) if focus is not None else set()
    if open_branch is not None:
        unfold.add(open_branch)
    draw_folded = len(chain.goals) <= DRAW_FOLDED_UP_TO

    def matches(goal: Goal) -> bool:
        return (not level or goal.level == level) and (not status or goal.status == status)

    def node(goal: Goal, path: tuple[int, ...]) -> Node | None:
        nonlocal cards
        # `.id`, not `.pk`: the property costs a lookup, and this runs for every card.
        pk = goal.id
        below = (*path, pk)
        children = [
            child_node
            for child in chain.children(pk)
            if child.id not in path  # a broken link must never loop
            for child_node in [node(child, below)]
            if child_node is not None
        ]
        match = not filtered or matches(goal)
        if not match and not children:
            return None
        cards += 1
        if match:
            shown.add(pk)
        first = pk not in first_paths
        first_path = first_paths.setdefault(pk, path)
        drawn_under.setdefault(pk, set()).add(path[-1] if path else None)
        folded = fold_sprints and goal.level == Level.PRODUCT
        is_open = expand or pk in unfold or not folded
        found = findings.get(pk)
        return Node(
            goal,
            "-".join(map(str, below)),
            first,
            match,
            is_open,
            not (is_open or draw_folded),
            badges(found) if found else [],
            children,
            insight_counts.get(pk, 0) if insight_counts else 0,
            also_under=None if first else _branch_of(chain, first_path, path),
        )

    vision = chain.vision
    vision_node = node(vision, ()) if vision else None
    orphans = [n for goal in chain.orphans if (n := node(goal, ())) is not None]
    product_badges = badges([f for f in chain.findings if f.goal is None])
    all_badges = [
        (chain.by_id.get(f.goal) if f.goal is not None else None, badge)
        for f, badge in zip(chain.findings, badges(chain.findings), strict=True)
    ]
    shared = [chain.by_id[pk] for pk, parents in drawn_under.items() if len(parents) > 1]
    return Tree(
        vision_node,
        orphans,
        len(shown),
        len(chain.goals),
        filtered,
        product_badges,
        all_badges,
        cards,
        shared,
    )


def find_node(tree: Tree, key: str) -> Node | None:
    """The node drawn at `key` (the path of ids from the top), if the tree has one."""
    nodes = [tree.vision, *tree.orphans] if tree.vision else tree.orphans
    while nodes:
        node = next((n for n in nodes if key == n.key or key.startswith(f"{n.key}-")), None)
        if node is None or node.key == key:
            return node
        nodes = node.children
    return None


def _branch_of(chain: Chain, first: tuple[int, ...], here: tuple[int, ...]) -> Goal | None:
    """The goal under which the first place lies, where its path parts from this one's: for
    a product goal, the other goal it serves; for its sprint goals, the same."""
    for there, this in zip(first, here, strict=False):
        if there != this:
            return chain.by_id.get(there)
    return chain.by_id.get(first[len(here)]) if len(first) > len(here) else None


def _ancestors(chain: Chain, goal_id: int) -> set[int]:
    """Every goal above `goal_id`: their branches open so a goal just added is in view."""
    found: set[int] = set()
    frontier = [goal_id]
    while frontier:
        frontier = [p for pk in frontier for p in chain.parent_ids.get(pk, []) if p not in found]
        found.update(frontier)
    return found
