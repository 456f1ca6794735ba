"""The alignment boards: health dashboard, quality check, Vision Board, GO roadmap, sprint goal
board and portfolio; who may see and change what, and what each page costs in queries."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from goals.models import Goal, GoalChange, HealthSnapshot, Level, Product, SprintVerdict, Status
from tests.factories import (
    KeyResultFactory,
    OrganizationMembershipFactory,
    ProductFactory,
    make_chain,
    make_goal,
    today,
)
from tests.goals.test_queries import build_chain

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(product: Product, page: str) -> str:
    return f"/products/{product.pk}/{page}/"


@pytest.fixture
def chain(team):
    chain = make_chain(team.product)
    for goal in vars(chain).values():
        goal.owner = team.leader
        goal.save()
    chain.vision.title = "Every family eats well without thinking about it"
    chain.vision.save()
    chain.user_goal.title = "Families plan a week of meals in 10 minutes"
    chain.user_goal.save()
    chain.business_goal.title = "Earn 2 M EUR a year from subscriptions"
    chain.business_goal.save()
    chain.product_goal.title = "Fridge-aware weekly planner"
    chain.product_goal.save()
    chain.sprint_goal.title = "Scan the fridge"
    chain.sprint_goal.save()
    for goal in (chain.user_goal, chain.business_goal, chain.product_goal):
        KeyResultFactory(goal=goal, owner=team.member, title=f"Measure of {goal.title[:20]}")
    return chain


# Who sees the boards -----------------------------------------------------------------------------

PAGES = ["health", "vision-board", "roadmap", "sprints"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["leader", "member", "stakeholder", "org_admin"])
def test_it_shows_each_board_to_every_role(team, chain, browser_client, page, role):
    response = browser_client(getattr(team, role)).get(url(team.product, page))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page"' in html
    assert 'style="' not in html  # the CSP forbids inline styles


@pytest.mark.parametrize("page", PAGES)
def test_it_hides_each_board_from_outsiders(team, chain, browser_client, page):
    assert browser_client(team.outsider).get(url(team.product, page)).status_code == 404


def test_it_sends_strangers_to_sign_in(team, client):
    response = client.get(url(team.product, "health"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# Health dashboard ---------------------------------------------------------------------------------


def test_the_health_page_groups_findings_by_kind_each_linking_to_its_goal(
    team, chain, browser_client
):
    late = make_goal(team.product, Level.PRODUCT, chain.user_goal, title="Improve planning")
    other = make_goal(team.product, Level.PRODUCT, chain.user_goal, title="Better recipes")
    html = browser_client(team.member).get(url(team.product, "health")).content.decode()
    group = html[html.index('id="kind-vague_words"') :]
    group = group[: group.index("</section>")]
    assert ">Vague words</span>" in group
    assert '<span class="group-count">2</span>' in group
    assert f'href="/goals/{late.pk}/"' in group and f'href="/goals/{other.pk}/"' in group
    assert "Say how far and by when" in group  # the rule's suggestion
    assert "“Cut checkout time from 4 to 2 minutes by June”" in group  # a product goal's example
    assert 'id="kind-no_key_results"' in html


def test_the_health_page_folds_long_groups_after_twenty(team, chain, browser_client):
    for n in range(25):
        make_goal(team.product, Level.SPRINT, chain.product_goal, title=f"Sprint {n}", confidence=1)
    html = browser_client(team.member).get(url(team.product, "health")).content.decode()
    group = html[html.index('id="kind-low_confidence"') :]
    group = group[: group.index("</section>")]
    shown, folded = group.split('<details class="disclosure finding-more">')
    assert shown.count('class="finding-goal') == 20
    assert "The other 5</summary>" in folded
    assert folded.count('class="finding-goal') == 5


def test_the_health_page_shows_the_score_and_its_trend(team, chain, browser_client):
    for days_ago, score in [(40, 30), (8, 60), (3, 90)]:
        HealthSnapshot.objects.create(
            product=team.product, day=today() - timedelta(days=days_ago), score=score
        )
    html = browser_client(team.member).get(url(team.product, "health")).content.decode()
    assert '<span class="score-number">100</span>' in html
    assert "+10" in html and "in 7 days" in html  # 90 three days ago, 100 now
    assert "+40" in html and "in 30 days" in html  # 60 eight days ago; forty days is too old
    points = re.search(r'<polyline class="trend-line" points="([^"]+)"', html).group(1).split()
    assert len(points) == 4
    assert points[-1] == "100.00,0"


def test_the_health_page_says_when_the_trend_starts(team, chain, browser_client):
    html = browser_client(team.member).get(url(team.product, "health")).content.decode()
    assert "The trend starts tomorrow" in html


def test_a_leader_switches_quality_checks_off_and_sets_the_limit(team, chain, browser_client):
    client = browser_client(team.leader)
    html = client.get(url(team.product, "health")).content.decode()
    assert 'name="rules_on" value="vague_words"' in html
    data = {
        "rules_on": ["not_measurable", "sprint_stretch"],
        "max_live_product_goals": "3",
        "version": str(team.product.version),
    }
    response = client.post(url(team.product, "health/quality"), data)
    assert response.status_code == 302
    team.product.refresh_from_db()
    assert "vague_words" in team.product.quality_rules_off
    assert "sprint_stretch" not in team.product.quality_rules_off
    assert team.product.max_live_product_goals == 3


def test_the_quality_settings_refuse_a_limit_out_of_range(team, chain, browser_client):
    data = {"max_live_product_goals": "0", "version": str(team.product.version)}
    response = browser_client(team.leader).post(url(team.product, "health/quality"), data)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    team.product.refresh_from_db()
    assert team.product.max_live_product_goals == 5


def test_the_quality_settings_keep_a_stale_form_instead_of_overwriting(team, chain, browser_client):
    stale = team.product.version
    Product.objects.filter(pk=team.product.pk).update(version=stale + 1)
    data = {"rules_on": [], "max_live_product_goals": "4", "version": str(stale)}
    response = browser_client(team.leader).post(url(team.product, "health/quality"), data)
    assert response.status_code == 400
    assert "Someone else saved this while you were editing" in response.content.decode()
    team.product.refresh_from_db()
    assert team.product.quality_rules_off == []


@pytest.mark.parametrize("role", ["member", "stakeholder"])
def test_only_leaders_change_quality_checks(team, chain, browser_client, role):
    client = browser_client(getattr(team, role))
    assert 'name="rules_on"' not in client.get(url(team.product, "health")).content.decode()
    data = {"rules_on": [], "max_live_product_goals": "3"}
    assert client.post(url(team.product, "health/quality"), data).status_code == 403


def rule_tally(html: str, code: str) -> str:
    """The words beside one quality rule in the health page's list of checks."""
    found = re.search(
        rf'<span class="rule-tally[^"]*" id="rule-finds-{code}">(.*?)</span>', html, re.S
    )
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def test_the_health_page_says_how_many_goals_each_rule_flags(team, chain, browser_client):
    make_goal(team.product, Level.PRODUCT, chain.user_goal, title="Improve planning")
    make_goal(team.product, Level.PRODUCT, chain.user_goal, title="Better recipes")
    make_goal(team.product, Level.SPRINT, chain.product_goal, title="Fridge photos", confidence=1)
    html = browser_client(team.leader).get(url(team.product, "health")).content.decode()
    assert rule_tally(html, "vague_words") == "Flags 2 goals"
    assert '<a href="#kind-vague_words">Flags 2 goals</a>' in html
    assert rule_tally(html, "vision_names_feature") == "Flags no goal"
    # A stretch sprint goal shows once, as low confidence, and counts for the rule.
    assert rule_tally(html, "sprint_stretch") == "Flags 1 goal"
    assert '<a href="#kind-low_confidence">Flags 1 goal</a>' in html
    assert rule_tally(html, "business_without_user") == "Does not flag this product"
    assert 'aria-describedby="rule-finds-vague_words rule-help-vague_words"' in html


