"""The personal calendar feed (GET /calendar/<secret>.ics), read back with icalendar: what it
holds for whom, its dates and times, its UIDs and links, and who can open it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar, Event

from goals.models import CalendarFeed, Level, Organization, ProductMembership, Status, User
from goals.services.calendar import calendar_feed_rotate, calendar_feed_stop
from goals.services.feedback import feedback_answer, feedback_round_close, feedback_round_open
from goals.services.organizations import product_member_remove
from tests.factories import GoalFactory, ProductFactory, add_member
from workshops.models import Phase, Workshop
from workshops.services.setup import participant_add, workshop_cancel, workshop_create

SITE = "https://goals.example.com"
NOW = datetime(2027, 2, 20, 8, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _site_and_day(settings):
    settings.SITE_URL = SITE
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def berlin(team):
    Organization.objects.filter(pk=team.product.organization_id).update(time_zone="Europe/Berlin")
    team.product.organization.refresh_from_db()
    return team


def feed_path(person: User) -> str:
    """A new address of the person's feed, as a path."""
    return urlsplit(address(person)).path


def address(person: User) -> str:
    return f"{SITE}/calendar/{calendar_feed_rotate(user=person)}.ics"


def read(path: str) -> Calendar:
    response = Client().get(path)
    assert response.status_code == 200, response.content
    return Calendar.from_ical(response.content)


def events(path: str) -> dict[str, Event]:
    return {str(event["UID"]): event for event in read(path).walk("VEVENT")}


def summaries(path: str) -> set[str]:
    return {str(event["SUMMARY"]) for event in events(path).values()}


def vision_workshop(team, *, title: str = "Vision day", **details) -> Workshop:
    return workshop_create(
        actor=team.leader,
        product=team.product,
        title=title,
        target_level=Level.VISION,
        facilitator=team.leader,
        **details,
    )


def review_goal(team, owner: User, title: str = "Plan meals fast", **fields):
    defaults = {
        "level": Level.USER,
        "status": Status.AGREED,
        "next_review_on": date(2027, 3, 3),
    }
    return GoalFactory(product=team.product, owner=owner, title=title, **{**defaults, **fields})


def sprint_goal(team, title: str = "Scan the fridge", **fields):
    defaults = {
        "level": Level.SPRINT,
        "status": Status.AGREED,
        "starts_on": date(2027, 2, 15),
        "ends_on": date(2027, 2, 26),
    }
    return GoalFactory(product=team.product, title=title, **{**defaults, **fields})


def test_the_feed_is_a_calendar_named_after_the_person(team):
    response = Client().get(feed_path(team.member))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["X-Robots-Tag"] == "noindex"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Goal Chain//Calendar feed//EN"
    assert str(calendar["X-WR-CALNAME"]) == "Goal Chain — Tom Team"
    assert calendar.refresh_interval == timedelta(hours=1)
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in response.content
    assert calendar.walk("VEVENT") == []


def test_a_review_day_is_an_all_day_event_linking_to_the_goal(team):
    goal = review_goal(team, team.member)

    event = events(feed_path(team.member))[f"review-goal-{goal.pk}@goals.example.com"]

    assert str(event["SUMMARY"]) == "Review: Plan meals fast"
    assert event.start == date(2027, 3, 3)
    assert event.end == date(2027, 3, 4)
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert str(event["URL"]) == f"{SITE}/goals/{goal.pk}/"
    assert "“Plan meals fast”" in str(event["DESCRIPTION"])
    assert event["DTSTAMP"].dt == NOW


def test_a_workshop_at_half_past_nine_in_berlin_keeps_its_time_zone(berlin):
    team = berlin
    workshop = vision_workshop(
        team,
        scheduled_at=datetime(2027, 3, 1, 9, 30, tzinfo=BERLIN),
        timeboxes={"drafting": 45, "voting": 30},
        agenda="Look back, then ahead.",
    )
    participant_add(actor=team.leader, workshop=workshop, user=team.member)
    path = feed_path(team.member)

    calendar = read(path)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"workshop-{workshop.pk}@goals.example.com"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.start == datetime(2027, 3, 1, 9, 30, tzinfo=BERLIN)
    assert event.start.utcoffset() == timedelta(hours=1)
    assert event.end - event.start == timedelta(minutes=75)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert b"DTSTART;TZID=Europe/Berlin:20270301T093000" in Client().get(path).content
    assert str(event["SUMMARY"]) == "Workshop: Vision day"
    assert str(event["URL"]) == f"{SITE}/workshops/{workshop.pk}/"
    description = str(event["DESCRIPTION"])
    assert "facilitated by Lea Leader" in description
    assert "Look back, then ahead." in description
    assert "STATUS" not in event


def test_a_workshop_without_timeboxes_lasts_an_hour_and_its_facilitator_sees_it(team):
    vision_workshop(team, scheduled_at=datetime(2027, 3, 1, 14, tzinfo=UTC))

    (event,) = events(feed_path(team.leader)).values()

    assert event.start == datetime(2027, 3, 1, 14, tzinfo=UTC)
    assert event.end - event.start == timedelta(hours=1)


