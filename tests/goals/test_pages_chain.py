"""The product chain page: the tree from vision to sprint goals, health, filters, add in place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
import time_machine
from django.db.models import F
from django.utils import timezone, translation
from django.utils.html import escape

from goals.models import Goal, Insight, Level, SprintVerdict, Status, User
from goals.selectors.chain import load_chain
from goals.views.tree import badges
from tests.factories import GoalFactory, KeyResultFactory, OrganizationMembershipFactory, link
from tests.goals.pages import build_chain, chain_url

HTMX = {"HTTP_HX_REQUEST": "true"}


def new_goal_url(product) -> str:
    return f"/products/{product.pk}/goals/new/"


def node(title: str) -> str:
    """How a goal's title shows in the tree (the health list names goals too)."""
    return f">{title}</a></h3>"


@pytest.mark.parametrize("role", ["leader", "member", "stakeholder", "org_admin"])
def test_it_shows_the_chain_to_every_role(team, chain, browser_client, role):
    response = browser_client(getattr(team, role)).get(chain_url(team.product))
    assert response.status_code == 200
    html = response.content.decode()
    for goal in chain.values():
        assert goal.title in html


def test_it_shows_the_strategies_above_the_chain(team, chain, browser_client):
    org = team.product.organization
    org.business_strategy_html = "<p>Grow in <strong>Europe</strong></p>"
    org.save()
    team.product.portfolio_strategy_html = "<p>Lead with mobile</p>"
    team.product.save()
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    assert html.index("Grow in <strong>Europe</strong>") < html.index("Lead with mobile")
    assert html.index("Lead with mobile") < html.index("Healthy lives")


def test_it_shows_a_product_goal_under_each_goal_it_serves(team, chain, browser_client):
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    assert html.count(">Fridge planner</a>") == 2
    assert html.count(">Scan the fridge</a>") == 2
    # Only the first appearance carries the goal's anchor, so ids stay unique.
    assert html.count(f'id="goal-{chain["shared"].pk}"') == 1


def test_it_lists_orphans_in_their_own_section(team, chain, browser_client):
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    orphans = html.index("Not linked into the chain")
    assert html.index(">Recipe import</a></h3>") > orphans


def test_it_shows_status_owner_timeframe_and_progress(team, chain, browser_client):
    shared = chain["shared"]
    shared.owner = team.member
    shared.status = Status.AGREED
    shared.starts_on, shared.ends_on = date(2026, 1, 5), date(2026, 4, 30)
    shared.save()
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    assert "Tom Team" in html
    assert "5 Jan 2026" in html and "30 Apr 2026" in html
    assert '<progress max="100" value="40"' in html
    assert "status-agreed" in html
    assert 'style="' not in html  # the CSP forbids inline styles


def test_it_shows_health_badges_with_friendly_labels_and_messages(team, chain, browser_client):
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    assert "No key results" in html
    assert "Not linked" in html
    assert "has no key results: add one with a baseline" in html  # the finding's message
    assert "no_key_results" not in html.replace("badge-no_key_results", "")


def test_it_lists_every_finding_linked_to_its_goal_in_its_own_words(team, chain, browser_client):
    """The "things to look at" list: an item a finding, its badge, and its message linked to
    its goal (a finding about the whole chain is not linked), the title escaped."""
    chain["shared"].title = 'Fridge <planner> & "friends"'
    chain["shared"].save()
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()

    findings = load_chain(team.product).findings
    listed = html.split('<ul class="findings">')[1].split("</ul>")[0]
    items = [line.strip() for line in listed.splitlines() if line.strip()]
    assert f"{len(findings)} things to look at" in html
    assert len(items) == len(findings) > 1
    for item, finding, badge in zip(items, findings, badges(findings), strict=True):
        message = escape(finding.message)
        shown = f'<a href="/goals/{finding.goal}/">{message}</a>' if finding.goal else message
        assert (
            item
            == f'<li><span class="badge badge-{finding.code}">{badge.label}</span> {shown}</li>'
        )
    assert "Fridge &lt;planner&gt; &amp; &quot;friends&quot;" in listed
    assert "<planner>" not in html


