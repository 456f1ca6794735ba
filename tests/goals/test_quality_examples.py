"""Each goal rule's advice gives a good goal of the draft's own level as its example: one
sentence, and a goal that no rule has advice on at that level."""

from __future__ import annotations

import re

import pytest

from goals.models import Level
from goals.rules.quality import RULES, GoalRule, QualitySettings, goal_advice
from goals.rules.quality_drafts import GoalDraft

GOAL_RULES = [rule for rule in RULES if isinstance(rule, GoalRule)]
EXAMPLES = [
    pytest.param(rule, level, example, id=f"{rule.code}-{level}")
    for rule in GOAL_RULES
    for level, example in rule.examples.items()
]


def test_every_goal_rule_has_an_example_for_each_level_it_reads():
    for rule in GOAL_RULES:
        assert rule.levels and set(rule.levels) <= set(Level.values), rule.code
        assert all(rule.examples[level].strip() for level in rule.levels), rule.code
        assert rule.advice.count("{example}") == 1, rule.code


@pytest.mark.parametrize(("rule", "level", "example"), EXAMPLES)
def test_each_example_is_one_good_sentence_of_its_level(rule, level, example):
    assert "\n" not in example and re.search(r"[.!?;]\s", example) is None
    assert not example.endswith((".", "!", "?"))
    advice = goal_advice(GoalDraft(level=level, title=example), QualitySettings())
    assert [a.code for a in advice] == [], f"{rule.code}'s {level} example draws advice"


@pytest.mark.parametrize(
    ("level", "title", "code"),
    [
        ("product", "Grow orders 20x in four months", "out_of_reach"),
        ("sprint", "Triple sign-ups", "out_of_reach"),
        ("business", "Grow revenue tenfold by next year", "out_of_reach"),
        ("vision", "Every reader's browsing history becomes a revenue stream", "unethical"),
        ("sprint", "Add a pre-ticked marketing consent box to sign-up", "unethical"),
        ("user", "Customers love our support", "not_measurable"),
        ("product", "Customers love our support", "not_measurable"),
    ],
)
def test_the_advice_names_the_example_of_the_drafts_level(level, title, code):
    rule = next(rule for rule in GOAL_RULES if rule.code == code)
    draft = GoalDraft(level=level, title=title)
    advice = {a.code: a for a in goal_advice(draft, QualitySettings())}
    assert advice[code].suggestion == rule.suggestion_for(level)
    assert f"“{rule.examples[level]}”" in advice[code].suggestion
    others = [rule.examples[other] for other in rule.levels if other != level]
    assert not any(f"“{example}”" in advice[code].suggestion for example in others)


def test_out_of_reach_speaks_of_a_sprint_with_a_sprint_sized_goal():
    [advice] = goal_advice(GoalDraft(level="sprint", title="Triple sign-ups"), QualitySettings())
    assert advice.code == "out_of_reach"
    assert "“Lift the share of trial teams that invite a colleague from 10 % to 12 %”" in (
        advice.suggestion
    )
