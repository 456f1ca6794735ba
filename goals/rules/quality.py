"""Goal quality: the habits of good goal-setting, as rules that give advice.

Each rule has a code, the levels it reads, a plain-language message naming what it saw and a
suggestion of what a good goal says instead, with a good goal of the draft's own level as its
example. Rules never refuse anything: they show as people type on goal and proposal forms, and
as findings in chain health. A product can switch any rule off (`Product.quality_rules_off`).

Goal rules read one goal (a saved goal or a form being typed); product rules read the
product's open goals counted by level. To add a rule, write its check and list it in RULES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from goals.models import OPEN_STATUSES, Level, Product
from goals.rules.quality_checks import (
    key_result_without_baseline,
    not_measurable,
    output_not_outcome,
    stretch_sprint_goal,
    vague_without_measure,
    vision_names_a_feature,
    vision_too_short,
)
from goals.rules.quality_drafts import GoalDraft, Surroundings
from goals.rules.quality_ethics import goal_is_unethical
from goals.rules.quality_patterns import (
    sprint_goal_is_a_work_list,
    target_out_of_reach,
    user_goal_is_a_business_metric,
    vision_is_a_business_number,
    vision_is_empty_words,
)
from goals.rules.remembered import Remembered
from goals.rules.timeframes import timeframe_warning

DEFAULT_MAX_LIVE_PRODUCT_GOALS = 5


@dataclass(frozen=True)
class QualitySettings:
    """A product's choices: rules switched off, and its limit of live product goals."""

    off: frozenset[str] = frozenset()
    max_live_product_goals: int = DEFAULT_MAX_LIVE_PRODUCT_GOALS

    @classmethod
    def of(cls, product: Product) -> QualitySettings:
        off = product.quality_rules_off
        return cls(
            frozenset(off) if isinstance(off, list) else frozenset(),
            product.max_live_product_goals,
        )

    def trying(self, codes: frozenset[str]) -> QualitySettings:
        """Settings that run only the rules `codes` and the rules they keep quiet after, so
        that what the `codes` find is what they would find if switched on."""
        quiet_after = {
            code
            for rule in RULES
            if isinstance(rule, GoalRule) and rule.code in codes
            for code in rule.quiet_after
        }
        kept = codes | (quiet_after - self.off)
        return QualitySettings(frozenset(LABELS) - kept, self.max_live_product_goals)


@dataclass(frozen=True)
class Advice:
    code: str
    message: str
    suggestion: str

    @property
    def label(self) -> str:
        return LABELS.get(self.code) or TIMEFRAME_LABEL


@dataclass(frozen=True)
class GoalRule:
    code: str
    label: str
    # The levels the rule reads, each with a good goal of that level: the example its advice
    # gives a draft of that level (tests check that no rule has advice on any of them).
    examples: dict[str, str] = field(hash=False)
    # How to improve, "{example}" standing for the example of the draft's level.
    advice: str
    check: Callable[[GoalDraft], str | None]
    # Codes that say the same thing more precisely: found first, this rule stays quiet.
    quiet_after: tuple[str, ...] = ()

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(self.examples)

    @property
    def suggestion(self) -> str:
        """The suggestion with the example of the rule's first level, for lists of rules."""
        return self.suggestion_for(self.levels[0])

    def suggestion_for(self, level: str) -> str:
        return self.advice.format(example=self.examples[level])


@dataclass(frozen=True)
class ProductRule:
    code: str
    label: str
    levels: tuple[str, ...]  # the levels of the drafts it speaks to as they are typed
    suggestion: str
    check: Callable[[Surroundings, QualitySettings], str | None]


# The product rules' checks; the goal rules' are in quality_checks.py and quality_patterns.py.


def _too_many_product_goals(around: Surroundings, settings: QualitySettings) -> str | None:
    count, limit = around.current_product_goals, settings.max_live_product_goals
    if count <= limit:
        return None
    return (
        f"{count} product goals are live at once; more than {limit} spreads the team thin "
        "and blurs the roadmap."
    )


def _business_without_user(around: Surroundings, settings: QualitySettings) -> str | None:
    if not around.open_business_goals or around.open_user_goals:
        return None
    return (
        "There is a business goal but no user goal beside it: the chain says what the company "
        "gets, not what users get."
    )