def test_it_filters_by_level_and_keeps_the_goals_above_as_context(team, chain, browser_client):
    html = (
        browser_client(team.member)
        .get(chain_url(team.product), {"level": "sprint"})
        .content.decode()
    )
    assert node("Scan the fridge") in html
    assert node("Fridge planner") in html  # context: the sprint goal serves it
    assert node("Recipe import") not in html
    assert "Showing 1 of 6 goals" in html


def test_it_filters_by_status(team, chain, browser_client):
    Goal.objects.filter(pk=chain["user"].pk).update(status=Status.AGREED)
    html = (
        browser_client(team.member)
        .get(chain_url(team.product), {"status": "agreed"})
        .content.decode()
    )
    assert node("Plan meals fast") in html
    assert node("Paying households") not in html


def test_it_ignores_unknown_filter_values(team, chain, browser_client):
    response = browser_client(team.member).get(chain_url(team.product), {"level": "nonsense"})
    assert response.status_code == 200
    assert node("Recipe import") in response.content.decode()


def test_it_collapses_branches_with_details_and_summary(team, chain, browser_client):
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    assert '<details class="branch" open>' in html
    assert "2 product goals" in html or "1 product goal" in html


def test_it_offers_add_buttons_only_for_allowed_child_levels(team, chain, browser_client):
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    vision = chain["vision"].pk
    assert f"?level=user&amp;parent={vision}" in html
    assert f"?level=business&amp;parent={vision}" in html
    assert f"?level=product&amp;parent={chain['user'].pk}" in html
    assert f"?level=sprint&amp;parent={chain['shared'].pk}" in html
    assert f"parent={chain['sprint'].pk}" not in html  # sprint goals end the chain


def test_it_is_read_only_for_stakeholders_and_viewers(team, chain, browser_client):
    html = browser_client(team.stakeholder).get(chain_url(team.product)).content.decode()
    assert "/goals/new/" not in html
    assert "hx-post" not in html


def test_it_refuses_adding_goals_to_stakeholders(team, chain, browser_client):
    client = browser_client(team.stakeholder)
    data = {"level": "sprint", "parent": chain["shared"].pk, "title": "Sneaky"}
    assert client.post(new_goal_url(team.product), data, **HTMX).status_code == 403
    assert client.get(new_goal_url(team.product), {"level": "sprint"}).status_code == 403
    assert not Goal.objects.filter(title="Sneaky").exists()


def test_it_hides_another_organisations_product(team, chain, browser_client):
    client = browser_client(team.outsider)
    assert client.get(chain_url(team.product)).status_code == 404
    assert (
        client.post(new_goal_url(team.product), {"level": "vision", "title": "x"}).status_code
        == 404
    )


