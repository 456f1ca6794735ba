"""How each voting method counts, how each decision rule reads the count, and which
method and rule can be planned together.

A vote gives a proposal *support*, raises an *objection*, or is neutral:

| method         | support                          | objection                   | neutral      |
| -------------- | -------------------------------- | --------------------------- | ------------ |
| consent        | agree                            | object (always with reason) | abstain      |
| dot            | one or more dots on the proposal | never                       | no dots      |
| score 1–5      | 4 or 5                           | 1 (always with reason)      | 2 or 3       |
| fist of five   | 3, 4 or 5 fingers                | 1 finger (blocks)           | 2 (concerns) |

Who counts as a voter: for dot voting, everyone who cast a ballot on any proposal in the
round (no dots on this one is a vote against it); for the other methods, everyone who voted
on this proposal.

What each pair decides: with at least one vote, a proposal is adopted when

| method       | unanimous                 | consent                  | majority                   |
| ------------ | ------------------------- | ------------------------ | -------------------------- |
| consent      | no objection and at least | no objection (abstaining | more than half of the      |
|              | one agree                 | is consent)              | voters agree               |
| dot          | every voter dotted it     | refused when planning:   | more than half of the      |
|              |                           | dots raise no objections | voters put dots on it      |
| score 1–5    | every voter gives 4 or 5  | nobody gives a 1         | more than half give 4 or 5 |
| fist of five | every voter shows 3+      | nobody shows 1 finger    | more than half show 3+     |

Vision, user and business goals are decided unanimously, whatever the method. Dot and score
voting also rank the round's proposals (by dots, by average score): a proposal ranked below
another cannot be adopted over it, whatever the rule says; to adopt it, the room redrafts and
votes again in a new round.

Ballots are counted in the order of their values (then reasons), never of their voters, so
nothing read from a tally tells who cast which ballot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from goals.models import Level
from goals.wording import amount, counted
from workshops.models import STRATEGIC_LEVELS, DecisionRule, VotingMethod

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


def _value_key(value: str) -> tuple[int, str]:
    """Numbers by size ("10" after "9"), words alphabetically."""
    return (int(value) if value.isdigit() else 0, value)


def ballot_order(ballot: Ballot) -> tuple[int, str, str]:
    """Ballots in the order of their values, then reasons: never in the order of voters."""
    return (*_value_key(ballot.value), ballot.reason)


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
    """Count one proposal's ballots. For dot voting pass how many cast a ballot in the round."""
    ballots = sorted(ballots, key=ballot_order)
    result = Tally(method=method)
    counted = Counter(b.value for b in ballots).items()
    result.counts = dict(sorted(counted, key=lambda item: _value_key(item[0])))
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


def pair_error(method: str, rule: str) -> str:
    """Why a voting method and decision rule mean nothing together ("" when they do)."""
    if method == VotingMethod.DOT and rule == DecisionRule.CONSENT:
        return (
            "Dot voting cannot decide by consent: dots raise no objections. "
            "Decide dot voting unanimously or by majority, or vote by consent."
        )
    return ""


def plan_errors(level: str, method: str, rule: str) -> dict[str, str]:
    """What is wrong with planning a workshop on `level` with this method and rule."""
    if level in STRATEGIC_LEVELS and rule != DecisionRule.UNANIMOUS:
        return {
            "decision_rule": f"A workshop on {Level(level).label.lower()}s always decides "
            "unanimously: vision, user and business goals are agreed by everyone."
        }
    refused = pair_error(method, rule)
    return {"decision_rule": refused} if refused else {}


def rank(method: str, count: Tally) -> float | None:
    """Where a proposal stands in its round: its dots, or its average score; None when the
    method does not rank (consent, fist of five) or nobody scored it."""
    if method == VotingMethod.DOT:
        return count.dots
    if method == VotingMethod.SCORE:
        return count.average
    return None


def ahead_of(method: str, tallies: dict[int, Tally], proposal_id: int) -> int | None:
    """The proposal ranked highest above `proposal_id` in its round, if any."""
    if method not in (VotingMethod.DOT, VotingMethod.SCORE):
        return None
    own = rank(method, tallies[proposal_id])
    others = [
        (value, other)
        for other, count in tallies.items()
        if other != proposal_id and (value := rank(method, count)) is not None
    ]
    ahead = [(value, other) for value, other in others if own is None or value > own]
    if not ahead:
        return None
    # The top one, and among equals the first drafted: the one the room would adopt first.
    return min(ahead, key=lambda item: (-item[0], item[1]))[1]


def rank_text(method: str, count: Tally) -> str:
    """A proposal's rank in words: "6 dots", "an average of 4.5"."""
    if method == VotingMethod.DOT:
        return counted(count.dots, "dot")
    return "no score" if count.average is None else f"an average of {amount(count.average)}"
