"""load_chain builds its model instances from rows directly; they must behave like the ORM's."""

from __future__ import annotations

from django.forms.models import model_to_dict

from goals.models import Goal, KeyResult, Level, Status
from goals.selectors.chain import load_chain
from tests.factories import KeyResultFactory, add_member, make_goal


def test_its_goals_and_key_results_equal_what_the_orm_loads(team):
    vision = make_goal(team.product, Level.VISION, owner=team.leader)
    user_goal = make_goal(team.product, Level.USER, vision, owner=None, status=Status.AGREED)
    KeyResultFactory(goal=user_goal, owner=add_member(team.product))

    chain = load_chain(team.product)

    for goal in chain.goals:
        stored = Goal.objects.get(pk=goal.pk)
        assert model_to_dict(goal) | {"parents": None} == model_to_dict(stored) | {"parents": None}
        assert (goal.created_at, goal.updated_at) == (stored.created_at, stored.updated_at)
        assert goal._state.adding is False
        assert goal._state.db == "default"
    key_result = chain.key_results[user_goal.pk][0]
    assert model_to_dict(key_result) == model_to_dict(KeyResult.objects.get(pk=key_result.pk))


def test_owners_are_loaded_with_the_chain(team, django_assert_num_queries):
    vision = make_goal(team.product, Level.VISION, owner=team.leader)
    user_goal = make_goal(team.product, Level.USER, vision, owner=None)
    KeyResultFactory(goal=user_goal, owner=team.member)
    chain = load_chain(team.product)

    with django_assert_num_queries(0):
        owners = {goal.title: goal.owner for goal in chain.goals}
        key_result_owner = chain.key_results[user_goal.pk][0].owner

    assert owners == {vision.title: team.leader, user_goal.title: None}
    assert key_result_owner == team.member


def test_a_loaded_goal_saves_as_an_update(team):
    vision = make_goal(team.product, Level.VISION, owner=team.leader)
    goal = load_chain(team.product).goals[0]

    goal.title = "A clearer vision"
    goal.save(update_fields=["title"])

    assert Goal.objects.count() == 1
    assert Goal.objects.get(pk=vision.pk).title == "A clearer vision"
