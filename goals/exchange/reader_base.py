"""What every part of the document reader shares: the plan being filled and its problems.

`PlanState` holds the values read so far, section by section, the problems found, and the
emails the document names; the section readers (`reader_goals`, `reader_records`) and the
plan itself (`reader`) build on it.
"""

from __future__ import annotations

from typing import Any

from goals.errors import Errors


class PlanState:
    """The values a document reader has parsed so far, and the problems it has found."""

    def __init__(self) -> None:
        self.errors = Errors()
        self.product_name = ""
        self.portfolio_strategy = ""
        self.roles: dict[str, str] = {}
        self.goals: list[dict[str, Any]] = []
        self.key_results: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.decisions: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.check_ins: list[dict[str, Any]] = []
        self.retrospectives: list[dict[str, Any]] = []
        self.review_schedule: dict[str, Any] = {}
        self.insights: list[dict[str, Any]] = []
        self.product_fields: dict[str, Any] = {}
        self.emails: set[str] = set()
        self.refs: dict[int, dict[str, Any]] = {}

    def _email(self, obj: dict[str, Any], key: str, where: str, *, required: bool) -> str | None:
        value = obj.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or "@" not in value or len(value) > 254:
            self.errors.add(f"{where}.{key}", "Give an email address.")
            return None
        self.emails.add(value)
        return value
