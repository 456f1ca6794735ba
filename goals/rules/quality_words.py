"""The words the goal-quality rules look for: feature and output words, vague verbs, numbers
written as words. Plain ASCII lists, matched on lower-case text."""

from __future__ import annotations

import re


def any_word(*words: str) -> re.Pattern[str]:
    """One pattern for whole words or phrases, longest first so “mobile app” beats “app”."""
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b", re.IGNORECASE)


FEATURE_WORDS = any_word(
    "app", "apps", "application", "feature", "features", "platform", "software", "website",
    "api", "ai", "artificial intelligence", "machine learning", "blockchain", "cloud",
    "dashboard", "database", "algorithm", "chatbot", "saas", "plugin", "integration",
    "mobile app", "technology",
)  # fmt: skip
OUTPUT_FIRST_WORD = re.compile(
    r"^\W*(launch|build|implement|release|ship|develop|create|deliver|introduce|roll out|"
    r"deploy|migrate|integrate|add|redesign|rebuild|set up)\b",
    re.IGNORECASE,
)
OUTPUT_DONE = any_word(
    "launched", "built", "implemented", "released", "shipped", "developed", "created",
    "delivered", "introduced", "rolled out", "deployed", "migrated", "integrated", "redesigned",
    "rebuilt",
)  # fmt: skip
# Single words, looked up in a goal's words: a chain of 10,000 goals is read word by word
# once, where a pattern of alternatives per rule took a tenth of a second.
VAGUE_WORDS = frozenset({
    "improve", "improved", "improves", "improving", "better", "optimize", "optimise",
    "optimized", "optimised", "optimizing", "optimising", "enhance", "enhanced", "increase",
    "increased", "reduce", "reduced", "boost", "faster", "easier", "streamline", "maximize",
    "maximise", "minimize", "minimise", "more", "fewer", "less",
})  # fmt: skip
# Numbers in words ("ten minutes", "half", "twice"); "one" is left out because it is more
# often a pronoun ("no one") than a measure.
NUMBER_WORDS = frozenset({
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "million", "half",
    "double", "twice", "triple", "percent", "halve", "halved", "doubled", "tripled", "thrice",
})  # fmt: skip
# Fractions count as numbers after a count ("a third less", "two thirds of families"); alone,
# "quarter" and "third" are more often a time or a position ("next quarter", "third party").
FRACTION_WORDS = frozenset({
    "third", "thirds", "quarter", "quarters", "fifth", "fifths", "tenth", "tenths",
})  # fmt: skip
FRACTION_COUNTS = frozenset({"a", "one", "two", "three", "four", "nine"})
DIGIT = re.compile(r"\d")
WORD = re.compile(r"[a-z]+")  # on lower-case text: the word lists are plain ASCII
