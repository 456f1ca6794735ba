"""Every date a person types into a goal, a key result, a review or a feedback round lies
between 1970 and 2200: anything else ("0026", "9999") is refused in words, in the API and on
the pages alike, and nothing changes ([2/7] item 3)."""

from __future__ import annotations

from datetime import date, timedelta
from html import unescape

import pytest

from goals.models import FeedbackRound, Goal, KeyResult, Level, Status
from goals.rules.timeframes import DATE_WINDOW_MESSAGE, EARLIEST_DAY, LATEST_DAY, in_date_window
from tests.factories import KeyResultFactory, make_chain, make_goal

pytestmark = pytest.mark.django_db

ODD_DAYS = ["0026-05-01", "1969-12-31", "2201-01-01", "9999-12-31"]


def test_the_window_runs_from_the_first_day_of_1970_to_the_last_of_2200():
    assert in_date_window(EARLIEST_DAY) and in_date_window(LATEST_DAY)
    assert not in_date_window(EARLIEST_DAY - timedelta(days=1))
    assert not in_date_window(LATEST_DAY + timedelta(days=1))
    assert DATE_WINDOW_MESSAGE == "Choose a date between 1970 and 2200."


@pytest.fixture
def chain(team):
    chain = make_chain(team.product)
    Goal.objects.filter(pk=chain.product_goal.pk).update(status=Status.DRAFT)
    chain.product_goal.refresh_from_db()
    KeyResultFactory(goal=chain.product_goal, owner=team.member)
    return chain


def _snapshot() -> list[tuple]:
    """What any of these inputs could have written."""
    return [
        *Goal.objects.order_by("pk").values_list("pk", "starts_on", "ends_on", "next_review_on"),
        *KeyResult.objects.order_by("pk").values_list("pk", "due_on"),
        *FeedbackRound.objects.order_by("pk").values_list("pk", "deadline"),
    ]


# The API ------------------------------------------------------------------------------------


def _goal_body(team, chain, **fields):
    return {
        "product": team.product.pk,
        "level": "product",
        "title": "Weekly plans for families",
        "parents": [chain.user_goal.pk],
        **fields,
    }


def _key_result_body(team, chain, **fields):
    return {
        "goal": chain.product_goal.pk,
        "title": "Plans made",
        "baseline": 0,
        "target": 100,
        "owner": team.member.pk,
        **fields,
    }


API_INPUTS = {
    "goal starts on": ("post", "/api/goals/", _goal_body, "starts_on"),
    "goal ends on": ("post", "/api/goals/", _goal_body, "ends_on"),
    "goal next review": ("post", "/api/goals/", _goal_body, "next_review_on"),
    "goal edit": (
        "patch",
        "/api/goals/{product_goal}/",
        lambda team, chain, **f: {"version": chain.product_goal.version, **f},
        "ends_on",
    ),
    "goal edit next review": (
        "patch",
        "/api/goals/{product_goal}/",
        lambda team, chain, **f: {"version": chain.product_goal.version, **f},
        "next_review_on",
    ),
    "key result due": ("post", "/api/key-results/", _key_result_body, "due_on"),
    "key result edit": (
        "patch",
        "/api/key-results/{key_result}/",
        lambda team, chain, **f: {"version": 1, **f},
        "due_on",
    ),
    "feedback deadline": (
        "post",
        "/api/goals/{product_goal}/feedback-rounds/",
        lambda team, chain, **f: {"people": [team.stakeholder.pk], **f},
        "deadline",
    ),
}