def test_a_cancelled_workshop_still_ahead_says_so_and_one_past_is_gone(team):
    ahead = vision_workshop(team, title="Ahead", scheduled_at=NOW + timedelta(days=3))
    past = vision_workshop(team, title="Past", scheduled_at=NOW - timedelta(hours=1))
    for workshop in (ahead, past):
        participant_add(actor=team.leader, workshop=workshop, user=team.member)
        workshop_cancel(actor=team.leader, workshop=workshop, reason="The offsite moved")
    path = feed_path(team.member)

    (event,) = events(path).values()
    assert str(event["UID"]) == f"workshop-{ahead.pk}@goals.example.com"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "Cancelled workshop: Ahead"
    assert "Why: The offsite moved" in str(event["DESCRIPTION"])


def test_running_workshops_are_in_it_and_closed_or_unscheduled_ones_are_not(team):
    when = {"scheduled_at": NOW + timedelta(days=1)}
    planned = vision_workshop(team, title="Planned", **when)
    running = vision_workshop(team, title="Running", **when)
    closed = vision_workshop(team, title="Closed", **when)
    unscheduled = vision_workshop(team, title="Some day")
    for workshop in (planned, running, closed, unscheduled):
        participant_add(actor=team.leader, workshop=workshop, user=team.member)
    Workshop.objects.filter(pk=running.pk).update(phase=Phase.DECIDED)
    Workshop.objects.filter(pk=closed.pk).update(phase=Phase.CLOSED)

    assert summaries(feed_path(team.member)) == {"Workshop: Planned", "Workshop: Running"}


def test_feedback_deadlines_of_rounds_asked_in_unanswered_and_of_rounds_opened(team):
    draft = GoalFactory(product=team.product, level=Level.USER, title="Cook together")
    feedback_round = feedback_round_open(
        actor=team.leader,
        goal=draft,
        people=[team.member, team.stakeholder],
        deadline=date(2027, 2, 24),
        question="Is this the right goal?",
    )
    member, leader = feed_path(team.member), feed_path(team.leader)
    uid = f"feedback-round-{feedback_round.pk}@goals.example.com"

    asked = events(member)[uid]
    assert str(asked["SUMMARY"]) == "Feedback due: Cook together"
    assert (asked.start, asked.end) == (date(2027, 2, 24), date(2027, 2, 25))
    assert str(asked["URL"]) == f"{SITE}/feedback/{feedback_round.pk}/"
    assert "Lea Leader asks for your feedback" in str(asked["DESCRIPTION"])
    assert "Is this the right goal?" in str(asked["DESCRIPTION"])
    opened = events(leader)[uid]
    assert str(opened["SUMMARY"]) == "Feedback round ends: Cook together"
    assert opened.start == date(2027, 2, 24)

    feedback_answer(
        actor=team.member, feedback_round=feedback_round, answer="concerns", comment="Too vague"
    )
    assert events(member) == {}
    # The opener still waits for the stakeholder; no answer's comment is ever in a feed.
    assert b"Too vague" not in Client().get(leader).content
    assert uid in events(leader)

    feedback_round_close(feedback_round_id=feedback_round.pk, actor=team.leader)
    assert events(leader) == {}
    assert events(feed_path(team.stakeholder)) == {}


def test_sprint_ends_of_own_sprints_and_of_the_products_one_leads_or_is_on_the_team_of(team):
    teams = sprint_goal(team, title="Teams sprint")
    owned = sprint_goal(team, title="Sams sprint", owner=team.stakeholder)
    sprint_goal(team, title="Done sprint", status=Status.ACHIEVED)
    sprint_goal(team, title="Undated sprint", starts_on=None, ends_on=None)

    members = events(feed_path(team.member))
    assert {str(event["SUMMARY"]) for event in members.values()} == {
        "Sprint ends: Teams sprint",
        "Sprint ends: Sams sprint",
    }
    assert f"sprint-end-goal-{teams.pk}@goals.example.com" in members
    assert summaries(feed_path(team.leader)) == summaries(feed_path(team.member))
    stakeholders = events(feed_path(team.stakeholder))
    assert list(stakeholders) == [f"sprint-end-goal-{owned.pk}@goals.example.com"]
    event = stakeholders[f"sprint-end-goal-{owned.pk}@goals.example.com"]
    assert (event.start, event.end) == (date(2027, 2, 26), date(2027, 2, 27))
    assert str(event["URL"]) == f"{SITE}/goals/{owned.pk}/"


def test_only_goals_in_the_review_loop_that_one_owns_have_review_days(team):
    review_goal(team, team.member, title="Mine")
    review_goal(team, team.leader, title="The leaders")
    review_goal(team, team.member, title="Finished", status=Status.ACHIEVED)
    review_goal(team, team.member, title="Judged sprint", level=Level.SPRINT, sprint_verdict="met")

    assert summaries(feed_path(team.member)) == {"Review: Mine"}


