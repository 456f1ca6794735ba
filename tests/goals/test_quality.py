"""Goal quality: one test per rule, each with a goal that passes and one that fails, then
the rules working together, per product, and in chain health."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from goals.models import Goal, Level, Status
from goals.rules.quality import (
    RULES,
    GoalRule,
    QualitySettings,
    draft_advice,
    goal_advice,
    product_advice,
)
from goals.rules.quality_drafts import GoalDraft, MeasureDraft, Surroundings, surroundings_of
from goals.selectors.chain import load_chain
from goals.selectors.quality import quality_surroundings
from tests.factories import KeyResultFactory, make_chain, make_goal, today

DEFAULTS = QualitySettings()
DAY = date(2026, 3, 2)
KR = MeasureDraft("Families planning weekly", Decimal(20))


def codes(draft: GoalDraft, settings: QualitySettings = DEFAULTS) -> set[str]:
    return {advice.code for advice in goal_advice(draft, settings)}


def product_codes(around: Surroundings, settings: QualitySettings = DEFAULTS) -> set[str]:
    return {advice.code for advice in product_advice(around, settings)}


def test_every_rule_has_a_code_a_label_a_suggestion_and_levels():
    assert len({rule.code for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.code and rule.label and rule.suggestion.endswith(".")
        assert rule.levels and set(rule.levels) <= set(Level.values)


def test_remembered_advice_follows_every_change_to_the_goal():
    draft = GoalDraft(Level.PRODUCT, "Improve planning")
    first = goal_advice(draft, DEFAULTS)
    first.append(first[0])  # a caller adding to its list does not change what is remembered
    assert [a.code for a in goal_advice(draft, DEFAULTS)] == ["vague_words"]
    assert codes(GoalDraft(Level.PRODUCT, "Improve planning", key_results=(KR,))) == set()
    no_baseline = MeasureDraft("Families planning weekly", None)
    measured = GoalDraft(Level.PRODUCT, "Improve planning", key_results=(no_baseline,))
    assert codes(measured) == {"key_result_no_baseline"}
    assert codes(GoalDraft(Level.PRODUCT, "Cut planning from 30 to 10 minutes")) == set()
    assert codes(draft, QualitySettings(frozenset({"vague_words"}))) == {"not_measurable"}
    assert (
        goal_advice(GoalDraft(Level.PRODUCT, "Improve planning", status=Status.ACHIEVED), DEFAULTS)
        == []
    )


# Vision: a change in people's lives, not a feature ---------------------------------------------


def test_it_flags_a_vision_that_names_a_feature_or_technology():
    draft = GoalDraft(Level.VISION, "The smartest meal-planning app in Europe")
    [advice] = goal_advice(draft, DEFAULTS)
    assert advice.code == "vision_names_feature"
    assert "“app”" in advice.message
    assert "people's lives" in advice.message
    assert advice.suggestion


def test_it_flags_technology_named_in_the_vision_description():
    draft = GoalDraft(
        Level.VISION, "Everyone eats well", description="Powered by machine learning."
    )
    assert codes(draft) == {"vision_names_feature"}


def test_it_accepts_a_vision_about_peoples_lives():
    assert (
        codes(GoalDraft(Level.VISION, "Every family eats well without thinking about it")) == set()
    )


# Vision: five years or more ---------------------------------------------------------------------


def test_it_flags_a_vision_shorter_than_five_years():
    draft = GoalDraft(
        Level.VISION, "Families eat well", starts_on=DAY, ends_on=DAY + timedelta(days=3 * 365)
    )
    [advice] = goal_advice(draft, DEFAULTS)
    assert advice.code == "vision_too_short"
    assert "3 years" in advice.message and "3.0" not in advice.message


def test_it_accepts_a_vision_of_five_years_or_without_an_end():
    five = GoalDraft(
        Level.VISION, "Families eat well", starts_on=DAY, ends_on=DAY + timedelta(days=5 * 365)
    )
    assert codes(five) == set()
    assert codes(GoalDraft(Level.VISION, "Families eat well", starts_on=DAY)) == set()


# not_measurable ---------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [Level.USER, Level.BUSINESS, Level.PRODUCT])
def test_it_flags_a_goal_with_no_number_and_no_key_result(level):
    [advice] = goal_advice(GoalDraft(level, "Families love planning their meals"), DEFAULTS)
    assert advice.code == "not_measurable"
    assert "no number and no key result" in advice.message


@pytest.mark.parametrize(
    "draft",
    [
        GoalDraft(Level.USER, "Families plan a week of meals in 10 minutes"),
        GoalDraft(Level.USER, "Families plan a week of meals in ten minutes"),
        GoalDraft(Level.USER, "Families love planning", description="From 20 % to 35 %."),
        GoalDraft(Level.USER, "Families love planning their meals", key_results=(KR,)),
    ],
    ids=["digits", "number-in-words", "number-in-description", "key-result"],
)
def test_it_accepts_a_goal_with_a_number_or_a_key_result(draft):
    assert "not_measurable" not in codes(draft)


def test_it_does_not_ask_sprint_goals_or_the_vision_for_key_results():
    assert codes(GoalDraft(Level.SPRINT, "Families can scan their fridge")) == set()
    assert codes(GoalDraft(Level.VISION, "Families eat well")) == set()


# output_not_outcome -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "word"),
    [
        ("Launch the meal planner by 1 June", "Launch"),
        ("Build a recipe import for 3 sites", "Build"),
        ("Implement payments in 2 markets", "Implement"),
        ("Meal planner launched in 4 countries", "launched"),
    ],
)
@pytest.mark.parametrize("level", [Level.USER, Level.BUSINESS])
def test_it_flags_an_output_where_a_user_or_business_goal_should_state_an_outcome(
    level, title, word
):
    [advice] = goal_advice(GoalDraft(level, title), DEFAULTS)
    assert advice.code == "output_not_outcome"
    assert f"“{word}”" in advice.message


def test_it_accepts_an_outcome_and_leaves_outputs_to_product_goals():
    assert codes(GoalDraft(Level.USER, "Families plan a week of meals in 10 minutes")) == set()
    assert codes(GoalDraft(Level.PRODUCT, "Launch the meal planner to 500 families")) == set()


# Key result without baseline ----------------------------------------------------------------------


def test_it_flags_a_key_result_without_baseline():
    draft = GoalDraft(
        Level.PRODUCT,
        "Families plan meals in 10 minutes",
        key_results=(MeasureDraft("Weekly planners", None), KR),
    )
    [advice] = goal_advice(draft, DEFAULTS)
    assert advice.code == "key_result_no_baseline"
    assert "“Weekly planners”" in advice.message


def test_it_names_every_key_result_without_baseline():
    missing = (MeasureDraft("Planners", None), MeasureDraft("Recipes", None))
    draft = GoalDraft(Level.PRODUCT, "Plan in 10 minutes", key_results=missing)
    [advice] = goal_advice(draft, DEFAULTS)
    assert advice.message.startswith("2 key results have no baseline")


def test_it_accepts_key_results_with_a_baseline_of_zero():
    draft = GoalDraft(Level.PRODUCT, "Plan meals", key_results=(MeasureDraft("Users", Decimal(0)),))
    assert codes(draft) == set()


# Vague words without a measure --------------------------------------------------------------------


@pytest.mark.parametrize("level", [Level.USER, Level.PRODUCT, Level.SPRINT])
@pytest.mark.parametrize("word", ["improve", "better", "optimize", "faster"])
def test_it_flags_vague_words_without_a_measure(level, word):
    draft = GoalDraft(level, f"Make meal planning {word} for families")
    found = goal_advice(draft, DEFAULTS)
    assert [a.code for a in found] == ["vague_words"]  # and not also "not measurable"
    assert f"“{word}”" in found[0].message


@pytest.mark.parametrize(
    "draft",
    [
        GoalDraft(Level.USER, "Improve planning from 20 to 10 minutes"),
        GoalDraft(Level.USER, "Improve meal planning", key_results=(KR,)),
        GoalDraft(Level.SPRINT, "Families can scan their fridge"),
    ],
    ids=["with-a-number", "with-a-key-result", "no-vague-word"],
)
def test_it_accepts_vague_words_with_a_measure(draft):
    assert "vague_words" not in codes(draft)


@pytest.mark.parametrize(
    "title",
    [
        "Families spend a third less time planning meals",
        "Two thirds of families plan the whole week",
        "Cut food waste by a quarter",
        "Families throw away half as much food",
        "Twice as many families plan their week",
        "30 % fewer families give up planning",
        "Halve the time families spend planning",
    ],
)
def test_it_counts_fractions_and_ratios_as_a_measure(title):
    assert codes(GoalDraft(Level.USER, title)) == set()


@pytest.mark.parametrize(
    "title",
    ["Improve planning for the next quarter", "Improve planning in the third quarter"],
)
def test_it_does_not_count_a_quarter_or_third_without_a_count_as_a_measure(title):
    assert codes(GoalDraft(Level.USER, title)) == {"vague_words"}


def test_it_lets_the_vision_inspire_without_numbers():
    assert codes(GoalDraft(Level.VISION, "A better life for every family")) == set()


# Too many live product goals -------------------------------------------------------------------


def test_it_flags_more_than_five_live_product_goals():
    [advice] = product_advice(Surroundings(current_product_goals=6, open_user_goals=1), DEFAULTS)
    assert advice.code == "too_many_product_goals"
    assert advice.message.startswith("6 product goals are live at once; more than 5")


def test_it_accepts_five_live_product_goals():
    assert product_codes(Surroundings(current_product_goals=5, open_user_goals=1)) == set()


def test_it_takes_the_limit_of_live_product_goals_from_the_product():
    three = QualitySettings(max_live_product_goals=3)
    assert product_codes(Surroundings(current_product_goals=4), three) == {"too_many_product_goals"}
    assert product_codes(Surroundings(current_product_goals=3), three) == set()


def test_it_counts_only_open_product_goals_whose_timeframe_includes_today(team):
    start = today()
    user_goal = make_goal(team.product, Level.USER, title="Plan in 10 minutes")
    for n in range(5):
        make_goal(team.product, Level.PRODUCT, user_goal, title=f"Now {n}")
    make_goal(
        team.product,
        Level.PRODUCT,
        user_goal,
        title="Later",
        starts_on=start + timedelta(days=30),
        ends_on=start + timedelta(days=120),
    )
    make_goal(team.product, Level.PRODUCT, user_goal, title="Over 1", status=Status.ACHIEVED)
    make_goal(
        team.product,
        Level.PRODUCT,
        user_goal,
        title="Ended",
        starts_on=start - timedelta(days=120),
        ends_on=start - timedelta(days=1),
    )
    assert "too_many_product_goals" not in {f.code for f in load_chain(team.product).findings}
    make_goal(team.product, Level.PRODUCT, user_goal, title="One more", status=Status.AGREED)
    found = [f for f in load_chain(team.product).findings if f.code == "too_many_product_goals"]
    assert [(f.goal, f.message[:2]) for f in found] == [(None, "6 ")]


# A business goal with no user goal beside it ---------------------------------------------------


def test_it_flags_a_business_goal_with_no_user_goal_beside_it():
    [advice] = product_advice(Surroundings(open_business_goals=1), DEFAULTS)
    assert advice.code == "business_without_user"
    assert "Start with the user" in advice.suggestion


def test_it_accepts_business_goals_beside_a_user_goal_and_a_chain_without_business_goals():
    assert product_codes(Surroundings(open_business_goals=2, open_user_goals=1)) == set()
    assert product_codes(Surroundings()) == set()


# A stretch target on a sprint goal -------------------------------------------------------------


@pytest.mark.parametrize("confidence", [1, 2])
def test_it_flags_a_sprint_goal_the_team_is_not_sure_of(confidence):
    draft = GoalDraft(Level.SPRINT, "Scan 3 kinds of fridge", confidence=confidence)
    [advice] = goal_advice(draft, DEFAULTS)
    assert advice.code == "sprint_stretch"
    assert f"{confidence} of 5" in advice.message


@pytest.mark.parametrize("confidence", [None, 3, 5])
def test_it_accepts_a_sprint_goal_the_team_expects_to_meet(confidence):
    assert codes(GoalDraft(Level.SPRINT, "Scan 3 kinds of fridge", confidence=confidence)) == set()


# Together, per product, as people type ---------------------------------------------------------


def test_each_rule_can_be_switched_off_per_product():
    draft = GoalDraft(Level.SPRINT, "Make scanning faster", confidence=1)
    assert codes(draft) == {"vague_words", "sprint_stretch"}
    assert codes(draft, QualitySettings(off=frozenset({"vague_words"}))) == {"sprint_stretch"}
    around = Surroundings(current_product_goals=9, open_business_goals=1)
    off = QualitySettings(off=frozenset({"too_many_product_goals", "business_without_user"}))
    assert product_codes(around, off) == set()


def test_switching_off_vague_words_lets_not_measurable_speak():
    draft = GoalDraft(Level.USER, "Improve meal planning")
    assert codes(draft, QualitySettings(off=frozenset({"vague_words"}))) == {"not_measurable"}


def test_it_says_nothing_about_closed_or_untitled_goals():
    assert codes(GoalDraft(Level.USER, "Improve planning", status=Status.ACHIEVED)) == set()
    assert draft_advice(GoalDraft(Level.BUSINESS, " "), DEFAULTS, Surroundings(), today=DAY) == []


def test_a_draft_counts_itself_among_the_product_goals():
    draft = GoalDraft(Level.PRODUCT, "Plan in 10 minutes", key_results=(KR,))
    five = Surroundings(current_product_goals=5, open_user_goals=1)
    assert [a.code for a in draft_advice(draft, DEFAULTS, five, today=DAY)] == [
        "too_many_product_goals"
    ]
    later = GoalDraft(Level.PRODUCT, "Plan in 10 minutes", starts_on=DAY + timedelta(days=9))
    assert draft_advice(later, DEFAULTS, five, today=DAY) == []


def test_a_draft_hears_only_the_product_rules_of_its_level():
    business = GoalDraft(Level.BUSINESS, "Earn 2 M EUR a year from subscriptions")
    user = GoalDraft(Level.USER, "Families plan in 10 minutes")
    assert [a.code for a in draft_advice(business, DEFAULTS, Surroundings(), today=DAY)] == [
        "business_without_user"
    ]
    assert draft_advice(user, DEFAULTS, Surroundings(open_business_goals=1), today=DAY) == []


def test_a_draft_hears_about_a_timeframe_outside_its_level():
    draft = GoalDraft(
        Level.PRODUCT,
        "Plan in 10 minutes",
        key_results=(KR,),
        starts_on=DAY,
        ends_on=DAY + timedelta(days=730),
    )
    found = draft_advice(draft, DEFAULTS, Surroundings(), today=DAY)
    assert [(a.code, a.label) for a in found] == [("timeframe", "Unusual timeframe")]
    assert "usually spans two to six months" in found[0].message


def test_a_sprint_draft_the_rules_refuse_hears_no_timeframe_advice_too():
    draft = GoalDraft(
        Level.SPRINT,
        "Scan the fridge in 10 seconds",
        starts_on=DAY,
        ends_on=DAY + timedelta(weeks=10),
    )
    assert draft_advice(draft, DEFAULTS, Surroundings(), today=DAY) == []


# In chain health ---------------------------------------------------------------------------------


def test_chain_health_lists_quality_findings_with_their_suggestions(team):
    chain = make_chain(team.product)
    chain.user_goal.title = "Launch the app"
    chain.user_goal.save()
    KeyResultFactory(goal=chain.user_goal, owner=team.member)
    found = [f for f in load_chain(team.product).findings if f.goal == chain.user_goal.pk]
    quality = [f for f in found if f.code == "output_not_outcome"]
    assert len(quality) == 1
    assert quality[0].message.startswith("“Launch the app”: “Launch” describes an output")
    rule = next(r for r in RULES if r.code == quality[0].code)
    assert isinstance(rule, GoalRule)
    assert quality[0].suggestion == rule.suggestion_for(Level.USER)


def test_a_product_switching_a_rule_off_sees_it_nowhere(team, api):
    chain = make_chain(team.product)
    chain.sprint_goal.confidence = 1
    chain.sprint_goal.save()

    # Chain health says a sprint's low confidence once, as low_confidence with the stretch
    # rule's suggestion; the live check on a draft speaks with the rule itself.
    def low_confidence_suggestion() -> str:
        return next(
            f.suggestion
            for f in load_chain(team.product).findings
            if f.goal == chain.sprint_goal.pk and f.code == "low_confidence"
        )

    assert low_confidence_suggestion().startswith("Stretch is for the vision.")
    team.product.quality_rules_off = ["sprint_stretch"]
    team.product.save()
    assert low_confidence_suggestion() == ""
    assert "sprint_stretch" not in {f.code for f in load_chain(team.product).findings}
    body = api(team.member).get(f"/api/goals/{chain.sprint_goal.pk}/").json()
    assert "low_confidence" in body["health"]
    assert "sprint_stretch" not in body["health"]


def test_the_health_api_gives_each_finding_its_suggestion(team, api):
    make_goal(team.product, Level.BUSINESS, title="Earn more money", owner=team.leader)
    findings = api(team.member).get(f"/api/products/{team.product.pk}/health/").json()["findings"]
    by_code = {f["code"]: f for f in findings}
    assert by_code["business_without_user"]["goal"] is None
    assert "Start with the user" in by_code["business_without_user"]["suggestion"]
    assert by_code["vague_words"]["suggestion"]
    assert by_code["orphan"]["suggestion"] == ""  # its message already says what to do


def test_switching_a_rule_off_changes_the_cached_chain(team, api):
    make_chain(team.product)
    chain_url = f"/api/products/{team.product.pk}/chain/"
    make_goal(team.product, Level.PRODUCT, title="Improve planning", owner=team.leader)
    client = api(team.member)
    assert "vague_words" in str(client.get(chain_url).json())
    team.product.quality_rules_off = ["vague_words"]
    team.product.save()
    assert "vague_words" not in str(client.get(chain_url).json())


def test_the_form_check_counts_the_product_as_chain_health_does(team):
    """The as-you-type check counts in the database what chain health counts in Python."""

    start = today()
    make_goal(team.product, Level.USER, title="U")
    make_goal(team.product, Level.USER, title="Dropped", status=Status.DROPPED)
    make_goal(team.product, Level.BUSINESS, title="B", status=Status.AGREED)
    make_goal(team.product, Level.PRODUCT, title="Undated")
    make_goal(
        team.product, Level.PRODUCT, title="Now", starts_on=start, ends_on=start + timedelta(days=1)
    )
    make_goal(
        team.product, Level.PRODUCT, title="Later",
        starts_on=start + timedelta(days=1), ends_on=start + timedelta(days=60),
    )  # fmt: skip
    make_goal(
        team.product, Level.PRODUCT, title="Over",
        starts_on=start - timedelta(days=60), ends_on=start - timedelta(days=1),
    )  # fmt: skip
    make_goal(team.product, Level.PRODUCT, title="Missed", status=Status.MISSED)
    in_python = surroundings_of(Goal.objects.filter(product=team.product), today=start)
    assert in_python == Surroundings(
        current_product_goals=2, open_user_goals=1, open_business_goals=1
    )
    assert quality_surroundings(team.product, today=start, exclude=None) == in_python
