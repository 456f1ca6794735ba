"""/api/goals/: list, create, read, update, delete and history, with every rule as a 400."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections

from goalchain.renderers import JSONRenderer
from goals.models import Goal, GoalChange, Level, Status
from goals.services.progress import recompute_progress
from tests.conftest import api_client_for, on_postgresql, skip_or_fail
from tests.factories import (
    GoalFactory,
    KeyResultFactory,
    ProductFactory,
    UserFactory,
    add_member,
    make_chain,
    make_goal,
    today,
)
from workshops.models import Workshop

GOAL_FIELDS = {
    "id",
    "product",
    "level",
    "title",
    "description",
    "description_html",
    "parents",
    "owner",
    "status",
    "starts_on",
    "ends_on",
    "confidence",
    "next_review_on",
    "outcome_note",
    "version",
    "progress",
    "key_results",
    "health",
}


@pytest.fixture
def chain(team):
    return make_chain(team.product)


@pytest.fixture
def leader(team, api):
    return api(team.leader)


def iso(days: int = 0) -> str:
    return (today() + timedelta(days=days)).isoformat()


def post_goal(client, team, **body):
    return client.post("/api/goals/", {"product": team.product.pk, **body}, format="json")


# List.


def test_it_lists_goals_in_pages(team, chain, leader):
    response = leader.get("/api/goals/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5
    assert (body["next"], body["previous"]) == (None, None)
    assert set(body["results"][0]) >= GOAL_FIELDS
    assert "change_reason" not in body["results"][0]


def test_it_pages_with_page_size(team, chain, leader):
    first = leader.get("/api/goals/?page_size=2").json()
    assert (first["count"], len(first["results"])) == (5, 2)
    assert "page=2" in first["next"]
    third = leader.get("/api/goals/?page_size=2&page=3").json()
    assert len(third["results"]) == 1
    assert third["next"] is None


def test_a_page_past_the_last_is_not_found(team, chain, leader, api):
    assert leader.get("/api/goals/?page_size=2&page=4").status_code == 404
    assert leader.get(f"/api/goals/?page={2**63 - 1}&page_size=500").status_code == 404
    # An empty list still has its first page.
    empty = api(team.outsider).get(f"/api/goals/?product={team.product.pk}")
    assert empty.status_code == 200
    assert empty.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert (
        api(team.outsider).get(f"/api/goals/?product={team.product.pk}&page=2").status_code == 404
    )


def test_it_serves_up_to_500_goals_a_page(team, leader):
    Goal.objects.bulk_create(
        Goal(product=team.product, level=Level.SPRINT, title=f"G{i}") for i in range(501)
    )
    assert len(leader.get("/api/goals/?page_size=500").json()["results"]) == 500
    assert len(leader.get("/api/goals/?page_size=10000").json()["results"]) == 500
    assert len(leader.get("/api/goals/").json()["results"]) == 50


def test_the_list_writes_each_goal_exactly_as_the_renderer_would(team, chain, leader):
    """The page's envelope is written around the goals' cached bodies: the bytes are those
    DRF's renderer gives for the same page, down to the escaped line separators."""
    make_goal(team.product, Level.SPRINT, title="Scan\u2028the fridge \u201cfast\u201d")
    response = leader.get("/api/goals/?page_size=2&page=2")
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["count"], len(body["results"])) == (6, 2)
    assert "page=3" in body["next"] and "page_size=2" in body["previous"]
    assert response.content == JSONRenderer().render(body)
    last = leader.get("/api/goals/?page_size=2&page=3")
    assert b"Scan\\u2028the fridge" in last.content
    assert last.content == JSONRenderer().render(last.json())


