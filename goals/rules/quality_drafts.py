"""What the goal-quality rules read: a goal as typed so far (`GoalDraft`) and the product's
open goals around it (`Surroundings`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from hashlib import blake2b
from itertools import pairwise
from typing import Protocol

from goals.models import OPEN_STATUSES, Goal, KeyResult, Level, Status
from goals.rules.quality_words import (
    DIGIT,
    FRACTION_COUNTS,
    FRACTION_WORDS,
    NUMBER_WORDS,
    WORD,
)


@dataclass(frozen=True)
class MeasureDraft:
    """A key result as the rules read it; a draft's baseline may still be missing."""

    title: str
    baseline: Decimal | None


@dataclass
class GoalDraft:
    """A goal as the rules read it: saved, or as typed into a form so far."""

    level: str
    title: str
    description: str = ""
    status: str = Status.DRAFT
    starts_on: date | None = None
    ends_on: date | None = None
    confidence: int | None = None
    key_results: tuple[MeasureDraft, ...] = ()
    text: str = field(init=False, repr=False)
    # Worked out when a rule first asks, once (a chain's health asks for 10,000 goals).
    _words: list[str] | None = field(init=False, default=None, repr=False)
    _measured: bool | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        self.text = f"{self.title}\n{self.description}"

    @classmethod
    def of(cls, goal: Goal, key_results: Iterable[KeyResult]) -> GoalDraft:
        return cls(
            level=goal.level,
            title=goal.title,
            description=goal.description,
            status=goal.status,
            starts_on=goal.starts_on,
            ends_on=goal.ends_on,
            confidence=goal.confidence,
            key_results=tuple(MeasureDraft(kr.title, kr.baseline) for kr in key_results),
        )

    def fingerprint(self) -> tuple[object, ...]:
        """Everything the goal rules read, equal for drafts they read alike, with long texts
        as a digest so that remembering many stays small."""
        return (
            self.level,
            _short(self.title),
            _short(self.description),
            self.status,
            self.starts_on,
            self.ends_on,
            self.confidence,
            *((_short(measure.title), measure.baseline) for measure in self.key_results),
        )

    def words(self) -> list[str]:
        """The goal's words, lower case, in order."""
        if self._words is None:
            self._words = WORD.findall(self.text.lower())
        return self._words

    def has_measure(self) -> bool:
        """A key result, or a number in the goal's own words."""
        if self._measured is None:
            self._measured = (
                bool(self.key_results)
                or DIGIT.search(self.text) is not None
                or not NUMBER_WORDS.isdisjoint(self.words())
                or self._has_fraction()
            )
        return self._measured

    def _has_fraction(self) -> bool:
        words = self.words()
        return any(
            word in FRACTION_WORDS and before in FRACTION_COUNTS for before, word in pairwise(words)
        )

    @property
    def label(self) -> str:
        return Level(self.level).label.lower() if self.level in Level.values else "goal"


@dataclass(frozen=True)
class Surroundings:
    """What product rules read: the product's open goals counted by level.

    `current_product_goals` are open product goals whose timeframe includes today (or that
    have none yet): the ones competing for the team's attention now.
    """

    current_product_goals: int = 0
    open_user_goals: int = 0
    open_business_goals: int = 0

    def with_draft(self, draft: GoalDraft, *, today: date) -> Surroundings:
        """These counts with the draft added, as if it were saved."""
        if draft.status not in OPEN_STATUSES:
            return self
        return Surroundings(
            self.current_product_goals + (draft.level == Level.PRODUCT and _current(draft, today)),
            self.open_user_goals + (draft.level == Level.USER),
            self.open_business_goals + (draft.level == Level.BUSINESS),
        )


class Timed(Protocol):
    """What product rules read of a goal: a Goal, or a goal as the chain's signature query
    outlines it."""

    @property
    def level(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def starts_on(self) -> date | None: ...
    @property
    def ends_on(self) -> date | None: ...


def surroundings_of(goals: Iterable[Timed], *, today: date) -> Surroundings:
    """Count a chain's open goals the way product rules read them."""
    current_product = user = business = 0
    for goal in goals:
        if goal.status not in OPEN_STATUSES:
            continue
        if goal.level == Level.PRODUCT and _current(goal, today):
            current_product += 1
        elif goal.level == Level.USER:
            user += 1
        elif goal.level == Level.BUSINESS:
            business += 1
    return Surroundings(current_product, user, business)


def _current(goal: Timed, today: date) -> bool:
    starts_on, ends_on = goal.starts_on, goal.ends_on
    return (starts_on is None or starts_on <= today) and (ends_on is None or ends_on >= today)


def _short(text: str) -> str | bytes:
    """The text itself, or when long, a digest of it (a key of 16 bytes)."""
    return text if len(text) <= 120 else blake2b(text.encode(), digest_size=16).digest()