def test_it_answers_404_for_an_unknown_product(team, browser_client):
    assert browser_client(team.leader).get("/products/999999/").status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(team, client):
    response = client.get(chain_url(team.product))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_it_renders_the_add_form_in_place_for_htmx(team, chain, browser_client):
    parent = chain["shared"]
    response = browser_client(team.member).get(
        new_goal_url(team.product),
        {"level": "sprint", "parent": parent.pk, "slot": f"1-{parent.pk}"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # just the partial
    assert 'name="level" value="sprint"' in html
    assert f'name="parent" value="{parent.pk}"' in html
    assert f'id="new-1-{parent.pk}-title"' in html
    assert "New sprint goal" in html


def test_it_renders_the_add_form_as_a_page_without_htmx(team, chain, browser_client):
    response = browser_client(team.member).get(
        new_goal_url(team.product), {"level": "user", "parent": chain["vision"].pk}
    )
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert "Add a user goal" in response.content.decode()


def test_it_adds_a_child_in_place_and_redraws_the_chain(team, chain, browser_client):
    parent = chain["shared"]
    response = browser_client(team.member).post(
        new_goal_url(team.product),
        {
            "level": "sprint",
            "parent": parent.pk,
            "title": "Suggest three recipes",
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-16",
            "confidence": "4",
            "owner": team.member.pk,
            "slot": f"{chain['vision'].pk}-{parent.pk}",
        },
        HTTP_HX_CURRENT_URL=f"http://testserver{chain_url(team.product)}",
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#chain"
    assert response["HX-Reswap"] == "outerHTML"
    goal = Goal.objects.get(title="Suggest three recipes")
    assert goal.level == Level.SPRINT
    assert list(goal.parents.all()) == [parent]
    assert goal.confidence == 4
    assert goal.owner == team.member
    html = response.content.decode()
    assert html.strip().startswith('<div id="chain"')
    assert node("Suggest three recipes") in html
    assert "data-focus" in html
    assert "“Suggest three recipes” was added to the chain." in html


def test_it_sends_the_add_page_to_the_chain_with_a_confirmation(team, chain, browser_client):
    """The add form on a page of its own has no chain to redraw: htmx loads the chain."""
    client = browser_client(team.member)
    response = client.post(
        new_goal_url(team.product),
        {"level": "user", "parent": chain["vision"].pk, "title": "Cook with kids"},
        HTTP_HX_CURRENT_URL=f"http://testserver{new_goal_url(team.product)}?level=user",
        **HTMX,
    )
    goal = Goal.objects.get(title="Cook with kids")
    assert response.status_code == 200
    assert "HX-Retarget" not in response
    assert response["HX-Redirect"] == f"{chain_url(team.product)}#goal-{goal.pk}"
    html = client.get(chain_url(team.product)).content.decode()
    assert "“Cook with kids” was added to the chain." in html


def test_it_offers_every_goal_one_level_up_as_a_checkbox(team, chain, browser_client):
    response = browser_client(team.member).get(
        new_goal_url(team.product), {"level": "product", "parent": chain["user"].pk}
    )
    html = response.content.decode()
    assert "<select" not in html.split('class="field field-parent')[1].split("</fieldset>")[0]
    assert html.count('type="checkbox" name="parent"') == 2
    assert f'name="parent" value="{chain["user"].pk}" id="id_parent_0_0" checked' in html
    assert f'name="parent" value="{chain["business"].pk}" id="id_parent_1_0">' in html
    assert html.index("<legend>User goals</legend>") < html.index("<legend>Business goals</legend>")
    assert "<span>Plan meals fast</span>" in html


def test_it_adds_a_product_goal_serving_every_goal_ticked(team, chain, browser_client):
    browser_client(team.member).post(
        new_goal_url(team.product),
        {
            "level": "product",
            "parent": [chain["user"].pk, chain["business"].pk],
            "title": "Shared shopping list",
        },
    )
    goal = Goal.objects.get(title="Shared shopping list")
    assert set(goal.parents.all()) == {chain["user"], chain["business"]}


def test_it_offers_a_sprint_goal_radio_buttons_for_its_one_product_goal(
    team, chain, browser_client
):
    html = (
        browser_client(team.member)
        .get(new_goal_url(team.product), {"level": "sprint", "parent": chain["shared"].pk})
        .content.decode()
    )
    assert 'type="checkbox"' not in html
    assert f'type="radio" name="parent" value="{chain["shared"].pk}"' in html
    assert 'type="radio" name="parent" value="' in html
    assert "Not linked yet" in html


def test_it_shows_why_a_goal_cannot_serve_another_under_serves(team, chain, browser_client):
    Goal.objects.filter(pk=chain["business"].pk).update(status=Status.DROPPED)
    response = browser_client(team.member).post(
        new_goal_url(team.product),
        {"level": "product", "parent": chain["business"].pk, "title": "For a dropped goal"},
        **HTMX,
    )
    html = response.content.decode()
    serves = html[html.index('class="field field-parent') : html.index("field-starts_on")]
    assert 'class="errorlist' in serves
    assert "dropped" in serves
    assert 'class="form-errors"' not in html
    assert not Goal.objects.filter(title="For a dropped goal").exists()


def test_it_refuses_a_goal_to_serve_that_is_not_one_level_up(team, chain, browser_client):
    response = browser_client(team.member).post(
        new_goal_url(team.product),
        {"level": "product", "parent": chain["sprint"].pk, "title": "Upside down"},
    )
    assert response.status_code == 400
    assert "Choose among the goals one level up in this product." in response.content.decode()
    assert not Goal.objects.filter(title="Upside down").exists()


def test_it_offers_the_vision_a_description(team, browser_client):
    client = browser_client(team.leader)
    html = client.get(new_goal_url(team.product), {"level": "vision"}).content.decode()
    assert 'name="description"' in html
    assert 'name="parent"' not in html
    client.post(
        new_goal_url(team.product),
        {"level": "vision", "title": "Healthy lives", "description": "Everyone *eats* well."},
    )
    assert Goal.objects.get(title="Healthy lives").description == "Everyone *eats* well."


def test_it_keeps_the_page_filters_when_redrawing(team, chain, browser_client):
    response = browser_client(team.member).post(
        new_goal_url(team.product),
        {"level": "sprint", "parent": chain["shared"].pk, "title": "Only sprints shown"},
        HTTP_HX_CURRENT_URL=f"http://testserver{chain_url(team.product)}?level=sprint",
        **HTMX,
    )
    html = response.content.decode()
    assert node("Only sprints shown") in html
    assert node("Recipe import") not in html


def test_it_adds_a_goal_without_htmx_and_redirects_to_it(team, chain, browser_client):
    response = browser_client(team.member).post(
        new_goal_url(team.product),
        {"level": "user", "parent": chain["vision"].pk, "title": "Cook with kids"},
    )
    goal = Goal.objects.get(title="Cook with kids")
    assert response.status_code == 302
    assert response["Location"] == f"{chain_url(team.product)}#goal-{goal.pk}"


def test_it_shows_an_inline_error_for_a_sprint_longer_than_four_weeks(team, chain, browser_client):
    response = browser_client(team.member).post(
        new_goal_url(team.product),
        {
            "level": "sprint",
            "parent": chain["shared"].pk,
            "title": "Too long",
            "starts_on": "2026-03-02",
            "ends_on": "2026-04-20",
            "slot": "7",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200  # htmx: the form with its errors is the new content
    assert "HX-Retarget" not in response
    assert "A sprint goal spans one to four weeks" in html
    assert 'id="new-7-ends_on_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="new-7-ends_on_error"' in html
    assert 'value="Too long"' in html  # nothing typed is lost
    assert not Goal.objects.filter(title="Too long").exists()


def test_it_shows_a_missing_title_under_the_title(team, chain, browser_client):
    response = browser_client(team.member).post(
        new_goal_url(team.product),
        {"level": "user", "parent": chain["vision"].pk, "title": "  "},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_title_error"' in html
    assert "Give the goal a title." in html


def test_it_shows_a_second_vision_as_a_form_error(team, chain, browser_client):
    response = browser_client(team.member).post(
        new_goal_url(team.product), {"level": "vision", "title": "Another"}, **HTMX
    )
    assert response.status_code == 200
    assert "already has a vision" in response.content.decode()


def test_it_invites_an_empty_product_to_start_with_its_vision(team, browser_client):
    html = browser_client(team.leader).get(chain_url(team.product)).content.decode()
    assert "Start with the vision" in html
    assert "?level=vision" in html


def test_it_folds_sprint_goals_in_a_big_chain(team, browser_client):
    build_chain(team.product, 100)
    html = browser_client(team.member).get(chain_url(team.product)).content.decode()
    assert '<details class="branch">' in html  # product goals' sprint branches start folded
    assert "Expand all" in html


@pytest.mark.parametrize("size", [5, 500])
def test_it_reads_the_chain_in_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, size
):
    goals = build_chain(team.product, size)
    KeyResultFactory(goal=goals[1], owner=team.member)
    KeyResultFactory(goal=goals[-1], owner=team.member)
    client = browser_client(team.member)
    # 1 session, 2 user, 3 product with my roles, 4 the chain's signature, then load_chain:
    # 5 goals, 6 links, 7 key results, 8 their owners; 9 the goals' insight counts.
    with django_assert_num_queries(9):
        response = client.get(chain_url(team.product))
    assert response.status_code == 200
    assert response.content.decode().count('class="node') >= size
    # Read again, the chain this process loaded is kept while its signature holds.
    with django_assert_num_queries(5):
        again = client.get(chain_url(team.product))
    assert again.content.decode().count('class="node') >= size
    # After a write to one goal: 1-4 as above, 5 the goals' versions, 6 the links, 7 the key
    # results' versions, then that goal loaded again: 8 goal, 9 key results, 10 owners;
    # 11 the insight counts.
    _set(goals[-1], title="Written since")
    with django_assert_num_queries(11):
        changed = client.get(chain_url(team.product))
    assert "Written since" in changed.content.decode()


@pytest.mark.parametrize("size", [1, 30])
def test_it_opens_the_add_form_in_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, size
):
    vision = GoalFactory(product=team.product, level=Level.VISION)
    for number in range(size):
        link(GoalFactory(product=team.product, level=Level.USER, title=f"User {number}"), vision)
    client = browser_client(team.member)
    url = f"{new_goal_url(team.product)}?level=product&slot=1"
    # 1 session, 2 user, 3 product with my roles, 4 members (owner choices), 5 the goals
    # to serve, 6 lessons from missed goals of this level.
    with django_assert_num_queries(6):
        response = client.get(url, **HTMX)
    assert response.content.decode().count('type="checkbox" name="parent"') == size


def test_it_answers_400_for_errors_on_the_add_page_without_htmx(team, chain, browser_client):
    response = browser_client(team.member).post(
        new_goal_url(team.product), {"level": "user", "parent": chain["vision"].pk, "title": ""}
    )
    assert response.status_code == 400
    assert "Give the goal a title." in response.content.decode()


def test_it_is_read_only_for_organisation_members_without_a_role(team, chain, browser_client):
    viewer = OrganizationMembershipFactory(organization=team.product.organization).user
    response = browser_client(viewer).get(chain_url(team.product))
    html = response.content.decode()
    assert response.status_code == 200
    assert node("Fridge planner") in html
    assert "/goals/new/" not in html


# A card drawn once is taken as it was while everything it shows is the same
# (goals/templatetags/cards.py): each kind of change must still show on the next read.
def card(html: str, title: str, place: int = 0) -> str:
    """The card of `title`'s `place`-th place in the tree, with its branch's summary."""
    at = -1
    for _ in range(place + 1):
        at = html.index(node(title), at + 1)
    end = html.index("</article>", at)
    if html[end:].removeprefix("</article>").lstrip().startswith("<details"):
        end = html.index("</summary>", end)
    return html[html.rindex("<article", 0, at) : end]


def _set(goal: Goal, **fields: object) -> None:
    """A write past the services that bumps the goal's version, as every write does
    (goals/services/versioning.py): the chain's signature counts versions."""
    Goal.objects.filter(pk=goal.pk).update(version=F("version") + 1, **fields)


def _rename(user: User, name: str) -> None:
    """A rename as the settings page saves it (the signal tells every chain)."""
    user.display_name = name
    user.save(update_fields=["display_name"])


CHANGES: dict[str, tuple[str, Callable[..., None], str]] = {
    "title": ("sprint", lambda t, c: _set(c["sprint"], title="Scan it all"), "Scan it all"),
    "status": ("shared", lambda t, c: _set(c["shared"], status=Status.AGREED), "status-agreed"),
    "owner": ("shared", lambda t, c: _set(c["shared"], owner=t.member), "Tom Team"),
    "owner's name": (
        "vision",
        lambda t, c: _rename(t.leader, "Lea Boss"),
        "Lea Boss",
    ),
    "dates": (
        "shared",
        lambda t, c: _set(c["shared"], starts_on=date(2026, 1, 5), ends_on=date(2026, 4, 30)),
        "5 Jan 2026",
    ),
    "confidence": ("sprint", lambda t, c: _set(c["sprint"], confidence=4), "4/5"),
    "progress": ("shared", lambda t, c: _set(c["shared"], progress=75), 'value="75"'),
    "review date": (
        "shared",
        lambda t, c: _set(
            c["shared"], status=Status.AGREED, next_review_on=timezone.localdate() - timedelta(3)
        ),
        "is-overdue",
    ),
    "sprint verdict": (
        "sprint",
        lambda t, c: _set(c["sprint"], sprint_verdict=SprintVerdict.MET),
        "in 3 days",  # out of the review loop: no review date shown (checked below)
    ),
    "insight": (
        "shared",
        lambda t, c: Insight.objects.create(
            goal=c["shared"], kind="qualitative", summary="Parents plan on Sundays", source="x"
        ),
        "Insights</span> 1",
    ),
    "health": (
        "shared",
        lambda t, c: KeyResultFactory(goal=c["shared"], owner=t.member),
        "No key results",  # a badge that goes
    ),
    "branch": (
        "shared",
        lambda t, c: link(GoalFactory(product=t.product, level=Level.SPRINT), c["shared"]),
        "2 sprint goals",
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_kind_of_change_shows_on_a_card_drawn_before(team, chain, browser_client, change):
    name, write, shown = CHANGES[change]
    # An agreed sprint goal with its owner and review date, whose card has no badge: the
    # badges name the goal, and so change with more than they are about.
    sprint_review = timezone.localdate() + timedelta(3)
    _set(chain["sprint"], status=Status.AGREED, owner=team.member, next_review_on=sprint_review)
    client = browser_client(team.leader)
    before = card(client.get(chain_url(team.product)).content.decode(), chain[name].title)
    assert name != "sprint" or "badges" not in before
    write(team, chain)
    title = Goal.objects.get(pk=chain[name].pk).title
    after = card(client.get(chain_url(team.product)).content.decode(), title)
    if change in ("health", "sprint verdict"):
        assert shown in before and shown not in after
    else:
        assert shown not in before and shown in after


def test_a_later_place_names_the_goal_it_was_first_shown_under_as_it_is_now(
    team, chain, browser_client
):
    client = browser_client(team.leader)
    client.get(chain_url(team.product))
    _set(chain["user"], title="Plan meals in minutes")
    html = client.get(chain_url(team.product)).content.decode()
    assert "Also shown under “Plan meals in minutes”" in card(html, "Fridge planner", 1)


def test_each_reader_sees_the_cards_of_their_own_role_and_day(team, chain, browser_client):
    _set(chain["shared"], status=Status.AGREED, next_review_on=timezone.localdate() + timedelta(3))
    leader = browser_client(team.leader).get(chain_url(team.product)).content.decode()
    assert "+ </span>" not in leader and "button-add" in card(leader, "Fridge planner")
    stakeholder = browser_client(team.stakeholder).get(chain_url(team.product)).content.decode()
    assert "button-add" not in card(stakeholder, "Fridge planner")
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        tomorrow = browser_client(team.stakeholder).get(chain_url(team.product)).content.decode()
    assert card(tomorrow, "Fridge planner") != card(stakeholder, "Fridge planner")
    assert "in 2 days" in card(tomorrow, "Fridge planner")


def test_a_branch_folded_in_a_big_chain_opens_when_the_chain_is_filtered(team, browser_client):
    build_chain(team.product, 100)  # every goal but the vision a draft
    client = browser_client(team.member)
    folded = card(client.get(chain_url(team.product)).content.decode(), "Product goal 0")
    assert '<details class="branch">' in folded
    filtered = client.get(f"{chain_url(team.product)}?status=draft").content.decode()
    assert '<details class="branch" open>' in card(filtered, "Product goal 0")


def test_a_card_drawn_in_one_language_is_not_shown_in_another(team, chain, browser_client):
    _set(chain["shared"], starts_on=date(2026, 3, 2), ends_on=date(2026, 5, 29))
    client = browser_client(team.member)
    english = card(client.get(chain_url(team.product)).content.decode(), "Fridge planner")
    with translation.override("de"):
        german = card(client.get(chain_url(team.product)).content.decode(), "Fridge planner")
    assert "2 Mar 2026" in english
    assert "2 Mär 2026" in german
