"""How the app writes the sentences people read around names and titles people chose."""

from __future__ import annotations

SENTENCE_ENDS = (".", "!", "?", "…")


def full_stop(text: str) -> str:
    """End a sentence with a full stop, unless its last word already ends one: "Welcome to
    Healthy Eating Co." keeps its one full stop, "Ship it!" its exclamation mark."""
    return text if text.rstrip().endswith(SENTENCE_ENDS) else f"{text}."