def test_it_never_lists_another_organisations_goals(team, chain, api):
    outsiders_product = team.outsider.product_memberships.get().product
    theirs = make_chain(outsiders_product)
    make_chain(ProductFactory())  # nobody here sees this one
    response = api(team.outsider).get("/api/goals/?page_size=500")
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {g.pk for g in vars(theirs).values()}
    mine = {row["id"] for row in api(team.member).get("/api/goals/").json()["results"]}
    assert mine == {g.pk for g in vars(chain).values()}


def test_it_filters_goals(team, chain, leader):
    other_product = ProductFactory(organization=team.product.organization)
    elsewhere = make_goal(other_product, Level.PRODUCT)
    chain.sprint_goal.owner = team.member
    chain.sprint_goal.save()
    draft = make_goal(team.product, Level.PRODUCT, status=Status.DRAFT)

    def ids(query):
        response = leader.get(f"/api/goals/?{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert elsewhere.pk not in ids(f"product={team.product.pk}")
    assert ids(f"product={other_product.pk}") == {elsewhere.pk}
    assert ids("level=product") == {chain.product_goal.pk, elsewhere.pk, draft.pk}
    assert ids("status=draft") == {elsewhere.pk, draft.pk}
    assert ids(f"owner={team.member.pk}") == {chain.sprint_goal.pk}
    assert ids(f"product={team.product.pk}&level=product&status=agreed") == {chain.product_goal.pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("product=abc", "product"),
        ("owner=me", "owner"),
        ("level=epic", "level"),
        ("status=done", "status"),
        ("product=-1", "product"),
    ],
)
def test_it_answers_a_bad_filter_with_a_400(team, leader, query, field):
    response = leader.get(f"/api/goals/?{query}")
    assert response.status_code == 400
    assert field in response.json()


# Create.


