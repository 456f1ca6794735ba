"""`make bench` ends with one table of every target: what each bench recorded in this run,
met or missed, and "not measured" for a target no bench reached (bench/summary.py)."""

import sys

import pytest

from bench import _targets, summary
from bench._targets import Outcome, record
from bench.throughput import percent


@pytest.fixture
def results(tmp_path, monkeypatch):
    monkeypatch.setattr(_targets, "RESULTS", tmp_path)
    return tmp_path


def table(monkeypatch, capsys, *args: str) -> str:
    monkeypatch.setattr(sys, "argv", ["bench/summary.py", *args])
    assert summary.main() == 0
    return capsys.readouterr().out


def test_the_summary_shows_every_target_met_missed_or_not_measured(results, monkeypatch, capsys):
    record(
        "chain",
        [
            Outcome("chain_api_cold", "512 ms (p95 590 ms)", True),
            Outcome("health_api", "388 ms (p95 450 ms)", False),
        ],
        context="server times in process, PostgreSQL 15",
    )
    record("throughput", [Outcome("memory", "131 MB at most", True)], context="bare 420/s")
    out = table(monkeypatch, capsys)
    lines = {line.split("  ")[0]: line for line in out.splitlines() if "  " in line}
    assert len([t for t in _targets.TARGETS if t.what in lines]) == len(_targets.TARGETS)
    cold = lines["chain API cold, 10,000 goals"]
    assert "≤ 600 ms" in cold and "512 ms (p95 590 ms)" in cold and cold.rstrip().endswith("met")
    assert lines["chain health API, 10,000 goals"].rstrip().endswith("MISSED")
    assert lines["vote storm"].rstrip().endswith("not measured")
    assert "2 of 10 met." in out
    assert "chain: server times in process, PostgreSQL 15" in out
    assert "throughput: bare 420/s" in out


def test_a_new_run_starts_without_the_last_runs_figures(results, monkeypatch, capsys):
    record("votes", [Outcome("vote_storm", "260 votes/s", True)])
    assert "260 votes/s" in table(monkeypatch, capsys)
    table(monkeypatch, capsys, "--forget")
    out = table(monkeypatch, capsys)
    assert "260 votes/s" not in out
    assert "0 of 10 met." in out


@pytest.mark.parametrize(
    ("ratio", "written"),
    [(0.4996, "49.9 %"), (0.5, "50.0 %"), (0.6871, "68.7 %"), (1.0, "100.0 %"), (0.0, "0.0 %")],
)
def test_a_share_of_the_bare_endpoint_never_reads_as_more_than_it_is(ratio, written):
    assert percent(ratio) == written