def test_uids_stay_the_same_across_fetches_and_a_new_address(berlin):
    team = berlin
    review_goal(team, team.member)
    sprint_goal(team)
    workshop = vision_workshop(team, scheduled_at=NOW + timedelta(days=2))
    participant_add(actor=team.leader, workshop=workshop, user=team.member)
    draft = GoalFactory(product=team.product, level=Level.USER)
    feedback_round_open(actor=team.leader, goal=draft, people=[team.member], deadline=NOW.date())
    path = feed_path(team.member)

    first = set(events(path))
    assert len(first) == 4
    assert set(events(path)) == first
    assert set(events(feed_path(team.member))) == first


def test_another_persons_things_never_appear(team):
    # In the same product: a review of the leader's goal, a workshop the stakeholder sits
    # in without the team member, a round the stakeholder alone is asked in.
    review_goal(team, team.leader)
    workshop = vision_workshop(team, scheduled_at=NOW + timedelta(days=2))
    participant_add(actor=team.leader, workshop=workshop, user=team.stakeholder)
    draft = GoalFactory(product=team.product, level=Level.USER)
    feedback_round_open(
        actor=team.leader, goal=draft, people=[team.stakeholder], deadline=NOW.date()
    )
    # In another organisation, everything of the outsider's.
    theirs = team.outsider.product_memberships.get().product
    GoalFactory(
        product=theirs, owner=team.outsider, status=Status.AGREED, next_review_on=NOW.date()
    )
    GoalFactory(
        product=theirs, level=Level.SPRINT, ends_on=date(2027, 3, 1), starts_on=date(2027, 2, 20)
    )

    assert events(feed_path(team.member)) == {}
    assert summaries(feed_path(team.stakeholder)) == {
        "Workshop: Vision day",
        f"Feedback due: {draft.title}",
    }
    assert len(events(feed_path(team.outsider))) == 2
    assert summaries(feed_path(team.org_admin)) == set()


def test_a_person_taken_off_a_product_loses_its_events(team):
    review_goal(team, team.member)
    sprint_goal(team)
    workshop = vision_workshop(team, scheduled_at=NOW + timedelta(days=2))
    participant_add(actor=team.leader, workshop=workshop, user=team.member)
    draft = GoalFactory(product=team.product, level=Level.USER)
    feedback_round_open(actor=team.leader, goal=draft, people=[team.member], deadline=NOW.date())
    elsewhere = ProductFactory(organization=team.product.organization)
    add_member(elsewhere, team.member)
    kept = GoalFactory(
        product=elsewhere, owner=team.member, status=Status.AGREED, next_review_on=NOW.date()
    )
    path = feed_path(team.member)
    assert len(events(path)) == 5

    product_member_remove(
        membership=ProductMembership.objects.get(product=team.product, user=team.member)
    )

    assert list(events(path)) == [f"review-goal-{kept.pk}@goals.example.com"]


def test_an_unknown_replaced_or_stopped_address_is_not_found(team):
    old = feed_path(team.member)
    new = feed_path(team.member)

    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert Client().get("/calendar/not-a-secret.ics").status_code == 404
    assert Client().get(f"/calendar/{'é' * 300}.ics").status_code == 404

    calendar_feed_stop(user=team.member)
    assert Client().get(new).status_code == 404


def test_a_deactivated_accounts_feed_is_not_found(team):
    path = feed_path(team.member)
    team.member.is_active = False
    team.member.save()

    assert Client().get(path).status_code == 404


def test_a_new_password_stops_the_feed(team):
    path = feed_path(team.member)
    team.member.set_password("another-long-password")
    team.member.save()

    assert Client().get(path).status_code == 404
    assert not CalendarFeed.objects.filter(user=team.member).exists()


def test_the_feed_is_only_read(team):
    path = feed_path(team.member)

    assert Client().post(path).status_code == 405
    assert Client().head(path).status_code == 200


def test_the_feed_holds_no_comment_of_the_goals_in_it(team, api):
    goal = review_goal(team, team.member)
    api(team.leader).post(f"/api/goals/{goal.pk}/comments/", {"body": "Between us"}, format="json")

    assert b"Between us" not in Client().get(feed_path(team.member)).content


def build(team, n: int) -> None:
    """`n` of each kind of event for the team member."""
    for i in range(n):
        review_goal(team, team.member, title=f"Review {i}")
        sprint_goal(team, title=f"Sprint {i}")
        workshop = vision_workshop(team, title=f"Workshop {i}", scheduled_at=NOW + timedelta(i))
        participant_add(actor=team.leader, workshop=workshop, user=team.member)
        draft = GoalFactory(product=team.product, level=Level.USER)
        feedback_round_open(
            actor=team.leader, goal=draft, people=[team.member], deadline=NOW.date()
        )


@pytest.mark.parametrize("n", [1, 30])
def test_the_feed_reads_a_fixed_number_of_queries(team, django_assert_num_queries, n):
    build(team, n)
    other = ProductFactory(organization=team.product.organization)
    add_member(other, team.member)
    path = feed_path(team.member)
    client = Client()

    # The feed and its person; their products; review days; sprint ends; workshops;
    # feedback rounds.
    with django_assert_num_queries(6):
        response = client.get(path)

    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 4 * n
