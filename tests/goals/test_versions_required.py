"""Every edit of an object that carries `version` says which version it was made on: a
PATCH or PUT without it is a 400 naming `version` and changes nothing, in the API and in
the pages' forms alike. (A stale version is a 409: see each object's own tests.)"""

from __future__ import annotations

from datetime import date

import pytest

from goals.models import (
    Goal,
    KeyResult,
    Level,
    Organization,
    Product,
    Retrospective,
    ReviewSchedule,
    Status,
)
from goals.services.versioning import VERSION_REQUIRED
from tests.factories import KeyResultFactory, make_chain
from workshops.models import Phase, Proposal
from workshops.services.proposals import proposal_create
from workshops.services.setup import participant_add, workshop_create, workshop_set_phase


@pytest.fixture
def chain(team):
    return make_chain(team.product)


@pytest.fixture
def missed(team, chain):
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(
        status=Status.MISSED, outcome_note="Too big."
    )
    Retrospective.objects.create(
        goal=chain.sprint_goal, what_happened="a", what_we_learned="b", what_we_change="c"
    )
    return chain.sprint_goal


def _state():
    """The version of every versioned object: a refused write leaves them all as they were."""
    return [
        list(model.objects.order_by("pk").values_list("pk", "version"))
        for model in (Organization, Product, Goal, KeyResult, ReviewSchedule, Retrospective)
    ] + [list(Proposal.objects.order_by("pk").values_list("pk", "version", "title"))]


ENDPOINTS = [
    "organization",
    "product",
    "goal",
    "key result",
    "review schedule",
    "retrospective",
    "proposal",
]


def _edit(team, chain, missed, endpoint):
    """(method, path, body without version) of one edit, by someone allowed to make it."""
    kr = KeyResultFactory(goal=chain.product_goal, owner=team.member)
    product = team.product
    if endpoint == "proposal":
        workshop = workshop_create(
            actor=team.leader,
            product=product,
            title="Roadmapping",
            target_level=Level.PRODUCT,
            parent_goal=chain.user_goal,
            facilitator=team.leader,
        )
        participant_add(actor=team.leader, workshop=workshop, user=team.member)
        workshop_set_phase(actor=team.leader, workshop=workshop, phase=Phase.DRAFTING)
        proposal = proposal_create(actor=team.member, workshop=workshop, title="P")
        return team.member, "patch", f"/api/proposals/{proposal.pk}/", {"title": "Better"}
    return {
        "organization": (
            team.org_admin,
            "patch",
            f"/api/organizations/{product.organization_id}/",
            {"name": "Renamed"},
        ),
        "product": (team.leader, "patch", f"/api/products/{product.pk}/", {"name": "Renamed"}),
        "goal": (team.leader, "patch", f"/api/goals/{chain.sprint_goal.pk}/", {"confidence": 2}),
        "key result": (team.member, "patch", f"/api/key-results/{kr.pk}/", {"current": 20}),
        "review schedule": (
            team.leader,
            "put",
            f"/api/products/{product.pk}/review-schedule/",
            {"product": "weekly"},
        ),
        "retrospective": (
            team.member,
            "put",
            f"/api/goals/{missed.pk}/retrospective/",
            {"what_happened": "x", "what_we_learned": "y", "what_we_change": "z"},
        ),
    }[endpoint]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_edit_without_its_version_is_a_400_naming_it(team, chain, missed, api, endpoint):
    person, method, path, body = _edit(team, chain, missed, endpoint)
    before = _state()
    response = getattr(api(person), method)(path, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {"version": [VERSION_REQUIRED]}
    assert _state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_same_edit_with_its_version_goes_through(team, chain, missed, api, endpoint):
    person, method, path, body = _edit(team, chain, missed, endpoint)
    response = getattr(api(person), method)(path, {**body, "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2


def test_other_errors_are_named_beside_the_missing_version(team, chain, api):
    response = api(team.leader).patch(
        f"/api/goals/{chain.sprint_goal.pk}/", {"confidence": 9}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"confidence", "version"}


def test_a_first_retrospective_needs_no_version(team, chain, api):
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(status=Status.MISSED, outcome_note="x")
    response = api(team.member).put(
        f"/api/goals/{chain.sprint_goal.pk}/retrospective/",
        {"what_happened": "x", "what_we_learned": "y", "what_we_change": "z"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["version"] == 1


def test_writes_that_are_not_edits_of_a_versioned_object_need_none(team, chain, api):
    """A check-in or a vote is a new record, not an edit of what someone read."""
    kr = KeyResultFactory(goal=chain.sprint_goal, owner=team.member)
    response = api(team.member).post(
        f"/api/goals/{chain.sprint_goal.pk}/check-ins/",
        {"values": [{"key_result": kr.pk, "value": 12}], "confidence": 4},
        format="json",
    )
    assert response.status_code == 201


# The pages' forms -------------------------------------------------------------------------


def _page_edit(team, chain, missed, page):
    """(person, path, form without version) of one page form editing a versioned object."""
    product = team.product
    return {
        "organization": (
            team.org_admin,
            f"/organizations/{product.organization_id}/edit/",
            {"name": "Renamed", "business_strategy": ""},
        ),
        "product": (
            team.leader,
            f"/products/{product.pk}/edit/",
            {"name": "Renamed", "portfolio_strategy": ""},
        ),
        "goal": (
            team.leader,
            f"/goals/{chain.product_goal.pk}/",
            {
                "title": chain.product_goal.title,
                "status": chain.product_goal.status,
                "parents": [chain.user_goal.pk, chain.business_goal.pk],
                "starts_on": chain.product_goal.starts_on.isoformat(),
                "ends_on": chain.product_goal.ends_on.isoformat(),
                "confidence": 2,
            },
        ),
        "review schedule": (
            team.leader,
            f"/products/{product.pk}/reviews/",
            {
                "vision": "quarterly",
                "user": "monthly",
                "business": "monthly",
                "product": "weekly",
                "sprint": "weekly",
                "remind_days_before": 2,
                "reminder_hour": 9,
            },
        ),
        "retrospective": (
            team.member,
            f"/goals/{missed.pk}/retrospective/",
            {"what_happened": "x", "what_we_learned": "y", "what_we_change": "z"},
        ),
    }[page]


@pytest.mark.parametrize(
    "page", ["organization", "product", "goal", "review schedule", "retrospective"]
)
def test_a_page_form_without_its_version_is_refused(team, chain, missed, browser_client, page):
    person, path, form = _page_edit(team, chain, missed, page)
    before = _state()
    response = browser_client(person).post(path, form)
    assert response.status_code == 400
    assert "Send the version you edited, so nobody&#x27;s change is lost." in (
        response.content.decode()
    )
    assert _state() == before


@pytest.mark.parametrize(
    "page", ["organization", "product", "goal", "review schedule", "retrospective"]
)
def test_a_page_form_with_its_version_saves(team, chain, missed, browser_client, page):
    person, path, form = _page_edit(team, chain, missed, page)
    response = browser_client(person).post(path, {**form, "version": 1})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_every_edit_form_sends_the_version_it_was_opened_on(team, chain, browser_client):
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(version=4, ends_on=date(2099, 1, 1))
    html = browser_client(team.leader).get(f"/goals/{chain.sprint_goal.pk}/").content.decode()
    assert 'name="version" value="4"' in html
