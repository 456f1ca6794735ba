"""How each voting method counts, and how each decision rule reads the count.

A vote gives a proposal *support*, raises an *objection*, or is neutral:

| method         | support                          | objection                  | neutral      |
| -------------- | -------------------------------- | -------------------------- | ------------ |
| consent        | agree                            | object (always with reason) | abstain     |
| dot            | one or more dots on the proposal | never                      | no dots      |
| score 1–5      | 4 or 5                           | 1                          | 2 or 3       |
| fist of five   | 3, 4 or 5 fingers                | 1 finger (blocks)          | 2 (concerns) |

Who counts as a voter: for dot voting, everyone who spent dots on any proposal in the
round (spending none on this one is a vote against it); for the other methods, everyone
who voted on this proposal.

| rule      | passes when                                                                 |
| --------- | --------------------------------------------------------------------------- |
| unanimous | at least one vote, no objection, and every voter supports (for consent       |
|           | voting: no objection and at least one agree; abstaining does not block)     |
| consent   | at least one vote and no objection                                          |
| majority  | more than half of the voters support                                        |
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from workshops.models import DecisionRule, VotingMethod

CONSENT_VALUES = ("agree", "abstain", "object")

# What each value means, in the words a voter reads on the ballot (dot voting takes a number).
BALLOT_CHOICES: dict[str, list[tuple[str, str]]] = {
    VotingMethod.CONSENT: [
        ("agree", "Agree"),
        ("abstain", "Abstain"),
        ("object", "Object (say why)"),
    ],
    VotingMethod.SCORE: [
        ("5", "5 · excellent"),
        ("4", "4 · good"),
        ("3", "3 · fair"),
        ("2", "2 · weak"),
        ("1", "1 · against (say why)"),
    ],
    VotingMethod.FIST_OF_FIVE: [
        ("5", "5 fingers · full support"),
        ("4", "4 · support"),
        ("3", "3 · can live with it"),
        ("2", "2 · concerns"),
        ("1", "1 · block (say why)"),
    ],
}


@dataclass(frozen=True)
class Ballot:
    voter: int
    value: str
    reason: str = ""


@dataclass
class Tally:
    method: str
    voters: int = 0
    supporters: int = 0
    objectors: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    dots: int = 0
    average: float | None = None
    objections: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "voters": self.voters,
            "supporters": self.supporters,
            "objectors": self.objectors,
            "counts": self.counts,
        }
        if self.method == VotingMethod.DOT:
            data["dots"] = self.dots
        if self.average is not None:
            data["average"] = self.average
        return data


def supports(method: str, value: str) -> bool:
    if method == VotingMethod.CONSENT:
        return value == "agree"
    number = int(value)
    if method == VotingMethod.DOT:
        return number >= 1
    if method == VotingMethod.SCORE:
        return number >= 4
    return number >= 3


def objects(method: str, value: str) -> bool:
    if method == VotingMethod.CONSENT:
        return value == "object"
    if method == VotingMethod.DOT:
        return False
    return int(value) == 1


def tally(method: str, ballots: Iterable[Ballot], dot_voters: int = 0) -> Tally:
    """Count one proposal's ballots. For dot voting pass how many spent dots in the round."""
    ballots = list(ballots)
    result = Tally(method=method)
    result.counts = dict(Counter(b.value for b in ballots))
    result.supporters = sum(supports(method, b.value) for b in ballots)
    result.objectors = sum(objects(method, b.value) for b in ballots)
    result.objections = [
        {"voter": b.voter, "reason": b.reason} for b in ballots if objects(method, b.value)
    ]
    if method == VotingMethod.DOT:
        result.dots = sum(int(b.value) for b in ballots)
        result.voters = dot_voters
    else:
        result.voters = len(ballots)
    if method in (VotingMethod.SCORE, VotingMethod.FIST_OF_FIVE) and ballots:
        result.average = round(sum(int(b.value) for b in ballots) / len(ballots), 2)
    return result


def decide(rule: str, count: Tally) -> tuple[bool, str]:
    """Apply a decision rule to a tally: (passed, the reason in plain words)."""
    if count.voters == 0:
        return False, "Nobody has voted on this proposal."
    if rule in (DecisionRule.UNANIMOUS, DecisionRule.CONSENT) and count.objectors:
        noun = "objection" if count.objectors == 1 else "objections"
        return False, f"{count.objectors} {noun} raised: resolve them before adopting."
    if rule == DecisionRule.UNANIMOUS:
        if count.method == VotingMethod.CONSENT:
            if count.supporters == 0:
                return False, "Unanimity needs at least one agree."
        elif count.supporters < count.voters:
            missing = count.voters - count.supporters
            return False, f"Not unanimous: {missing} of {count.voters} voters did not support it."
        return True, "Adopted unanimously."
    if rule == DecisionRule.CONSENT:
        return True, "Adopted by consent: no objection."
    if count.supporters * 2 > count.voters:
        return True, f"Adopted by majority: {count.supporters} of {count.voters} voters in favour."
    return False, f"No majority: {count.supporters} of {count.voters} voters in favour."
