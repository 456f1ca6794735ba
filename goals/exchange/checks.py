"""Whether the nested values the document keeps fit: the fields of a goal's history, a key
result kept whole in it, a decision's tallies and its objections.

Each check answers yes or no; the reader says what is wrong and where.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from goals.exchange.fields import is_day, is_number, is_whole
from goals.models import SprintVerdict, Status
from goals.rules import key_result_history
from workshops.rules import BALLOT_CHOICES

# What each goal field kept in the history holds (besides nothing, which each may).
HISTORY_VALUES: dict[str, Callable[[Any], bool]] = {
    "title": lambda v: isinstance(v, str) and len(v) <= 300,
    "description": lambda v: isinstance(v, str) and len(v) <= 20000,
    "outcome_note": lambda v: isinstance(v, str) and len(v) <= 20000,
    "owner": lambda v: isinstance(v, str) and "@" in v and len(v) <= 254,
    "status": lambda v: isinstance(v, str) and v in Status.values,
    "sprint_verdict": lambda v: isinstance(v, str) and v in ("", *SprintVerdict.values),
    "starts_on": is_day,
    "ends_on": is_day,
    "next_review_on": is_day,
    "confidence": lambda v: is_whole(v, 1, 5),
}

# What a key result kept whole in the history holds.
_KEY_RESULT_KEPT: dict[str, Callable[[Any], bool]] = {
    "title": lambda v: isinstance(v, str) and 0 < len(v) <= 300,
    "unit": lambda v: isinstance(v, str) and len(v) <= 40,
    "baseline": is_number,
    "target": is_number,
    "due_on": lambda v: v is None or is_day(v),
}


def key_result_change_fits(key: str, pair: list[Any]) -> bool:
    """A key result added or removed whole, one promised field of it changed, or its current
    value moved by data."""
    old, new = pair
    if old is None or new is None:
        kept = new if old is None else old
        if isinstance(kept, dict):
            return kept.keys() == _KEY_RESULT_KEPT.keys() and all(
                fits(kept[name]) for name, fits in _KEY_RESULT_KEPT.items()
            )
    field_name = key.rpartition(".")[2]
    if field_name in key_result_history.MOVED_FIELDS:  # a current value data moved
        return all(is_number(value) for value in pair)
    if field_name not in key_result_history.PROMISED_FIELDS:
        return False
    fits = _KEY_RESULT_KEPT[field_name]
    return all((value is None and field_name == "due_on") or fits(value) for value in pair)


def tallies_fit(method: str, tallies: Any) -> bool:
    """Tallies as a decision keeps them: counts of voters, supporters and objectors, the
    count of each ballot value of the method, and the dots (dot voting) or average."""
    if not isinstance(tallies, dict):
        return False
    if not {"voters", "supporters", "objectors", "counts"} <= tallies.keys() <= {
        "voters", "supporters", "objectors", "counts", "dots", "average"
    }:  # fmt: skip
        return False
    if not all(is_whole(tallies[key], 0) for key in ("voters", "supporters", "objectors")):
        return False
    if "dots" in tallies and not is_whole(tallies["dots"], 0):
        return False
    if tallies.get("average") is not None and not is_number(tallies["average"]):
        return False
    counts = tallies["counts"]
    if method in BALLOT_CHOICES:
        values = {value for value, _ in BALLOT_CHOICES[method]}
        value_fits: Callable[[str], bool] = values.__contains__
    else:  # dot voting counts voters by how many dots they gave
        value_fits = lambda key: key.isascii() and key.isdigit() and len(key) <= 3  # noqa: E731
    return isinstance(counts, dict) and all(
        value_fits(key) and is_whole(n, 0) for key, n in counts.items()
    )


def objections_fit(objections: Any) -> bool:
    """A list of objections, each with its reason, and who raised it unless anonymous."""
    if not isinstance(objections, list):
        return False
    for objection in objections:
        if not isinstance(objection, dict) or not objection.keys() <= {"voter", "name", "reason"}:
            return False
        reason, name, voter = (
            objection.get("reason"),
            objection.get("name", ""),
            objection.get("voter"),
        )
        if not isinstance(reason, str) or len(reason) > 10000:
            return False
        if not isinstance(name, str) or len(name) > 300:
            return False
        if voter is not None and not is_whole(voter):
            return False
    return True
