"""The written-down definitions of support, objection and each decision rule."""

import pytest

from workshops.models import DecisionRule, VotingMethod
from workshops.rules import Ballot, ahead_of, decide, pair_error, tally


def ballots(*values: str) -> list[Ballot]:
    return [
        Ballot(voter=i, value=v, reason="why" if v in ("object", "1") else "")
        for i, v in enumerate(values)
    ]


@pytest.mark.parametrize(
    ("method", "values", "rule", "passed"),
    [
        (VotingMethod.CONSENT, ["agree", "agree", "abstain"], DecisionRule.UNANIMOUS, True),
        (VotingMethod.CONSENT, ["abstain", "abstain"], DecisionRule.UNANIMOUS, False),
        (VotingMethod.CONSENT, ["agree", "object"], DecisionRule.UNANIMOUS, False),
        (VotingMethod.CONSENT, ["abstain", "abstain"], DecisionRule.CONSENT, True),
        (VotingMethod.CONSENT, ["agree", "object"], DecisionRule.CONSENT, False),
        (VotingMethod.CONSENT, ["agree", "agree", "object"], DecisionRule.MAJORITY, True),
        (VotingMethod.CONSENT, ["agree", "abstain"], DecisionRule.MAJORITY, False),
        (VotingMethod.SCORE, ["4", "5", "4"], DecisionRule.UNANIMOUS, True),
        (VotingMethod.SCORE, ["4", "5", "3"], DecisionRule.UNANIMOUS, False),
        (VotingMethod.SCORE, ["3", "2", "2"], DecisionRule.CONSENT, True),
        (VotingMethod.SCORE, ["5", "5", "1"], DecisionRule.CONSENT, False),
        (VotingMethod.SCORE, ["5", "4", "2"], DecisionRule.MAJORITY, True),
        (VotingMethod.FIST_OF_FIVE, ["3", "4", "5"], DecisionRule.UNANIMOUS, True),
        (VotingMethod.FIST_OF_FIVE, ["3", "2", "5"], DecisionRule.UNANIMOUS, False),
        (VotingMethod.FIST_OF_FIVE, ["2", "2", "2"], DecisionRule.CONSENT, True),
        (VotingMethod.FIST_OF_FIVE, ["5", "1"], DecisionRule.CONSENT, False),
        (VotingMethod.FIST_OF_FIVE, ["2", "2", "5"], DecisionRule.MAJORITY, False),
    ],
)
def test_it_applies_each_rule_as_written(method, values, rule, passed):
    assert decide(rule, tally(method, ballots(*values)))[0] is passed


def test_it_counts_dot_voters_who_spent_their_dots_elsewhere_as_not_supporting():
    count = tally(VotingMethod.DOT, ballots("2", "1"), dot_voters=3)
    assert (count.voters, count.supporters, count.dots) == (3, 2, 3)
    assert decide(DecisionRule.UNANIMOUS, count)[0] is False
    assert decide(DecisionRule.MAJORITY, count)[0] is True
    # Dots raise no objections, so "consent" would adopt anything with a vote: refused.
    assert "cannot decide by consent" in pair_error(VotingMethod.DOT, DecisionRule.CONSENT)


def test_it_refuses_to_decide_without_votes():
    passed, reason = decide(DecisionRule.CONSENT, tally(VotingMethod.CONSENT, []))
    assert not passed
    assert "Nobody" in reason


def test_it_reports_objections_with_their_reasons():
    count = tally(VotingMethod.CONSENT, [Ballot(7, "object", "too risky"), Ballot(8, "agree")])
    assert count.objections == [{"voter": 7, "reason": "too risky"}]
    passed, reason = decide(DecisionRule.CONSENT, count)
    assert not passed and "1 objection" in reason


def test_it_counts_ballots_in_the_order_of_their_values_never_of_their_voters():
    ballots = [Ballot(1, "object", "zz"), Ballot(2, "agree"), Ballot(3, "object", "aa")]
    for order in (ballots, list(reversed(ballots))):
        count = tally(VotingMethod.CONSENT, order)
        assert [o["reason"] for o in count.objections] == ["aa", "zz"]
        assert list(count.counts) == ["agree", "object"]


def test_it_names_the_proposal_ahead_only_when_the_method_ranks():
    dots = {
        1: tally(VotingMethod.DOT, ballots("3", "3"), dot_voters=2),
        2: tally(VotingMethod.DOT, ballots("1", "2"), dot_voters=2),
        3: tally(VotingMethod.DOT, ballots("3", "3"), dot_voters=2),
    }
    assert ahead_of(VotingMethod.DOT, dots, 2) == 1
    assert (
        ahead_of(VotingMethod.DOT, dots, 1) is None and ahead_of(VotingMethod.DOT, dots, 3) is None
    )
    consent = {1: tally(VotingMethod.CONSENT, ballots("agree")), 2: tally(VotingMethod.CONSENT, [])}
    assert ahead_of(VotingMethod.CONSENT, consent, 2) is None