def test_the_health_page_says_what_a_rule_switched_off_would_flag(team, chain, browser_client):
    make_goal(team.product, Level.PRODUCT, chain.user_goal, title="Improve planning")
    chain.user_goal.status = Status.DROPPED
    chain.user_goal.save()
    team.product.quality_rules_off = ["vague_words", "business_without_user"]
    team.product.save()
    for role in ("leader", "member"):
        html = browser_client(getattr(team, role)).get(url(team.product, "health")).content.decode()
        assert 'id="kind-vague_words"' not in html  # switched off: no findings
        assert rule_tally(html, "vague_words") == "Would flag 1 goal"
        assert rule_tally(html, "business_without_user") == "Would flag this product"
    # Switched off, "not measurable" still keeps quiet where "vague words" speaks, as it
    # would if switched on.
    team.product.quality_rules_off = ["not_measurable"]
    team.product.save()
    html = browser_client(team.member).get(url(team.product, "health")).content.decode()
    assert rule_tally(html, "not_measurable") == "Would flag no goal"
    assert rule_tally(html, "vague_words") == "Flags 1 goal"


# The as-you-type check ---------------------------------------------------------------------------


def check(client, product, **data):
    response = client.post(url(product, "quality-check"), data, **HTMX)
    assert response.status_code == 200
    return response.content.decode().strip()


