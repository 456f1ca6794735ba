"""Reading the records kept about goals: check-ins, retrospectives, comments, insights and
the workshop decisions that adopted them.

Each names its goal by the document's ref; the goals are read first (`reader_goals`).
"""

from __future__ import annotations

from typing import Any

from goals.exchange.checks import objections_fit, tallies_fit
from goals.exchange.fields import (
    is_ref,
    is_whole,
    read_day,
    read_list,
    read_moment,
    read_number,
    read_optional_moment,
    read_text,
)
from goals.exchange.reader_base import PlanState
from goals.models import COMMENT_MAX_LENGTH, InsightKind
from workshops.models import DecisionRule, VotingMethod


class RecordSections(PlanState):
    """The readers of the check-ins, retrospectives, comments, insights and decisions."""

    def _read_check_ins(self, rows: list[Any], kr_refs: dict[int, dict[str, Any]]) -> None:
        add = self.errors.add
        for i, row in enumerate(rows):
            where = f"check_ins[{i}]"
            if not isinstance(row, dict) or not is_ref(row.get("goal"), self.refs):
                add(where, "Each check-in is an object naming a goal ref.")
                continue
            confidence = row.get("confidence")
            if (
                not isinstance(confidence, int)
                or isinstance(confidence, bool)
                or not (1 <= confidence <= 5)
            ):
                add(f"{where}.confidence", "Confidence is a whole number from 1 to 5.")
            values = []
            for j, value in enumerate(read_list(row, "values", self.errors, required=False)):
                at = f"{where}.values[{j}]"
                ref = value.get("key_result") if isinstance(value, dict) else None
                kr = kr_refs.get(ref) if isinstance(ref, int) else None
                if kr is None or kr["goal"] != row["goal"]:
                    add(at, "Each value names a key result of the check-in's goal.")
                    continue
                values.append(
                    {
                        "key_result": value["key_result"],
                        "value": read_number(value, "value", self.errors, at),
                        "previous": read_number(value, "previous", self.errors, at),
                    }
                )
            self.check_ins.append(
                {
                    "goal": row["goal"],
                    "author": self._email(row, "author", where, required=False),
                    "confidence": confidence,
                    "note": read_text(row, "note", self.errors, where, 10000),
                    "created_at": read_moment(row, "created_at", self.errors, where),
                    "next_review_on": read_day(row, "next_review_on", self.errors, where),
                    "values": values,
                }
            )

    def _read_retrospectives(self, rows: list[Any], refs: dict[int, dict[str, Any]]) -> None:
        seen: set[int] = set()
        for i, row in enumerate(rows):
            where = f"retrospectives[{i}]"
            if (
                not isinstance(row, dict)
                or not is_ref(row.get("goal"), refs)
                or row["goal"] in seen
            ):
                self.errors.add(where, "Each retrospective names its own missed goal's ref.")
                continue
            seen.add(row["goal"])
            self.retrospectives.append(
                {
                    "goal": row["goal"],
                    **{
                        key: read_text(row, key, self.errors, where, 10000, required=True)
                        for key in ("what_happened", "what_we_learned", "what_we_change")
                    },
                    "author": self._email(row, "author", where, required=False),
                    "created_at": read_moment(row, "created_at", self.errors, where),
                }
            )

    def _read_comments(self, rows: list[Any], refs: dict[int, dict[str, Any]]) -> None:
        seen: set[int] = set()
        for i, row in enumerate(rows):
            where = f"comments[{i}]"
            if not isinstance(row, dict) or not is_ref(row.get("goal"), refs):
                self.errors.add(where, "Each comment is an object naming a goal ref.")
                continue
            ref, parent = row.get("ref"), row.get("parent")
            if not is_whole(ref) or ref in seen:
                self.errors.add(f"{where}.ref", "Each comment needs its own whole-number ref.")
                continue
            if parent is not None and not is_ref(parent, seen):
                self.errors.add(f"{where}.parent", "A reply follows the comment it answers.")
                continue
            seen.add(ref)
            deleted_at = read_optional_moment(row, "deleted_at", self.errors, where)
            body = read_text(row, "body", self.errors, where, COMMENT_MAX_LENGTH)
            if not body.strip() and deleted_at is None:
                self.errors.add(f"{where}.body", "A comment says something.")
            self.comments.append(
                {
                    "ref": ref,
                    "goal": row["goal"],
                    "parent": parent,
                    "author": self._email(row, "author", where, required=False),
                    "body": body,
                    "created_at": read_moment(row, "created_at", self.errors, where),
                    "edited_at": read_optional_moment(row, "edited_at", self.errors, where),
                    "resolved_at": read_optional_moment(row, "resolved_at", self.errors, where),
                    "deleted_at": deleted_at,
                }
            )

    def _read_insights(self, rows: list[Any], refs: dict[int, dict[str, Any]]) -> None:
        for i, row in enumerate(rows):
            where = f"insights[{i}]"
            if not isinstance(row, dict) or not is_ref(row.get("goal"), refs):
                self.errors.add(where, "Each insight is an object naming a goal ref.")
                continue
            kind = row.get("kind")
            if kind not in InsightKind.values:
                self.errors.add(f"{where}.kind", f"Choose one of: {', '.join(InsightKind.values)}.")
                continue
            value = None
            if row.get("value") is not None or kind == InsightKind.QUANTITATIVE:
                value = read_number(row, "value", self.errors, where)
            self.insights.append(
                {
                    "goal": row["goal"],
                    "kind": kind,
                    "summary": read_text(row, "summary", self.errors, where, 10000, required=True),
                    "source": read_text(row, "source", self.errors, where, 500, required=True),
                    "value": value,
                    "unit": read_text(row, "unit", self.errors, where, 40),
                    "author": self._email(row, "author", where, required=False),
                    "created_at": read_moment(row, "created_at", self.errors, where),
                }
            )

    def _read_decisions(self, rows: list[Any], refs: dict[int, dict[str, Any]]) -> None:
        add = self.errors.add
        for i, row in enumerate(rows):
            where = f"decisions[{i}]"
            if not isinstance(row, dict) or not is_ref(row.get("goal"), refs):
                add(where, "Each decision is an object naming the goal it adopted.")
                continue
            if row.get("rule") not in DecisionRule.values:
                add(f"{where}.rule", f"Choose one of: {', '.join(DecisionRule.values)}.")
            if row.get("voting_method") not in VotingMethod.values:
                add(f"{where}.voting_method", f"Choose one of: {', '.join(VotingMethod.values)}.")
            if row.get("voting_method") in VotingMethod.values and not tallies_fit(
                row["voting_method"], row.get("tallies")
            ):
                add(
                    f"{where}.tallies",
                    "Tallies count voters, supporters and objectors in whole numbers, and "
                    "each ballot value of the voting method.",
                )
            if not objections_fit(row.get("objections")):
                add(f"{where}.objections", "Objections are a list, each with its reason in words.")
            round_ = row.get("round", 1)
            if not isinstance(round_, int) or isinstance(round_, bool) or not 1 <= round_ <= 99:
                add(f"{where}.round", "The round is a whole number from 1.")
            self.decisions.append(
                {
                    "goal": row["goal"],
                    "workshop": read_text(row, "workshop", self.errors, where, 200, required=True),
                    "proposal": read_text(row, "proposal", self.errors, where, 300, required=True),
                    "facilitator": self._email(row, "facilitator", where, required=True),
                    "decided_by": self._email(row, "decided_by", where, required=False),
                    "decided_at": read_moment(row, "decided_at", self.errors, where),
                    "round": round_,
                    "rule": row.get("rule"),
                    "voting_method": row.get("voting_method"),
                    "tallies": row.get("tallies"),
                    "objections": row.get("objections"),
                }
            )
        adopted = [row["goal"] for row in self.decisions]
        if len(set(adopted)) != len(adopted):
            add("decisions", "A goal is adopted by one decision.")
