"""Export of a whole product (JSON, CSV, Markdown) and import of a JSON export."""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from goals.exchange import RESTORED_REASON
from goals.models import (
    AgreementWay,
    CheckIn,
    CheckInValue,
    Comment,
    GoalChange,
    KeyResult,
    Level,
    Product,
    ProductRole,
    Status,
)
from goals.services.agreement import goal_agreed_by_record
from goals.services.check_ins import Value, check_in_create
from goals.services.comments import comment_create, comment_delete
from goals.services.insights import insight_create
from goals.services.outcomes import retrospective_save
from goals.services.progress import recompute_progress
from goals.services.reviews import schedule_update
from tests.factories import KeyResultFactory, UserFactory, add_member, make_chain, make_goal, today
from tests.workshops.conftest import make_room
from workshops.models import Decision, Phase
from workshops.services.decisions import workshop_decide


@pytest.fixture
def chain(team):
    chain = make_chain(team.product)
    chain.vision.title = "Ünïcode vision 🚀 for “everyone”"
    chain.vision.description = "A **bold** line\n\n- and a list <script>x</script>"
    chain.vision.save()
    KeyResultFactory(goal=chain.user_goal, owner=team.member, baseline=0, target=20, current=5)
    KeyResultFactory(
        goal=chain.product_goal, owner=team.stakeholder, unit="%", baseline="1.5", target=3
    )
    return chain


def export(client, product: Product, fmt: str = "json") -> Any:
    response = client.get(f"/api/products/{product.pk}/export/?format={fmt}")
    assert response.status_code == 200, response.content
    return response


def do_import(client, team, document: Any) -> Any:
    return client.post(
        "/api/products/import/",
        {"organization": team.product.organization_id, "document": document},
        format="json",
    )


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """A document with refs renumbered by position and the moment of export removed."""
    document = copy.deepcopy(document)
    document.pop("exported_at")
    number = {goal["ref"]: i for i, goal in enumerate(document["goals"])}
    for goal in document["goals"]:
        goal["ref"] = number[goal["ref"]]
        goal["parents"] = sorted(number[p] for p in goal["parents"])
        goal.pop("created_at")
    sections = ("key_results", "history", "decisions", "comments", "insights", "check_ins")
    for section in (*sections, "retrospectives"):
        for row in document[section]:
            row["goal"] = number[row["goal"]]
    kr_number = {kr["ref"]: i for i, kr in enumerate(document["key_results"])}
    for kr in document["key_results"]:
        kr["ref"] = kr_number[kr["ref"]]
    for check_in in document["check_ins"]:
        for value in check_in["values"]:
            value["key_result"] = kr_number[value["key_result"]]
    comment_number = {c["ref"]: i for i, c in enumerate(document["comments"])}
    for comment in document["comments"]:
        comment["ref"] = comment_number[comment["ref"]]
        if comment["parent"] is not None:
            comment["parent"] = comment_number[comment["parent"]]
    for entry in document["history"]:
        parents = entry["changes"].get("parents")
        if parents:
            entry["changes"]["parents"] = [
                [number[p] for p in side] if isinstance(side, list) else side for side in parents
            ]
    return document


def fill_product(team) -> None:
    """A product with something of every kind an export holds: an adopted goal with key
    results, comments, an insight and a check-in, a missed goal with its retrospective, a
    review schedule and product settings."""
    room = make_room(team)
    room.workshop.parent_goal.title = "Ünïcode vision 🚀 for “everyone”"
    room.workshop.parent_goal.description = "A **bold** line\n\n- a list <script>x</script>"
    room.workshop.parent_goal.save()
    room.to(Phase.DRAFTING)
    proposal = room.propose(
        title="Adopted goal", starts_on=today(), ends_on=today() + timedelta(days=90)
    )
    room.to(Phase.VOTING)
    for voter in room.voters:
        room.vote(voter, proposal, "agree")
    room.to(Phase.REVEALED)
    decision = workshop_decide(actor=team.leader, workshop=room.workshop, proposal=proposal)
    KeyResultFactory(goal=decision.goal, owner=team.member, baseline=0, target=20, current=5)
    recompute_progress(goal_ids=[decision.goal.pk])  # the factory wrote past the services
    thread = comment_create(actor=team.stakeholder, goal=decision.goal, body="Why **now**?")
    comment_create(actor=team.leader, goal=decision.goal, parent_id=thread.pk, body="Because 🍎")
    removed = comment_create(actor=team.member, goal=decision.goal, body="Oops")
    comment_delete(actor=team.member, comment=removed)
    insight_create(
        actor=team.stakeholder,
        goal=decision.goal,
        kind="quantitative",
        summary="Half of users plan on Sundays",
        source="https://analytics.example.com/q3",
        value=Decimal("48.5"),
        unit="%",
    )
    check_in_create(
        actor=team.member,
        goal=decision.goal,
        values=[Value(decision.goal.key_results.get().pk, Decimal("12.5"))],
        confidence=4,
        note="On track",
    )
    missed = make_goal(
        team.product, Level.PRODUCT, room.parent, status=Status.MISSED, outcome_note="Too big"
    )
    recompute_progress(goal_ids=[missed.pk])
    retrospective_save(
        actor=team.leader,
        goal=missed,
        data={"what_happened": "A", "what_we_learned": "B", "what_we_change": "C"},
    )
    schedule_update(
        actor=team.leader, product=team.product, data={"sprint": "biweekly", "reminder_hour": 7}
    )
    team.product.target_group = "Busy parents"
    team.product.quality_rules_off = ["vague_words"]
    team.product.max_live_product_goals = 7
    team.product.save()