def test_the_quality_check_gives_advice_on_what_was_typed(team, chain, browser_client):
    client = browser_client(team.member)
    html = check(client, team.product, level="user", title="Launch the meal planner")
    assert "Output, not outcome" in html
    assert "“Launch” describes an output" in html
    assert "Name the change you want to see" in html  # the suggestion
    assert check(client, team.product, level="user", title="Plan meals in 10 minutes") == ""


def test_the_quality_check_reads_draft_key_results_of_a_proposal_form(team, chain, browser_client):
    client = browser_client(team.member)
    data = {
        "level": "product",
        "title": "Plan meals in 10 minutes",
        "key_results-0-title": "Weekly planners",
        "key_results-0-baseline": "",
        "key_results-0-target": "500",
        "key_results-1-title": "",
    }
    html = check(client, team.product, **data)
    assert "Key result “Weekly planners” has no baseline" in html


def test_the_quality_check_reads_prefixed_forms(team, chain, browser_client):
    client = browser_client(team.member)
    sprint = {"p7-title": "Faster scanning", "p7-confidence": "2"}
    html = check(client, team.product, level="sprint", prefix="p7", **sprint)
    assert "Vague words" in html and "Stretch sprint goal" in html
    proposal = {
        "new-title": "Plan meals in 10 minutes",
        "new-key_results-0-title": "Weekly planners",
        "new-key_results-0-target": "500",
        "title": "Make it better",  # another form on the page: not this one
    }
    html = check(client, team.product, level="product", prefix="new", **proposal)
    assert "Key result “Weekly planners” has no baseline" in html
    assert "Vague words" not in html


def test_the_quality_check_counts_a_saved_goals_key_results(team, chain, browser_client):
    client = browser_client(team.member)
    goal = chain.product_goal
    html = check(client, team.product, level="product", goal=goal.pk, title="Improve planning")
    assert html == ""  # the saved goal has a key result: "improve" is measured
    html = check(client, team.product, level="product", title="Improve planning")
    assert "Vague words" in html


def test_the_quality_check_counts_the_goal_being_edited_once(team, chain, browser_client):
    team.product.max_live_product_goals = 1
    team.product.save()
    client = browser_client(team.member)
    goal = chain.product_goal
    assert check(client, team.product, level="product", goal=goal.pk, title=goal.title) == ""
    html = check(client, team.product, level="product", title="A second one in 10 days")
    assert "2 product goals are live at once" in html


