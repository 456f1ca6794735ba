"""The link rules (goals.rules.links), the one check behind goal edits and the import."""

from __future__ import annotations

from goals.models import Level, Status
from goals.rules.links import Linked, parent_errors

VISION = Linked(1, "Eat well", Level.VISION, Status.AGREED, "p")
USER_GOAL = Linked(2, "Cook at home", Level.USER, Status.AGREED, "p")
BUSINESS = Linked(3, "Grow revenue", Level.BUSINESS, Status.AGREED, "p")


def product_goal(key=10, status=Status.DRAFT, product="p"):
    return Linked(key, "Plan meals", Level.PRODUCT, status, product)


def test_a_product_goal_may_serve_a_user_goal_and_a_business_goal():
    assert parent_errors(product_goal(), [USER_GOAL, BUSINESS]) == []


def test_the_vision_serves_nothing():
    assert parent_errors(VISION, [USER_GOAL]) == [
        "The vision is the top of the chain; it has no parents."
    ]
    assert parent_errors(VISION, []) == []


def test_a_goal_links_one_level_up_and_says_what_it_got():
    assert parent_errors(product_goal(), [VISION]) == [
        "A product goal links to a user goal or business goal; “Eat well” is a product vision."
    ]


def test_a_parent_named_twice_is_refused():
    assert "Each parent goal may be named once." in parent_errors(
        product_goal(), [USER_GOAL, USER_GOAL]
    )


def test_another_products_goal_is_not_named():
    elsewhere = Linked(2, "Secret", Level.USER, Status.AGREED, "other")

    assert parent_errors(product_goal(), [elsewhere]) == [
        "A goal it serves belongs to another product."
    ]


def test_a_dropped_parent_is_refused_unless_it_is_already_served():
    dropped = Linked(2, "Cook at home", Level.USER, Status.DROPPED, "p")

    assert parent_errors(product_goal(), [dropped]) == [
        "“Cook at home” was dropped; link to a live goal."
    ]
    assert parent_errors(product_goal(), [dropped], kept={2}) == []


def test_an_agreed_goal_must_serve_a_goal_one_level_up():
    assert parent_errors(product_goal(status=Status.AGREED), []) == [
        "An agreed product goal must serve a user goal or business goal."
    ]
    assert parent_errors(product_goal(status=Status.DRAFT), []) == []


def test_a_sprint_goal_serves_exactly_one_product_goal():
    sprint = Linked(20, "Ship the planner", Level.SPRINT, Status.DRAFT, "p")
    first, second = product_goal(11), product_goal(12)

    assert parent_errors(sprint, [first, second]) == [
        "A sprint goal serves exactly one goal one level up."
    ]