def test_an_export_imports_into_an_identical_chain(team, api):
    fill_product(team)
    original = export(api(team.member), team.product).json()
    assert len(original["decisions"]) == 1

    response = do_import(api(team.org_admin), team, original)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["unmatched_people"] == []
    copy_ = Product.objects.get(pk=body["product"]["id"])
    assert copy_.organization_id == team.product.organization_id
    again = comparable(export(api(team.org_admin), copy_).json())
    importer = {"email": team.org_admin.email, "name": team.org_admin.display_name}
    assert {**importer, "role": "leader"} in again["members"]  # who imported leads the copy
    again["members"].remove({**importer, "role": "leader"})
    # An import restores statuses as exported, and each goal's history says so, by the
    # importer: one entry more per goal than the original had.
    restored = [h for h in again["history"] if h["reason"] == RESTORED_REASON]
    again["history"] = [h for h in again["history"] if h["reason"] != RESTORED_REASON]
    assert sorted((h["goal"], h["by"]) for h in restored) == [
        (goal["ref"], team.org_admin.email) for goal in again["goals"]
    ]
    assert {h["goal"]: h["changes"]["status"][1] for h in restored} == {
        goal["ref"]: goal["status"] for goal in again["goals"]
    }
    expected = comparable(original)
    assert again["product"]["name"] == f"{expected['product']['name']} (imported)"
    expected["product"]["name"] = again["product"]["name"]
    for section in expected:
        assert again[section] == expected[section], section
    assert again["goals"][1]["title"] == "Ünïcode vision 🚀 for “everyone”"
    user_goal = copy_.goals.get(level=Level.USER)
    assert "<strong>bold</strong>" in user_goal.description_html
    assert "<script>" not in user_goal.description_html
    assert copy_.target_group == "Busy parents"
    assert (copy_.quality_rules_off, copy_.max_live_product_goals) == (["vague_words"], 7)
    assert len(again["comments"]) == 3 and len(again["insights"]) == 1
    assert again["check_ins"][0]["values"][0]["value"] == "12.5"
    assert again["retrospectives"][0]["what_we_change"] == "C"
    assert (again["review_schedule"]["sprint"], again["review_schedule"]["reminder_hour"]) == (
        "biweekly",
        7,
    )
    reply = Comment.objects.get(goal__product=copy_, parent__isnull=False)
    assert reply.parent.body == "Why **now**?" and "<strong>now</strong>" in reply.parent.body_html
    assert Comment.objects.get(goal__product=copy_, body="").deleted_at is not None
    decision = Decision.objects.get(goal__product=copy_)
    assert decision.workshop.phase == Phase.CLOSED
    assert decision.tallies == Decision.objects.get(goal__product=team.product).tallies


def test_the_importer_leads_and_members_keep_their_roles(team, chain, api):
    document = export(api(team.member), team.product).json()
    stranger = "someone.else@elsewhere.example"
    document["members"].append({"email": stranger, "name": "", "role": "team"})
    document["key_results"][0]["owner"] = stranger
    response = do_import(api(team.org_admin), team, document)
    assert response.status_code == 201
    assert response.json()["unmatched_people"] == [stranger]
    product = Product.objects.get(pk=response.json()["product"]["id"])
    roles = {m.user: m.role for m in product.memberships.select_related("user")}
    assert roles[team.org_admin] == ProductRole.LEADER
    assert roles[team.member] == ProductRole.TEAM
    assert roles[team.stakeholder] == ProductRole.STAKEHOLDER
    moved = KeyResult.objects.filter(goal__product=product).order_by("id").first()
    assert moved.owner == team.org_admin