def test_the_quality_check_gives_timeframe_advice_on_typed_dates(team, chain, browser_client):
    client = browser_client(team.member)
    draft = {"level": "product", "title": "Plan meals in 10 minutes", "starts_on": "2026-03-02"}
    html = check(client, team.product, ends_on="2028-03-02", **draft)
    assert 'data-code="timeframe"' in html and "Unusual timeframe" in html
    assert "A product goal usually spans two to six months; this one spans 2 years." in html
    assert check(client, team.product, ends_on="2026-05-04", **draft) == ""


def test_the_quality_check_leaves_a_refused_sprint_timeframe_to_the_rule(
    team, chain, browser_client
):
    html = check(
        browser_client(team.member),
        team.product,
        level="sprint",
        title="Scan the fridge in 10 seconds",
        starts_on="2026-03-02",
        ends_on="2026-05-11",  # ten weeks: the form refuses it
    )
    assert html == ""


def test_the_quality_check_ignores_what_does_not_parse_yet(team, chain, browser_client):
    html = check(
        browser_client(team.member),
        team.product,
        level="vision",
        title="Families eat well",
        starts_on="2026-02-3",
        ends_on="20",
        confidence="many",
    )
    assert html == ""
    assert check(browser_client(team.member), team.product, level="nonsense", title="x") == ""


def test_the_quality_check_hides_other_products_goals(team, chain, browser_client):
    other = make_goal(ProductFactory(), Level.PRODUCT, title="Theirs")
    response = browser_client(team.member).post(
        url(team.product, "quality-check"), {"level": "product", "goal": other.pk, "title": "x"}
    )
    assert response.status_code == 404
    assert browser_client(team.outsider).post(url(team.product, "quality-check")).status_code == 404


def test_every_goal_form_carries_the_quality_check(team, chain, browser_client):
    client = browser_client(team.member)
    check_url = f'hx-post="/products/{team.product.pk}/quality-check/"'
    goal_page = client.get(f"/goals/{chain.user_goal.pk}/").content.decode()
    assert check_url in goal_page
    assert f'"level": "user", "goal": "{chain.user_goal.pk}"' in goal_page
    add_form = client.get(
        f"/products/{team.product.pk}/goals/new/",
        {"level": "product", "parent": chain.user_goal.pk, "slot": "1"},
        **HTMX,
    ).content.decode()
    assert check_url in add_form
    assert "input from:closest form" in add_form
    new_page = client.get(f"/products/{team.product.pk}/goals/new/", {"level": "vision"})
    assert check_url in new_page.content.decode()


def test_the_goal_page_shows_quality_findings_with_suggestions(team, chain, browser_client):
    goal = make_goal(team.product, Level.USER, chain.vision, title="Launch the app by May")
    html = browser_client(team.member).get(f"/goals/{goal.pk}/").content.decode()
    assert "“Launch” describes an output" in html
    assert '<span class="finding-suggestion">Name the change you want to see' in html


def test_the_goal_page_warns_once_about_a_low_confidence_sprint_goal(team, chain, browser_client):
    chain.sprint_goal.confidence = 1
    chain.sprint_goal.save()
    html = browser_client(team.member).get(f"/goals/{chain.sprint_goal.pk}/").content.decode()
    start = html.index('id="health-title"')
    box = html[start : html.index("</section>", start)]
    assert box.count("confidence in") == 1
    assert "is 1 of 5: talk about what would make it realistic" in box
    assert "Stretch is for the vision." in box  # the sprint rule's suggestion, said once


# Product Vision Board --------------------------------------------------------------------------


def test_the_vision_board_shows_the_chain_and_the_products_own_boxes(team, chain, browser_client):
    team.product.target_group = "Busy parents\nStudents who cook"
    team.product.needs = "Less time planning"
    team.product.save()
    html = browser_client(team.stakeholder).get(url(team.product, "vision-board")).content.decode()
    for text in [
        "Every family eats well without thinking about it",
        "<li>Busy parents</li>",
        "<li>Students who cook</li>",
        "<li>Less time planning</li>",
        "Families plan a week of meals in 10 minutes",  # a user goal, under the needs
        "Earn 2 M EUR a year from subscriptions",  # a business goal
        "Measure of Earn 2 M EUR a y",  # with its key result
    ]:
        assert text in html
    assert 'name="target_group"' not in html  # stakeholders read


