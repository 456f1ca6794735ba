"""bench/advice.py runs on its own and prints a figure per kind of goal and the target."""

import os
import re
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def test_the_advice_bench_prints_its_figures_and_the_target():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "bench/advice.py", "--rounds", "1"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"labelled corpus \(240\)\s+\d+\.\d\s+\d+\.\d", done.stdout)
    assert re.search(r"chain-shaped \(10,000\)\s+\d+\.\d\s+\d+\.\d", done.stdout)
    assert "Target (< 1000 µs per goal, first read): met" in done.stdout