def test_it_creates_a_goal(team, chain, leader):
    response = post_goal(
        leader,
        team,
        level="product",
        title="  Meal planner  ",
        description="Plan **meals**",
        parents=[chain.user_goal.pk, chain.business_goal.pk],
        owner=team.member.pk,
        starts_on=iso(),
        ends_on=iso(90),
        confidence=4,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= GOAL_FIELDS
    assert body["title"] == "Meal planner"
    assert body["parents"] == sorted([chain.user_goal.pk, chain.business_goal.pk])
    assert (body["owner"], body["status"], body["version"]) == (team.member.pk, "draft", 1)
    assert (body["starts_on"], body["ends_on"], body["confidence"]) == (iso(), iso(90), 4)
    assert "<strong>meals</strong>" in body["description_html"]
    assert body["key_results"] == []
    assert "no_key_results" in body["health"]
    assert Goal.objects.filter(pk=body["id"], product=team.product).exists()


def test_it_makes_the_creator_the_owner(team, leader):
    body = post_goal(leader, team, level="vision", title="V").json()
    assert body["owner"] == team.leader.pk


def test_it_sanitises_the_description(team, leader):
    body = post_goal(
        leader,
        team,
        level="vision",
        title="V",
        description=(
            "<script>alert(1)</script>[x](javascript:alert(1)) <img src=x onerror=alert(1)>"
        ),
    ).json()
    assert "<script" not in body["description_html"]
    assert 'href="javascript' not in body["description_html"]
    assert "<img" not in body["description_html"]
    assert body["description"].startswith("<script>")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"level": "user", "parents": ["product_goal"]}, "parents"),
        ({"level": "user", "parents": ["user_goal"]}, "parents"),
        ({"level": "product", "parents": ["vision"]}, "parents"),
        ({"level": "product", "parents": ["sprint_goal"]}, "parents"),
        ({"level": "sprint", "parents": ["user_goal"]}, "parents"),
        ({"level": "sprint", "parents": ["product_goal", "other_product_goal"]}, "parents"),
        ({"level": "business", "parents": ["vision", "vision"]}, "parents"),
        ({"level": "vision", "parents": ["vision"]}, "parents"),
        ({"level": "product", "parents": ["dropped_user_goal"]}, "parents"),
        ({"level": "user", "parents": ["foreign_vision"]}, "parents"),
        ({"level": "user", "parents": ["sibling_vision"]}, "parents"),
        ({"level": "product", "parents": ["missing"]}, "parents"),
        ({"level": "product", "status": "agreed"}, "status"),
        ({"level": "vision"}, "level"),
        (
            {"level": "sprint", "parents": ["product_goal"], "starts_on": 0, "ends_on": 29},
            "ends_on",
        ),
        ({"level": "sprint", "parents": ["product_goal"], "starts_on": 0, "ends_on": 6}, "ends_on"),
        ({"level": "product", "starts_on": 10, "ends_on": 5}, "ends_on"),
        ({"level": "product", "starts_on": 10, "ends_on": 10}, "ends_on"),
        ({"level": "product", "owner": "outsider"}, "owner"),
        ({"level": "product", "owner": "org_admin"}, "owner"),
        ({"level": "product", "confidence": 0}, "confidence"),
        ({"level": "product", "confidence": 6}, "confidence"),
        ({"level": "product", "title": "  "}, "title"),
        ({"level": "product", "title": "x" * 301}, "title"),
        ({"level": "epic"}, "level"),
        ({"level": "product", "status": "done"}, "status"),
        (
            {
                "level": "product",
                "parents": ["user_goal"],
                "status": "achieved",
                "outcome_note": "y",
            },
            "status",
        ),
    ],
)
def test_it_refuses_a_goal_that_breaks_a_rule_with_a_400(team, chain, leader, body, field):
    other_product_goal = make_goal(team.product, Level.PRODUCT, chain.user_goal)
    dropped_user_goal = make_goal(team.product, Level.USER, chain.vision, status=Status.DROPPED)
    foreign_vision = make_goal(ProductFactory(), Level.VISION)
    sibling_vision = make_goal(ProductFactory(organization=team.product.organization), Level.VISION)
    refs = {
        **vars(chain),
        "other_product_goal": other_product_goal,
        "dropped_user_goal": dropped_user_goal,
        "foreign_vision": foreign_vision,
        "sibling_vision": sibling_vision,
    }
    body = dict(body)
    if "parents" in body:
        body["parents"] = [refs[name].pk if name in refs else 10**12 for name in body["parents"]]
    for date_field in ("starts_on", "ends_on"):
        if date_field in body:
            body[date_field] = iso(body[date_field])
    if "owner" in body:
        body["owner"] = getattr(team, body["owner"]).pk
    body.setdefault("title", "A goal")
    before = (Goal.objects.count(), GoalChange.objects.count())
    response = post_goal(leader, team, **body)
    assert response.status_code == 400, response.json()
    errors = response.json()
    assert field in errors, errors
    assert all(isinstance(m, str) for messages in errors.values() for m in messages)
    assert (Goal.objects.count(), GoalChange.objects.count()) == before


def test_it_does_not_tell_whether_a_foreign_parent_exists(team, chain, leader):
    foreign = make_goal(ProductFactory(), Level.VISION)
    existing = post_goal(leader, team, level="user", title="U", parents=[foreign.pk]).json()
    missing = post_goal(leader, team, level="user", title="U", parents=[10**12]).json()
    assert existing["parents"][0].replace(str(foreign.pk), "N") == missing["parents"][0].replace(
        str(10**12), "N"
    )


def test_it_refuses_a_product_i_cannot_see(team, api):
    response = post_goal(api(team.outsider), team, level="vision", title="V")
    assert response.status_code == 400
    assert "product" in response.json()
    assert not Goal.objects.filter(product=team.product).exists()


@pytest.mark.parametrize("missing", ["product", "level", "title"])
def test_it_requires_product_level_and_title(team, leader, missing):
    body = {"product": team.product.pk, "level": "vision", "title": "V"}
    del body[missing]
    response = leader.post("/api/goals/", body, format="json")
    assert response.status_code == 400
    assert missing in response.json()


