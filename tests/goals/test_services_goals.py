"""The chain's firm rules, as the goal services enforce them for pages, the API and workshops."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from rest_framework.test import APIClient

from goals.errors import Conflict, DomainError
from goals.models import Goal, GoalChange, GoalLink, Level, Status
from goals.services.agreement import goal_agreed_by_record
from goals.services.goals import _save_new, goal_create, goal_delete, goal_update
from goals.services.versioning import save_versioned
from tests.conftest import on_postgresql, skip_or_fail
from tests.factories import ProductFactory, UserFactory, add_member, make_chain, make_goal, today


def create(team, level, *parents, **fields):
    fields.setdefault("title", f"A {level} goal")
    return goal_create(
        actor=team.leader, product=team.product, level=level, parents=list(parents), **fields
    )


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.errors


@pytest.fixture
def chain(team):
    return make_chain(team.product)


# Links: exactly one level up, same product, live parents.


def test_it_creates_a_vision_without_parents(team):
    vision = create(team, Level.VISION)
    assert vision.pk is not None
    assert list(vision.parents.all()) == []


def test_it_refuses_a_vision_with_a_parent(team, chain):
    chain.vision.status = Status.DROPPED
    chain.vision.save()
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.VISION, chain.user_goal)
    assert "parents" in errors_of(excinfo)


@pytest.mark.parametrize("level", [Level.USER, Level.BUSINESS])
def test_it_links_user_and_business_goals_to_the_vision(team, chain, level):
    goal = create(team, level, chain.vision)
    assert list(goal.parents.all()) == [chain.vision]


@pytest.mark.parametrize("level", [Level.USER, Level.BUSINESS])
@pytest.mark.parametrize("wrong", ["user_goal", "business_goal", "product_goal", "sprint_goal"])
def test_it_refuses_user_and_business_goals_linked_below_the_vision(team, chain, level, wrong):
    with pytest.raises(DomainError) as excinfo:
        create(team, level, getattr(chain, wrong))
    assert "parents" in errors_of(excinfo)
    assert not Goal.objects.filter(title=f"A {level} goal").exists()


def test_it_links_a_product_goal_to_several_user_and_business_goals(team, chain):
    second_user_goal = make_goal(team.product, Level.USER, chain.vision)
    goal = create(team, Level.PRODUCT, chain.user_goal, chain.business_goal, second_user_goal)
    assert set(goal.parents.all()) == {chain.user_goal, chain.business_goal, second_user_goal}


@pytest.mark.parametrize("wrong", ["vision", "product_goal", "sprint_goal"])
def test_it_refuses_a_product_goal_linked_to_the_wrong_level(team, chain, wrong):
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.PRODUCT, getattr(chain, wrong))
    assert "parents" in errors_of(excinfo)


def test_it_links_a_sprint_goal_to_one_product_goal(team, chain):
    start, end = today(), today() + timedelta(days=14)
    goal = create(team, Level.SPRINT, chain.product_goal, starts_on=start, ends_on=end)
    assert list(goal.parents.all()) == [chain.product_goal]


def test_it_refuses_a_sprint_goal_serving_two_product_goals(team, chain):
    other = make_goal(team.product, Level.PRODUCT, chain.user_goal)
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.SPRINT, chain.product_goal, other)
    assert any("exactly one" in m for m in errors_of(excinfo)["parents"])


def test_it_refuses_a_user_goal_serving_two_visions(team, chain):
    chain.vision.status = Status.DROPPED
    chain.vision.save()
    second = make_goal(team.product, Level.VISION)
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.USER, second, chain.vision)
    assert "parents" in errors_of(excinfo)


@pytest.mark.parametrize("wrong", ["vision", "user_goal", "sprint_goal"])
def test_it_refuses_a_sprint_goal_linked_to_the_wrong_level(team, chain, wrong):
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.SPRINT, getattr(chain, wrong))
    assert "parents" in errors_of(excinfo)


def test_it_refuses_a_parent_from_another_product(team):
    other_product = ProductFactory(organization=team.product.organization)
    foreign_vision = make_goal(other_product, Level.VISION)
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.USER, foreign_vision)
    assert any("another product" in m for m in errors_of(excinfo)["parents"])


def test_it_refuses_a_dropped_parent(team, chain):
    chain.user_goal.status = Status.DROPPED
    chain.user_goal.save()
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.PRODUCT, chain.user_goal)
    assert any("dropped" in m for m in errors_of(excinfo)["parents"])


def test_it_still_edits_and_drops_a_goal_whose_parent_was_dropped_since(team, chain):
    goal_update(actor=team.leader, goal=chain.vision, data={"status": Status.DROPPED})
    goal = goal_update(actor=team.leader, goal=chain.user_goal, data={"confidence": 2})
    assert goal.confidence == 2
    goal = goal_update(actor=team.leader, goal=chain.user_goal, data={"status": Status.DROPPED})
    assert goal.status == Status.DROPPED


def test_it_refuses_to_newly_link_to_a_dropped_parent_next_to_a_kept_one(team, chain):
    dropped = make_goal(team.product, Level.USER, chain.vision, status=Status.DROPPED)
    with pytest.raises(DomainError) as excinfo:
        goal_update(
            actor=team.leader,
            goal=chain.product_goal,
            data={"parents": [chain.user_goal, dropped]},
            change_reason="More",
        )
    assert any("dropped" in m for m in errors_of(excinfo)["parents"])


def test_it_refuses_the_same_parent_twice(team, chain):
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.PRODUCT, chain.user_goal, chain.user_goal)
    assert "parents" in errors_of(excinfo)


def test_it_lets_a_draft_wait_for_its_parents(team):
    goal = create(team, Level.PRODUCT)
    assert goal.status == Status.DRAFT


@pytest.mark.parametrize("level", [Level.USER, Level.PRODUCT, Level.SPRINT])
def test_it_refuses_to_agree_a_goal_without_parents(team, level):
    goal = create(team, level)
    with pytest.raises(DomainError) as excinfo:
        goal_agreed_by_record(
            actor=team.leader, goal=goal, agreed_by=[team.member], reason="Planning."
        )
    assert "parents" in errors_of(excinfo)


def test_it_refuses_to_relink_a_goal_to_the_wrong_level(team, chain):
    goal = create(team, Level.PRODUCT, chain.user_goal)
    with pytest.raises(DomainError) as excinfo:
        goal_update(actor=team.leader, goal=goal, data={"parents": [chain.vision]})
    assert "parents" in errors_of(excinfo)
    assert list(goal.parents.all()) == [chain.user_goal]


def test_it_relinks_a_draft_goal(team, chain):
    goal = create(team, Level.PRODUCT, chain.user_goal)
    goal_update(actor=team.leader, goal=goal, data={"parents": [chain.business_goal]})
    assert list(goal.parents.all()) == [chain.business_goal]


def test_it_refuses_an_empty_title(team):
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.VISION, title="   ")
    assert "title" in errors_of(excinfo)


def test_it_reports_every_problem_at_once(team, chain):
    with pytest.raises(DomainError) as excinfo:
        create(
            team,
            Level.SPRINT,
            chain.vision,
            title="",
            starts_on=today(),
            ends_on=today() + timedelta(days=60),
        )
    assert {"title", "ends_on", "parents"} <= errors_of(excinfo).keys()


def test_it_refuses_an_owner_from_outside_the_product(team):
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.VISION, owner=team.outsider)
    assert "owner" in errors_of(excinfo)


def test_it_makes_the_creator_the_owner_by_default(team):
    assert create(team, Level.VISION).owner == team.leader


def test_it_leaves_the_owner_empty_when_the_creator_is_not_a_product_member(team):
    goal = goal_create(actor=team.org_admin, product=team.product, level=Level.VISION, title="V")
    assert goal.owner is None


# Timeframes.


def test_it_refuses_a_goal_that_ends_before_it_starts(team):
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.VISION, starts_on=today(), ends_on=today() - timedelta(days=1))
    assert "ends_on" in errors_of(excinfo)


def test_it_refuses_a_goal_that_ends_the_day_it_starts(team):
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.VISION, starts_on=today(), ends_on=today())
    assert "ends_on" in errors_of(excinfo)


@pytest.mark.parametrize("days", [7, 14, 28])
def test_it_accepts_a_sprint_goal_of_one_to_four_weeks(team, chain, days):
    goal = create(
        team, Level.SPRINT, chain.product_goal, starts_on=today(), ends_on=today() + timedelta(days)
    )
    assert (goal.ends_on - goal.starts_on).days == days


def test_it_refuses_a_sprint_goal_longer_than_four_weeks(team, chain):
    with pytest.raises(DomainError) as excinfo:
        create(
            team,
            Level.SPRINT,
            chain.product_goal,
            starts_on=today(),
            ends_on=today() + timedelta(29),
        )
    assert any("29 days" in m for m in errors_of(excinfo)["ends_on"])


def test_it_refuses_a_sprint_goal_shorter_than_a_week(team, chain):
    with pytest.raises(DomainError) as excinfo:
        create(
            team,
            Level.SPRINT,
            chain.product_goal,
            starts_on=today(),
            ends_on=today() + timedelta(6),
        )
    assert "ends_on" in errors_of(excinfo)


def test_it_refuses_stretching_a_sprint_goal_beyond_four_weeks(team, chain):
    with pytest.raises(DomainError):
        goal_update(
            actor=team.leader,
            goal=chain.sprint_goal,
            data={"ends_on": chain.sprint_goal.starts_on + timedelta(days=40)},
            change_reason="More time",
        )
    chain.sprint_goal.refresh_from_db()
    assert (chain.sprint_goal.ends_on - chain.sprint_goal.starts_on).days == 14


@pytest.mark.parametrize(
    ("level", "days"),
    [(Level.VISION, 365), (Level.USER, 30), (Level.BUSINESS, 5 * 365), (Level.PRODUCT, 400)],
)
def test_it_only_warns_about_other_levels_outside_their_window(team, level, days):
    goal = create(team, level, starts_on=today(), ends_on=today() + timedelta(days=days))
    assert goal.pk is not None


# Versions.


def test_it_increments_the_version_on_each_successful_update(team, chain):
    goal = chain.product_goal
    goal_update(actor=team.leader, goal=goal, data={"confidence": 4}, version=1)
    updated = goal_update(actor=team.leader, goal=goal, data={"confidence": 3}, version=2)
    assert updated.version == 3
    goal.refresh_from_db()
    assert goal.version == 3


def test_it_refuses_a_stale_version_and_changes_nothing(team, chain):
    goal = chain.product_goal
    goal_update(actor=team.leader, goal=goal, data={"confidence": 4}, version=1)
    with pytest.raises(Conflict) as excinfo:
        goal_update(
            actor=team.member, goal=goal, data={"title": "Overwrite"}, version=1, change_reason="x"
        )
    assert "version" in errors_of(excinfo)
    goal.refresh_from_db()
    assert (goal.title, goal.version, goal.confidence) == (chain.product_goal.title, 2, 4)
    # The factory's entry (the chain was restored as agreed) and the first update.
    assert GoalChange.objects.filter(goal=goal).count() == 2


def test_it_ignores_surrounding_whitespace_in_an_unchanged_title(team, chain):
    goal = goal_update(
        actor=team.leader, goal=chain.vision, data={"title": f"  {chain.vision.title} "}
    )
    assert (goal.title, goal.version) == (chain.vision.title, 1)


def test_it_does_not_bump_the_version_when_nothing_changes(team, chain):
    goal = goal_update(
        actor=team.leader, goal=chain.vision, data={"title": chain.vision.title}, version=1
    )
    assert goal.version == 1
    # Only the factory's entry: the chain was restored as agreed.
    assert [c.via for c in GoalChange.objects.filter(goal=chain.vision)] == ["restored"]


def test_it_refuses_a_conditional_update_when_someone_wrote_in_between(team, chain):
    mine = Goal.objects.get(pk=chain.vision.pk)
    theirs = Goal.objects.get(pk=chain.vision.pk)
    theirs.title = "Theirs"
    save_versioned(theirs, ["title"])
    mine.title = "Mine"
    with pytest.raises(Conflict):
        save_versioned(mine, ["title"])
    chain.vision.refresh_from_db()
    assert (chain.vision.title, chain.vision.version) == ("Theirs", 2)


# Change reasons for agreed goals.


@pytest.mark.parametrize(
    "change",
    [
        {"title": "New title"},
        {"description": "New description"},
        {"starts_on": "start"},
        {"ends_on": "end"},
        {"parents": "other"},
    ],
)
def test_it_asks_why_an_agreed_goal_changes(team, chain, change):
    goal = chain.product_goal
    field, value = next(iter(change.items()))
    value = {
        "start": goal.starts_on + timedelta(days=1),
        "end": goal.ends_on + timedelta(days=1),
        "other": [chain.user_goal],
    }.get(value, value)
    with pytest.raises(DomainError) as excinfo:
        goal_update(actor=team.leader, goal=goal, data={field: value})
    assert "change_reason" in errors_of(excinfo)
    goal_update(actor=team.leader, goal=goal, data={field: value}, change_reason="We learned more")
    entry = GoalChange.objects.filter(goal=goal).first()
    assert entry.reason == "We learned more"
    assert field in entry.changes


def test_it_does_not_take_whitespace_as_a_reason(team, chain):
    with pytest.raises(DomainError) as excinfo:
        goal_update(
            actor=team.leader, goal=chain.vision, data={"title": "New"}, change_reason="   "
        )
    assert "change_reason" in errors_of(excinfo)


@pytest.mark.parametrize("change", ["owner", "confidence"])
def test_it_changes_an_agreed_goals_owner_or_confidence_without_a_reason(team, chain, change):
    value = team.member if change == "owner" else 2
    goal = goal_update(actor=team.leader, goal=chain.product_goal, data={change: value})
    assert getattr(goal, change) == value


def test_it_changes_a_draft_without_a_reason(team):
    goal = create(team, Level.VISION)
    goal = goal_update(actor=team.leader, goal=goal, data={"title": "Better"})
    assert goal.title == "Better"


# Closing goals.


@pytest.mark.parametrize("status", [Status.ACHIEVED, Status.MISSED])
def test_it_asks_for_an_outcome_note_when_closing(team, chain, status):
    with pytest.raises(DomainError) as excinfo:
        goal_update(actor=team.leader, goal=chain.sprint_goal, data={"status": status})
    assert "outcome_note" in errors_of(excinfo)
    chain.sprint_goal.refresh_from_db()
    assert chain.sprint_goal.status == Status.AGREED


@pytest.mark.parametrize("status", [Status.ACHIEVED, Status.MISSED])
def test_it_closes_an_agreed_goal_with_a_note(team, chain, status):
    goal = goal_update(
        actor=team.leader,
        goal=chain.sprint_goal,
        data={"status": status, "outcome_note": "We shipped it, users love it."},
    )
    assert goal.status == status


@pytest.mark.parametrize("old", [Status.DRAFT, Status.PROPOSED, Status.DROPPED])
def test_it_only_closes_agreed_goals(team, chain, old):
    goal = make_goal(team.product, Level.PRODUCT, chain.user_goal, status=old)
    with pytest.raises(DomainError) as excinfo:
        goal_update(
            actor=team.leader, goal=goal, data={"status": Status.ACHIEVED, "outcome_note": "Done"}
        )
    assert "status" in errors_of(excinfo)


def test_it_refuses_to_create_a_goal_that_is_already_closed(team, chain):
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.PRODUCT, chain.user_goal, status=Status.ACHIEVED, outcome_note="Yes")
    assert "status" in errors_of(excinfo)


# One live vision per product.


def test_it_refuses_a_second_vision(team, chain):
    with pytest.raises(DomainError) as excinfo:
        create(team, Level.VISION)
    assert "level" in errors_of(excinfo)
    assert Goal.objects.filter(product=team.product, level=Level.VISION).count() == 1


def test_it_allows_a_new_vision_once_the_old_one_is_dropped(team, chain):
    goal_update(actor=team.leader, goal=chain.vision, data={"status": Status.DROPPED})
    vision = create(team, Level.VISION)
    assert vision.status == Status.DRAFT


def test_it_refuses_to_revive_a_dropped_vision_while_another_lives(team, chain):
    goal_update(actor=team.leader, goal=chain.vision, data={"status": Status.DROPPED})
    create(team, Level.VISION)
    with pytest.raises(DomainError) as excinfo:
        goal_update(actor=team.leader, goal=chain.vision, data={"status": Status.DRAFT})
    assert "level" in errors_of(excinfo)


def test_it_allows_one_vision_in_each_product(team, chain):
    other = ProductFactory(organization=team.product.organization)
    add_member(other, team.leader, "leader")
    vision = goal_create(actor=team.leader, product=other, level=Level.VISION, title="Other")
    assert vision.pk


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_racing_visions_win(monkeypatch):
    if not on_postgresql():
        skip_or_fail("The race on the vision constraint needs PostgreSQL.")
    product = ProductFactory()
    leaders = [add_member(product, UserFactory(), "leader") for _ in range(2)]
    # Both requests pass the service's check before either inserts, so only the
    # database's partial unique constraint can decide.
    barrier = threading.Barrier(2, timeout=10)

    def save_new_after_both_checked(goal):
        barrier.wait()
        _save_new(goal)

    monkeypatch.setattr("goals.services.goals._save_new", save_new_after_both_checked)
    statuses: list[int] = []
    bodies: list[dict] = []

    def post_vision(user):
        try:
            client = APIClient()
            client.force_authenticate(user)
            response = client.post(
                "/api/goals/", {"product": product.pk, "level": "vision", "title": user.email}
            )
            statuses.append(response.status_code)
            bodies.append(response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post_vision, args=(user,)) for user in leaders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [201, 400]
    assert any("level" in body for body in bodies if "id" not in body)
    assert Goal.objects.filter(product=product, level=Level.VISION).count() == 1


# History.


def test_it_records_who_created_a_goal_and_with_what(team, chain):
    goal = create(team, Level.PRODUCT, chain.user_goal, description="Why")
    (entry,) = GoalChange.objects.filter(goal=goal)
    assert entry.by == team.leader
    assert entry.at is not None
    assert entry.changes["title"] == [None, "A product goal"]
    assert entry.changes["parents"] == [None, [chain.user_goal.pk]]
    assert entry.changes["status"] == [None, Status.DRAFT]


def test_it_records_each_update_with_old_and_new_values(team, chain):
    goal = chain.product_goal
    goal_update(actor=team.member, goal=goal, data={"confidence": 2})
    goal_update(
        actor=team.leader,
        goal=goal,
        data={"title": "Sharper", "parents": [chain.user_goal]},
        change_reason="Focus",
    )
    newest, oldest, restored = GoalChange.objects.filter(goal=goal)
    assert restored.via == "restored"  # the factory's: the chain was restored as agreed
    assert oldest.by == team.member
    assert oldest.changes == {"confidence": [None, 2]}
    assert oldest.reason == ""
    assert newest.by == team.leader
    assert newest.changes["title"] == [chain.product_goal.title, "Sharper"]
    assert newest.changes["parents"] == [
        sorted([chain.user_goal.pk, chain.business_goal.pk]),
        [chain.user_goal.pk],
    ]
    assert newest.reason == "Focus"
    assert newest.at >= oldest.at


def test_it_records_dates_and_owners_as_plain_values(team, chain):
    new_end = chain.product_goal.ends_on + timedelta(days=7)
    goal_update(
        actor=team.leader,
        goal=chain.product_goal,
        data={"ends_on": new_end, "owner": team.member},
        change_reason="Holidays",
    )
    entry = GoalChange.objects.filter(goal=chain.product_goal).first()
    assert entry.changes["ends_on"][1] == new_end.isoformat()
    assert entry.changes["owner"] == [None, team.member.pk]


def test_it_writes_no_history_when_an_update_is_refused(team, chain):
    with pytest.raises(DomainError):
        goal_update(actor=team.leader, goal=chain.product_goal, data={"title": ""})
    # Only the factory's entry: the chain was restored as agreed.
    assert [c.via for c in GoalChange.objects.filter(goal=chain.product_goal)] == ["restored"]


# Delete.


def test_it_deletes_a_draft_and_its_links(team, chain):
    goal = create(team, Level.PRODUCT, chain.user_goal)
    goal_delete(actor=team.leader, goal=goal)
    assert not Goal.objects.filter(pk=goal.pk).exists()
    assert not GoalLink.objects.filter(child_id=goal.pk).exists()


def test_it_refuses_to_delete_an_agreed_goal(team, chain):
    with pytest.raises(DomainError):
        goal_delete(actor=team.leader, goal=chain.product_goal)
    assert Goal.objects.filter(pk=chain.product_goal.pk).exists()


# Markdown.


def test_it_stores_sanitised_html_of_the_description(team):
    goal = create(team, Level.VISION, description="**Bold** <script>alert(1)</script>")
    assert "<strong>Bold</strong>" in goal.description_html
    assert "<script" not in goal.description_html


def test_it_rerenders_the_description_when_it_changes(team):
    goal = create(team, Level.VISION, description="old")
    goal = goal_update(actor=team.leader, goal=goal, data={"description": "*new*"})
    goal.refresh_from_db()
    assert goal.description_html.strip() == "<p><em>new</em></p>"
