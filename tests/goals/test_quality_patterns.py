"""The goal-quality rules that read a goal's wording for the shape of a known mistake
(goals/rules/quality_patterns.py), each with what it must flag and what it must let pass."""

from __future__ import annotations

import pytest

from goals.rules.quality import QualitySettings, goal_advice
from goals.rules.quality_drafts import GoalDraft


def codes(level: str, title: str, **fields: object) -> set[str]:
    draft = GoalDraft(level=level, title=title, **fields)  # type: ignore[arg-type]
    return {advice.code for advice in goal_advice(draft, QualitySettings())}


@pytest.mark.parametrize(
    "title",
    [
        "Two million members by 2030",
        "Become a €100M business",
        "Sell the company for a billion",
        "Be the biggest donor-funded charity in the region",
        "Become the market leader in home insurance",
        "Reach 500,000 paying customers",
    ],
)
def test_a_vision_that_is_a_business_number_is_flagged(title):
    assert "vision_business_number" in codes("vision", title)


@pytest.mark.parametrize(
    "title",
    [
        "Every family eats well without thinking about it",
        "Nobody waits more than a day to see a doctor",
        "Two generations learn together, wherever they live",
    ],
)
def test_a_vision_about_peoples_lives_passes(title):
    assert codes("vision", title) == set()


@pytest.mark.parametrize(
    "title",
    [
        "Run our clinic scheduling on blockchain",
        "Serve every student through a chatbot",
        "Bring the whole catalogue to smart TVs",
        "Every citizen handles their paperwork in one portal",
    ],
)
def test_a_vision_that_names_a_solution_or_channel_is_flagged(title):
    assert "vision_names_feature" in codes("vision", title)


@pytest.mark.parametrize(
    "title",
    [
        "Finish SHOP-12, SHOP-19 and SHOP-23",
        "Get 40 story points done",
        "Burn down everything we can",
        "Carry on where we left off",
        "Misc improvements",
        "Fix login, update dependencies, tidy the CSS",
        "Close 25 tickets",
    ],
)
def test_a_sprint_goal_that_is_a_work_list_or_no_goal_is_flagged(title):
    assert "sprint_work_list" in codes("sprint", title)


@pytest.mark.parametrize(
    "title",
    [
        "Grow weekly orders from 8,000 to 10,000 by June",
        "Cut the average basket from €42.50 to €39.90, then hold it",
        "Reach 1,200 active teams, up from 1,050",
    ],
)
def test_commas_and_points_inside_numbers_separate_no_work(title):
    assert "sprint_work_list" not in codes("sprint", title)


def test_a_list_with_numbers_in_it_is_still_a_list():
    assert "sprint_work_list" in codes("sprint", "Fix 1,200 logins, update the SDK, tidy the CSS")


@pytest.mark.parametrize(
    "title",
    [
        "Customers can pay with a saved card at checkout",
        "Learn whether restaurants will publish their own menus",
        "New members find and book a class in under two minutes",
        "Drivers see the next stop and its parking on one screen",
    ],
)
def test_a_sprint_goal_with_one_outcome_passes(title):
    assert codes("sprint", title) == set()


@pytest.mark.parametrize(
    ("level", "title"),
    [
        ("sprint", "Replace the whole billing system"),
        ("sprint", "Triple sign-ups"),
        ("product", "Grow orders 20x in four months"),
        ("product", "Increase weekly orders by 900 %"),
        ("business", "Grow revenue tenfold by next year"),
    ],
)
def test_a_target_out_of_reach_for_its_level_is_flagged(level, title):
    assert "out_of_reach" in codes(level, title)


@pytest.mark.parametrize(
    ("level", "title", "said"),
    [
        ("product", "Twenty times more orders in four months", "Twenty times"),
        ("sprint", "Win ten times the sign-ups this sprint", "ten times"),
        ("product", "Grow bookings five-fold by the end of the quarter", "five-fold"),
        ("product", "A fifteenfold rise in weekly orders by June", "fifteenfold"),
        ("business", "Fifty times as many members by next year", "Fifty times"),
        ("user", "A hundred times more families planning weekly", "hundred times"),
        ("business", "Multiply monthly donations by twelve next year", "by twelve"),
        ("sprint", "Two times more trial sign-ups by the review", "Two times"),
    ],
)
def test_a_multiplier_written_in_words_is_weighed_like_one_in_figures(level, title, said):
    [advice] = [
        a
        for a in goal_advice(GoalDraft(level=level, title=title), QualitySettings())
        if a.code == "out_of_reach"
    ]
    assert said in advice.message


@pytest.mark.parametrize(
    ("level", "title"),
    [
        ("product", "Grow weekly orders three-fold within the quarter"),
        ("business", "Five times as many donors within three years"),
        ("sprint", "Members book a class three times a week"),
        ("product", "Families cook at home five times per week, up from three"),
    ],
)
def test_a_multiplier_in_words_within_reach_or_how_often_passes(level, title):
    assert "out_of_reach" not in codes(level, title)


@pytest.mark.parametrize(
    ("level", "title"),
    [
        ("product", "Double the share of families planning weekly, from 10 % to 20 %"),
        ("business", "Triple monthly donations from 2,000 to 6,000 within three years"),
        ("sprint", "Cut the sign-up form from 9 fields to 5"),
    ],
)
def test_a_target_within_its_levels_reach_is_not_out_of_reach(level, title):
    assert "out_of_reach" not in codes(level, title)


@pytest.mark.parametrize(
    ("level", "title"),
    [
        ("product", "Bury the cancel flow five screens deep to keep 20 % more subscribers"),
        ("product", "Show invented “only 2 left” warnings on 50 % of product pages"),
        ("user", "Use streak anxiety to keep 70 % of players coming back daily"),
        ("business", "Sell customers' location data to advertisers for €2M a year"),
        ("sprint", "Add a pre-ticked marketing consent box to sign-up"),
    ],
)
def test_a_goal_that_works_against_people_is_flagged_at_any_level(level, title):
    assert "unethical" in codes(level, title)


@pytest.mark.parametrize(
    "title",
    [
        "Half of those who cancel do it in two clicks and tell us why",
        "Players take a break without losing their progress",
    ],
)
def test_a_goal_that_serves_people_is_not_called_unethical(title):
    assert "unethical" not in codes("user", title)


@pytest.mark.parametrize(
    "title",
    ["Raise revenue per account by 15 %", "Lift gross margin from 31 % to 35 %"],
)
def test_a_user_goal_that_is_a_business_metric_is_flagged(title):
    assert "user_goal_business_metric" in codes("user", title)


@pytest.mark.parametrize(
    ("level", "title"),
    [
        ("user", "Households throw away a third less food"),
        ("business", "Cut the cost of each shipped order from €4.20 to €3.50"),
        ("business", "Raise revenue per account from €40 to €46"),
    ],
)
def test_the_false_alarms_of_the_issue_stay_quiet(level, title):
    assert codes(level, title) == set()


def test_each_new_rule_can_be_switched_off():
    settings = QualitySettings(off=frozenset({"sprint_work_list"}))
    draft = GoalDraft(level="sprint", title="Finish SHOP-12 and SHOP-19")
    assert goal_advice(draft, settings) == []
