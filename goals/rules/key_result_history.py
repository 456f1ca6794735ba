"""How a change of a key result is kept in its goal's history, and told in words.

A key result of an agreed goal is part of what was agreed, so changing what it promises is
kept in the goal's history (`GoalChange.changes`) next to the goal's own fields, named by the
key result's title at the time:

- an edit: ``{"key_result:Weekly active cooks.target": [5000, 6000]}``, one key per field;
- an addition: ``{"key_result:Weekly active cooks": [null, {"title": ..., "target": ...}]}``;
- a removal: ``{"key_result:Weekly active cooks": [{"title": ..., "target": ...}, null]}``.

Numbers are kept as the API writes them (5000, 1.5), dates as ``YYYY-MM-DD``. Pure
functions, no queries: the history page, the activity feed and the exports all read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from goals.wording import amount, json_number

PREFIX = "key_result:"
# What a key result promises, in the words of the page: changing any of them on an agreed
# goal needs a reason. (Its current value moves with check-ins; its owner may change freely.)
PROMISED_FIELDS = {
    "title": "name",
    "unit": "unit",
    "baseline": "baseline",
    "target": "target",
    "due_on": "due date",
}
# Kept in the history too, though not part of the promise: a current value that data moved
# (a metric token's push, a data source's fetch). A check-in keeps its values in itself.
MOVED_FIELDS = {"current": "current value"}
_WORDS = {**PROMISED_FIELDS, **MOVED_FIELDS}


def field_key(title: str, field: str) -> str:
    """The history key of one field of the key result called `title`."""
    return f"{PREFIX}{title}.{field}"


def whole_key(title: str) -> str:
    """The history key of a key result added or removed whole."""
    return f"{PREFIX}{title}"


def words_of(fields: list[str]) -> str:
    """ "target", "target and due date", "name, baseline and target"."""
    words = [PROMISED_FIELDS[field] for field in fields]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


@dataclass(frozen=True)
class KeyResultChange:
    """One key result's change of one history entry, as people read it."""

    title: str
    field: str  # a PROMISED_FIELDS or MOVED_FIELDS key, or "added" / "removed"
    old: str
    new: str

    @property
    def sentence(self) -> str:
        """e.g. moved the target of “Weekly active cooks” from 5,000 to 6,000"""
        if self.field == "added":
            return f"added the key result “{self.title}” ({self.new})"
        if self.field == "removed":
            return f"removed the key result “{self.title}” ({self.old})"
        if self.field == "title":
            return f"renamed the key result “{self.title}” to “{self.new}”"
        verb = "moved" if self.field in ("baseline", "target", "due_on", "current") else "changed"
        return f"{verb} the {_WORDS[self.field]} of “{self.title}” from {self.old} to {self.new}"

    @property
    def label(self) -> str:
        """The history table's field label: Key result “Weekly active cooks”: target."""
        what = self.field if self.field in ("added", "removed") else _WORDS[self.field]
        return f"Key result “{self.title}”: {what}"


def is_key_result_change(key: str) -> bool:
    return key.startswith(PREFIX)


def describe(key: str, pair: Any) -> KeyResultChange | None:
    """A history entry's key and [old, new] in words; None for a goal field's change."""
    if not is_key_result_change(key) or not isinstance(pair, list) or len(pair) != 2:
        return None
    old, new = pair
    name = key[len(PREFIX) :]
    if isinstance(new, dict) and old is None:
        return KeyResultChange(name, "added", "—", _summary(new))
    if isinstance(old, dict) and new is None:
        return KeyResultChange(name, "removed", _summary(old), "—")
    title, _, field = name.rpartition(".")
    if field not in _WORDS:
        return None
    return KeyResultChange(title, field, value_text(field, old), value_text(field, new))


def snapshot(
    *, title: str, unit: str, baseline: Any, target: Any, due_on: date | None
) -> dict[str, Any]:
    """A key result's promise as the history keeps a whole one (added or removed)."""
    return {
        "title": title,
        "unit": unit,
        "baseline": json_number(baseline),
        "target": json_number(target),
        "due_on": due_on.isoformat() if due_on else None,
    }


def value_text(field: str, value: Any) -> str:
    """A kept value as people write it: 5,000 / 1.5 / 5 Dec 2026 / — for nothing."""
    if value is None or value == "":
        return "—"
    if field in ("baseline", "target", "current"):
        return amount(value)
    if field == "due_on":
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{day.day} {day:%b %Y}"
    return str(value)


def _summary(kept: dict[str, Any]) -> str:
    """from 0 to 5,000 users, due 5 Dec 2026"""
    unit = f" {kept['unit']}" if kept.get("unit") else ""
    text = (
        f"from {value_text('baseline', kept.get('baseline'))} "
        f"to {value_text('target', kept.get('target'))}{unit}"
    )
    if kept.get("due_on"):
        text += f", due {value_text('due_on', kept['due_on'])}"
    return text
