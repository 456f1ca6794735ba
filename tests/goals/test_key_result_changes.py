"""Moving the goalposts visibly: a key result of an agreed goal changes what it promises
(title, unit, baseline, target, due date), is added or is removed only with a reason, and
the change shows old → new with its reason in the goal's history, on its page, in the
activity feed and in the exports."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from goals.errors import DomainError
from goals.models import GoalChange, KeyResult, Level, Status
from goals.services.key_results import key_result_create, key_result_delete, key_result_update
from tests.factories import KeyResultFactory, make_chain, make_goal

REASON = "The pilot city doubled our reach."


@pytest.fixture
def chain(team):
    return make_chain(team.product)


@pytest.fixture
def cooks(team, chain):
    """A key result of the agreed product goal: 5,000 weekly active cooks."""
    return KeyResultFactory(
        goal=chain.product_goal,
        title="Weekly active cooks",
        unit="cooks",
        baseline=Decimal(1000),
        target=Decimal(5000),
        current=Decimal(1000),
        owner=team.member,
        due_on=date(2027, 3, 31),
    )


def key_result_changes(goal):
    return [c for c in GoalChange.objects.filter(goal=goal) if "key_result:" in str(c.changes)]


# The service ------------------------------------------------------------------------------


def test_it_refuses_to_move_a_target_of_an_agreed_goal_without_a_reason(team, cooks):
    with pytest.raises(DomainError) as refused:
        key_result_update(
            actor=team.leader,
            key_result=cooks,
            data={"target": Decimal(6000)},
            version=1,
            change_reason=" ",
        )
    assert refused.value.errors == {
        "change_reason": ["This goal is agreed: say why you change this key result's target."]
    }
    cooks.refresh_from_db()
    assert (cooks.target, cooks.version) == (5000, 1)
    assert key_result_changes(cooks.goal) == []


def test_it_names_every_promised_field_that_changes(team, cooks):
    with pytest.raises(DomainError) as refused:
        key_result_update(
            actor=team.leader,
            key_result=cooks,
            data={"unit": "chefs", "due_on": date(2027, 6, 30)},
            version=1,
            change_reason="",
        )
    assert refused.value.message == (
        "This goal is agreed: say why you change this key result's unit and due date."
    )


def test_it_keeps_the_change_and_its_reason_in_the_goals_history(team, cooks):
    key_result_update(
        actor=team.leader,
        key_result=cooks,
        data={"target": Decimal(6000), "due_on": date(2027, 6, 30)},
        version=1,
        change_reason=f"  {REASON} ",
    )
    [change] = key_result_changes(cooks.goal)
    assert change.changes == {
        "key_result:Weekly active cooks.target": [5000, 6000],
        "key_result:Weekly active cooks.due_on": ["2027-03-31", "2027-06-30"],
    }
    assert (change.by, change.reason) == (team.leader, REASON)
    cooks.refresh_from_db()
    assert (cooks.target, cooks.version) == (6000, 2)


def test_check_ins_and_a_new_owner_need_no_reason(team, cooks):
    key_result_update(
        actor=team.leader,
        key_result=cooks,
        data={"current": Decimal(2500), "owner": team.leader},
        version=1,
        change_reason="",
    )
    cooks.refresh_from_db()
    assert (cooks.current, cooks.owner) == (2500, team.leader)
    assert key_result_changes(cooks.goal) == []


def test_a_draft_goals_key_results_change_without_a_reason(team, chain):
    draft = make_goal(team.product, Level.PRODUCT, chain.user_goal)
    key_result = key_result_create(
        actor=team.member,
        goal=draft,
        title="Plans made",
        baseline=Decimal(0),
        target=Decimal(10),
        owner=team.member,
        change_reason="",
    )
    key_result_update(
        actor=team.member,
        key_result=key_result,
        data={"target": Decimal(20)},
        version=1,
        change_reason="",
    )
    key_result_delete(actor=team.member, key_result=key_result, change_reason="")
    assert not KeyResult.objects.filter(goal=draft).exists()
    assert key_result_changes(draft) == []


def test_adding_and_removing_a_key_result_of_an_agreed_goal_need_a_reason(team, chain, cooks):
    goal = chain.product_goal
    new = {
        "actor": team.leader,
        "goal": goal,
        "title": "Recipes saved",
        "baseline": Decimal(0),
        "target": Decimal("2.5"),
        "owner": team.member,
        "unit": "k",
    }
    with pytest.raises(DomainError) as refused:
        key_result_create(**new, change_reason="")
    assert refused.value.errors == {
        "change_reason": ["This goal is agreed: say why you add a key result."]
    }
    with pytest.raises(DomainError) as refused:
        key_result_delete(actor=team.leader, key_result=cooks, change_reason="")
    assert refused.value.errors == {
        "change_reason": ["This goal is agreed: say why you remove this key result."]
    }
    assert list(goal.key_results.values_list("title", flat=True)) == ["Weekly active cooks"]
    assert key_result_changes(goal) == []

    key_result_create(**new, change_reason="Saving shows intent.")
    key_result_delete(actor=team.leader, key_result=cooks, change_reason="Vanity.")
    removed, added = key_result_changes(goal)  # newest first
    assert added.changes == {
        "key_result:Recipes saved": [
            None,
            {"title": "Recipes saved", "unit": "k", "baseline": 0, "target": 2.5, "due_on": None},
        ]
    }
    assert added.reason == "Saving shows intent."
    assert removed.changes == {
        "key_result:Weekly active cooks": [
            {
                "title": "Weekly active cooks",
                "unit": "cooks",
                "baseline": 1000,
                "target": 5000,
                "due_on": "2027-03-31",
            },
            None,
        ]
    }
    assert removed.reason == "Vanity."


# The API ----------------------------------------------------------------------------------


def test_the_api_refuses_a_new_target_without_a_reason_and_changes_nothing(team, cooks, api):
    response = api(team.leader).patch(
        f"/api/key-results/{cooks.pk}/", {"target": 6000, "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "change_reason": ["This goal is agreed: say why you change this key result's target."]
    }
    cooks.refresh_from_db()
    assert (cooks.target, cooks.version) == (5000, 1)


def test_the_goals_history_shows_old_and_new_and_why(team, chain, cooks, api):
    client = api(team.leader)
    response = client.patch(
        f"/api/key-results/{cooks.pk}/",
        {"target": 6000, "version": 1, "change_reason": REASON},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["target"] == 6000
    assert "change_reason" not in response.json()
    newest = client.get(f"/api/goals/{chain.product_goal.pk}/history/").json()[0]
    assert newest["changes"] == {"key_result:Weekly active cooks.target": [5000, 6000]}
    assert (newest["reason"], newest["by"]) == (REASON, team.leader.pk)


def test_the_api_adds_a_key_result_to_an_agreed_goal_only_with_a_reason(team, chain, api):
    body = {
        "goal": chain.product_goal.pk,
        "title": "Recipes saved",
        "baseline": 0,
        "target": 100,
        "owner": team.member.pk,
    }
    refused = api(team.leader).post("/api/key-results/", body, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["change_reason"]
    assert not KeyResult.objects.exists()
    added = api(team.leader).post(
        "/api/key-results/", {**body, "change_reason": "Intent matters"}, format="json"
    )
    assert added.status_code == 201
    history = api(team.leader).get(f"/api/goals/{chain.product_goal.pk}/history/").json()
    assert history[0]["changes"]["key_result:Recipes saved"][0] is None
    assert history[0]["reason"] == "Intent matters"


def test_the_api_deletes_a_key_result_of_an_agreed_goal_only_with_a_reason(team, cooks, api):
    url = f"/api/key-results/{cooks.pk}/"
    refused = api(team.leader).delete(url)
    assert refused.status_code == 400
    assert refused.json() == {
        "change_reason": ["This goal is agreed: say why you remove this key result."]
    }
    assert KeyResult.objects.filter(pk=cooks.pk).exists()
    assert api(team.leader).delete(f"{url}?change_reason=Vanity+metric").status_code == 204
    assert not KeyResult.objects.filter(pk=cooks.pk).exists()
    [removed] = key_result_changes(cooks.goal)
    assert removed.reason == "Vanity metric"


def test_a_draft_goals_key_results_change_through_the_api_without_a_reason(team, chain, api):
    draft = make_goal(team.product, Level.PRODUCT, chain.user_goal)
    client = api(team.member)
    body = {"goal": draft.pk, "title": "Plans", "baseline": 0, "target": 9, "owner": team.member.pk}
    created = client.post("/api/key-results/", body, format="json")
    assert created.status_code == 201
    url = f"/api/key-results/{created.json()['id']}/"
    assert client.patch(url, {"target": 12, "version": 1}, format="json").status_code == 200
    assert client.delete(url).status_code == 204
    assert key_result_changes(draft) == []


# The goal page ----------------------------------------------------------------------------


def edit_form(key_result, **changes):
    prefix = f"kr{key_result.pk}"
    fields = {
        "title": key_result.title,
        "unit": key_result.unit,
        "baseline": key_result.baseline,
        "target": key_result.target,
        "current": key_result.current,
        "owner": key_result.owner_id,
        "due_on": key_result.due_on.isoformat() if key_result.due_on else "",
        "version": key_result.version,
        **changes,
    }
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def test_the_edit_form_asks_why_only_on_an_agreed_goal(team, chain, cooks, browser_client):
    client = browser_client(team.leader)
    html = client.get(f"/key-results/{cooks.pk}/").content.decode()
    assert "Why are you changing a key result of an agreed goal?" in html
    assert f'name="kr{cooks.pk}-change_reason"' in html
    draft_kr = KeyResultFactory(
        goal=make_goal(team.product, Level.PRODUCT, chain.user_goal), owner=team.member
    )
    html = client.get(f"/key-results/{draft_kr.pk}/").content.decode()
    assert "change_reason" not in html


def test_the_page_refuses_a_new_target_without_a_reason_next_to_the_field(
    team, cooks, browser_client
):
    response = browser_client(team.leader).post(
        f"/key-results/{cooks.pk}/", edit_form(cooks, target=6000)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_kr{cooks.pk}-change_reason_error"' in html
    assert "say why you change this key result&#x27;s target" in html
    cooks.refresh_from_db()
    assert cooks.target == 5000


def test_the_page_saves_a_new_target_with_its_reason_and_shows_it_in_the_history(
    team, chain, cooks, browser_client
):
    client = browser_client(team.leader)
    response = client.post(
        f"/key-results/{cooks.pk}/", edit_form(cooks, target=6000, change_reason=REASON)
    )
    assert response.status_code == 302
    cooks.refresh_from_db()
    assert cooks.target == 6000
    html = client.get(f"/goals/{chain.product_goal.pk}/").content.decode()
    history = html[html.index('id="history-title"') :]
    assert "Key result “Weekly active cooks”: target" in history
    assert "<del>5,000</del>" in history
    assert "<ins>6,000</ins>" in history
    assert f"Why: {REASON}" in history


def test_the_edit_form_is_refused_without_its_version(team, cooks, browser_client):
    form = edit_form(cooks, title="Weekly cooks", change_reason=REASON)
    del form[f"kr{cooks.pk}-version"]
    response = browser_client(team.leader).post(f"/key-results/{cooks.pk}/", form)
    assert response.status_code == 400
    assert "Send the version you edited, so nobody&#x27;s change is lost." in (
        response.content.decode()
    )
    cooks.refresh_from_db()
    assert cooks.title == "Weekly active cooks"


def test_the_add_form_asks_why_on_an_agreed_goal(team, chain, cooks, browser_client):
    client = browser_client(team.leader)
    url = f"/goals/{chain.product_goal.pk}/key-results/"
    form = {
        "kr-title": "Recipes saved",
        "kr-baseline": "0",
        "kr-target": "100",
        "kr-owner": team.member.pk,
    }
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert 'id="id_kr-change_reason_error"' in refused.content.decode()
    assert client.post(url, {**form, "kr-change_reason": "Intent"}).status_code == 302
    assert chain.product_goal.key_results.filter(title="Recipes saved").exists()


def test_the_delete_form_asks_why_on_an_agreed_goal(team, cooks, browser_client):
    client = browser_client(team.leader)
    html = client.get(f"/key-results/{cooks.pk}/").content.decode()
    assert f'action="/key-results/{cooks.pk}/delete/"' in html
    assert "Why are you removing this key result from an agreed goal?" in html
    refused = client.post(f"/key-results/{cooks.pk}/delete/", {})
    assert refused.status_code == 400
    assert 'id="id_delete-change_reason_error"' in refused.content.decode()
    assert KeyResult.objects.filter(pk=cooks.pk).exists()
    removed = client.post(f"/key-results/{cooks.pk}/delete/", {"delete-change_reason": "Vanity"})
    assert removed.status_code == 302
    assert not KeyResult.objects.filter(pk=cooks.pk).exists()


def test_the_delete_form_removes_a_draft_goals_key_result_without_asking(
    team, chain, browser_client
):
    draft_kr = KeyResultFactory(
        goal=make_goal(team.product, Level.PRODUCT, chain.user_goal), owner=team.member
    )
    client = browser_client(team.member)
    assert "delete-change_reason" not in client.get(f"/key-results/{draft_kr.pk}/").content.decode()
    assert client.post(f"/key-results/{draft_kr.pk}/delete/", {}).status_code == 302
    assert not KeyResult.objects.filter(pk=draft_kr.pk).exists()


def test_stakeholders_cannot_delete_key_results(team, cooks, browser_client):
    response = browser_client(team.stakeholder).post(
        f"/key-results/{cooks.pk}/delete/", {"delete-change_reason": "Mine"}
    )
    assert response.status_code == 403
    assert KeyResult.objects.filter(pk=cooks.pk).exists()


# The activity feed and the exports -------------------------------------------------------


def move_the_target(team, cooks):
    key_result_update(
        actor=team.leader,
        key_result=cooks,
        data={"target": Decimal(6000)},
        version=1,
        change_reason=REASON,
    )


def test_the_activity_feed_tells_who_moved_which_target_and_why(team, chain, cooks, api):
    move_the_target(team, cooks)
    newest = api(team.stakeholder).get(f"/api/products/{team.product.pk}/activity/").json()
    row = newest["results"][0]
    assert (row["actor_name"], row["action"], row["subject"], row["detail"]) == (
        "Lea Leader",
        "moved the target of “Weekly active cooks” from 5,000 to 6,000 on",
        chain.product_goal.title,
        REASON,
    )


def test_the_activity_page_reads_as_a_sentence(team, chain, cooks, browser_client):
    move_the_target(team, cooks)
    html = browser_client(team.member).get(f"/products/{team.product.pk}/activity/")
    text = html.content.decode()
    assert "moved the target of “Weekly active cooks” from 5,000 to 6,000 on" in text
    assert REASON in text


def test_the_json_export_keeps_the_change_and_its_reason(team, chain, cooks, api):
    move_the_target(team, cooks)
    document = api(team.member).get(f"/api/products/{team.product.pk}/export/").json()
    [entry] = [h for h in document["history"] if "key_result:" in str(h["changes"])]
    assert entry["changes"] == {"key_result:Weekly active cooks.target": [5000, 6000]}
    assert (entry["goal"], entry["reason"], entry["by"]) == (
        chain.product_goal.pk,
        REASON,
        team.leader.email,
    )


def test_the_csv_export_has_a_row_per_key_result_change(team, chain, cooks, api):
    move_the_target(team, cooks)
    text = api(team.member).get(f"/api/products/{team.product.pk}/export/?format=csv").text
    [row] = [r for r in csv.DictReader(io.StringIO(text)) if r["kind"] == "key_result_change"]
    assert row["goal"] == str(chain.product_goal.pk)
    assert row["title"] == "Weekly active cooks"
    assert row["change"] == "moved the target of “Weekly active cooks” from 5,000 to 6,000"
    assert (row["reason"], row["changed_by"]) == (REASON, team.leader.email)


def test_the_csv_export_never_runs_a_reason_as_a_formula(team, cooks, api):
    key_result_update(
        actor=team.leader,
        key_result=cooks,
        data={"target": Decimal(6000)},
        version=1,
        change_reason='=HYPERLINK("http://evil")',
    )
    text = api(team.member).get(f"/api/products/{team.product.pk}/export/?format=csv").text
    [row] = [r for r in csv.DictReader(io.StringIO(text)) if r["kind"] == "key_result_change"]
    assert row["reason"].startswith("'=")


def test_the_markdown_export_lists_the_change_under_its_goal(team, chain, cooks, api):
    move_the_target(team, cooks)
    text = api(team.member).get(f"/api/products/{team.product.pk}/export/?format=markdown").text
    goal_at = text.index(f"Product goal: {chain.product_goal.title}")
    line = next(line for line in text[goal_at:].splitlines() if line.startswith("- Changed"))
    assert f"by {team.leader.email}: moved the target of “Weekly active cooks”" in line
    assert line.endswith(f"from 5,000 to 6,000. Why: {REASON}")


def test_an_import_keeps_the_key_result_changes(team, chain, cooks, api):
    move_the_target(team, cooks)
    document = api(team.member).get(f"/api/products/{team.product.pk}/export/").json()
    response = api(team.org_admin).post(
        "/api/products/import/",
        {"organization": team.product.organization_id, "document": document},
        format="json",
    )
    assert response.status_code == 201, response.json()
    imported = GoalChange.objects.filter(
        goal__product_id=response.json()["product"]["id"], reason=REASON
    ).get()
    assert imported.changes == {"key_result:Weekly active cooks.target": [5000, 6000]}
    assert imported.goal.status == Status.AGREED
