"""The words the goal-quality rules look for: feature and output words, vague verbs, numbers
written as words. Plain ASCII lists, matched on lower-case text."""

from __future__ import annotations

import re


def any_word(*words: str) -> re.Pattern[str]:
    """One pattern for whole words or phrases, longest first so “mobile app” beats “app”."""
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b", re.IGNORECASE)


_FEATURES = (
    "app", "apps", "application", "feature", "features", "platform", "software", "website",
    "api", "ai", "artificial intelligence", "machine learning", "blockchain", "cloud",
    "dashboard", "database", "algorithm", "chatbot", "saas", "plugin", "integration",
    "mobile app", "technology",
    # Channels and devices: where the solution runs, not whose life changes.
    "smart tv", "smart tvs", "tv", "tvs", "portal", "kiosk", "kiosks", "voice assistant",
    "metaverse", "virtual reality", "augmented reality", "vr", "iot", "crypto", "nft", "nfts",
    "web3", "sms", "whatsapp", "social media", "super app", "smartphone", "smartphones",
    "bot", "bots", "robot", "robots", "drone", "drones", "wearable", "wearables",
    "generative ai", "gpt", "llm", "microservices", "digital platform", "smart meter",
    "smart meters", "smart speaker", "smart speakers", "smart watch", "smart contracts",
    "digital-first", "digital first",
)  # fmt: skip
FEATURE_WORDS = any_word(*_FEATURES)
# The pattern runs only on goals holding one of these words (a chain's health reads 10,000).
FEATURE_TOKENS = frozenset(word for phrase in _FEATURES for word in phrase.split())
OUTPUT_FIRST_WORD = re.compile(
    r"^\W*(launch|build|implement|release|ship|develop|create|deliver|introduce|roll out|"
    r"deploy|migrate|integrate|add|redesign|rebuild|set up|open|hire)\b",
    re.IGNORECASE,
)
_DONE = (
    "launched", "built", "implemented", "released", "shipped", "developed", "created",
    "delivered", "introduced", "rolled out", "deployed", "migrated", "integrated", "redesigned",
    "rebuilt",
)  # fmt: skip
# A done-word says the goal is an output when it ends the goal or a clause ("Meal planner
# launched by June"); before a noun it is an adjective ("each shipped order").
# The pattern runs only on goals holding one of these words.
DONE_TOKENS = frozenset(word.split()[0] for word in _DONE)
OUTPUT_DONE = re.compile(
    any_word(*_DONE).pattern
    + r"(?=\s*(?:$|[.,;:!?)]|\b(?:by|in|on|to|for|before|and|with|at|across|within|this|next|"
    r"everywhere|live)\b))",
    re.IGNORECASE,
)
# A measured change: "from 4 to 2 minutes", "from €4.20 to €3.50".
MOVES_FROM_TO = re.compile(r"\bfrom\s+\S*\d\S*\s+(?:\S+\s+)?to\s+\S*\d", re.IGNORECASE)
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