RULES: tuple[GoalRule | ProductRule, ...] = (
    GoalRule(
        "vision_names_feature",
        "Vision names a feature",
        {Level.VISION: "Every family eats well without thinking about it"},
        "Say who benefits and how their lives change, e.g. “{example}”; features and "
        "technology belong in product goals.",
        vision_names_a_feature,
    ),
    GoalRule(
        "vision_too_short",
        "Vision too near",
        {Level.VISION: "Nobody waits more than a day to see a doctor"},
        "Look further ahead, to a True North that still holds when today's roadmap is done, "
        "five years or more away, e.g. “{example}”.",
        vision_too_short,
    ),
    GoalRule(
        "output_not_outcome",
        "Output, not outcome",
        {
            Level.USER: "Families plan a week of meals in ten minutes",
            Level.BUSINESS: "Cut the cost of each shipped order from €4.20 to €3.50",
        },
        "Name the change you want to see, e.g. “{example}”; the outputs go on the roadmap.",
        output_not_outcome,
    ),
    GoalRule(
        "vague_words",
        "Vague words",
        {
            Level.USER: "New customers finish their first order in under five minutes",
            Level.BUSINESS: "Raise repeat orders from 20 % to 30 % of all orders by 2027",
            Level.PRODUCT: "Cut checkout time from 4 to 2 minutes by June",
            Level.SPRINT: "Returning customers check out with a saved card in one step",
        },
        "Say how far and by when, e.g. “{example}”, or add a key result with a baseline and a "
        "target.",
        vague_without_measure,
    ),
    GoalRule(
        "not_measurable",
        "Not measurable",
        {
            Level.USER: "Households throw away a third less food",
            Level.BUSINESS: "Win 300 new business customers in the Nordics by 2027",
            Level.PRODUCT: "Half of new members book a second class within a week",
        },
        "Put the number in the goal itself, e.g. “{example}”, or add a key result with a "
        "baseline, a target and a unit.",
        not_measurable,
        quiet_after=("vague_words",),
    ),
    GoalRule(
        "key_result_no_baseline",
        "Key result without baseline",
        {
            Level.USER: "Families planning their week rise from 20 % to 35 %",
            Level.BUSINESS: "Grow monthly donations from 2,000 to 2,600 by 2027",
            Level.PRODUCT: "Grow weekly orders from 8,000 to 10,000 by June",
            Level.SPRINT: "Cut the sign-up form from 9 fields to 5",
        },
        "Write down where each key result starts, measured now, as “{example}” does; if "
        "nobody knows yet, measuring it is the first step.",
        key_result_without_baseline,
    ),
    GoalRule(
        "sprint_stretch",
        "Stretch sprint goal",
        {Level.SPRINT: "New members can book their first class in under two minutes"},
        "Stretch is for the vision. Cut the sprint goal to what the team expects to meet, e.g. "
        "“{example}”, and keep the rest for the next sprint.",
        stretch_sprint_goal,
    ),
    GoalRule(
        "vision_business_number",
        "Vision is a business number",
        {Level.VISION: "Small farmers earn a fair living from every harvest"},
        "Say whose life changes and how, e.g. “{example}”; members, revenue and rank go in "
        "business goals.",
        vision_is_a_business_number,
    ),
    GoalRule(
        "vision_empty_words",
        "Vision in empty words",
        {Level.VISION: "Travellers reach any city in Europe without planning a single connection"},
        "Name the people and the change, e.g. “{example}”; words any company could use say "
        "nothing.",
        vision_is_empty_words,
    ),
    GoalRule(
        "sprint_work_list",
        "Work list, not a sprint goal",
        {Level.SPRINT: "Customers can pay with a saved card at checkout"},
        "Name the one outcome the sprint's work serves, e.g. “{example}”; the tickets go on the "
        "sprint backlog.",
        sprint_goal_is_a_work_list,
    ),
    GoalRule(
        "out_of_reach",
        "Out of reach for its level",
        {
            Level.USER: "Families planning their week rise from 20 % to 30 % within a year",
            Level.BUSINESS: "Triple monthly donations from 2,000 to 6,000 within three years",
            Level.PRODUCT: "Grow weekly orders from 8,000 to 10,000 by June",
            Level.SPRINT: "Lift the share of trial teams that invite a colleague from 10 % to 12 %",
        },
        "Aim for what the team believes it can reach in the level's time, e.g. “{example}”, "
        "and keep the big ambition for the vision.",
        target_out_of_reach,
    ),
    GoalRule(
        "unethical",
        "Works against people",
        {
            Level.VISION: "Everyone stays in control of their own money and their own time",
            Level.USER: "Half of those who cancel do it in two clicks and tell us why",
            Level.BUSINESS: "Keep 90 % of subscribers for a year because they use us every week",
            Level.PRODUCT: "Raise opt-ins to health reminders from 20 % to 35 % with a plain yes "
            "or no",
            Level.SPRINT: "Members can pause or cancel their plan in one step from their account",
        },
        "Reach the goal by serving people better, e.g. “{example}”, never by tricking them or "
        "taking their data.",
        goal_is_unethical,
    ),
    GoalRule(
        "user_goal_business_metric",
        "User goal is a business metric",
        {Level.USER: "Families plan a week of meals in ten minutes"},
        "Say what users get, e.g. “{example}”; revenue and margins go in a business goal "
        "beside it.",
        user_goal_is_a_business_metric,
    ),
    ProductRule(
        "too_many_product_goals",
        "Too many product goals",
        (Level.PRODUCT,),
        "Focus on a few: close or drop some, or move later ones to a later timeframe on the "
        "roadmap. The limit is set on the product's health page.",
        _too_many_product_goals,
    ),
    ProductRule(
        "business_without_user",
        "No user goal",
        (Level.BUSINESS,),
        "Start with the user (the seed method): add the user goal whose success earns this "
        "business result, then link product goals to both.",
        _business_without_user,
    ),
)
LABELS: dict[str, str] = {rule.code: rule.label for rule in RULES}
SUGGESTIONS: dict[str, str] = {rule.code: rule.suggestion for rule in RULES}

