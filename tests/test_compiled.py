"""goalchain.compiled: a query compiled once runs with each call's own values."""

from __future__ import annotations

import pytest

from goalchain.compiled import Compiled
from goals.models import Goal, Level
from tests.factories import make_chain, make_goal


def test_a_compiled_query_gives_what_the_orm_gives_for_each_value(team):
    chain = make_chain(team.product)
    make_goal(team.product, Level.PRODUCT, chain.user_goal, title="Second", version=32_749)
    # A constant equal to a stand-in stays a constant: only the parameters that move with
    # the values are the values' places.
    from_start = Compiled(
        lambda product_id, goal_id: Goal.objects.filter(
            product_id=product_id, version__lt=32_749, pk__gte=goal_id
        ).values_list("pk")
    )
    for start in (chain.vision.pk, chain.sprint_goal.pk, 10**9):
        orm = Goal.objects.filter(product=team.product, version__lt=32_749, pk__gte=start)
        assert sorted(from_start.rows(team.product.pk, start)) == sorted(orm.values_list("pk"))
        assert from_start.count(team.product.pk, start) == orm.count()
    assert from_start.rows(10**9, chain.vision.pk) == []


def test_a_query_whose_sql_moves_with_its_values_is_refused(team):
    shifting = Compiled(
        lambda goal_id: Goal.objects.filter(pk__in=[goal_id] if goal_id > 32_715 else [1, 2])
    )
    with pytest.raises(ValueError, match="depends on its values"):
        shifting.rows(5)
