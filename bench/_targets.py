"""The speed and memory targets `make bench` reports on, and where each bench writes what it
measured toward them: a JSON file per bench in var/bench/ (BENCH_RESULTS names another
folder). bench/summary.py prints them all as one table with met or missed."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(
    os.getenv("BENCH_RESULTS") or Path(__file__).resolve().parent.parent / "var" / "bench"
)


@dataclass(frozen=True)
class Target:
    key: str
    what: str
    goal: str  # the target as people read it


TARGETS = (
    Target("chain_page_1000", "chain page, 1,000 goals, median server time", "≤ 200 ms"),
    Target("chain_page_10000", "chain page, 10,000 goals, first screen", "≤ 500 ms"),
    Target("chain_api_changed", "chain API after a change, 10,000 goals", "≤ 250 ms"),
    Target("chain_api_cold", "chain API cold, 10,000 goals", "≤ 600 ms"),
    Target("health_api", "chain health API, 10,000 goals", "≤ 200 ms"),
    Target("export", "whole JSON export, 10,000 goals", "≤ 400 ms"),
    Target("goal_list", "goal list (50 a page) vs bare endpoint, 16 clients", "≥ 50 %"),
    Target("goal_detail", "goal detail vs bare endpoint, 16 clients", "≥ 70 %, p95 ≤ 2× bare's"),
    Target("vote_storm", "vote storm", "≥ 250 votes/s, seen ≤ 1 s at p95, 0 lost"),
    Target("memory", "peak memory per web worker", "≤ 150 MB"),
)


@dataclass(frozen=True)
class Outcome:
    key: str  # a Target's
    figure: str  # what was measured, as people read it
    met: bool


def record(bench: str, outcomes: Iterable[Outcome], *, context: str = "") -> None:
    """Write what `bench` measured toward the targets; `context` is a line shown under the
    table (the bare endpoint's figures, the machine)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    document = {"context": context, "outcomes": [asdict(o) for o in outcomes]}
    (RESULTS / f"{bench}.json").write_text(json.dumps(document, ensure_ascii=False, indent=1))


def forget() -> None:
    """Remove every bench's results, so that a bench that fails leaves no old figures."""
    for path in RESULTS.glob("*.json"):
        path.unlink()


def recorded() -> tuple[dict[str, Outcome], list[str]]:
    """Every outcome recorded, by target, and the context lines of the benches."""
    outcomes: dict[str, Outcome] = {}
    context = []
    for path in sorted(RESULTS.glob("*.json")):
        document = json.loads(path.read_text())
        outcomes.update({o["key"]: Outcome(**o) for o in document["outcomes"]})
        if document["context"]:
            context.append(f"{path.stem}: {document['context']}")
    return outcomes, context
