"""How long does goal-quality advice take per goal? Times `goal_advice` in this process, with
no database, on the 240 statements of the labelled corpus (tests/goals/quality_corpus.py)
and on 10,000 goals shaped like bench/chain.py's, each the first time a worker reads it and
read again (chain health reads every open goal on each request; the advice on a goal it read
before is remembered).

    .venv/bin/python bench/advice.py
    .venv/bin/python bench/advice.py --rounds 20

Target: well under 1 ms per goal, so chain health at 10,000 goals does not slow down.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

# Run as a script, Python puts bench/ on the path; `bench` and the app live in its parent.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

TARGET_US = 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds per figure")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goalchain.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    django.setup()

    # The app's modules load their models: only once Django is set up.
    from goals.models import Level, Status
    from goals.rules.quality import QualitySettings, goal_advice
    from goals.rules.quality_drafts import GoalDraft
    from tests.goals.quality_corpus import CORPUS

    # (level, title) pairs: chain health makes a new draft of each goal on every read.
    corpus = [(case.level, case.statement) for case in CORPUS]
    levels = (Level.VISION, Level.USER, Level.BUSINESS, Level.PRODUCT, Level.SPRINT)
    chain = [
        (level, f"{Level(level).label} {n}: make meal planning effortless for busy parents")
        for n in range(10_000)
        for level in (levels[min(n % 7, 4)],)
    ]

    def read(goals: Sequence[tuple[str, str]], settings: QualitySettings) -> None:
        for level, title in goals:
            goal_advice(GoalDraft(level, title, status=Status.AGREED), settings)

    def per_goal_us(goals: Sequence[tuple[str, str]], *, first: bool) -> float:
        """The median over the rounds of the time per goal, in microseconds. A first read
        uses settings no earlier round used, so nothing is remembered from before."""
        times = []
        for round_ in range(args.rounds):
            settings = QualitySettings(max_live_product_goals=1000 + round_)
            if not first:
                settings = QualitySettings()
                read(goals, settings)
            started = time.perf_counter()
            read(goals, settings)
            times.append((time.perf_counter() - started) / len(goals) * 1e6)
        return statistics.median(times)

    print(f"goal_advice per goal, median of {args.rounds} rounds (µs)\n")
    print(f"{'goals':<34}{'first read':>12}{'read again':>12}")
    worst = 0.0
    for name, goals in (
        (f"labelled corpus ({len(corpus)})", corpus),
        (f"chain-shaped ({len(chain):,})", chain),
    ):
        first, again = per_goal_us(goals, first=True), per_goal_us(goals, first=False)
        worst = max(worst, first)
        print(f"{name:<34}{first:>12.1f}{again:>12.1f}")
    met = worst < TARGET_US
    print(
        f"\nTarget (< {TARGET_US:.0f} µs per goal, first read): "
        f"{'met' if met else 'MISSED'} with {worst:.1f} µs at worst."
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
