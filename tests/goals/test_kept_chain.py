"""The pages that show a whole chain (the chain page, its folded branches, the health board,
the roadmap) keep the chain a web process loaded while its signature holds: read again,
nothing of the chain is loaded, and every kind of write still shows at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from goals.models import Goal, KeyResult
from goals.selectors.chain import load_chain
from tests.factories import KeyResultFactory, make_chain

PAGES = {
    "chain page": "/products/{pk}/",
    "health board": "/products/{pk}/health/",
    "roadmap": "/products/{pk}/roadmap/",
}


@pytest.fixture
def chain(team):
    chain = make_chain(team.product)
    KeyResultFactory(goal=chain.sprint_goal, owner=team.member, baseline=0, target=10, current=0)
    return chain


@pytest.fixture
def loads(monkeypatch) -> list[int]:
    """The products whose chain was loaded from the database, one entry a load."""
    loaded: list[int] = []

    def counted(product):
        loaded.append(product.pk)
        return load_chain(product)

    monkeypatch.setattr("goals.selectors.chain.load_chain", counted)
    return loaded


def page(client, team, which: str = "chain page") -> str:
    response = client.get(PAGES[which].format(pk=team.product.pk))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("which", PAGES)
def test_a_page_read_again_loads_nothing_of_the_chain(team, chain, browser_client, loads, which):
    client = browser_client(team.member)
    first = page(client, team, which)
    assert loads == [team.product.pk]
    again = page(client, team, which)
    assert loads == [team.product.pk]
    assert chain.sprint_goal.title in first
    assert chain.sprint_goal.title in again


def test_the_pages_share_the_chain_and_a_folded_branch_opens_from_it(
    team, chain, browser_client, loads
):
    client = browser_client(team.member)
    for which in PAGES:
        page(client, team, which)
    key = "-".join(str(g.pk) for g in (chain.vision, chain.user_goal, chain.product_goal))
    branch = client.get(f"/products/{team.product.pk}/branches/{key}/", HTTP_HX_REQUEST="true")
    assert branch.status_code == 200
    assert chain.sprint_goal.title in branch.content.decode()
    assert loads == [team.product.pk]


def rename_through_the_api(team, chain, api) -> str:
    goal = chain.sprint_goal
    response = api(team.leader).patch(
        f"/api/goals/{goal.pk}/",
        {"title": "Ship the planner", "version": goal.version, "change_reason": "Scope"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return "Ship the planner"


def rename_past_the_services(team, chain, api) -> str:
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(title="Edited in the admin", version=9)
    return "Edited in the admin"


def check_a_key_result(team, chain, api) -> str:
    key_result = KeyResult.objects.get(goal=chain.sprint_goal)
    response = api(team.member).patch(
        f"/api/key-results/{key_result.pk}/",
        {"current": 5, "version": key_result.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return 'value="50"'  # the sprint goal's progress bar


def add_a_goal(team, chain, api) -> str:
    today = timezone.localdate()
    response = api(team.leader).post(
        "/api/goals/",
        {
            "product": team.product.pk,
            "level": "sprint",
            "title": "Second sprint",
            "parents": [chain.product_goal.pk],
            "starts_on": str(today),
            "ends_on": str(today + timedelta(days=14)),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return "Second sprint"


def rename_the_owner(team, chain, api) -> str:
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(owner=team.member, version=9)
    team.member.display_name = "Renamed Person"
    team.member.save()
    return "Renamed Person"


WRITES: dict[str, Callable[..., str]] = {
    "a goal renamed through the API": rename_through_the_api,
    "a goal renamed past the services": rename_past_the_services,
    "a key result checked": check_a_key_result,
    "a goal added": add_a_goal,
    "an owner renamed": rename_the_owner,
}


@pytest.mark.parametrize("write", WRITES)
def test_every_kind_of_write_shows_on_the_chain_page_at_once(
    team, chain, browser_client, api, loads, write
):
    client = browser_client(team.member)
    before = page(client, team)
    shown = WRITES[write](team, chain, api)
    assert shown not in before
    assert shown in page(client, team)
    assert len(loads) == 2


def test_a_deleted_goal_leaves_the_pages(team, chain, browser_client, api):
    title = add_a_goal(team, chain, api)
    client = browser_client(team.member)
    for which in ("chain page", "roadmap"):  # the health board lists goals with findings
        assert title in page(client, team, which)
    added = Goal.objects.get(title=title)
    assert api(team.leader).delete(f"/api/goals/{added.pk}/").status_code == 204
    for which in ("chain page", "roadmap"):
        assert title not in page(client, team, which)


def test_a_new_day_finds_the_review_overdue(team, chain, browser_client, loads):
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(
        next_review_on=timezone.localdate() + timedelta(days=1)
    )
    client = browser_client(team.member)
    assert "Review overdue" not in page(client, team, "health board")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert "Review overdue" in page(client, team, "health board")
    assert len(loads) == 2


def test_a_quality_rule_switched_off_leaves_the_health_board(team, chain, browser_client, loads):
    Goal.objects.filter(pk=chain.user_goal.pk).update(title="Improve meal planning")
    vague = "“improve” says which way, not how far"
    client = browser_client(team.leader)
    assert vague in page(client, team, "health board")
    team.product.quality_rules_off = ["vague_words"]
    team.product.save()
    assert vague not in page(client, team, "health board")
    assert len(loads) == 2