def test_a_leader_edits_the_vision_board(team, chain, browser_client):
    client = browser_client(team.leader)
    data = {
        "target_group": "Busy parents",
        "needs": "Plan meals fast",
        "product_summary": "A planner that knows your fridge",
        "version": str(team.product.version),
    }
    response = client.post(url(team.product, "vision-board"), data)
    assert response.status_code == 302
    team.product.refresh_from_db()
    assert team.product.product_summary == "A planner that knows your fridge"
    assert "A planner that knows your fridge" in client.get(response["Location"]).content.decode()


def test_the_vision_board_keeps_a_stale_edit_for_the_leader(team, chain, browser_client):
    stale = team.product.version
    Product.objects.filter(pk=team.product.pk).update(version=stale + 1, needs="Theirs")
    data = {"target_group": "Mine", "needs": "Mine too", "version": str(stale)}
    response = browser_client(team.leader).post(url(team.product, "vision-board"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else saved the board" in html
    assert "Mine too</textarea>" in html
    team.product.refresh_from_db()
    assert team.product.needs == "Theirs"


def test_the_vision_board_refuses_a_box_too_long(team, chain, browser_client):
    data = {"needs": "x" * 5001, "version": str(team.product.version)}
    response = browser_client(team.leader).post(url(team.product, "vision-board"), data)
    assert response.status_code == 400
    assert "Keep it under 5,000 characters." in response.content.decode()


@pytest.mark.parametrize("role", ["member", "stakeholder"])
def test_only_leaders_edit_the_vision_board(team, chain, browser_client, role):
    response = browser_client(getattr(team, role)).post(
        url(team.product, "vision-board"), {"needs": "Mine"}
    )
    assert response.status_code == 403


# GO roadmap ------------------------------------------------------------------------------------


def test_the_roadmap_puts_product_goals_on_a_timeline_with_their_columns(
    team, chain, browser_client
):
    html = browser_client(team.member).get(url(team.product, "roadmap")).content.decode()
    bar = re.search(rf'<svg class="bar[^>]*data-goal="{chain.product_goal.pk}"[^>]*>', html)
    assert bar is not None
    assert re.search(r'x="[\d.]+%"', bar.group(0)) and re.search(r'width="[\d.]+%"', bar.group(0))
    assert 'role="slider"' in html  # the team can drag its edges
    column = html[html.index(f'id="go-name-{chain.product_goal.pk}"') - 600 :]
    column = column[: column.index("</li>\n")]
    for text in ["Date", "Name", "Goal", "Features", "Metrics"]:
        assert f'<p class="go-label">{text}</p>' in column
    assert "Families plan a week of meals" in html  # the goal it serves
    assert "Scan the fridge" in html  # its sprint goal, a feature
    assert "Measure of Fridge-aware" in html  # its key result, a metric


def test_the_roadmap_legend_names_how_every_status_is_drawn(team, chain, browser_client):
    html = browser_client(team.member).get(url(team.product, "roadmap")).content.decode()
    legend = re.search(r'<p class="timeline-legend".*?</p>', html, re.S).group(0)
    for words in ("agreed", "draft or proposed", "achieved", "missed or dropped", "today"):
        assert f"</span>{words}</span>" in legend
    # Missed and dropped bars are drawn grey (.status-bar-missed, -dropped): that key too.
    assert 'class="legend-key legend-closed"' in legend


def test_the_roadmap_is_read_only_for_stakeholders(team, chain, browser_client):
    html = browser_client(team.stakeholder).get(url(team.product, "roadmap")).content.decode()
    assert 'role="slider"' not in html
    assert "roadmap.js" not in html


def test_the_roadmap_leaves_long_ended_goals_out_unless_asked(team, chain, browser_client):
    start = today() - timedelta(days=300)
    old = make_goal(
        team.product,
        Level.PRODUCT,
        chain.user_goal,
        title="Old news",
        starts_on=start,
        ends_on=start + timedelta(days=90),
    )
    client = browser_client(team.member)
    html = client.get(url(team.product, "roadmap")).content.decode()
    assert "Old news" not in html
    assert "1 product goal ended more than three months ago" in html
    assert (
        f'data-goal="{old.pk}"'
        in client.get(url(team.product, "roadmap") + "?all=1").content.decode()
    )


def move(client, product, goal, **data):
    return client.post(f"/products/{product.pk}/roadmap/{goal.pk}/timeframe/", data)


def test_dragging_an_edge_changes_the_timeframe(team, chain, browser_client):
    goal = chain.product_goal
    Goal.objects.filter(pk=goal.pk).update(status=Status.DRAFT)
    ends = goal.ends_on + timedelta(days=14)
    response = move(
        browser_client(team.member),
        team.product,
        goal,
        starts_on=goal.starts_on.isoformat(),
        ends_on=ends.isoformat(),
        version=goal.version,
    )
    assert response.status_code == 200
    body = response.json()["goal"]
    assert body["ends_on"] == ends.isoformat()
    assert body["version"] == goal.version + 1
    goal.refresh_from_db()
    assert goal.ends_on == ends


def test_an_agreed_goal_needs_a_reason_to_move(team, chain, browser_client):
    goal = chain.product_goal
    client = browser_client(team.member)
    data = {
        "starts_on": goal.starts_on.isoformat(),
        "ends_on": (goal.ends_on + timedelta(days=7)).isoformat(),
        "version": goal.version,
    }
    response = move(client, team.product, goal, **data)
    assert response.status_code == 400
    assert "say why" in response.json()["errors"]["change_reason"][0]
    response = move(client, team.product, goal, change_reason="The supplier is late", **data)
    assert response.status_code == 200
    assert GoalChange.objects.filter(goal=goal, reason="The supplier is late").exists()


def test_a_stale_drag_is_refused_with_the_goal_as_it_is_now(team, chain, browser_client):
    goal = chain.product_goal
    Goal.objects.filter(pk=goal.pk).update(version=goal.version + 1)
    response = move(
        browser_client(team.member),
        team.product,
        goal,
        starts_on=goal.starts_on.isoformat(),
        ends_on=(goal.ends_on + timedelta(days=7)).isoformat(),
        version=goal.version,
        change_reason="Later",
    )
    assert response.status_code == 409
    body = response.json()
    assert "version" in body["errors"]
    assert body["goal"]["version"] == goal.version + 1
    assert body["goal"]["ends_on"] == goal.ends_on.isoformat()
    goal.refresh_from_db()
    assert goal.ends_on == chain.product_goal.ends_on


def test_a_drag_with_bad_dates_is_refused(team, chain, browser_client):
    goal = chain.product_goal
    client = browser_client(team.member)
    response = move(client, team.product, goal, starts_on="soon", ends_on="", version=goal.version)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"starts_on", "ends_on"}
    response = move(
        client,
        team.product,
        goal,
        starts_on=goal.ends_on.isoformat(),
        ends_on=goal.starts_on.isoformat(),
        version=goal.version,
        change_reason="x",
    )
    assert response.status_code == 400
    assert "after the start date" in response.json()["errors"]["ends_on"][0]


def test_only_the_team_drags_and_only_product_goals_of_this_product(team, chain, browser_client):
    goal = chain.product_goal
    data = {"starts_on": "2026-01-01", "ends_on": "2026-03-01", "version": goal.version}
    assert move(browser_client(team.stakeholder), team.product, goal, **data).status_code == 403
    assert move(browser_client(team.outsider), team.product, goal, **data).status_code == 404
    client = browser_client(team.member)
    assert move(client, team.product, chain.sprint_goal, **data).status_code == 404
    elsewhere = ProductFactory(organization=team.product.organization)
    assert move(client, elsewhere, goal, **data).status_code == 404


# Sprint goal board -------------------------------------------------------------------------------


def test_the_sprint_board_shows_current_and_recent_sprint_goals(team, chain, browser_client):
    start = today() - timedelta(days=30)
    ended = make_goal(
        team.product,
        Level.SPRINT,
        chain.product_goal,
        title="Import recipes",
        status=Status.AGREED,
        starts_on=start,
        ends_on=start + timedelta(days=14),
        confidence=2,
        sprint_verdict=SprintVerdict.MET,
    )
    make_goal(
        team.product,
        Level.SPRINT,
        chain.product_goal,
        title="Share lists",
        status=Status.AGREED,
        starts_on=start - timedelta(days=14),
        ends_on=start,
        sprint_verdict=SprintVerdict.NOT_MET,
    )
    make_goal(
        team.product,
        Level.SPRINT,
        chain.product_goal,
        title="Long ago",
        starts_on=start - timedelta(days=200),
        ends_on=start - timedelta(days=186),
    )
    chain.sprint_goal.confidence = 4
    chain.sprint_goal.save()
    html = browser_client(team.stakeholder).get(url(team.product, "sprints")).content.decode()
    now = html[html.index('id="current-title"') : html.index('id="recent-title"')]
    assert "Scan the fridge" in now and "Fridge-aware weekly planner" in now
    assert "4 of 5" in now
    recent = html[html.index('id="recent-title"') :]
    assert recent.index("Import recipes") < recent.index("Share lists")  # latest first
    assert '<span class="verdict verdict-met">Met</span>' in recent
    assert '<span class="verdict verdict-not-met">Not met</span>' in recent
    assert "a stretch" in recent  # confidence 2 on "Import recipes"
    assert "Long ago" not in html
    assert "1 of 2</strong> recent sprint goals with a verdict were met" in html
    assert f'href="/goals/{ended.pk}/"' in html


def test_the_sprint_board_shows_a_dash_until_the_verdict_is_given(team, chain, browser_client):
    html = browser_client(team.member).get(url(team.product, "sprints")).content.decode()
    assert '<span class="verdict verdict-none" title="No verdict yet">—' in html


# Portfolio ----------------------------------------------------------------------------------------


def test_the_portfolio_shows_each_products_vision_health_progress_and_overdue_reviews(
    team, chain, browser_client
):
    org = team.product.organization
    org.business_strategy_html = "<p>Grow in <strong>Europe</strong></p>"
    org.save()
    Goal.objects.filter(pk=chain.vision.pk).update(progress=42)
    Goal.objects.filter(pk=chain.user_goal.pk).update(next_review_on=today() - timedelta(days=2))
    second = ProductFactory(organization=org, name="Recipe box")
    make_goal(second, Level.USER, title="Cook more")
    HealthSnapshot.objects.create(product=team.product, day=today() - timedelta(days=6), score=50)
    html = browser_client(team.member).get(f"/organizations/{org.pk}/portfolio/").content.decode()
    assert "Grow in <strong>Europe</strong>" in html
    row = html[html.index(f'href="/products/{team.product.pk}/"') :]
    row = row[: row.index("</tr>")]
    assert "Every family eats well without thinking about it" in row
    assert '<progress max="100" value="42"' in row
    assert f'href="/products/{team.product.pk}/health/"' in row
    assert '<span class="overdue">1</span>' in row
    score = int(re.search(r'class="score-number">(\d+)<', row).group(1))
    assert f"+{score - 50}" in row
    other = html[html.index(f'href="/products/{second.pk}/"') :]
    assert "no vision yet" in other[: other.index("</tr>")]


def test_the_portfolio_is_for_the_organisations_members_only(team, chain, browser_client):
    org = team.product.organization
    assert (
        browser_client(team.outsider).get(f"/organizations/{org.pk}/portfolio/").status_code == 404
    )
    viewer = OrganizationMembershipFactory(organization=org).user
    assert browser_client(viewer).get(f"/organizations/{org.pk}/portfolio/").status_code == 200


# Queries ------------------------------------------------------------------------------------------


def big_chain(team, size: int) -> None:
    """`size` goals with owners, dates and key results; a third of the sprints ended a month
    ago with a verdict, and a few goals are overdue for review."""
    build_chain(team.product, size, team.member)
    sprints = list(
        Goal.objects.filter(product=team.product, level=Level.SPRINT).values_list("pk", flat=True)
    )
    start = today() - timedelta(days=30)
    Goal.objects.filter(pk__in=sprints[::3]).update(
        starts_on=start, ends_on=start + timedelta(days=14), sprint_verdict=SprintVerdict.MET
    )
    Goal.objects.filter(product=team.product, level=Level.USER).update(
        next_review_on=today() - timedelta(days=1)
    )
    for days_ago in range(1, 8):
        HealthSnapshot.objects.create(
            product=team.product, day=today() - timedelta(days=days_ago), score=60 + days_ago
        )


@pytest.mark.parametrize("size", [5, 300])
@pytest.mark.parametrize(
    ("page", "queries"),
    [
        # 1 session, 2 user (with the menu's unread count), 3 the product with my roles,
        # 4 the chain's signature; load_chain: 5 goals, 6 links, 7 key results, 8 owners;
        # 9 the health snapshots.
        ("health", 9),
        # 1-3 as above; 4 the vision, user and business goals, 5 their key results.
        ("vision-board", 5),
        # 1-3 as above, 4 the chain's signature; load_chain: 5 goals, 6 links, 7 key
        # results, 8 owners.
        ("roadmap", 8),
        # 1-3 as above; 4 the sprint goals with owners, 5 the product goals they serve.
        ("sprints", 5),
    ],
)
def test_each_board_reads_in_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, size, page, queries
):
    big_chain(team, size)
    client = browser_client(team.leader)
    with django_assert_num_queries(queries):
        response = client.get(url(team.product, page))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 300])
