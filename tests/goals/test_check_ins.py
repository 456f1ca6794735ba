"""Check-ins: key-result values and confidence, in one transaction, by the right people."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from goals.errors import DomainError
from goals.models import CheckIn, CheckInValue, Goal, GoalChange, KeyResult, Level, Status
from goals.services.check_ins import Value, check_in_create
from tests.factories import (
    GoalFactory,
    KeyResultFactory,
    OrganizationMembershipFactory,
    UserFactory,
    add_member,
    make_chain,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def chain(team):
    chain = make_chain(team.product)
    chain.kr_users = KeyResultFactory(
        goal=chain.product_goal, title="Weekly planners", unit="users",
        baseline=Decimal(100), target=Decimal(300), current=Decimal(100), owner=team.member,
    )  # fmt: skip
    chain.kr_time = KeyResultFactory(
        goal=chain.product_goal, title="Minutes to plan", unit="min",
        baseline=Decimal(40), target=Decimal(10), current=Decimal(40), owner=team.leader,
    )  # fmt: skip
    return chain


def url(goal) -> str:
    return f"/api/goals/{goal.pk}/check-ins/"


def body(chain, users=200, minutes=25, confidence=4, note="Good week."):
    return {
        "values": [
            {"key_result": chain.kr_users.pk, "value": users},
            {"key_result": chain.kr_time.pk, "value": minutes},
        ],
        "confidence": confidence,
        "note": note,
    }


def unchanged(chain) -> bool:
    goal = Goal.objects.get(pk=chain.product_goal.pk)
    return (
        not CheckIn.objects.exists()
        and KeyResult.objects.get(pk=chain.kr_users.pk).current == 100
        and KeyResult.objects.get(pk=chain.kr_time.pk).current == 40
        and goal.version == chain.product_goal.version
        and goal.confidence is None
    )


def test_it_records_values_and_confidence_and_moves_the_key_results(team, chain, api):
    response = api(team.member).post(url(chain.product_goal), body(chain), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["confidence"] == 4
    assert data["note"] == "Good week."
    assert data["author"] == team.member.pk
    assert {v["key_result"]: (v["previous"], v["value"]) for v in data["values"]} == {
        chain.kr_users.pk: (100, 200),
        chain.kr_time.pk: (40, 25),
    }
    assert KeyResult.objects.get(pk=chain.kr_users.pk).current == 200
    assert KeyResult.objects.get(pk=chain.kr_time.pk).current == 25
    goal = Goal.objects.get(pk=chain.product_goal.pk)
    assert goal.confidence == 4
    assert goal.progress == 50  # (50 % + 50 %) / 2


def test_progress_rolls_up_the_chain(team, chain, api):
    api(team.member).post(url(chain.product_goal), body(chain, 300, 10), format="json")

    assert Goal.objects.get(pk=chain.product_goal.pk).progress == 100
    assert Goal.objects.get(pk=chain.user_goal.pk).progress == 100
    assert Goal.objects.get(pk=chain.vision.pk).progress == 100


@time_machine.travel(datetime(2026, 3, 4, 10, tzinfo=UTC), tick=False)
def test_it_moves_the_next_review_one_period_on_and_keeps_it_in_the_history(team, chain, api):
    response = api(team.member).post(url(chain.product_goal), body(chain), format="json")

    assert response.json()["next_review_on"] == "2026-03-18"  # product goals: every two weeks
    goal = Goal.objects.get(pk=chain.product_goal.pk)
    assert goal.next_review_on == date(2026, 3, 18)
    change = GoalChange.objects.filter(goal=goal).latest("at")
    assert change.reason == "Check-in"
    assert change.changes == {"confidence": [None, 4], "next_review_on": [None, "2026-03-18"]}


@time_machine.travel(datetime(2026, 1, 31, 12, tzinfo=UTC), tick=False)
def test_a_monthly_review_after_the_31st_of_january_is_on_the_28th_of_february(team, chain, api):
    data = {"values": [], "confidence": 3}
    response = api(team.leader).post(url(chain.user_goal), data, format="json")

    assert response.status_code == 201, response.json()
    assert Goal.objects.get(pk=chain.user_goal.pk).next_review_on == date(2026, 2, 28)


@time_machine.travel(datetime(2026, 1, 31, 23, 30, tzinfo=UTC), tick=False)
def test_the_next_review_counts_from_the_organisations_date(team, chain, api):
    team.product.organization.time_zone = "Europe/Berlin"  # already 1 February there
    team.product.organization.save()

    api(team.member).post(url(chain.product_goal), body(chain), format="json")

    assert Goal.objects.get(pk=chain.product_goal.pk).next_review_on == date(2026, 2, 15)


def test_it_lists_check_ins_newest_first_to_every_member(team, chain, api):
    api(team.member).post(url(chain.product_goal), body(chain, 150), format="json")
    api(team.leader).post(url(chain.product_goal), body(chain, 180), format="json")

    response = api(team.stakeholder).get(url(chain.product_goal))

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [r["author"] for r in data["results"]] == [team.leader.pk, team.member.pk]
    assert data["results"][0]["values"][0]["previous"] == 150


@pytest.mark.parametrize("role", ["leader", "member", "org_admin"])
def test_leaders_and_the_team_check_in(team, chain, api, role):
    response = api(getattr(team, role)).post(url(chain.product_goal), body(chain), format="json")
    assert response.status_code == 201


def test_stakeholders_may_not_check_in(team, chain, api):
    response = api(team.stakeholder).post(url(chain.product_goal), body(chain), format="json")

    assert response.status_code == 403
    assert unchanged(chain)


def test_organisation_members_without_a_role_may_not_check_in(team, chain, api):
    viewer = OrganizationMembershipFactory(organization=team.product.organization).user
    response = api(viewer).post(url(chain.product_goal), body(chain), format="json")
    assert response.status_code == 403
    assert api(viewer).get(url(chain.product_goal)).status_code == 200


def test_outsiders_do_not_even_see_the_goal(team, chain, api):
    client = api(team.outsider)
    assert client.post(url(chain.product_goal), body(chain), format="json").status_code == 404
    assert client.get(url(chain.product_goal)).status_code == 404
    assert unchanged(chain)


def test_a_stakeholder_who_owns_a_key_result_checks_in(team, chain, api):
    KeyResult.objects.filter(pk=chain.kr_time.pk).update(owner=team.stakeholder)
    response = api(team.stakeholder).post(url(chain.product_goal), body(chain), format="json")
    assert response.status_code == 201


def test_a_stakeholder_who_owns_the_goal_checks_in(team, chain, api):
    Goal.objects.filter(pk=chain.product_goal.pk).update(owner=team.stakeholder)
    response = api(team.stakeholder).post(url(chain.product_goal), body(chain), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"values": [{"key_result": "KR", "value": "a lot"}]}, "values"),
        ({"values": [{"key_result": "KR", "value": None}]}, "values"),
        ({"values": [{"key_result": "KR", "value": True}]}, "values"),
        ({"values": [{"key_result": "KR", "value": "NaN"}]}, "values"),
        ({"values": [{"key_result": "KR", "value": 10**30}]}, "values"),
        ({"values": [{"key_result": "KR", "value": "1.23456"}]}, "values"),
        ({"values": [{"key_result": "OTHER", "value": 5}]}, "values"),
        ({"values": [{"key_result": 2**70, "value": 5}]}, "values"),
        ({"values": [{"value": 5}]}, "values"),
        ({"values": "200"}, "values"),
        ({"values": None}, "values"),
        ({"confidence": 0}, "confidence"),
        ({"confidence": 6}, "confidence"),
        ({"confidence": "sure"}, "confidence"),
        ({"confidence": None}, "confidence"),
        ({"note": "x" * 5001}, "note"),
    ],
)
def test_bad_input_is_a_400_and_changes_nothing(team, chain, api, change, field):
    other = KeyResultFactory(goal=chain.user_goal, owner=team.member)
    data = body(chain)
    for key, value in change.items():
        if key == "values" and isinstance(value, list):
            value = [
                {
                    **item,
                    **(
                        {
                            "key_result": {"KR": chain.kr_users.pk, "OTHER": other.pk}[
                                item["key_result"]
                            ]
                        }
                        if item.get("key_result") in ("KR", "OTHER")
                        else {}
                    ),
                }
                for item in value
            ] + [{"key_result": chain.kr_time.pk, "value": 20}]
        data[key] = value

    response = api(team.member).post(url(chain.product_goal), data, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert all(isinstance(m, str) for m in response.json()[field])
    assert unchanged(chain)


def test_it_wants_a_value_for_each_key_result(team, chain, api):
    data = body(chain)
    data["values"] = data["values"][:1]
    response = api(team.member).post(url(chain.product_goal), data, format="json")
    assert response.status_code == 400
    assert "Minutes to plan" in response.json()["values"][0]
    assert unchanged(chain)


def test_it_refuses_two_values_for_one_key_result(team, chain, api):
    data = body(chain)
    data["values"].append({"key_result": chain.kr_users.pk, "value": 250})
    response = api(team.member).post(url(chain.product_goal), data, format="json")
    assert response.status_code == 400
    assert unchanged(chain)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ACHIEVED, Status.DROPPED])
def test_only_agreed_goals_take_check_ins(team, chain, api, status):
    Goal.objects.filter(pk=chain.product_goal.pk).update(status=status)
    response = api(team.member).post(url(chain.product_goal), body(chain), format="json")
    assert response.status_code == 400
    assert not CheckIn.objects.exists()


def test_a_failure_half_way_rolls_everything_back(team, chain):
    # The second key result's owner left the product: updating it fails after the first
    # key result was already updated inside the transaction.
    leaver = add_member(team.product, UserFactory())
    KeyResult.objects.filter(pk=chain.kr_time.pk).update(owner=leaver)
    leaver.product_memberships.all().delete()

    with pytest.raises(DomainError):
        check_in_create(
            actor=team.member,
            goal=chain.product_goal,
            values=[Value(chain.kr_users.pk, Decimal(250)), Value(chain.kr_time.pk, Decimal(20))],
            confidence=4,
        )

    assert unchanged(chain)
    assert not CheckInValue.objects.exists()


ODD_VALUES: list[object] = [
    None,
    [],
    {},
    [None],
    10**30,
    -(10**30),
    1.5,
    True,
    "",
    "x" * 30000,
    "\x00",
]


def test_it_never_fails_on_odd_values_in_any_field(team, chain, api):
    client = api(team.member)
    answers = {}
    for field in ("values", "confidence", "note"):
        for value in ODD_VALUES:
            response = client.post(
                url(chain.product_goal), {**body(chain), field: value}, format="json"
            )
            if response.status_code >= 500:
                answers[f"{field}={value!r:.30}"] = response.status_code
    assert answers == {}
    assert (
        client.post(url(chain.product_goal), "[1]", content_type="application/json").status_code
        == 400
    )


def test_a_goal_without_key_results_takes_a_check_in_of_confidence_and_note(team, chain, api):
    response = api(team.member).post(
        url(chain.sprint_goal), {"values": [], "confidence": 2, "note": "Blocked."}, format="json"
    )
    assert response.status_code == 201
    assert Goal.objects.get(pk=chain.sprint_goal.pk).confidence == 2


# The check-in form -------------------------------------------------------------------------


def page(goal) -> str:
    return f"/goals/{goal.pk}/check-in/"


def form(chain, users="210", minutes="30", confidence="3", note="Steady."):
    return {
        f"check-in-kr-{chain.kr_users.pk}": users,
        f"check-in-kr-{chain.kr_time.pk}": minutes,
        "check-in-confidence": confidence,
        "check-in-note": note,
    }


def test_the_goal_page_offers_the_check_in_form_to_the_team(team, chain, browser_client):
    html = browser_client(team.member).get(f"/goals/{chain.product_goal.pk}/").content.decode()
    assert f'action="/goals/{chain.product_goal.pk}/check-in/"' in html
    assert "Weekly planners (users)" in html  # a labelled input per key result
    assert 'name="check-in-confidence"' in html


def test_the_goal_page_has_no_check_in_form_for_stakeholders(team, chain, browser_client):
    html = browser_client(team.stakeholder).get(f"/goals/{chain.product_goal.pk}/").content
    assert b"check-in-confidence" not in html


def test_a_check_in_from_the_page_saves_and_returns_to_the_goal(team, chain, browser_client):
    response = browser_client(team.member).post(page(chain.product_goal), form(chain))

    assert response.status_code == 302
    assert response["Location"] == f"/goals/{chain.product_goal.pk}/#check-ins"
    assert KeyResult.objects.get(pk=chain.kr_users.pk).current == 210
    assert CheckIn.objects.get().note == "Steady."


def test_a_check_in_with_htmx_on_the_goal_page_reloads_it(team, chain, browser_client):
    goal_page = f"http://testserver/goals/{chain.product_goal.pk}/"
    response = browser_client(team.member).post(
        page(chain.product_goal), form(chain), HTTP_HX_CURRENT_URL=goal_page, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"


def test_a_check_in_with_htmx_on_its_own_page_goes_to_the_goal(team, chain, browser_client):
    own_page = f"http://testserver{page(chain.product_goal)}"
    response = browser_client(team.member).post(
        page(chain.product_goal), form(chain), HTTP_HX_CURRENT_URL=own_page, **HTMX
    )
    assert response["HX-Redirect"] == f"/goals/{chain.product_goal.pk}/#check-ins"


def test_a_bad_value_on_the_page_shows_next_to_its_field_and_saves_nothing(
    team, chain, browser_client
):
    response = browser_client(team.member).post(page(chain.product_goal), form(chain, users="lots"))

    assert response.status_code == 400
    html = response.content.decode()
    field_id = f"id_check-in-kr-{chain.kr_users.pk}"
    assert f'aria-describedby="{field_id}_helptext {field_id}_error"' in html
    assert f'<ul class="errorlist" id="{field_id}_error"><li>Enter a number.</li></ul>' in html
    assert unchanged(chain)


def test_a_missing_confidence_with_htmx_comes_back_in_place(team, chain, browser_client):
    response = browser_client(team.member).post(
        page(chain.product_goal), form(chain, confidence=""), **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<form")
    assert "How sure is the team?" in html
    assert unchanged(chain)


def test_the_check_in_page_is_not_for_stakeholders_or_outsiders(team, chain, browser_client):
    assert browser_client(team.stakeholder).get(page(chain.product_goal)).status_code == 403
    assert (
        browser_client(team.outsider).post(page(chain.product_goal), form(chain)).status_code == 404
    )
    assert unchanged(chain)


@time_machine.travel(datetime(2026, 6, 1, 8, tzinfo=UTC), tick=False)
def test_the_check_in_page_shows_when_the_review_is_due(team, chain, browser_client):
    Goal.objects.filter(pk=chain.product_goal.pk).update(next_review_on=date(2026, 6, 4))
    html = browser_client(team.member).get(page(chain.product_goal)).content.decode()
    assert "Review due in 3 days" in html


def test_a_goal_of_another_level_gets_its_own_cadence(team, api):
    vision = GoalFactory(product=team.product, level=Level.VISION, status=Status.AGREED)
    with time_machine.travel(datetime(2026, 1, 31, 12, tzinfo=UTC), tick=False):
        api(team.leader).post(url(vision), {"values": [], "confidence": 5}, format="json")
    assert Goal.objects.get(pk=vision.pk).next_review_on == date(2026, 4, 30)  # quarterly


@pytest.mark.parametrize("rows", [1, 200])
def test_it_lists_check_ins_in_a_fixed_number_of_queries(
    team, chain, api, django_assert_num_queries, rows
):
    for i in range(rows):
        entry = CheckIn.objects.create(goal=chain.product_goal, author=team.member, confidence=3)
        CheckInValue.objects.bulk_create(
            CheckInValue(check_in=entry, key_result=kr, value=i, previous=i - 1)
            for kr in (chain.kr_users, chain.kr_time)
        )
    client = api(team.stakeholder)
    # 1. the token and its user, 2. the goal with my roles, 3. the count, 4. the page of
    # check-ins with their authors, 5. their values with their key results.
    with django_assert_num_queries(5):
        response = client.get(f"{url(chain.product_goal)}?page_size={rows}")
    assert len(response.json()["results"]) == rows
    assert all(len(r["values"]) == 2 for r in response.json()["results"])
