"""The review schedule per product, the organisation's time zone, and first review dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from goals.models import Goal, Level, Organization, ReviewSchedule, Status
from tests.factories import make_chain, make_goal

DEFAULTS = {
    "vision": "quarterly",
    "user": "monthly",
    "business": "monthly",
    "product": "biweekly",
    "sprint": "weekly",
    "remind_days_before": 2,
    "reminder_hour": 9,
}


def url(product) -> str:
    return f"/api/products/{product.pk}/review-schedule/"


def test_a_product_starts_with_the_default_schedule(team, api):
    response = api(team.stakeholder).get(url(team.product))

    assert response.status_code == 200
    assert response.json() == {
        "product_id": team.product.pk,
        **DEFAULTS,
        "time_zone": "UTC",
        "version": 1,
    }
    assert not ReviewSchedule.objects.exists()  # reading does not write


def test_leaders_change_the_schedule(team, api):
    body = {
        **DEFAULTS,
        "product": "weekly",
        "sprint": "none",
        "remind_days_before": 3,
        "version": 1,
    }
    response = api(team.leader).put(url(team.product), body, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["product"] == "weekly"
    assert response.json()["version"] == 2
    schedule = ReviewSchedule.objects.get(product=team.product)
    assert (schedule.product_cadence, schedule.sprint_cadence) == ("weekly", "none")
    assert schedule.remind_days_before == 3
    assert api(team.member).get(url(team.product)).json()["remind_days_before"] == 3


def test_fields_left_out_keep_their_value(team, api):
    api(team.leader).put(url(team.product), {"vision": "monthly", "version": 1}, format="json")
    response = api(team.leader).put(
        url(team.product), {"reminder_hour": 7, "version": 2}, format="json"
    )
    assert response.json() == {
        "product_id": team.product.pk,
        **DEFAULTS,
        "vision": "monthly",
        "reminder_hour": 7,
        "time_zone": "UTC",
        "version": 3,
    }


@pytest.mark.parametrize("role", ["member", "stakeholder"])
def test_only_leaders_change_it(team, api, role):
    response = api(getattr(team, role)).put(url(team.product), {"vision": "weekly"}, format="json")
    assert response.status_code == 403
    assert not ReviewSchedule.objects.exists()


def test_organisation_admins_act_as_leaders(team, api):
    response = api(team.org_admin).put(
        url(team.product), {"vision": "weekly", "version": 1}, format="json"
    )
    assert response.status_code == 200


def test_other_organisations_do_not_see_it(team, api):
    assert api(team.outsider).get(url(team.product)).status_code == 404
    assert api(team.outsider).put(url(team.product), DEFAULTS, format="json").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("product", "daily"),
        ("vision", ""),
        ("remind_days_before", -1),
        ("remind_days_before", 31),
        ("reminder_hour", 24),
        ("reminder_hour", "nine"),
        ("sprint", None),
    ],
)
def test_bad_values_are_a_400_and_change_nothing(team, api, field, value):
    body = {**DEFAULTS, "version": 1, field: value}
    response = api(team.leader).put(url(team.product), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ReviewSchedule.objects.exists()


def test_a_stale_version_is_a_409(team, api):
    api(team.leader).put(url(team.product), {"vision": "monthly", "version": 1}, format="json")
    response = api(team.leader).put(
        url(team.product), {"vision": "weekly", "version": 1}, format="json"
    )
    assert response.status_code == 409
    assert ReviewSchedule.objects.get().vision_cadence == "monthly"


def test_it_never_fails_on_odd_values(team, api):
    client = api(team.leader)
    odd = [None, [], {}, 10**30, -1.5, True, "", "x" * 3000, "\x00"]
    answers = {}
    for field in [*DEFAULTS, "version"]:
        for value in odd:
            response = client.put(url(team.product), {field: value}, format="json")
            if response.status_code >= 500:
                answers[f"{field}={value!r:.20}"] = response.status_code
    assert answers == {}


# First review dates -------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 5, 29, 10, tzinfo=UTC), tick=False)
def test_a_goal_gets_its_first_review_when_it_becomes_agreed(team, api):
    chain = make_chain(team.product)
    draft = make_goal(team.product, Level.PRODUCT, chain.user_goal, title="Meal kits")

    response = api(team.leader).post(
        f"/api/goals/{draft.pk}/agreement/",
        {"agreed_by": [team.member.pk], "reason": "Quarterly planning."},
        format="json",
    )

    assert response.json()["next_review_on"] == "2026-06-12"  # product goals: two weeks


@time_machine.travel(datetime(2026, 1, 31, 10, tzinfo=UTC), tick=False)
def test_the_first_review_follows_the_schedule_of_its_level(team, api):
    api(team.leader).put(url(team.product), {"user": "monthly"}, format="json")
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)

    created = api(team.leader).post(
        "/api/goals/",
        {"product": team.product.pk, "level": "user", "title": "Plan fast", "parents": [vision.pk]},
        format="json",
    )
    assert created.json()["next_review_on"] is None  # a draft is not reviewed yet

    response = api(team.leader).post(
        f"/api/goals/{created.json()['id']}/agreement/",
        {"agreed_by": [team.member.pk], "reason": "Offsite."},
        format="json",
    )

    assert response.json()["next_review_on"] == "2026-02-28"


def test_a_level_without_regular_reviews_gets_no_date(team, api):
    api(team.leader).put(url(team.product), {"vision": "none", "version": 1}, format="json")
    created = api(team.leader).post(
        "/api/goals/",
        {"product": team.product.pk, "level": "vision", "title": "Healthy"},
        format="json",
    )
    response = api(team.leader).post(
        f"/api/goals/{created.json()['id']}/agreement/",
        {"agreed_by": [team.member.pk], "reason": "Offsite."},
        format="json",
    )
    assert response.json()["status"] == "agreed"
    assert response.json()["next_review_on"] is None


def test_a_date_a_leader_sets_once_agreed_is_kept(team, api):
    # Agreement is granted on its own (POST .../agreement/); the leader moves the date after.
    chain = make_chain(team.product)
    draft = make_goal(team.product, Level.PRODUCT, chain.user_goal)
    agreement = {"agreed_by": [team.member.pk], "reason": "Planning."}
    agreed = api(team.leader).post(f"/api/goals/{draft.pk}/agreement/", agreement, format="json")
    response = api(team.leader).patch(
        f"/api/goals/{draft.pk}/",
        {"next_review_on": "2030-01-02", "version": agreed.json()["version"]},
        format="json",
    )
    assert response.json()["next_review_on"] == "2030-01-02"


def test_editing_an_agreed_goal_leaves_its_review_date_alone(team, api):
    chain = make_chain(team.product)
    Goal.objects.filter(pk=chain.product_goal.pk).update(next_review_on=date(2030, 5, 5))
    api(team.member).patch(
        f"/api/goals/{chain.product_goal.pk}/", {"confidence": 3, "version": 1}, format="json"
    )
    assert Goal.objects.get(pk=chain.product_goal.pk).next_review_on == date(2030, 5, 5)


# The organisation's time zone -----------------------------------------------------------


def test_admins_set_the_organisations_time_zone(team, api):
    org_url = f"/api/organizations/{team.product.organization_id}/"
    body = {"time_zone": "Europe/Berlin", "version": 1}
    response = api(team.org_admin).patch(org_url, body, format="json")

    assert response.status_code == 200
    assert response.json()["time_zone"] == "Europe/Berlin"
    assert api(team.leader).get(url(team.product)).json()["time_zone"] == "Europe/Berlin"


@pytest.mark.parametrize("name", ["Mars/Olympus", "../etc/passwd", "", "CEST"])
def test_an_unknown_time_zone_is_refused(team, api, name):
    org_url = f"/api/organizations/{team.product.organization_id}/"
    response = api(team.org_admin).patch(org_url, {"time_zone": name, "version": 1}, format="json")
    assert response.status_code == 400
    assert "time_zone" in response.json()
    assert Organization.objects.get(pk=team.product.organization_id).time_zone == "UTC"


def test_a_new_organisation_may_name_its_time_zone(team, api):
    response = api(team.member).post(
        "/api/organizations/", {"name": "Far East", "time_zone": "Asia/Tokyo"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["time_zone"] == "Asia/Tokyo"


def test_the_organisation_page_edits_the_time_zone(team, browser_client):
    org = team.product.organization
    client = browser_client(team.org_admin)
    html = client.get(f"/organizations/{org.pk}/").content.decode()
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in html

    response = client.post(
        f"/organizations/{org.pk}/edit/",
        {"name": org.name, "business_strategy": "", "time_zone": "America/New_York",
         "version": org.version},
    )  # fmt: skip

    assert response.status_code == 302
    assert Organization.objects.get(pk=org.pk).time_zone == "America/New_York"


# The schedule form on the review page -------------------------------------------------------


def page(product) -> str:
    return f"/products/{product.pk}/reviews/"


def form(**changes) -> dict:
    return {**DEFAULTS, "version": 1, **changes}


def test_leaders_change_the_schedule_on_the_review_page(team, browser_client):
    client = browser_client(team.leader)
    html = client.get(page(team.product)).content.decode()
    assert 'id="schedule-title">Review schedule</h2>' in html
    assert '<label for="id_product">Product goals</label>' in html

    response = client.post(page(team.product), form(product="monthly", reminder_hour=8))

    assert response.status_code == 302
    assert response["Location"] == f"{page(team.product)}#schedule"
    schedule = ReviewSchedule.objects.get()
    assert (schedule.product_cadence, schedule.reminder_hour) == ("monthly", 8)


def test_a_bad_schedule_shows_its_error_next_to_the_field(team, browser_client):
    response = browser_client(team.leader).post(page(team.product), form(remind_days_before=99))
    assert response.status_code == 400
    assert 'id="id_remind_days_before_error"' in response.content.decode()
    assert not ReviewSchedule.objects.exists()


def test_others_read_the_schedule_but_do_not_change_it(team, browser_client):
    client = browser_client(team.member)
    html = client.get(page(team.product)).content.decode()
    assert "Leaders change the schedule." in html
    assert 'name="remind_days_before"' not in html
    assert client.post(page(team.product), form(product="weekly")).status_code == 403
    assert not ReviewSchedule.objects.exists()


def test_a_stale_schedule_form_keeps_what_was_typed(team, browser_client, api):
    api(team.org_admin).put(url(team.product), {"vision": "weekly", "version": 1}, format="json")
    response = browser_client(team.leader).post(page(team.product), form(sprint="monthly"))
    assert response.status_code == 400
    assert "Someone else saved this" in response.content.decode()
    assert ReviewSchedule.objects.get().sprint_cadence == "weekly"