def test_an_import_keeps_the_history_with_local_ids(team, api):
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)
    user_goal = make_goal(team.product, Level.USER, vision, status=Status.AGREED)
    GoalChange.objects.create(
        goal=user_goal,
        by=team.leader,
        changes={"owner": [None, team.member.pk], "parents": [[], [vision.pk]]},
        reason="Linked",
    )
    document = export(api(team.member), team.product).json()
    linked = next(h for h in document["history"] if h["reason"] == "Linked")
    assert linked["changes"]["owner"] == [None, team.member.email]
    response = do_import(api(team.org_admin), team, document)
    product = Product.objects.get(pk=response.json()["product"]["id"])
    entry = GoalChange.objects.get(goal__product=product, reason="Linked")
    new_vision = product.goals.get(level=Level.VISION)
    assert entry.changes == {"owner": [None, team.member.pk], "parents": [[], [new_vision.pk]]}
    assert (entry.by, entry.reason) == (team.leader, "Linked")


def test_an_export_says_how_each_goal_was_agreed_and_an_import_keeps_it(team, api):
    vision = make_goal(team.product, Level.VISION)
    goal_agreed_by_record(
        actor=team.leader, goal=vision, agreed_by=[team.member], reason="Offsite in May"
    )
    document = export(api(team.member), team.product).json()
    agreed = next(h for h in document["history"] if "Offsite in May" in h["reason"])
    assert agreed["via"] == "record"
    response = do_import(api(team.org_admin), team, document)
    product = Product.objects.get(pk=response.json()["product"]["id"])
    entry = GoalChange.objects.get(goal__product=product, reason=agreed["reason"])
    assert entry.via == AgreementWay.RECORD


def test_an_import_refuses_an_unknown_way_of_agreeing(team, chain, api):
    document = export(api(team.member), team.product).json()
    document["history"][0]["via"] = "decree"
    response = do_import(api(team.org_admin), team, document)
    assert response.status_code == 400
    assert "How a goal was agreed is one of" in response.json()["history[0].via"][0]


def test_an_import_restores_statuses_and_says_so_in_each_goals_history(team, chain, api):
    document = export(api(team.member), team.product).json()
    response = do_import(api(team.org_admin), team, document)
    product = Product.objects.get(pk=response.json()["product"]["id"])
    user_goal = product.goals.get(level=Level.USER)
    assert (user_goal.status, user_goal.agreed_via) == (Status.AGREED, AgreementWay.RESTORED)
    # The factory's goals were restored once already; this import adds its own entry.
    entry = user_goal.changes.filter(via=AgreementWay.RESTORED, by=team.org_admin).get()
    assert (entry.by, entry.reason) == (team.org_admin, RESTORED_REASON)
    assert entry.changes == {"status": [None, "agreed"]}
    history = api(team.org_admin).get(f"/api/goals/{user_goal.pk}/history/").json()
    assert history[0]["via"] == "restored" and history[0]["reason"] == RESTORED_REASON


