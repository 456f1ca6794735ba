"""The final table of `make bench`: every speed and memory target with the figure the
benches recorded for it in this run and whether it is met (bench/_targets.py).

    .venv/bin/python bench/summary.py            # the table of what the benches recorded
    .venv/bin/python bench/summary.py --forget   # before a run: remove the last run's figures
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Run as a script, Python puts bench/ on the path; `bench` lives in its parent.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._targets import TARGETS, forget, recorded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forget", action="store_true", help="remove the recorded figures")
    args = parser.parse_args()
    if args.forget:
        forget()
        return 0
    outcomes, context = recorded()
    rows = [("target", "aim", "figure", "")]
    for target in TARGETS:
        outcome = outcomes.get(target.key)
        if outcome is None:
            rows.append((target.what, target.goal, "-", "not measured"))
        else:
            verdict = "met" if outcome.met else "MISSED"
            rows.append((target.what, target.goal, outcome.figure, verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print("\nTargets")
    for number, row in enumerate(rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))
    met = sum(1 for o in outcomes.values() if o.met)
    print(f"\n{met} of {len(TARGETS)} met.")
    for line in context:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