# Read.


def test_it_shows_a_goal_with_key_results_progress_and_health(team, chain, leader):
    KeyResultFactory(goal=chain.product_goal, owner=team.member, baseline=0, target=10, current=5)

    recompute_progress(goal_ids=[chain.product_goal.pk])
    response = leader.get(f"/api/goals/{chain.product_goal.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["progress"] == 50
    assert [kr["progress"] for kr in body["key_results"]] == [50]
    assert body["parents"] == sorted([chain.user_goal.pk, chain.business_goal.pk])
    assert "no_owner" in body["health"]
    assert "no_key_results" not in body["health"]


def test_it_hides_another_organisations_goal(team, chain, api):
    assert api(team.outsider).get(f"/api/goals/{chain.vision.pk}/").status_code == 404
    assert api(team.outsider).get("/api/goals/999999/").status_code == 404


# Update.


def test_it_updates_a_goal_and_increments_its_version(team, chain, leader):
    response = leader.patch(
        f"/api/goals/{chain.sprint_goal.pk}/",
        {"confidence": 2, "owner": team.member.pk, "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["confidence"], body["owner"], body["version"]) == (2, team.member.pk, 2)
    assert "low_confidence" in body["health"]
    assert "sprint_stretch" not in body["health"]  # a sprint's low confidence, said once


def test_it_refuses_a_stale_version_with_a_409_and_changes_nothing(team, chain, leader, api):
    url = f"/api/goals/{chain.sprint_goal.pk}/"
    title = chain.sprint_goal.title
    assert api(team.member).patch(url, {"confidence": 5, "version": 1}).status_code == 200
    response = leader.patch(
        url, {"title": "Mine", "change_reason": "x", "confidence": 1, "version": 1}, format="json"
    )
    assert response.status_code == 409
    assert "version" in response.json()
    chain.sprint_goal.refresh_from_db()
    assert (chain.sprint_goal.title, chain.sprint_goal.confidence) == (title, 5)
    assert chain.sprint_goal.version == 2
    # The factory's entry (the chain was restored as agreed) and the first update.
    assert GoalChange.objects.filter(goal=chain.sprint_goal).count() == 2


def test_it_refuses_a_patch_without_version(team, chain, leader):
    response = leader.patch(f"/api/goals/{chain.sprint_goal.pk}/", {"confidence": 4})
    assert response.status_code == 400
    assert response.json() == {
        "version": ["Send the version you edited, so nobody's change is lost."]
    }
    chain.sprint_goal.refresh_from_db()
    assert (chain.sprint_goal.confidence, chain.sprint_goal.version) == (None, 1)


@pytest.mark.parametrize(("field", "value"), [("product", "other"), ("level", "user")])
def test_it_keeps_product_and_level_write_once(team, chain, leader, field, value):
    if value == "other":
        value = ProductFactory(organization=team.product.organization).pk
    response = leader.patch(f"/api/goals/{chain.product_goal.pk}/", {field: value, "version": 1})
    assert response.status_code == 400
    assert field in response.json()
    chain.product_goal.refresh_from_db()
    assert (chain.product_goal.product, chain.product_goal.level) == (team.product, "product")


def test_it_accepts_the_same_product_and_level_again(team, chain, leader):
    response = leader.patch(
        f"/api/goals/{chain.product_goal.pk}/",
        {"product": team.product.pk, "level": "product", "confidence": 3, "version": 1},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "New"}, "change_reason"),
        ({"description": "New"}, "change_reason"),
        ({"ends_on": 100}, "change_reason"),
        ({"parents": ["user_goal"]}, "change_reason"),
        ({"parents": []}, "parents"),
        ({"parents": ["vision"], "change_reason": "r"}, "parents"),
        ({"status": "achieved"}, "outcome_note"),
        ({"status": "missed", "outcome_note": "  "}, "outcome_note"),
        ({"owner": "outsider"}, "owner"),
        ({"ends_on": -10, "change_reason": "r"}, "ends_on"),
    ],
)
def test_it_refuses_an_update_that_breaks_a_rule_with_a_400(team, chain, leader, body, field):
    goal = chain.product_goal
    body = dict(body)
    if "parents" in body:
        body["parents"] = [getattr(chain, name).pk for name in body["parents"]]
    if "ends_on" in body:
        body["ends_on"] = iso(body["ends_on"])
    if "owner" in body:
        body["owner"] = getattr(team, body["owner"]).pk
    response = leader.patch(f"/api/goals/{goal.pk}/", {**body, "version": 1}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    goal.refresh_from_db()
    assert goal.version == 1
    # Only the factory's entry: the chain was restored as agreed.
    assert [c.via for c in GoalChange.objects.filter(goal=goal)] == ["restored"]


def test_it_changes_an_agreed_goal_with_a_reason(team, chain, leader):
    response = leader.patch(
        f"/api/goals/{chain.product_goal.pk}/",
        {
            "title": "Sharper",
            "parents": [chain.user_goal.pk],
            "change_reason": "Focus",
            "version": 1,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["parents"] == [chain.user_goal.pk]
    assert "change_reason" not in response.json()


@pytest.mark.parametrize("status", ["achieved", "missed"])
def test_it_closes_an_agreed_goal_with_an_outcome_note(team, chain, leader, status):
    response = leader.patch(
        f"/api/goals/{chain.sprint_goal.pk}/",
        {"status": status, "outcome_note": "Learned a lot", "version": 1},
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome_note"]) == (status, "Learned a lot")


def test_it_refuses_to_close_a_draft(team, chain, leader):
    draft = make_goal(team.product, Level.SPRINT, chain.product_goal)
    response = leader.patch(
        f"/api/goals/{draft.pk}/", {"status": "achieved", "outcome_note": "y", "version": 1}
    )
    assert response.status_code == 400
    assert "status" in response.json()


def test_it_refuses_a_second_live_vision_by_reviving_a_dropped_one(team, chain, leader):
    dropped = GoalFactory(product=team.product, level=Level.VISION, status=Status.DROPPED)
    response = leader.patch(f"/api/goals/{dropped.pk}/", {"status": "draft", "version": 1})
    assert response.status_code == 400
    assert "level" in response.json()


def test_it_allows_a_new_vision_after_dropping_the_old(team, chain, leader):
    assert (
        leader.patch(
            f"/api/goals/{chain.vision.pk}/", {"status": "dropped", "version": 1}
        ).status_code
        == 200
    )
    assert post_goal(leader, team, level="vision", title="New North").status_code == 201


# Delete.


def test_it_deletes_a_draft(team, chain, leader):
    draft = make_goal(team.product, Level.SPRINT, chain.product_goal)
    assert leader.delete(f"/api/goals/{draft.pk}/").status_code == 204
    assert not Goal.objects.filter(pk=draft.pk).exists()
    assert leader.get(f"/api/goals/{draft.pk}/").status_code == 404


def test_it_refuses_to_delete_an_agreed_goal(team, chain, leader):
    response = leader.delete(f"/api/goals/{chain.sprint_goal.pk}/")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Goal.objects.filter(pk=chain.sprint_goal.pk).exists()


def test_it_refuses_to_delete_a_goal_a_workshop_hangs_under(team, leader):
    draft = make_goal(team.product, Level.VISION)
    Workshop.objects.create(
        product=team.product,
        title="Find our user goals",
        target_level=Level.USER,
        parent_goal=draft,
        facilitator=team.leader,
        decision_rule="unanimous",
    )
    response = leader.delete(f"/api/goals/{draft.pk}/")
    assert response.status_code == 400
    assert Goal.objects.filter(pk=draft.pk).exists()


# History.


def test_it_shows_the_history_newest_first(team, chain, leader, api):
    created = post_goal(
        leader, team, level="product", title="First", parents=[chain.user_goal.pk]
    ).json()
    url = f"/api/goals/{created['id']}/"
    api(team.member).patch(url, {"title": "Second", "version": 1})
    leader.post(f"{url}agreement/", {"agreed_by": [team.member.pk], "reason": "Planning"})
    leader.patch(url, {"title": "Third", "change_reason": "Clearer", "version": 3})
    response = leader.get(f"{url}history/")
    assert response.status_code == 200
    entries = response.json()
    assert [set(e) >= {"at", "by", "changes", "reason"} for e in entries] == [True] * 4
    assert [e["changes"].get("title") for e in entries] == [
        ["Second", "Third"],
        None,
        ["First", "Second"],
        [None, "First"],
    ]
    assert [e["by"] for e in entries] == [
        team.leader.pk,
        team.leader.pk,
        team.member.pk,
        team.leader.pk,
    ]
    assert entries[0]["reason"] == "Clearer"
    # Becoming agreed also sets the first review date from the product's schedule.
    assert entries[1]["changes"]["status"] == ["draft", "agreed"]
    assert set(entries[1]["changes"]) == {"status", "next_review_on"}
    assert entries[1]["via"] == "record"
    assert entries[0]["at"] >= entries[-1]["at"]
    assert entries[0]["at"].endswith(("Z", "+00:00"))


def test_it_hides_another_organisations_history(team, chain, api):
    assert api(team.outsider).get(f"/api/goals/{chain.vision.pk}/history/").status_code == 404


def test_it_lets_a_new_leader_add_goals_to_a_product(team, api):
    newcomer = add_member(team.product, role="leader")
    assert post_goal(api(newcomer), team, level="vision", title="V").status_code == 201


# The next review date.


def test_it_lets_a_leader_set_the_next_review_date(team, chain, leader):
    response = leader.patch(
        f"/api/goals/{chain.sprint_goal.pk}/", {"next_review_on": iso(7), "version": 1}
    )
    assert response.status_code == 200
    assert response.json()["next_review_on"] == iso(7)


def test_it_forbids_team_members_to_move_the_next_review_date(team, chain, api):
    client = api(team.member)
    response = client.patch(
        f"/api/goals/{chain.sprint_goal.pk}/", {"next_review_on": iso(7), "version": 1}
    )
    assert response.status_code == 403
    chain.sprint_goal.refresh_from_db()
    assert chain.sprint_goal.next_review_on is None
    response = post_goal(client, team, level="product", title="P", next_review_on=iso(7))
    assert response.status_code == 403
    # Sending back the value it already has (a form round trip) is fine.
    response = client.patch(
        f"/api/goals/{chain.sprint_goal.pk}/",
        {"next_review_on": None, "confidence": 3, "version": 1},
    )
    assert response.status_code == 200


def test_it_answers_a_body_that_is_not_json_with_field_errors(team, leader):
    response = leader.post("/api/goals/", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    response = leader.post("/api/goals/", "[]", content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_concurrent_edits_of_the_same_version_win():

    if not on_postgresql():
        skip_or_fail("Concurrent requests need PostgreSQL.")

    product = ProductFactory()
    editors = [add_member(product, UserFactory(), "team") for _ in range(2)]
    goal = make_goal(product, Level.VISION)
    barrier = threading.Barrier(2, timeout=10)
    statuses: list[int] = []

    def edit(user, confidence):
        try:
            client = api_client_for(user)
            barrier.wait()
            response = client.patch(
                f"/api/goals/{goal.pk}/", {"confidence": confidence, "version": 1}, format="json"
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=edit, args=(u, c)) for u, c in zip(editors, (2, 4), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 409]
    goal.refresh_from_db()
    assert goal.version == 2
    assert GoalChange.objects.filter(goal=goal).count() == 1