def broken(document: dict[str, Any], how: str) -> dict[str, Any]:
    document = copy.deepcopy(document)
    goals = {goal["level"]: goal for goal in document["goals"]}
    if how == "sprint of six weeks":
        goals["sprint"]["ends_on"] = str(today() + timedelta(days=42))
    elif how == "parent of the wrong level":
        goals["sprint"]["parents"] = [goals["vision"]["ref"]]
    elif how == "unknown parent":
        goals["sprint"]["parents"] = [999999]
    elif how == "two live visions":
        document["goals"].append({**goals["vision"], "ref": 999999})
    elif how == "same ref twice":
        document["goals"].append({**goals["sprint"]})
    elif how == "agreed without parents":
        goals["product"]["parents"] = []
    elif how == "achieved without a note":
        goals["product"]["status"] = "achieved"
    elif how == "bad date":
        goals["product"]["starts_on"] = "2026-02-30"
    elif how == "unknown level":
        goals["product"]["level"] = "epic"
    elif how == "confidence 9":
        goals["sprint"]["confidence"] = 9
    elif how == "empty title":
        goals["product"]["title"] = "  "
    elif how == "not a number":
        document["key_results"][0]["current"] = "lots"
    elif how == "target equals baseline":
        document["key_results"][0]["target"] = document["key_results"][0]["baseline"]
    elif how == "key result of no goal":
        document["key_results"][0]["goal"] = 999999
    elif how == "goals not a list":
        document["goals"] = {"a": 1}
    elif how == "other format":
        document["format"] = "okr-tool"
    elif how == "newer version":
        document["format_version"] = 2
    elif how == "no product":
        del document["product"]
    elif how == "check-in value of another goal's key result":
        document["check_ins"] = [
            {"goal": goals["sprint"]["ref"], "confidence": 3, "created_at": "2026-01-01T00:00:00Z",
             "values": [{"key_result": document["key_results"][0]["ref"], "value": 1,
                         "previous": 0}]},
        ]  # fmt: skip
    elif how == "unknown cadence":
        document["review_schedule"]["sprint"] = "hourly"
    elif how == "verdict on a product goal":
        goals["product"]["sprint_verdict"] = "met"
    elif how == "unknown quality rule":
        document["product"]["quality_rules_off"] = ["be_nice"]
    elif how == "reply before its thread":
        document["comments"] = [
            {"ref": 2, "goal": goals["product"]["ref"], "parent": 1, "body": "Re",
             "created_at": "2026-01-01T00:00:00Z"},
        ]  # fmt: skip
    elif how == "quantitative insight without a value":
        document["insights"] = [
            {"goal": goals["product"]["ref"], "kind": "quantitative", "summary": "Up",
             "source": "BI", "created_at": "2026-01-01T00:00:00Z"},
        ]  # fmt: skip
    return document


CASES = {
    "sprint of six weeks": "goals[4].ends_on",
    "parent of the wrong level": "goals[4].parents",
    "unknown parent": "goals[4].parents",
    "two live visions": "goals[5].level",
    "same ref twice": "goals[5].ref",
    "agreed without parents": "goals[3].parents",
    "achieved without a note": "goals[3].outcome_note",
    "bad date": "goals[3].starts_on",
    "unknown level": "goals[3].level",
    "confidence 9": "goals[4].confidence",
    "empty title": "goals[3].title",
    "not a number": "key_results[0].current",
    "target equals baseline": "key_results[0].target",
    "key result of no goal": "key_results[0].goal",
    "goals not a list": "goals",
    "other format": "document.format",
    "newer version": "document.format_version",
    "no product": "document.product",
    "verdict on a product goal": "goals[3].sprint_verdict",
    "check-in value of another goal's key result": "check_ins[0].values[0]",
    "unknown cadence": "review_schedule.sprint",
    "unknown quality rule": "product.quality_rules_off",
    "reply before its thread": "comments[0].parent",
    "quantitative insight without a value": "insights[0].value",
}


@pytest.mark.parametrize("how", CASES)
def test_a_broken_document_is_refused_naming_the_problem(team, chain, api, how):
    document = export(api(team.member), team.product).json()
    products = Product.objects.count()
    response = do_import(api(team.org_admin), team, broken(document, how))
    assert response.status_code == 400
    assert CASES[how] in response.json(), response.json()
    assert Product.objects.count() == products


@pytest.mark.parametrize("document", [None, [], "not json {", 42])
def test_what_is_no_export_at_all_is_refused(team, api, document):
    response = do_import(api(team.org_admin), team, document)
    assert response.status_code == 400
    assert Product.objects.count() == 2  # the team's and the outsider's


def test_only_organisation_admins_import(team, chain, api):
    document = export(api(team.member), team.product).json()
    assert do_import(api(team.leader), team, document).status_code == 403
    outsider = api(team.outsider).post(
        "/api/products/import/",
        {"organization": team.product.organization_id, "document": document},
        format="json",
    )
    assert outsider.status_code == 400
    assert "organization" in outsider.json()


def test_members_export_and_outsiders_get_404(team, chain, api):
    assert export(api(team.stakeholder), team.product).status_code == 200
    response = api(team.outsider).get(f"/api/products/{team.product.pk}/export/")
    assert response.status_code == 404
    assert api(None).get(f"/api/products/{team.product.pk}/export/").status_code == 401


def test_an_unknown_format_is_a_400(team, api):
    response = api(team.member).get(f"/api/products/{team.product.pk}/export/?format=xml")
    assert response.status_code == 400
    assert "format" in response.json()


