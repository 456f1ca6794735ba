"""The link rules: which goals a goal may serve. One check, used by the goal services and by
the product import, so a chain that can be typed in is exactly a chain that can be imported."""

from __future__ import annotations

from collections.abc import Hashable, Sequence, Set
from dataclasses import dataclass

from goals.models import MAX_PARENTS, PARENT_LEVELS, Level, Status

# A goal in these statuses was agreed, so it must serve a goal one level up.
LINKED_STATUSES = (Status.AGREED, Status.ACHIEVED, Status.MISSED)


@dataclass(frozen=True)
class Linked:
    """A goal as the link rules see it. `key` tells goals apart (a primary key, or the ref of
    a goal in an import document); `product` is whatever names its product."""

    key: Hashable
    title: str
    level: str
    status: str
    product: Hashable = None


def parent_errors(
    goal: Linked, parents: Sequence[Linked], *, kept: Set[Hashable] = frozenset()
) -> list[str]:
    """What is wrong with `goal` serving `parents`, in words for the person linking them.
    `kept` are parents the goal already serves: one of them being dropped since does not stop
    other edits (chain health shows the goal as an orphan instead)."""
    label = Level(goal.level).label.lower()
    allowed = PARENT_LEVELS[goal.level]
    wanted = " or ".join(Level(level).label.lower() for level in allowed)
    if not allowed:
        return ["The vision is the top of the chain; it has no parents."] if parents else []
    errors = []
    if len({parent.key for parent in parents}) != len(parents):
        errors.append("Each parent goal may be named once.")
    for parent in parents:
        if parent.product != goal.product:
            # Named by no title: the other product's goals may be none of this person's business.
            errors.append("A goal it serves belongs to another product.")
        elif parent.level not in allowed:
            errors.append(
                f"A {label} links to a {wanted}; “{parent.title}” is a "
                f"{Level(parent.level).label.lower()}."
            )
        elif parent.status == Status.DROPPED and parent.key not in kept:
            errors.append(f"“{parent.title}” was dropped; link to a live goal.")
        elif parent.key == goal.key:
            errors.append("A goal cannot serve itself.")
    most = MAX_PARENTS[goal.level]
    if len(parents) > most:
        errors.append(
            f"A {label} serves exactly one goal one level up."
            if most == 1
            else f"A {label} serves at most {most} goals."
        )
    if not parents and goal.status in LINKED_STATUSES:
        errors.append(f"An agreed {label} must serve a {wanted}.")
    return errors