@pytest.mark.parametrize("day", ODD_DAYS)
@pytest.mark.parametrize("name", API_INPUTS)
def test_it_refuses_a_date_outside_the_window_in_the_api(team, chain, api, name, day):
    method, path, body, field = API_INPUTS[name]
    key_result = KeyResult.objects.get(goal=chain.product_goal)
    url = path.format(product_goal=chain.product_goal.pk, key_result=key_result.pk)
    before = _snapshot()
    response = getattr(api(team.leader), method)(
        url, body(team, chain, **{field: day}), format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()[field] == [DATE_WINDOW_MESSAGE]
    assert _snapshot() == before


@pytest.mark.parametrize("day", ["1970-01-01", "2200-12-31"])
def test_it_takes_the_first_and_last_day_of_the_window_in_the_api(team, chain, api, day):
    response = api(team.leader).post(
        "/api/goals/", _goal_body(team, chain, starts_on=day), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["starts_on"] == day


# The pages ----------------------------------------------------------------------------------


def _goal_form(team, chain, **fields):
    goal = chain.product_goal
    return {
        "title": goal.title,
        "description": "",
        "owner": "",
        "status": "draft",
        "parents": [chain.user_goal.pk],
        "starts_on": goal.starts_on.isoformat(),
        "ends_on": goal.ends_on.isoformat(),
        "next_review_on": "",
        "outcome_note": "",
        "version": goal.version,
        **fields,
    }


def _new_goal_form(team, chain, **fields):
    return {
        "level": "product",
        "parent": chain.user_goal.pk,
        "title": "Weekly plans for families",
        "owner": "",
        "starts_on": "",
        "ends_on": "",
        **fields,
    }


def _key_result_form(prefix):
    def form(team, chain, **fields):
        data = {"title": "Plans made", "baseline": "0", "target": "100", "owner": team.member.pk}
        if prefix != "kr":
            data["version"] = 1
        return {f"{prefix}-{name}": value for name, value in {**data, **fields}.items()}

    return form


def _feedback_form(team, chain, **fields):
    return {"people": [team.stakeholder.pk], "question": "", **fields}


def _timeframe_form(team, chain, **fields):
    goal = chain.product_goal
    return {
        "starts_on": goal.starts_on.isoformat(),
        "ends_on": goal.ends_on.isoformat(),
        "version": goal.version,
        "change_reason": "",
        **fields,
    }


PAGE_INPUTS = {
    "new goal starts on": ("/products/{product}/goals/new/", _new_goal_form, "starts_on"),
    "new goal ends on": ("/products/{product}/goals/new/", _new_goal_form, "ends_on"),
    "goal edit": ("/goals/{product_goal}/", _goal_form, "ends_on"),
    "goal edit next review": ("/goals/{product_goal}/", _goal_form, "next_review_on"),
    "new key result": ("/goals/{product_goal}/key-results/", _key_result_form("kr"), "due_on"),
    "key result edit": ("/key-results/{key_result}/", _key_result_form("kr{key_result}"), "due_on"),
    "feedback deadline": ("/goals/{product_goal}/feedback/", _feedback_form, "deadline"),
    "roadmap drag": (
        "/products/{product}/roadmap/{product_goal}/timeframe/",
        _timeframe_form,
        "starts_on",
    ),
}


@pytest.mark.parametrize("day", ODD_DAYS)
@pytest.mark.parametrize("name", PAGE_INPUTS)
def test_it_refuses_a_date_outside_the_window_on_the_pages(team, chain, browser_client, name, day):
    path, form, field = PAGE_INPUTS[name]
    key_result = KeyResult.objects.get(goal=chain.product_goal)
    ids = {
        "product": team.product.pk,
        "product_goal": chain.product_goal.pk,
        "key_result": key_result.pk,
    }
    data = form(team, chain, **{field: day})
    data = {key.format(**ids): value for key, value in data.items()}
    before = _snapshot()
    response = browser_client(team.leader).post(path.format(**ids), data)
    assert response.status_code == 400, response.content
    assert DATE_WINDOW_MESSAGE in unescape(response.content.decode())
    assert _snapshot() == before


def test_the_date_boxes_offer_only_days_in_the_window(team, chain, browser_client):
    html = browser_client(team.leader).get(f"/goals/{chain.product_goal.pk}/").content.decode()
    assert 'type="date" name="starts_on"' in html
    assert html.count('min="1970-01-01"') == html.count('type="date"') > 0
    assert html.count('max="2200-12-31"') == html.count('type="date"')


def test_a_goal_dated_outside_the_window_before_is_edited_back_into_it(team, chain, browser_client):
    """A goal stored with a typo from before the rule can still be corrected on its page."""
    goal = make_goal(
        team.product, Level.PRODUCT, chain.user_goal, starts_on=date(26, 5, 1),
        ends_on=date(26, 8, 1),
    )  # fmt: skip
    client = browser_client(team.leader)
    assert client.get(f"/goals/{goal.pk}/").status_code == 200
    data = _goal_form(team, chain, starts_on="2026-05-01", ends_on="2026-08-01")
    response = client.post(f"/goals/{goal.pk}/", {**data, "title": goal.title, "version": 1})
    assert response.status_code == 302, response.content
    goal.refresh_from_db()
    assert goal.starts_on == date(2026, 5, 1)
