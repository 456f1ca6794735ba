"""The pages that show a whole chain (the chain page, its folded branches, the health board,
the roadmap) keep the chain a web process loaded (goals/selectors/kept_chain.py): read again,
nothing of the chain is loaded; after a write to a few goals only those are loaded again; and
every kind of write still shows at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from goals.models import Goal, GoalLink, KeyResult, Level
from goals.selectors.chain import load_chain, load_goals
from goals.selectors.kept_chain import FEW_CHANGED, current_chain
from tests.factories import KeyResultFactory, make_chain, make_goal

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


@dataclass
class Loads:
    whole: list[int] = field(default_factory=list)  # products whose chain was loaded whole
    again: list[set[int]] = field(default_factory=list)  # goals loaded into a kept chain


@pytest.fixture
def loads(monkeypatch) -> Loads:
    """What was read of the chains from the database."""
    seen = Loads()

    def whole(product):
        seen.whole.append(product.pk)
        return load_chain(product)

    def again(product, ids):
        seen.again.append(set(ids))
        return load_goals(product, ids)

    monkeypatch.setattr("goals.selectors.kept_chain.load_chain", whole)
    monkeypatch.setattr("goals.selectors.kept_chain.load_goals", again)
    return seen


def page(client, team, which: str = "chain page") -> str:
    response = client.get(PAGES[which].format(pk=team.product.pk))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("which", PAGES)
def test_a_page_read_again_loads_nothing_of_the_chain(team, chain, browser_client, loads, which):
    client = browser_client(team.member)
    first = page(client, team, which)
    assert loads == Loads([team.product.pk])
    again = page(client, team, which)
    assert loads == Loads([team.product.pk])
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
    assert loads == Loads([team.product.pk])


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


# Each kind of write, and the goals it loads again into the kept chain (None: it loads the
# chain whole). A key result's check rolls its progress up to the goals above.
WRITES: dict[str, tuple[Callable[..., str], Callable[..., set[Goal]] | None]] = {
    "a goal renamed through the API": (rename_through_the_api, lambda c: {c.sprint_goal}),
    "a goal renamed past the services": (rename_past_the_services, lambda c: {c.sprint_goal}),
    "a key result checked": (
        check_a_key_result,
        lambda c: {c.vision, c.user_goal, c.business_goal, c.product_goal, c.sprint_goal},
    ),
    "a goal added": (add_a_goal, None),
    "an owner renamed": (rename_the_owner, None),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_kind_of_write_shows_on_the_chain_page_at_once(
    team, chain, browser_client, api, loads, write
):
    client = browser_client(team.member)
    before = page(client, team)
    do, loaded_again = WRITES[write]
    shown = do(team, chain, api)
    assert shown not in before
    assert shown in page(client, team)
    if loaded_again is None:
        assert loads == Loads([team.product.pk] * 2)
    else:
        assert loads == Loads([team.product.pk], [{goal.pk for goal in loaded_again(chain)}])


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
    assert loads == Loads([team.product.pk])  # no goal loaded again: the findings worked out


def test_a_quality_rule_switched_off_leaves_the_health_board(team, chain, browser_client, loads):
    Goal.objects.filter(pk=chain.user_goal.pk).update(title="Improve meal planning")
    vague = "“improve” says which way, not how far"
    client = browser_client(team.leader)
    assert vague in page(client, team, "health board")
    team.product.quality_rules_off = ["vague_words"]
    team.product.save()
    assert vague not in page(client, team, "health board")
    assert loads == Loads([team.product.pk])


def written(goal: Goal, **fields: object) -> None:
    """A write as every write of the app makes it: the goal's version bumped."""
    Goal.objects.filter(pk=goal.pk).update(version=goal.version + 1, **fields)
    goal.refresh_from_db()


def same(kept, loaded) -> None:
    """A kept chain brought up to date holds what the chain loaded afresh holds."""
    assert [g.__dict__ | {"_state": None} for g in kept.goals] == [
        g.__dict__ | {"_state": None} for g in loaded.goals
    ]
    assert [(g.owner.name if g.owner else None) for g in kept.goals] == [
        (g.owner.name if g.owner else None) for g in loaded.goals
    ]
    assert {
        pk: [kr.__dict__ | {"_state": None} for kr in krs]
        for pk, krs in kept.key_results.items()
        if krs
    } == {
        pk: [kr.__dict__ | {"_state": None} for kr in krs]
        for pk, krs in loaded.key_results.items()
        if krs
    }
    assert (kept.parent_ids, kept.child_ids) == (loaded.parent_ids, loaded.child_ids)
    assert kept.findings == loaded.findings
    assert kept.score == loaded.score


def test_a_chain_brought_up_to_date_is_the_chain_loaded_afresh(team, chain, api, loads):
    product = team.product
    current_chain(product)
    # A parent ending earlier makes its child outlive it: the child's finding changes too.
    written(chain.product_goal, ends_on=chain.sprint_goal.ends_on - timedelta(days=1))
    written(chain.user_goal, title="Families plan meals", confidence=1, owner=team.member)
    check_a_key_result(team, chain, api)
    KeyResultFactory(goal=chain.business_goal, owner=team.stakeholder)
    kept = current_chain(product)
    assert loads.whole == [product.pk] and len(loads.again) == 1
    same(kept, load_chain(product))
    codes = {(f.goal, f.code) for f in kept.findings}
    assert (chain.sprint_goal.pk, "outlives_parent") in codes
    assert (chain.user_goal.pk, "low_confidence") in codes
    # A key result deleted takes its goal's "no key results" back.
    KeyResult.objects.filter(goal=chain.business_goal).delete()
    same(current_chain(product), load_chain(product))


def test_a_parent_changed_gives_its_children_their_findings_again(team, chain, loads):
    """A goal's findings read its parents (their status and end date): only the parent is
    loaded again, and its children's findings are worked out anew."""
    product, sprint = team.product, chain.sprint_goal
    current_chain(product)
    written(chain.product_goal, ends_on=sprint.ends_on - timedelta(days=1))
    kept = current_chain(product)
    assert loads == Loads([product.pk], [{chain.product_goal.pk}])
    assert (sprint.pk, "outlives_parent") in {(f.goal, f.code) for f in kept.findings}
    same(kept, load_chain(product))


@pytest.mark.parametrize(
    "change",
    ["a link", "a goal's start", "a goal deleted", "more goals than a few"],
)
def test_what_reshapes_the_chain_loads_it_whole(team, chain, loads, change):
    product = team.product
    current_chain(product)
    if change == "a link":
        GoalLink.objects.filter(child=chain.product_goal, parent=chain.business_goal).delete()
    elif change == "a goal's start":
        written(chain.sprint_goal, starts_on=chain.sprint_goal.starts_on + timedelta(days=1))
    elif change == "a goal deleted":
        chain.sprint_goal.delete()
    else:
        sprints = [
            make_goal(product, Level.SPRINT, chain.product_goal, title=f"Sprint {n}")
            for n in range(FEW_CHANGED + 1)
        ]
        current_chain(product)
        loads.whole.clear()
        for sprint in sprints:
            written(sprint, title=f"{sprint.title}, again")
    kept = current_chain(product)
    assert loads.whole == [product.pk] * (2 if change != "more goals than a few" else 1)
    same(kept, load_chain(product))
