"""The goal page: details, edit form with inline errors, key results, history, links."""

from __future__ import annotations

from datetime import date

import pytest

from goals.models import (
    Comment,
    FeedbackRequest,
    FeedbackRound,
    Goal,
    GoalChange,
    Insight,
    KeyResult,
    Level,
)
from goals.services.agreement import goal_agreed_by_record
from goals.services.goals import goal_create, goal_update
from tests.factories import (
    GoalFactory,
    KeyResultFactory,
    OrganizationMembershipFactory,
    link,
    today,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def goal_url(goal) -> str:
    return f"/goals/{goal.pk}/"


@pytest.fixture
def goals(team):
    product = team.product
    vision = goal_create(
        actor=team.leader, product=product, level=Level.VISION, title="Healthy lives"
    )
    user_goal = goal_create(
        actor=team.leader, product=product, level=Level.USER, title="Plan meals fast",
        parents=[vision], description="Families **plan** a week in ten minutes.",
    )  # fmt: skip
    product_goal = goal_create(
        actor=team.member, product=product, level=Level.PRODUCT, title="Fridge planner",
        parents=[user_goal],
    )  # fmt: skip
    return {"vision": vision, "user": user_goal, "product": product_goal}


def form_data(goal: Goal, **changes) -> dict:
    data = {
        "title": goal.title,
        "description": goal.description,
        "owner": goal.owner_id or "",
        "status": goal.status,
        "starts_on": goal.starts_on.isoformat() if goal.starts_on else "",
        "ends_on": goal.ends_on.isoformat() if goal.ends_on else "",
        "confidence": goal.confidence or "",
        "parents": [p.pk for p in goal.parents.all()],
        "outcome_note": goal.outcome_note,
        "version": goal.version,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("role", ["leader", "member", "stakeholder", "org_admin"])
def test_it_shows_the_goal_to_every_role(team, goals, browser_client, role):
    response = browser_client(getattr(team, role)).get(goal_url(goals["user"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Plan meals fast" in html
    assert "Families <strong>plan</strong> a week" in html  # rendered markdown
    assert "Healthy lives" in html  # serves
    assert "Fridge planner" in html  # served by


def test_it_is_read_only_for_stakeholders(team, goals, browser_client):
    client = browser_client(team.stakeholder)
    html = client.get(goal_url(goals["user"])).content.decode()
    assert "Edit this goal" not in html
    assert "Add a key result" not in html
    assert 'name="description"' not in html
    response = client.post(goal_url(goals["user"]), form_data(goals["user"], title="Changed"))
    assert response.status_code == 403
    assert Goal.objects.get(pk=goals["user"].pk).title == "Plan meals fast"


def test_it_hides_goals_of_other_organisations(team, goals, browser_client):
    client = browser_client(team.outsider)
    assert client.get(goal_url(goals["user"])).status_code == 404
    assert client.post(goal_url(goals["user"]), {"title": "x"}).status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(goals, client):
    response = client.get(goal_url(goals["user"]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_it_saves_an_edit_and_records_it_in_the_history(team, goals, browser_client):
    goal = goals["product"]
    client = browser_client(team.member)
    response = client.post(
        goal_url(goal),
        form_data(goal, title="Fridge-aware planner", starts_on="2026-02-01", ends_on="2026-05-29",
                  confidence="3", owner=team.leader.pk),
    )  # fmt: skip
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Fridge-aware planner"
    assert goal.ends_on == date(2026, 5, 29)
    assert goal.owner == team.leader
    html = client.get(goal_url(goal)).content.decode()
    assert "Goal saved." in html
    assert "<del>Fridge planner</del>" in html
    assert "<ins>Fridge-aware planner</ins>" in html
    assert "<del>Tom Team</del>" in html and "<ins>Lea Leader</ins>" in html


def test_it_shows_service_errors_under_their_fields(team, goals, browser_client):
    goal = goals["product"]
    response = browser_client(team.member).post(
        goal_url(goal), form_data(goal, title="", starts_on="2026-05-01", ends_on="2026-04-01")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give the goal a title." in html
    assert 'id="id_title_error"' in html
    assert "The end date must be after the start date." in html
    assert 'aria-describedby="id_ends_on_error"' in html
    assert html.count('aria-invalid="true"') == 2


def test_it_links_a_product_goal_to_a_second_parent(team, goals, browser_client):
    goal = goals["product"]
    business = goal_create(
        actor=team.leader, product=team.product, level=Level.BUSINESS, title="Households",
        parents=[goals["vision"]],
    )  # fmt: skip
    response = browser_client(team.member).post(
        goal_url(goal), form_data(goal, parents=[goals["user"].pk, business.pk])
    )
    assert response.status_code == 302
    assert {p.pk for p in goal.parents.all()} == {goals["user"].pk, business.pk}


def test_it_offers_only_goals_one_level_up_as_parents(team, goals, browser_client):
    sprint = goal_create(
        actor=team.member, product=team.product, level=Level.SPRINT, title="Scan",
        parents=[goals["product"]],
    )  # fmt: skip
    html = browser_client(team.member).get(goal_url(sprint)).content.decode()
    start = html.index('class="serves-options"')
    serves = html[start : html.index("</fieldset>", start)]
    assert f'type="radio" name="parents" value="{goals["product"].pk}"' in serves
    assert "Fridge planner" in serves
    assert "Plan meals fast" not in serves


def test_it_offers_a_product_goal_checkboxes_of_the_goals_it_may_serve(team, goals, browser_client):
    html = browser_client(team.member).get(goal_url(goals["product"])).content.decode()
    assert "multiple" not in html[html.index("field-parents") :].split("</fieldset>")[0]
    assert f'type="checkbox" name="parents" value="{goals["user"].pk}"' in html
    assert "Ctrl" not in html


def test_it_asks_why_an_agreed_goal_changes(team, goals, browser_client):
    goal = goals["user"]
    goal = goal_agreed_by_record(
        actor=team.leader, goal=goal, agreed_by=[team.member], reason="Offsite."
    )
    client = browser_client(team.member)
    html = client.get(goal_url(goal)).content.decode()
    assert "Why are you changing an agreed goal?" in html
    response = client.post(goal_url(goal), form_data(goal, title="Plan meals faster"))
    assert response.status_code == 400
    assert 'id="id_change_reason_error"' in response.content.decode()
    response = client.post(
        goal_url(goal), form_data(goal, title="Plan meals faster", change_reason="Workshop said so")
    )
    assert response.status_code == 302
    assert GoalChange.objects.filter(goal=goal, reason="Workshop said so").exists()
    assert "Why: Workshop said so" in client.get(goal_url(goal)).content.decode()


def test_it_keeps_the_users_text_on_a_version_conflict(team, goals, browser_client):
    goal = goals["product"]
    stale = form_data(goal, description="My careful rewrite")
    goal_update(actor=team.leader, goal=goal, data={"title": "Changed by Lea"})
    response = browser_client(team.member).post(goal_url(goal), stale)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Someone else saved this goal while you were editing" in html
    assert "My careful rewrite" in html
    assert "Changed by Lea" in html  # what is saved now
    goal.refresh_from_db()
    assert goal.description == ""
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert f'name="version" value="{goal.version}"' in html


def test_it_needs_an_outcome_note_to_close_and_shows_it(team, goals, browser_client):
    goal = goal_agreed_by_record(
        actor=team.leader, goal=goals["user"], agreed_by=[team.member], reason="Offsite."
    )
    client = browser_client(team.leader)
    response = client.post(goal_url(goal), form_data(goal, status="achieved"))
    assert response.status_code == 400
    assert 'id="id_outcome_note_error"' in response.content.decode()
    client.post(
        goal_url(goal), form_data(goal, status="achieved", outcome_note="Families loved it")
    )
    html = client.get(goal_url(goal)).content.decode()
    assert "Achieved — what we got" in html
    assert "Families loved it" in html


def test_it_shows_key_results_with_progress(team, goals, browser_client):
    KeyResultFactory(goal=goals["product"], title="Weekly plans", owner=team.member,
                     baseline=0, target=10, current=5, unit="plans")  # fmt: skip
    html = browser_client(team.stakeholder).get(goal_url(goals["product"])).content.decode()
    assert "Weekly plans" in html
    assert '<progress max="100" value="50"' in html
    assert "Tom Team" in html


def test_it_adds_a_key_result_in_place(team, goals, browser_client):
    goal = goals["product"]
    response = browser_client(team.member).post(
        f"/goals/{goal.pk}/key-results/",
        {"kr-title": "Weekly plans", "kr-baseline": "0", "kr-target": "10", "kr-unit": "plans",
         "kr-owner": team.member.pk},
        HTTP_HX_CURRENT_URL=f"http://testserver{goal_url(goal)}", **HTMX,
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#key-results"
    assert html.strip().startswith('<section class="panel" id="key-results"')
    assert "Weekly plans" in html
    assert "Key result added." in html
    assert KeyResult.objects.get(goal=goal).current == 0


def test_it_sends_a_key_result_added_elsewhere_to_its_goal_with_a_confirmation(
    team, goals, browser_client
):
    goal = goals["product"]
    client = browser_client(team.member)
    response = client.post(
        f"/goals/{goal.pk}/key-results/",
        {"kr-title": "Weekly plans", "kr-baseline": "0", "kr-target": "10",
         "kr-owner": team.member.pk},
        HTTP_HX_CURRENT_URL=f"http://testserver/products/{team.product.pk}/", **HTMX,
    )  # fmt: skip
    assert "HX-Retarget" not in response
    assert response["HX-Redirect"] == f"{goal_url(goal)}#key-results"
    assert "Key result added." in client.get(goal_url(goal)).content.decode()


def test_it_requires_an_owner_for_a_key_result(team, goals, browser_client):
    goal = goals["product"]
    response = browser_client(team.member).post(
        f"/goals/{goal.pk}/key-results/",
        {"kr-title": "Weekly plans", "kr-baseline": "0", "kr-target": "10", "kr-owner": ""},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200  # htmx partial with the errors
    assert "Every key result needs an owner" in html
    assert 'id="id_kr-owner_error"' in html
    assert not KeyResult.objects.filter(goal=goal).exists()


def test_it_adds_a_key_result_without_htmx(team, goals, browser_client):
    goal = goals["product"]
    response = browser_client(team.member).post(
        f"/goals/{goal.pk}/key-results/",
        {"kr-title": "Plans", "kr-baseline": "0", "kr-target": "4", "kr-owner": team.leader.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/goals/{goal.pk}/#key-results"


def test_it_edits_a_key_result(team, goals, browser_client):
    kr = KeyResultFactory(
        goal=goals["product"], owner=team.member, baseline=0, target=10, current=0
    )
    client = browser_client(team.member)
    form = client.get(f"/key-results/{kr.pk}/", **HTMX).content.decode()
    assert f'id="id_kr{kr.pk}-title"' in form
    response = client.post(
        f"/key-results/{kr.pk}/",
        {f"kr{kr.pk}-title": "Plans", f"kr{kr.pk}-baseline": "0", f"kr{kr.pk}-target": "10",
         f"kr{kr.pk}-current": "7", f"kr{kr.pk}-owner": team.member.pk,
         f"kr{kr.pk}-version": kr.version},
        **HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    kr.refresh_from_db()
    assert kr.current == 7
    assert Goal.objects.get(pk=goals["product"].pk).progress == 70


def test_it_refuses_key_result_changes_to_stakeholders(team, goals, browser_client):
    kr = KeyResultFactory(goal=goals["product"], owner=team.member)
    client = browser_client(team.stakeholder)
    assert client.get(f"/key-results/{kr.pk}/").status_code == 403
    assert client.post(f"/goals/{goals['product'].pk}/key-results/", {}).status_code == 403


def test_it_shows_health_findings(team, goals, browser_client):
    html = browser_client(team.member).get(goal_url(goals["product"])).content.decode()
    assert "Worth a look" in html
    assert "has no key results" in html


def _busy_goal(team, goals, rows: int) -> Goal:
    goal = goals["product"]
    for i in range(rows):
        KeyResultFactory(goal=goal, owner=team.member)
        child = link(GoalFactory(product=team.product, level=Level.SPRINT, owner=team.member), goal)
        GoalChange.objects.create(goal=goal, by=team.leader, changes={"title": [f"t{i}", f"u{i}"]})
        assert child
        Comment.objects.create(product=team.product, goal=goal, author=team.stakeholder, body="c")
        Insight.objects.create(goal=goal, kind="qualitative", summary="s", source="a survey")
    feedback_round = FeedbackRound.objects.create(
        goal=goal, requested_by=team.leader, deadline=today()
    )
    for person in (team.member, team.stakeholder):
        FeedbackRequest.objects.create(round=feedback_round, person=person)
    return goal


@pytest.mark.parametrize("rows", [1, 30])
def test_it_reads_the_goal_page_in_a_fixed_number_of_queries(
    team, goals, browser_client, django_assert_num_queries, rows
):
    goal = _busy_goal(team, goals, rows)
    client = browser_client(team.member)
    # 1 session, 2 user, 3 goal with product, organisation, owner and my roles,
    # 4 product members (owner choices), 5 parents, 6 key results with owners,
    # 7 parent choices, 8 children with owners, 9 history with authors,
    # 10 owners named in the history, 11 goals named in the history; beside the goal:
    # 12 comments with authors, 13 insights with authors, 14 feedback rounds,
    # 15 the people asked in them, 16 whether I watch the goal; 17 check-ins,
    # 18 the values that came from data (the charts' points), 19 the decision that adopted
    # the goal.
    with django_assert_num_queries(19):
        response = client.get(goal_url(goal))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 30])
def test_it_reads_the_goal_page_read_only_in_fewer_queries(
    team, goals, browser_client, django_assert_num_queries, rows
):
    goal = _busy_goal(team, goals, rows)
    client = browser_client(team.stakeholder)
    # No forms for a stakeholder: no member or parent choices (17 instead of 19).
    with django_assert_num_queries(17):
        response = client.get(goal_url(goal))
    assert response.status_code == 200


def test_it_is_read_only_for_organisation_members_without_a_role(team, goals, browser_client):
    viewer = OrganizationMembershipFactory(organization=team.product.organization).user
    client = browser_client(viewer)
    html = client.get(goal_url(goals["user"])).content.decode()
    assert "Plan meals fast" in html
    assert "Edit this goal" not in html
    assert client.post(goal_url(goals["user"]), form_data(goals["user"])).status_code == 403


def test_a_later_change_that_sets_fields_for_the_first_time_is_not_the_creation(
    team, goals, browser_client
):
    goal = goals["product"]
    GoalChange.objects.create(goal=goal, by=team.member, changes={"confidence": [None, 4]})
    html = browser_client(team.member).get(goal_url(goal)).content.decode()
    assert html.count("created this goal") <= 1
    assert "<del>—</del>" in html and "<ins>4</ins>" in html