def test_an_export_error_is_json_whatever_the_format(team, api):
    response = api(team.outsider).get(f"/api/products/{team.product.pk}/export/?format=csv")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_the_csv_export_has_a_row_per_goal_and_key_result(team, chain, api):
    chain.sprint_goal.title = '=HYPERLINK("http://evil")'
    chain.sprint_goal.save()
    response = export(api(team.member), team.product, "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["kind"] for r in rows].count("goal") == 5
    assert [r["kind"] for r in rows].count("key_result") == 2
    sprint = next(r for r in rows if r["level"] == "sprint")
    assert sprint["title"].startswith("'=")  # a spreadsheet shows it, never runs it
    assert sprint["parents"] == str(chain.product_goal.pk)


def test_numbers_are_written_as_people_write_them(team, chain, api):
    """20 is "20", never the "2E+1" a normalised decimal prints as; 1.5 stays "1.5"."""
    document = export(api(team.member), team.product).json()
    numbers = {(kr["baseline"], kr["target"]) for kr in document["key_results"]}
    assert numbers == {("0", "20"), ("1.5", "3")}
    rows = list(csv.DictReader(io.StringIO(export(api(team.member), team.product, "csv").text)))
    assert "E+" not in "".join(str(value) for row in rows for value in row.values())


def test_the_markdown_export_outlines_the_chain(team, chain, api):
    text = export(api(team.member), team.product, "markdown").content.decode()
    assert text.startswith(f"# {team.product.name}\n")
    assert f"## Product vision: {chain.vision.title}" in text
    assert f"### User goal: {chain.user_goal.title}" in text
    assert f"#### Product goal: {chain.product_goal.title}" in text
    assert f"- Sprint goal: {chain.sprint_goal.title}" in text


def test_the_markdown_export_puts_goals_serving_nothing_in_their_own_section(team, chain, api):
    """An unlinked goal written after the business goal would read as serving it."""
    lone_product = make_goal(team.product, Level.PRODUCT, title="Lone product goal")
    lone_sprint = make_goal(team.product, Level.SPRINT, title="Lone sprint goal")
    text = export(api(team.member), team.product, "markdown").content.decode()
    chain_part, _, unlinked = text.partition("## Not linked into the chain\n")
    assert lone_product.title not in chain_part and lone_sprint.title not in chain_part
    assert f"#### Product goal: {lone_product.title}" in unlinked
    # The sprint goal is listed before any heading below the section could claim it.
    assert unlinked.index(lone_sprint.title) < unlinked.index(lone_product.title)
    assert chain.sprint_goal.title in chain_part


def test_the_csv_export_names_each_goals_parents_so_unlinked_ones_show(team, chain, api):
    lone = make_goal(team.product, Level.PRODUCT, title="Lone product goal")
    rows = list(csv.DictReader(io.StringIO(export(api(team.member), team.product, "csv").text)))
    by_title = {row["title"]: row for row in rows if row["kind"] == "goal"}
    assert by_title[lone.title]["parents"] == ""
    assert by_title[chain.sprint_goal.title]["parents"] != ""


def test_an_import_takes_the_name_given_or_the_exported_one_marked_imported(team, chain, api):
    document = export(api(team.member), team.product).json()
    client = api(team.org_admin)
    response = do_import(client, team, document)
    assert response.json()["product"]["name"] == f"{team.product.name} (imported)"
    response = client.post(
        "/api/products/import/",
        {"organization": team.product.organization_id, "document": document, "name": " Copy "},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["product"]["name"] == "Copy"


@pytest.mark.parametrize("name", ["", "COPY"])
def test_an_import_refuses_a_name_the_organisation_uses_and_creates_nothing(team, chain, api, name):
    document = export(api(team.member), team.product).json()
    client = api(team.org_admin)
    taken = do_import(client, team, document).json()["product"]["name"]  # "… (imported)"
    client.patch(f"/api/products/{team.product.pk}/", {"name": "Copy", "version": 1})
    products = Product.objects.count()
    response = client.post(
        "/api/products/import/",
        {"organization": team.product.organization_id, "document": document, "name": name},
        format="json",
    )
    assert response.status_code == 400
    clash = taken if name == "" else "Copy"
    assert response.json() == {
        "name": [
            f"{team.product.organization.name} already has a product called “{clash}”. "
            "Choose another name."
        ]
    }
    assert Product.objects.count() == products


def test_an_imported_name_keeps_within_the_length_of_a_name(team, chain, api):
    document = export(api(team.member), team.product).json()
    document["product"]["name"] = "N" * 200
    response = do_import(api(team.org_admin), team, document)
    assert response.status_code == 201
    assert response.json()["product"]["name"] == "N" * 189 + " (imported)"


@pytest.mark.parametrize("size", [5, 300])
def test_an_export_costs_the_same_queries_for_any_size(team, api, django_assert_num_queries, size):
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)
    people = [add_member(team.product, UserFactory(), ProductRole.TEAM) for _ in range(3)]
    for i in range(size - 1):
        goal = make_goal(team.product, Level.USER, vision, owner=people[i % 3])
        key_result = KeyResultFactory(goal=goal, owner=people[i % 3])
        check_in = CheckIn.objects.create(goal=goal, author=people[i % 3], confidence=3)
        CheckInValue.objects.create(check_in=check_in, key_result=key_result, value=1, previous=0)
    client = api(team.member)
    # token, product, goals, links, key results, members, history, check-ins and their
    # values, retrospectives, review schedule, comments, insights, decisions, people
    with django_assert_num_queries(15):
        export(client, team.product)


def upload(document: Any, name: str = "export.json") -> SimpleUploadedFile:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return SimpleUploadedFile(name, data, content_type="application/json")


def test_the_chain_page_offers_the_exports(team, chain, browser_client):
    html = browser_client(team.stakeholder).get(f"/products/{team.product.pk}/").content.decode()
    for fmt in ("json", "csv", "markdown"):
        assert f"/api/products/{team.product.pk}/export/?format={fmt}" in html
    assert "Import a product" not in html


def test_an_admin_imports_a_file_from_the_organisation_page(team, chain, api, browser_client):
    document = export(api(team.member), team.product).json()
    client = browser_client(team.org_admin)
    org_page = client.get(f"/organizations/{team.product.organization_id}/").content.decode()
    assert 'enctype="multipart/form-data"' in org_page and 'for="import_document"' in org_page
    response = client.post(
        f"/organizations/{team.product.organization_id}/products/import/",
        {"document": upload(document)},
    )
    product = Product.objects.exclude(pk=team.product.pk).get(
        organization=team.product.organization
    )
    assert response.status_code == 302
    assert response["Location"] == f"/products/{product.pk}/"
    assert product.goals.count() == 5
    assert product.name == f"{team.product.name} (imported)"


def test_the_import_form_takes_a_name_and_refuses_one_in_use(team, chain, api, browser_client):
    document = export(api(team.member), team.product).json()
    client = browser_client(team.org_admin)
    org_page = client.get(f"/organizations/{team.product.organization_id}/").content.decode()
    assert 'for="import_name"' in org_page and "followed by “(imported)”" in org_page
    url = f"/organizations/{team.product.organization_id}/products/import/"
    products = Product.objects.count()
    response = client.post(url, {"document": upload(document), "name": team.product.name})
    assert response.status_code == 400
    html = response.content.decode()
    assert "already has a product called" in html and "name: " not in html
    assert Product.objects.count() == products
    response = client.post(url, {"document": upload(document), "name": "Planner copy"})
    assert response.status_code == 302
    assert Product.objects.filter(name="Planner copy").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "This file is not JSON"),
        (None, "goals[4].ends_on: A sprint goal spans one to four weeks"),
    ],
)
def test_a_broken_file_is_shown_inline_and_creates_nothing(
    team, chain, api, browser_client, content, message
):
    document = export(api(team.member), team.product).json()
    content = content or json.dumps(broken(document, "sprint of six weeks")).encode()
    products = Product.objects.count()
    response = browser_client(team.org_admin).post(
        f"/organizations/{team.product.organization_id}/products/import/",
        {"document": upload(content)},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Product.objects.count() == products


def test_only_admins_import_through_the_page(team, chain, api, browser_client):
    document = export(api(team.member), team.product).json()
    response = browser_client(team.leader).post(
        f"/organizations/{team.product.organization_id}/products/import/",
        {"document": upload(document)},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("day", ["0001-01-01", "1969-12-31", "2201-01-01", "9999-12-31"])
def test_an_import_refuses_dates_outside_the_ones_the_app_accepts(team, chain, api, day):
    document = export(api(team.member), team.product).json()
    document["goals"][0]["ends_on"] = day
    document["history"][0]["at"] = f"{day}T09:00:00Z"
    products = Product.objects.count()
    response = do_import(api(team.org_admin), team, document)
    assert response.status_code == 400
    errors = response.json()
    assert errors["goals[0].ends_on"] == ["Choose a date between 1970 and 2200."]
    assert errors["history[0].at"] == ["Choose a date between 1970 and 2200."]
    assert Product.objects.count() == products
