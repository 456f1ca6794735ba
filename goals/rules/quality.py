"""Goal quality: the habits of good goal-setting, as rules that give advice.

Each rule has a code, the levels it reads, a plain-language message naming what it saw and a
suggestion of what a good goal says instead. Rules never refuse anything: they show as people
type on goal and proposal forms, and as findings in chain health. A product can switch any
rule off (`Product.quality_rules_off`).

Goal rules read one goal (a saved goal or a form being typed); product rules read the
product's open goals counted by level. To add a rule, write its check and list it in RULES.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from threading import Lock

from goals.models import OPEN_STATUSES, Level, Product
from goals.rules.quality_drafts import GoalDraft, Surroundings
from goals.rules.quality_patterns import (
    goal_is_unethical,
    sprint_goal_is_a_work_list,
    target_out_of_reach,
    user_goal_is_a_business_metric,
    vision_is_a_business_number,
    vision_is_empty_words,
)
from goals.rules.quality_words import (
    DONE_TOKENS,
    FEATURE_TOKENS,
    FEATURE_WORDS,
    MOVES_FROM_TO,
    OUTPUT_DONE,
    OUTPUT_FIRST_WORD,
    VAGUE_WORDS,
)
from goals.rules.timeframes import WINDOWS, timeframe_warning, years

DEFAULT_MAX_LIVE_PRODUCT_GOALS = 5
STRETCH_CONFIDENCE = 2  # fist of five: 1 or 2 fingers is a stretch, not a plan


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
    levels: tuple[str, ...]
    suggestion: str
    check: Callable[[GoalDraft], str | None]
    # Codes that say the same thing more precisely: found first, this rule stays quiet.
    quiet_after: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProductRule:
    code: str
    label: str
    levels: tuple[str, ...]  # the levels of the drafts it speaks to as they are typed
    suggestion: str
    check: Callable[[Surroundings, QualitySettings], str | None]


# The checks. Each returns the message when the rule applies, else None.


def _vision_names_a_feature(draft: GoalDraft) -> str | None:
    if FEATURE_TOKENS.isdisjoint(draft.words()):
        return None
    found = FEATURE_WORDS.search(draft.text)
    if found is None:
        return None
    return (
        f"The vision names a feature or technology (“{found.group(0)}”) rather than the change "
        "the product makes in people's lives."
    )


def _vision_too_short(draft: GoalDraft) -> str | None:
    if draft.starts_on is None or draft.ends_on is None or draft.ends_on <= draft.starts_on:
        return None
    days = (draft.ends_on - draft.starts_on).days
    if days >= WINDOWS[Level.VISION].min_days:
        return None
    return f"The vision looks {years(days)} ahead; a vision looks five years or more ahead."


def _output_not_outcome(draft: GoalDraft) -> str | None:
    # "Deliver 97 % of parcels on time", "Build recurring revenue up to 40 %": a share or a
    # change from one number to another is the outcome, whatever verb leads to it.
    words = draft.words()
    if "%" in draft.title or ("from" in words and MOVES_FROM_TO.search(draft.title)):
        return None
    found = OUTPUT_FIRST_WORD.search(draft.title)
    if found is None and not DONE_TOKENS.isdisjoint(words):
        found = OUTPUT_DONE.search(draft.title)
    if found is None:
        return None
    word = found.group(found.lastindex or 0)
    return (
        f"“{word}” describes an output, something the team makes, where a {draft.label} "
        "should state an outcome: what changes for people."
    )


def _not_measurable(draft: GoalDraft) -> str | None:
    if draft.has_measure():
        return None
    return (
        f"This {draft.label} has no number and no key result: nobody can tell when it is reached."
    )


def _key_result_without_baseline(draft: GoalDraft) -> str | None:
    missing = [kr.title or "untitled" for kr in draft.key_results if kr.baseline is None]
    if not missing:
        return None
    if len(missing) == 1:
        return f"Key result “{missing[0]}” has no baseline: progress cannot be measured from it."
    names = ", ".join(f"“{title}”" for title in missing)
    return f"{len(missing)} key results have no baseline: {names}."


def _vague_without_measure(draft: GoalDraft) -> str | None:
    if draft.has_measure():
        return None
    word = next((word for word in draft.words() if word in VAGUE_WORDS), None)
    if word is None:
        return None
    return (
        f"“{word}” says which way, not how far: there is no number and no key result "
        "to tell when it is reached."
    )


def _stretch_sprint_goal(draft: GoalDraft) -> str | None:
    if draft.confidence is None or draft.confidence > STRETCH_CONFIDENCE:
        return None
    return (
        f"The team's confidence in this sprint goal is {draft.confidence} of 5: that is a "
        "stretch target, not a plan for one sprint."
    )


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


MEASURED = (Level.USER, Level.BUSINESS, Level.PRODUCT)

RULES: tuple[GoalRule | ProductRule, ...] = (
    GoalRule(
        "vision_names_feature",
        "Vision names a feature",
        (Level.VISION,),
        "Say who benefits and how their lives change, e.g. “Every family eats well without "
        "thinking about it”. Features and technology belong in product goals.",
        _vision_names_a_feature,
    ),
    GoalRule(
        "vision_too_short",
        "Vision too near",
        (Level.VISION,),
        "Look further ahead: a True North that still holds when today's roadmap is done, five "
        "years or more away.",
        _vision_too_short,
    ),
    GoalRule(
        "output_not_outcome",
        "Output, not outcome",
        (Level.USER, Level.BUSINESS),
        "Name the change you want to see, e.g. “Families plan a week of meals in ten minutes” "
        "rather than “Launch the meal planner”. The outputs go on the roadmap.",
        _output_not_outcome,
    ),
    GoalRule(
        "vague_words",
        "Vague words",
        (*MEASURED, Level.SPRINT),
        "Say how far and by when: “cut checkout time from 4 to 2 minutes”, not “faster "
        "checkout”; or add a key result with a baseline and a target.",
        _vague_without_measure,
    ),
    GoalRule(
        "not_measurable",
        "Not measurable",
        MEASURED,
        "Add a key result with a baseline, a target and a unit, or put the number in the goal "
        "itself.",
        _not_measurable,
        quiet_after=("vague_words",),
    ),
    GoalRule(
        "key_result_no_baseline",
        "Key result without baseline",
        (*MEASURED, Level.SPRINT),
        "Write down where you start, measured now. If nobody knows yet, measuring it is the "
        "first step.",
        _key_result_without_baseline,
    ),
    GoalRule(
        "sprint_stretch",
        "Stretch sprint goal",
        (Level.SPRINT,),
        "Stretch is for the vision. Cut the sprint goal to what the team expects to meet and "
        "keep the rest for the next sprint.",
        _stretch_sprint_goal,
    ),
    GoalRule(
        "vision_business_number",
        "Vision is a business number",
        (Level.VISION,),
        "Say whose life changes and how, e.g. “Every family eats well without thinking about "
        "it”; members, revenue and rank go in business goals.",
        vision_is_a_business_number,
    ),
    GoalRule(
        "vision_empty_words",
        "Vision in empty words",
        (Level.VISION,),
        "Name the people and the change, e.g. “Travellers reach any city in Europe without "
        "planning a single connection”; words any company could use say nothing.",
        vision_is_empty_words,
    ),
    GoalRule(
        "sprint_work_list",
        "Work list, not a sprint goal",
        (Level.SPRINT,),
        "Name the one outcome the sprint's work serves, e.g. “Customers can pay with a saved "
        "card at checkout”; the tickets go on the sprint backlog.",
        sprint_goal_is_a_work_list,
    ),
    GoalRule(
        "out_of_reach",
        "Out of reach for its level",
        (Level.USER, Level.BUSINESS, Level.PRODUCT, Level.SPRINT),
        "Aim for what the team believes it can reach in the level's time, e.g. “Grow weekly "
        "orders from 8,000 to 10,000 by June”, and keep the big ambition for the vision.",
        target_out_of_reach,
    ),
    GoalRule(
        "unethical",
        "Works against people",
        tuple(Level.values),
        "Reach the number by serving people better, e.g. “Half of those who cancel do it in "
        "two clicks and tell us why”, never by tricking them or taking their data.",
        goal_is_unethical,
    ),
    GoalRule(
        "user_goal_business_metric",
        "User goal is a business metric",
        (Level.USER,),
        "Say what users get, e.g. “Families plan a week of meals in ten minutes”; revenue and "
        "margins go in a business goal beside it.",
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
            found.append(Advice(rule.code, message, rule.suggestion))
    return tuple(found)


class _Remembered:
    """The advice on the goals read lately, by the fingerprint of all a rule reads: chain
    health reads every open goal on each request, and most have not changed since the last
    one. The oldest go first past `size` entries (each under a kilobyte)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[
            tuple[tuple[object, ...], QualitySettings], tuple[Advice, ...]
        ] = OrderedDict()
        self.lock = Lock()

    def get(self, key: tuple[tuple[object, ...], QualitySettings]) -> tuple[Advice, ...] | None:
        return self.entries.get(key)

    def keep(
        self, key: tuple[tuple[object, ...], QualitySettings], advice: tuple[Advice, ...]
    ) -> tuple[Advice, ...]:
        with self.lock:
            if len(self.entries) >= self.size:
                self.entries.popitem(last=False)
            self.entries[key] = advice
        return advice


_REMEMBERED = _Remembered(20_000)


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
