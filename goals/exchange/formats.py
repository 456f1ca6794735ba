"""The CSV and Markdown views of an exported document, for spreadsheets and for reading.

Both take the JSON document that `export_document` gives, so they show exactly what the
export holds: goals with their key results and the changes of those key results.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from goals.models import Level, Status
from goals.rules import key_result_history
from goals.wording import amount

_CSV_COLUMNS = [
    "kind", "ref", "goal", "level", "title", "status", "owner", "parents", "starts_on",
    "ends_on", "confidence", "progress", "unit", "baseline", "target", "current", "due_on",
    "changed_at", "changed_by", "change", "reason",
]  # fmt: skip
# Columns of people's own words: a spreadsheet must show them, never run them.
_CSV_TEXTS = ("title", "owner", "unit", "changed_by", "change", "reason")


@dataclass(frozen=True)
class _KeyResultChanges:
    """One history entry's changes of a goal's key results, in words."""

    at: str
    by: str
    reason: str
    changes: list[key_result_history.KeyResultChange]


def _key_result_changes(document: dict[str, Any]) -> dict[int, list[_KeyResultChanges]]:
    """Each goal's key result changes (agreed goals keep them with a reason), oldest first."""
    found: dict[int, list[_KeyResultChanges]] = defaultdict(list)
    for entry in document["history"]:
        told = [key_result_history.describe(k, v) for k, v in entry["changes"].items()]
        changes = [kr for kr in told if kr is not None]
        if changes:
            found[entry["goal"]].append(
                _KeyResultChanges(entry["at"], entry["by"] or "", entry["reason"], changes)
            )
    return found


def export_csv(document: dict[str, Any]) -> str:
    """One row per goal, each followed by its key results and their changes, for
    spreadsheets."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    key_results: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for kr in document["key_results"]:
        key_results[kr["goal"]].append(kr)
    key_result_changes = _key_result_changes(document)
    for goal in document["goals"]:
        writer.writerow(
            _csv_safe(
                {
                    "kind": "goal",
                    "ref": goal["ref"],
                    "level": goal["level"],
                    "title": goal["title"],
                    "status": goal["status"],
                    "owner": goal["owner"] or "",
                    "parents": " ".join(str(p) for p in goal["parents"]),
                    "starts_on": goal["starts_on"] or "",
                    "ends_on": goal["ends_on"] or "",
                    "confidence": goal["confidence"] or "",
                    "progress": goal["progress"],
                }
            )
        )
        for kr in key_results[goal["ref"]]:
            writer.writerow(
                _csv_safe(
                    {
                        "kind": "key_result",
                        "goal": goal["ref"],
                        "title": kr["title"],
                        "owner": kr["owner"],
                        "unit": kr["unit"],
                        "baseline": kr["baseline"],
                        "target": kr["target"],
                        "current": kr["current"],
                        "due_on": kr["due_on"] or "",
                    }
                )
            )
        for entry in key_result_changes[goal["ref"]]:
            for change in entry.changes:
                writer.writerow(
                    _csv_safe(
                        {
                            "kind": "key_result_change",
                            "goal": goal["ref"],
                            "title": change.title,
                            "changed_at": entry.at,
                            "changed_by": entry.by,
                            "change": change.sentence,
                            "reason": entry.reason,
                        }
                    )
                )
    return out.getvalue()


def _csv_safe(row: dict[str, Any]) -> dict[str, Any]:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a '."""
    return {
        key: f"'{value}"
        if isinstance(value, str) and key in _CSV_TEXTS and value[:1] in "=+-@\t\r"
        else value
        for key, value in row.items()
    }


_HEADINGS = {Level.VISION: 2, Level.USER: 3, Level.BUSINESS: 3, Level.PRODUCT: 4}


def export_markdown(document: dict[str, Any]) -> str:
    """The chain as a readable outline: strategies, then the tree from the vision down."""
    goals = {g["ref"]: g for g in document["goals"]}
    children: dict[int, list[int]] = defaultdict(list)
    for goal in document["goals"]:
        for parent in goal["parents"]:
            children[parent].append(goal["ref"])
    key_results: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for kr in document["key_results"]:
        key_results[kr["goal"]].append(kr)
    key_result_changes = _key_result_changes(document)
    lines = [f"# {document['product']['name']}", ""]
    for label, text in (
        ("Business strategy", document["organization"]["business_strategy"]),
        ("Portfolio strategy", document["product"]["portfolio_strategy"]),
    ):
        if text:
            lines += [f"**{label}.** {text.strip()}", ""]
    written: set[int] = set()

    def write(ref: int) -> None:
        goal = goals[ref]
        heading = _HEADINGS.get(goal["level"])
        facts = [Status(goal["status"]).label]
        if goal["owner"]:
            facts.append(f"owner {goal['owner']}")
        if goal["starts_on"] and goal["ends_on"]:
            facts.append(f"{goal['starts_on']} → {goal['ends_on']}")
        facts.append(f"progress {goal['progress']} %")
        title = f"{Level(goal['level']).label}: {goal['title']} ({', '.join(facts)})"
        if heading is None:  # sprint goals are items under their product goal
            lines.append(f"- {title}")
        else:
            lines.extend((f"{'#' * heading} {title}", ""))
            if goal["description"]:
                lines.extend((goal["description"].strip(), ""))
        for kr in key_results[ref]:
            lines.append(
                f"{'  ' if heading is None else ''}- Key result: {kr['title']}: "
                f"{amount(kr['baseline'])} → {amount(kr['target'])} {kr['unit']}, "
                f"now {amount(kr['current'])}".rstrip()
            )
        for entry in key_result_changes[ref]:
            changed = "; ".join(change.sentence for change in entry.changes)
            by = f" by {entry.by}" if entry.by else ""
            lines.append(
                f"{'  ' if heading is None else ''}- Changed {entry.at[:10]}{by}: {changed}. "
                f"Why: {entry.reason or '—'}"
            )
        if (key_results[ref] or key_result_changes[ref]) and heading is not None:
            lines.append("")
        if ref in written:
            return
        written.add(ref)
        for child in children[ref]:
            write(child)
        if heading == _HEADINGS[Level.PRODUCT] and children[ref]:
            lines.append("")

    roots = [g["ref"] for g in document["goals"] if not g["parents"]]
    for ref in roots:
        if goals[ref]["level"] == Level.VISION:
            write(ref)
    # Goals serving nothing get a section of their own, as on the chain page: under the
    # headings above they would read as serving the goal written last. Sprint goals are
    # list items, so they come first, where no heading can claim them.
    orphans = [ref for ref in roots if goals[ref]["level"] != Level.VISION]
    if orphans:
        lines += ["## Not linked into the chain", "", "These goals serve no goal one level up.", ""]
        for ref in sorted(orphans, key=lambda r: goals[r]["level"] != Level.SPRINT):
            write(ref)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
