"""The checks of the goal rules that read a goal's words, dates, confidence and key results
(goals/rules/quality.py lists them as rules; the wording patterns of the newer ones are in
quality_patterns.py). Each returns the message when the rule applies, else None."""

from __future__ import annotations

from goals.models import Level
from goals.rules.quality_drafts import GoalDraft
from goals.rules.quality_words import (
    DONE_TOKENS,
    FEATURE_TOKENS,
    FEATURE_WORDS,
    MOVES_FROM_TO,
    OUTPUT_DONE,
    OUTPUT_FIRST_WORD,
    VAGUE_WORDS,
)
from goals.rules.timeframes import WINDOWS, years

STRETCH_CONFIDENCE = 2  # fist of five: 1 or 2 fingers is a stretch, not a plan


def vision_names_a_feature(draft: GoalDraft) -> str | None:
    if FEATURE_TOKENS.isdisjoint(draft.words()):
        return None
    found = FEATURE_WORDS.search(draft.text)
    if found is None:
        return None
    return (
        f"The vision names a feature or technology (“{found.group(0)}”) rather than the change "
        "the product makes in people's lives."
    )


def vision_too_short(draft: GoalDraft) -> str | None:
    if draft.starts_on is None or draft.ends_on is None or draft.ends_on <= draft.starts_on:
        return None
    days = (draft.ends_on - draft.starts_on).days
    if days >= WINDOWS[Level.VISION].min_days:
        return None
    return f"The vision looks {years(days)} ahead; a vision looks five years or more ahead."


def output_not_outcome(draft: GoalDraft) -> str | None:
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


def not_measurable(draft: GoalDraft) -> str | None:
    if draft.has_measure():
        return None
    return (
        f"This {draft.label} has no number and no key result: nobody can tell when it is reached."
    )


def key_result_without_baseline(draft: GoalDraft) -> str | None:
    missing = [kr.title or "untitled" for kr in draft.key_results if kr.baseline is None]
    if not missing:
        return None
    if len(missing) == 1:
        return f"Key result “{missing[0]}” has no baseline: progress cannot be measured from it."
    names = ", ".join(f"“{title}”" for title in missing)
    return f"{len(missing)} key results have no baseline: {names}."


def vague_without_measure(draft: GoalDraft) -> str | None:
    if draft.has_measure():
        return None
    word = next((word for word in draft.words() if word in VAGUE_WORDS), None)
    if word is None:
        return None
    return (
        f"“{word}” says which way, not how far: there is no number and no key result "
        "to tell when it is reached."
    )


def stretch_sprint_goal(draft: GoalDraft) -> str | None:
    if draft.confidence is None or draft.confidence > STRETCH_CONFIDENCE:
        return None
    return (
        f"The team's confidence in this sprint goal is {draft.confidence} of 5: that is a "
        "stretch target, not a plan for one sprint."
    )