def test_the_health_page_counts_rules_switched_off_without_more_queries(
    team, browser_client, django_assert_num_queries, size
):
    big_chain(team, size)
    team.product.quality_rules_off = ["vague_words", "not_measurable", "business_without_user"]
    team.product.save()
    client = browser_client(team.leader)
    with django_assert_num_queries(9):  # as with every rule on
        response = client.get(url(team.product, "health"))
    assert 'id="rule-finds-vague_words">' in response.content.decode()


@pytest.mark.parametrize("products", [1, 12])
@pytest.mark.parametrize("size", [5, 300])
def test_the_portfolio_reads_in_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, products, size
):
    big_chain(team, size)
    org = team.product.organization
    for n in range(products - 1):
        other = ProductFactory(organization=org)
        make_goal(other, Level.VISION, title=f"Vision {n}")
    client = browser_client(team.member)
    # 1 session, 2 user (with the menu's unread count), 3 the organisation with my role,
    # 4 its products with my roles; 5 their goals, 6 links, 7 key results; 8 last week's
    # health snapshots.
    with django_assert_num_queries(8):
        response = client.get(f"/organizations/{org.pk}/portfolio/")
    assert response.status_code == 200
    assert response.content.decode().count('class="portfolio-product"') == products


@pytest.mark.parametrize("size", [5, 300])
def test_the_quality_check_reads_in_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, size
):
    big_chain(team, size)
    goal = Goal.objects.filter(product=team.product, level=Level.PRODUCT).first()
    client = browser_client(team.member)
    # 1 session, 2 user, 3 the product with my roles, 4 the goal being edited with my
    # roles, 5 its key results, 6 the product's open goals counted by level.
    with django_assert_num_queries(6):
        check(client, team.product, level="product", goal=goal.pk, title="Improve planning")


def test_key_results_of_other_goals_do_not_count(team, chain, browser_client):
    KeyResultFactory(goal=chain.user_goal, owner=team.member, baseline=Decimal(1))
    html = check(browser_client(team.member), team.product, level="business", title="Better")
    assert "Vague words" in html
