"""Reading the chain part of the document: goals, their links, key results and history.

Each goal is read part by part (what kind of goal it is, its parents, its fields, whether
those fit together), then the chain as a whole is checked: every link by the chain's rules
and one live vision per product.
"""

from __future__ import annotations

from typing import Any

from goals.exchange.checks import HISTORY_VALUES, key_result_change_fits
from goals.exchange.fields import is_ref, is_whole, read_day, read_moment, read_number, read_text
from goals.exchange.reader_base import PlanState
from goals.models import AgreementWay, GoalChange, Level, SprintVerdict, Status
from goals.rules import key_result_history
from goals.rules.links import Linked, parent_errors
from goals.rules.timeframes import timeframe_errors

_CLOSED_WITH_NOTE = (Status.ACHIEVED, Status.MISSED)
# Who made a change no person made: a metric token's name, or the data source.
BY_NAME_MAX_LENGTH = GoalChange._meta.get_field("by_name").max_length or 120


class GoalSections(PlanState):
    """The readers of the goals, key results and history sections."""

    def _read_goals(self, rows: list[Any]) -> None:
        seen: set[int] = set()
        for i, row in enumerate(rows):
            goal = self._read_goal(row, f"goals[{i}]", seen)
            if goal is not None:
                self._check_goal(goal)
                self.goals.append(goal)
        refs = {goal["ref"]: goal for goal in self.goals}
        for goal in self.goals:
            self._check_parents(goal, refs)
        self._check_live_visions()

    def _read_goal(self, row: Any, where: str, seen: set[int]) -> dict[str, Any] | None:
        """One goal's kind, parents and fields; None when it cannot be a goal at all."""
        kind = self._read_goal_kind(row, where, seen)
        if kind is None:
            return None
        parents = self._read_goal_parents(row, where)
        return {**kind, **self._read_goal_fields(row, where, parents)}

    def _read_goal_kind(self, row: Any, where: str, seen: set[int]) -> dict[str, Any] | None:
        """The goal's own ref, its level and status."""
        add = self.errors.add
        if not isinstance(row, dict):
            add(where, "Each goal is an object.")
            return None
        ref = row.get("ref")
        if not isinstance(ref, int) or isinstance(ref, bool):
            add(f"{where}.ref", "Each goal needs a whole-number ref.")
            return None
        if ref in seen:
            add(f"{where}.ref", f"Ref {ref} is used by two goals.")
            return None
        seen.add(ref)
        level, status = row.get("level"), row.get("status", Status.DRAFT)
        if level not in Level.values:
            add(f"{where}.level", f"Choose one of: {', '.join(Level.values)}.")
            return None
        if status not in Status.values:
            add(f"{where}.status", f"Choose one of: {', '.join(Status.values)}.")
            return None
        return {"ref": ref, "level": level, "status": status}

    def _read_goal_parents(self, row: dict[str, Any], where: str) -> list[Any]:
        """The refs of the goals it serves, as written; their links are checked later."""
        parents = row.get("parents", [])
        if not isinstance(parents, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) for p in parents
        ):
            self.errors.add(f"{where}.parents", "Parents are a list of goal refs.")
            parents = []
        return parents

    def _read_goal_fields(
        self, row: dict[str, Any], where: str, parents: list[Any]
    ) -> dict[str, Any]:
        """The goal's texts, owner, dates and the rest, each checked on its own."""
        return {
            "title": read_text(row, "title", self.errors, where, 300, required=True),
            "description": read_text(row, "description", self.errors, where, 20000),
            "owner": self._email(row, "owner", where, required=False),
            "parents": parents,
            "starts_on": read_day(row, "starts_on", self.errors, where),
            "ends_on": read_day(row, "ends_on", self.errors, where),
            "confidence": row.get("confidence"),
            "next_review_on": read_day(row, "next_review_on", self.errors, where),
            "outcome_note": read_text(row, "outcome_note", self.errors, where, 20000),
            "sprint_verdict": row.get("sprint_verdict") or "",
            "where": where,
        }

    def _check_goal(self, goal: dict[str, Any]) -> None:
        """Whether the goal's fields fit its level and status, and each other."""
        add, where, level, status = self.errors.add, goal["where"], goal["level"], goal["status"]
        confidence = goal["confidence"]
        if confidence is not None and (
            not isinstance(confidence, int) or isinstance(confidence, bool)
            or not 1 <= confidence <= 5
        ):  # fmt: skip
            add(f"{where}.confidence", "Confidence is a whole number from 1 to 5.")
        if goal["sprint_verdict"] and (
            level != Level.SPRINT or goal["sprint_verdict"] not in SprintVerdict.values
        ):
            add(f"{where}.sprint_verdict", "Only sprint goals are met or not met.")
        for message in timeframe_errors(level, goal["starts_on"], goal["ends_on"]):
            add(f"{where}.ends_on", message)
        if status in _CLOSED_WITH_NOTE and not goal["outcome_note"].strip():
            add(f"{where}.outcome_note", "A closed goal keeps its outcome note.")

    def _check_live_visions(self) -> None:
        """A product has one live vision."""
        live_visions = [
            g for g in self.goals if g["level"] == Level.VISION and g["status"] != Status.DROPPED
        ]
        if len(live_visions) > 1:
            self.errors.add(
                live_visions[1]["where"] + ".level",
                f"A product has one live vision; goals {live_visions[0]['ref']} and "
                f"{live_visions[1]['ref']} both are.",
            )

    def _check_parents(self, goal: dict[str, Any], refs: dict[int, dict[str, Any]]) -> None:
        where = goal["where"] + ".parents"
        parents = []
        for ref in goal["parents"]:
            if ref in refs:
                parents.append(_linked(refs[ref]))
            else:
                self.errors.add(where, f"No goal in the document has ref {ref}.")
        # A document may link to goals it also records as dropped: that is their history.
        for message in parent_errors(_linked(goal), parents, kept=set(goal["parents"])):
            self.errors.add(where, message)

    def _read_key_results(self, rows: list[Any], refs: dict[int, dict[str, Any]]) -> None:
        add = self.errors.add
        seen: set[int] = set()
        for i, row in enumerate(rows):
            where = f"key_results[{i}]"
            if not isinstance(row, dict):
                add(where, "Each key result is an object.")
                continue
            if not is_ref(row.get("goal"), refs):
                add(f"{where}.goal", f"No goal in the document has ref {row.get('goal')!r}.")
                continue
            numbers = {
                key: read_number(row, key, self.errors, where)
                for key in ("baseline", "target", "current")
            }
            if None not in numbers.values() and numbers["target"] == numbers["baseline"]:
                add(f"{where}.target", "The target must differ from the baseline.")
            ref = row.get("ref")
            if not is_whole(ref) or ref in seen:
                add(f"{where}.ref", "Each key result needs its own whole-number ref.")
                continue
            seen.add(ref)
            self.key_results.append(
                {
                    "ref": ref,
                    "goal": row["goal"],
                    "title": read_text(row, "title", self.errors, where, 300, required=True),
                    "unit": read_text(row, "unit", self.errors, where, 40),
                    "owner": self._email(row, "owner", where, required=True),
                    "due_on": read_day(row, "due_on", self.errors, where),
                    **numbers,
                }
            )

    def _read_history(self, rows: list[Any], refs: dict[int, dict[str, Any]]) -> None:
        for i, row in enumerate(rows):
            where = f"history[{i}]"
            if not isinstance(row, dict) or not is_ref(row.get("goal"), refs):
                self.errors.add(where, "Each history entry is an object naming a goal ref.")
                continue
            if not isinstance(row.get("changes"), dict):
                self.errors.add(f"{where}.changes", "Changes are an object of fields.")
                continue
            if not self._check_changes(row["changes"], f"{where}.changes", refs):
                continue
            via = row.get("via", "")
            if via != "" and via not in AgreementWay.values:
                self.errors.add(
                    f"{where}.via",
                    f"How a goal was agreed is one of: {', '.join(AgreementWay.values)}.",
                )
                continue
            self.history.append(
                {
                    "goal": row["goal"],
                    "at": read_moment(row, "at", self.errors, where),
                    "by": self._email(row, "by", where, required=False),
                    "by_name": read_text(row, "by_name", self.errors, where, BY_NAME_MAX_LENGTH),
                    "reason": read_text(row, "reason", self.errors, where, 20000),
                    "via": via,
                    "changes": row["changes"],
                }
            )

    def _check_changes(
        self, changes: dict[str, Any], where: str, refs: dict[int, dict[str, Any]]
    ) -> bool:
        """Each change is [old, new] of a field a goal's history keeps, with values of its
        kind, as the services write them; False (and the problem said) otherwise."""
        for key, pair in changes.items():
            at = f"{where}.{key}"
            if not isinstance(pair, list) or len(pair) != 2:
                self.errors.add(at, "Each change is a pair: the value before and after.")
                return False
            if key_result_history.is_key_result_change(key):
                fine = key_result_change_fits(key, pair)
            elif key == "parents":
                fine = all(
                    side is None
                    or (isinstance(side, list) and all(is_ref(ref, refs) for ref in side))
                    for side in pair
                )
            elif key in HISTORY_VALUES:
                fine = all(value is None or HISTORY_VALUES[key](value) for value in pair)
            else:
                self.errors.add(at, "A goal's history keeps changes of its own fields only.")
                return False
            if not fine:
                self.errors.add(at, "These values do not fit this field.")
                return False
        return True


def _linked(goal: dict[str, Any]) -> Linked:
    return Linked(goal["ref"], goal["title"], goal["level"], goal["status"])
