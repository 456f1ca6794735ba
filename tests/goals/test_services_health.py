"""Chain health: what is only advice shows up as findings, never as a refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from goals.models import Level, Status
from goals.rules.timeframes import timeframe_errors, timeframe_warning
from goals.selectors.chain import load_chain
from tests.factories import KeyResultFactory, make_chain, make_goal, today


def codes_by_goal(product) -> dict[int | None, set[str]]:
    found: dict[int | None, set[str]] = {}
    for finding in load_chain(product).findings:
        found.setdefault(finding.goal, set()).add(finding.code)
    return found


@pytest.fixture
def healthy(team):
    """A chain with owners, key results and sensible timeframes: nothing to report."""
    chain = make_chain(team.product)
    for goal in vars(chain).values():
        goal.owner = team.leader
        goal.save()
    for goal in (chain.user_goal, chain.business_goal, chain.product_goal):
        KeyResultFactory(goal=goal, owner=team.member)
    return chain


def test_it_finds_nothing_wrong_with_a_healthy_chain(team, healthy):
    chain = load_chain(team.product)
    assert chain.findings == []
    assert chain.score == 100


def test_it_reports_a_product_without_vision(team):
    make_goal(team.product, Level.USER, owner=team.leader)
    found = codes_by_goal(team.product)
    assert "no_vision" in found[None]


def test_it_does_not_count_a_dropped_vision(team, healthy):
    healthy.vision.status = Status.DROPPED
    healthy.vision.save()
    assert "no_vision" in codes_by_goal(team.product)[None]


def test_it_reports_an_orphan(team, healthy):
    orphan = make_goal(team.product, Level.PRODUCT, owner=team.leader)
    KeyResultFactory(goal=orphan, owner=team.member)
    assert codes_by_goal(team.product)[orphan.pk] == {"orphan"}


def test_it_reports_a_goal_serving_only_a_dropped_goal_as_an_orphan(team, healthy):
    healthy.product_goal.status = Status.DROPPED
    healthy.product_goal.save()
    assert "orphan" in codes_by_goal(team.product)[healthy.sprint_goal.pk]


@pytest.mark.parametrize("level", [Level.USER, Level.BUSINESS, Level.PRODUCT])
def test_it_reports_measured_levels_without_key_results(team, healthy, level):
    goal = make_goal(team.product, level, owner=team.leader)
    assert "no_key_results" in codes_by_goal(team.product)[goal.pk]


@pytest.mark.parametrize("level", [Level.VISION, Level.SPRINT])
def test_it_does_not_ask_vision_or_sprint_goals_for_key_results(team, level):
    goal = make_goal(team.product, level, owner=team.leader)
    assert "no_key_results" not in codes_by_goal(team.product).get(goal.pk, set())


@pytest.mark.parametrize(
    ("level", "days", "warned"),
    [
        (Level.VISION, 4 * 365, True),
        (Level.VISION, 6 * 365, False),
        (Level.USER, 200, True),
        (Level.USER, 2 * 365, False),
        (Level.BUSINESS, 4 * 365, True),
        (Level.PRODUCT, 30, True),
        (Level.PRODUCT, 90, False),
        (Level.PRODUCT, 250, True),
    ],
)
def test_it_warns_about_a_timeframe_outside_its_levels_window(team, level, days, warned):
    goal = make_goal(
        team.product, level, owner=team.leader, starts_on=today(), ends_on=today() + timedelta(days)
    )
    assert ("timeframe" in codes_by_goal(team.product).get(goal.pk, set())) is warned


def test_it_refuses_rather_than_warns_about_a_sprint_outside_four_weeks():
    start = today()
    assert timeframe_errors(Level.SPRINT, start, start + timedelta(days=35))
    assert not timeframe_errors(Level.PRODUCT, start, start + timedelta(days=365))
    assert timeframe_warning(Level.PRODUCT, start, start + timedelta(days=365))


def test_it_reports_a_goal_that_outlives_its_parent(team, healthy):
    healthy.sprint_goal.ends_on = healthy.product_goal.ends_on + timedelta(days=1)
    healthy.sprint_goal.starts_on = healthy.sprint_goal.ends_on - timedelta(days=14)
    healthy.sprint_goal.save()
    assert codes_by_goal(team.product)[healthy.sprint_goal.pk] == {"outlives_parent"}


def test_it_reports_an_overdue_review(team, healthy):
    healthy.product_goal.next_review_on = today() - timedelta(days=1)
    healthy.product_goal.save()
    assert codes_by_goal(team.product)[healthy.product_goal.pk] == {"review_overdue"}


def test_it_does_not_report_a_review_due_today(team, healthy):
    healthy.product_goal.next_review_on = today()
    healthy.product_goal.save()
    assert healthy.product_goal.pk not in codes_by_goal(team.product)


@pytest.mark.parametrize(("confidence", "warned"), [(1, True), (2, True), (3, False), (5, False)])
def test_it_reports_low_confidence(team, healthy, confidence, warned):
    healthy.product_goal.confidence = confidence
    healthy.product_goal.save()
    codes = codes_by_goal(team.product).get(healthy.product_goal.pk, set())
    assert ("low_confidence" in codes) is warned


@pytest.mark.parametrize("confidence", [1, 2])
def test_it_warns_once_about_a_low_confidence_sprint_goal(team, healthy, confidence):
    healthy.sprint_goal.confidence = confidence
    healthy.sprint_goal.save()
    codes = codes_by_goal(team.product)[healthy.sprint_goal.pk]
    assert codes & {"low_confidence", "sprint_stretch"} == {"low_confidence"}
    finding = next(
        f
        for f in load_chain(team.product).findings
        if f.goal == healthy.sprint_goal.pk and f.code == "low_confidence"
    )
    assert finding.suggestion.startswith("Stretch is for the vision.")


def test_it_reports_low_confidence_on_a_sprint_goal_when_stretch_advice_is_off(team, healthy):
    team.product.quality_rules_off = ["sprint_stretch"]
    team.product.save()
    healthy.sprint_goal.confidence = 1
    healthy.sprint_goal.save()
    finding = next(
        f
        for f in load_chain(team.product).findings
        if f.goal == healthy.sprint_goal.pk and f.code == "low_confidence"
    )
    assert finding.suggestion == ""


def test_it_reports_a_goal_without_owner(team, healthy):
    healthy.vision.owner = None
    healthy.vision.save()
    assert codes_by_goal(team.product)[healthy.vision.pk] == {"no_owner"}


def test_it_ignores_closed_goals(team, healthy):
    closed = make_goal(team.product, Level.PRODUCT, status=Status.ACHIEVED)
    dropped = make_goal(team.product, Level.PRODUCT, status=Status.DROPPED)
    found = codes_by_goal(team.product)
    assert closed.pk not in found
    assert dropped.pk not in found
    assert load_chain(team.product).score == 100


def test_it_scores_the_share_of_open_goals_without_findings(team, healthy):
    healthy.vision.owner = None  # one of five open goals flagged
    healthy.vision.save()
    assert load_chain(team.product).score == 80


def test_it_docks_a_quarter_of_the_score_without_a_vision(team):
    goal = make_goal(team.product, Level.SPRINT, owner=team.leader)
    parent = make_goal(team.product, Level.PRODUCT, owner=team.leader)
    goal.parents.add(parent)
    KeyResultFactory(goal=parent, owner=team.leader)
    chain = load_chain(team.product)
    # The product goal is an orphan, the sprint goal is fine: 50, less a quarter.
    assert chain.score == 38


def test_it_scores_an_empty_product_zero(team):
    score = load_chain(team.product).score
    assert 0 <= score <= 100
    assert score == 0