# A timeframe outside its level's window is a chain health finding (goals/rules/health.py, code
# "timeframe"), not a rule a product switches off; forms show it as people type, beside the
# rules' advice, so that every goal and proposal form gives the same advice in one place.
TIMEFRAME = "timeframe"
TIMEFRAME_LABEL = "Unusual timeframe"
TIMEFRAME_SUGGESTION = "Check the dates, or pick the level whose timeframe fits the goal."


@cache
def _rules_in_use(level: str, off: frozenset[str]) -> tuple[GoalRule, ...]:
    """The goal rules for a level that a product keeps on (asked once per goal)."""
    return tuple(
        r for r in RULES if isinstance(r, GoalRule) and level in r.levels and r.code not in off
    )


def goal_advice(draft: GoalDraft, settings: QualitySettings) -> list[Advice]:
    """What the goal rules say about one goal (nothing once it is closed or untitled)."""
    if draft.status not in OPEN_STATUSES or not draft.title.strip():
        return []
    key = (draft.fingerprint(), settings)
    found = _REMEMBERED.get(key)
    if found is None:
        found = _REMEMBERED.keep(key, _advice_on(draft, settings))
    return list(found)


def _advice_on(draft: GoalDraft, settings: QualitySettings) -> tuple[Advice, ...]:
    found: list[Advice] = []
    for rule in _rules_in_use(draft.level, settings.off):
        if rule.quiet_after and any(a.code in rule.quiet_after for a in found):
            continue
        message = rule.check(draft)
        if message is not None:
            found.append(Advice(rule.code, message, rule.suggestion_for(draft.level)))
    return tuple(found)


# Chain health reads every open goal on each request, and most have not changed since the
# last one: the advice on the goals read lately, by the fingerprint of all the rules read.
_REMEMBERED: Remembered[tuple[tuple[object, ...], QualitySettings], tuple[Advice, ...]] = (
    Remembered(20_000)
)


def product_advice(around: Surroundings, settings: QualitySettings) -> list[Advice]:
    """What the product rules say about a whole chain."""
    found = []
    for rule in RULES:
        if isinstance(rule, ProductRule) and rule.code not in settings.off:
            message = rule.check(around, settings)
            if message is not None:
                found.append(Advice(rule.code, message, rule.suggestion))
    return found


def draft_advice(
    draft: GoalDraft, settings: QualitySettings, others: Surroundings, *, today: date
) -> list[Advice]:
    """Everything worth saying about a goal as it is typed, `others` being the rest of the
    product's open goals: the goal rules, its timeframe, and the product rules that speak to
    its level."""
    if draft.status not in OPEN_STATUSES or not draft.title.strip():
        return []
    found = goal_advice(draft, settings)
    if draft.level in Level.values:
        warning = timeframe_warning(draft.level, draft.starts_on, draft.ends_on)
        if warning:
            found.append(Advice(TIMEFRAME, warning, TIMEFRAME_SUGGESTION))
    around = others.with_draft(draft, today=today)
    found += [
        advice
        for advice in product_advice(around, settings)
        if draft.level in _PRODUCT_RULE_LEVELS[advice.code]
    ]
    return found


_PRODUCT_RULE_LEVELS = {rule.code: rule.levels for rule in RULES if isinstance(rule, ProductRule)}
