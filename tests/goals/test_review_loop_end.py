"""Finished goals go quiet: goals achieved, missed or dropped, and sprint goals with a
verdict, leave the review loop. No next review, no reminders, not listed as due on the
review meeting; a late check-in schedules nothing. A sprint verdict can close the sprint
goal in the same step."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from goals.errors import DomainError, Forbidden
from goals.models import CheckIn, Goal, Level, ReminderSent, SprintVerdict, Status
from goals.selectors.reminders import due_goal_reminders
from goals.services.check_ins import Value, check_in_create
from goals.services.goals import goal_update
from goals.services.outcomes import sprint_verdict_set
from goals.services.reminders import send_due_reminders
from goals.services.versioning import VERSION_REQUIRED
from tests.factories import KeyResultFactory, make_chain, make_goal

SPRINT_ENDS = date(2026, 3, 16)  # a Monday
AFTER_THE_SPRINT = datetime(2026, 3, 16, 12, tzinfo=UTC)
REVIEW_ON = date(2026, 3, 19)
# Two days before the review, at 09:00 UTC (the organisation's default time zone and hour).
REMINDER_TIME = datetime(2026, 3, 17, 9, 30, tzinfo=UTC)
OVERDUE_TIME = datetime(2026, 3, 21, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(AFTER_THE_SPRINT, tick=False):
        yield


@pytest.fixture
def chain(team):
    return make_chain(team.product)


@pytest.fixture
def sprint(team, chain):
    """An agreed sprint goal of the member whose sprint ended today, reviewed on the 19th."""
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(
        owner=team.member,
        starts_on=SPRINT_ENDS - timedelta(days=14),
        ends_on=SPRINT_ENDS,
        next_review_on=REVIEW_ON,
    )
    KeyResultFactory(goal=chain.sprint_goal, owner=team.member)
    return Goal.objects.get(pk=chain.sprint_goal.pk)


def review_reminders(now):
    return [d for d in due_goal_reminders(now=now) if d.kind in ("review_due", "review_overdue")]


# A verdict, and closing ----------------------------------------------------------------------


@pytest.mark.parametrize("verdict", [SprintVerdict.MET, SprintVerdict.NOT_MET])
def test_a_verdict_takes_the_sprint_goal_out_of_the_review_loop(team, sprint, verdict):
    judged = sprint_verdict_set(actor=team.member, goal=sprint, verdict=verdict)
    assert judged.next_review_on is None
    assert Goal.objects.get(pk=sprint.pk).next_review_on is None
    change = sprint.changes.latest("id")
    assert change.changes == {
        "sprint_verdict": [None, verdict],
        "next_review_on": ["2026-03-19", None],
    }


def test_a_sprint_judged_not_met_gets_no_review_reminder(team, sprint, mailoutbox):
    """The reported bug: the verdict was given, the "review due" reminder still came."""
    assert review_reminders(REMINDER_TIME)  # before the verdict, it was due
    sprint_verdict_set(actor=team.member, goal=sprint, verdict=SprintVerdict.NOT_MET)
    assert send_due_reminders(now=REMINDER_TIME) == 0
    assert send_due_reminders(now=OVERDUE_TIME) == 0
    assert mailoutbox == []
    assert not ReminderSent.objects.exists()


def test_a_judged_sprint_with_a_review_date_left_from_before_gets_no_reminder(team, sprint):
    """Belt and braces for goals judged before the rule: the date is ignored."""
    Goal.objects.filter(pk=sprint.pk).update(sprint_verdict=SprintVerdict.NOT_MET)
    assert review_reminders(REMINDER_TIME) == []
    assert review_reminders(OVERDUE_TIME) == []


@pytest.mark.parametrize("status", [Status.ACHIEVED, Status.MISSED, Status.DROPPED])
def test_closing_a_goal_clears_its_next_review(team, sprint, api, status):
    response = api(team.leader).patch(
        f"/api/goals/{sprint.pk}/",
        {"status": status, "outcome_note": "Done and learned.", "version": sprint.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["next_review_on"] is None
    assert Goal.objects.get(pk=sprint.pk).next_review_on is None
    history = api(team.leader).get(f"/api/goals/{sprint.pk}/history/").json()
    assert history[0]["changes"]["next_review_on"] == ["2026-03-19", None]
    assert review_reminders(REMINDER_TIME) == []


@pytest.mark.parametrize("status", [Status.ACHIEVED, Status.MISSED, Status.DROPPED])
def test_a_closed_goal_with_a_review_date_left_from_before_gets_no_reminder(team, sprint, status):
    Goal.objects.filter(pk=sprint.pk).update(status=status, sprint_verdict="")
    assert review_reminders(REMINDER_TIME) == []
    assert review_reminders(OVERDUE_TIME) == []


def test_a_check_in_on_a_judged_sprint_schedules_no_review(team, sprint):
    sprint_verdict_set(actor=team.member, goal=sprint, verdict=SprintVerdict.MET)
    key_result = sprint.key_results.get()
    check_in = check_in_create(
        actor=team.member,
        goal=sprint,
        values=[Value(key_result.pk, key_result.target)],
        confidence=5,
        note="Late numbers.",
    )
    assert check_in.next_review_on is None
    assert Goal.objects.get(pk=sprint.pk).next_review_on is None
    assert CheckIn.objects.filter(goal=sprint).count() == 1


def test_a_check_in_on_an_unjudged_goal_still_moves_its_review_on(team, sprint):
    key_result = sprint.key_results.get()
    check_in = check_in_create(
        actor=team.member,
        goal=sprint,
        values=[Value(key_result.pk, key_result.target)],
        confidence=4,
    )
    assert check_in.next_review_on == date(2026, 3, 23)  # weekly for sprint goals
    assert Goal.objects.get(pk=sprint.pk).next_review_on == date(2026, 3, 23)


@pytest.mark.parametrize(
    ("verdict", "closed"),
    [(SprintVerdict.MET, Status.ACHIEVED), (SprintVerdict.NOT_MET, Status.MISSED)],
)
def test_a_verdict_closes_the_sprint_goal_in_the_same_step(team, sprint, verdict, closed):
    goal = sprint_verdict_set(
        actor=team.member,
        goal=sprint,
        verdict=verdict,
        close=True,
        outcome_note="Scanning works; the camera flow was slow.",
    )
    stored = Goal.objects.get(pk=sprint.pk)
    assert (goal.status, stored.status, stored.sprint_verdict) == (closed, closed, verdict)
    assert stored.outcome_note == "Scanning works; the camera flow was slow."
    assert stored.next_review_on is None
    closing, judging = sprint.changes.order_by("-id")[:2]
    assert closing.changes["status"] == [Status.AGREED, closed]
    assert judging.changes["sprint_verdict"] == [None, verdict]


def test_closing_with_the_verdict_needs_an_outcome_note_and_then_saves_nothing(team, sprint):
    with pytest.raises(DomainError) as refused:
        sprint_verdict_set(
            actor=team.member, goal=sprint, verdict=SprintVerdict.MET, close=True, outcome_note=" "
        )
    assert "outcome_note" in refused.value.errors
    stored = Goal.objects.get(pk=sprint.pk)
    assert (stored.status, stored.sprint_verdict, stored.next_review_on) == (
        Status.AGREED,
        "",
        REVIEW_ON,
    )


def test_a_stakeholder_owner_gives_the_verdict_but_does_not_close(team, sprint):
    Goal.objects.filter(pk=sprint.pk).update(owner=team.stakeholder)
    sprint.refresh_from_db()
    with pytest.raises(Forbidden):
        sprint_verdict_set(
            actor=team.stakeholder,
            goal=sprint,
            verdict=SprintVerdict.MET,
            close=True,
            outcome_note="Done.",
        )
    assert Goal.objects.get(pk=sprint.pk).sprint_verdict == ""


def test_the_api_gives_the_verdict_and_closes_in_one_call(team, sprint, api):
    response = api(team.member).put(
        f"/api/goals/{sprint.pk}/sprint-verdict/",
        {
            "sprint_verdict": "not_met",
            "close": True,
            "outcome_note": "Too much scope.",
            "version": sprint.version,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["sprint_verdict"], body["status"], body["next_review_on"]) == (
        "not_met",
        "missed",
        None,
    )
    assert body["outcome_note"] == "Too much scope."


def test_the_api_refuses_to_close_without_an_outcome_note(team, sprint, api):
    response = api(team.member).put(
        f"/api/goals/{sprint.pk}/sprint-verdict/",
        {"sprint_verdict": "met", "close": True, "version": sprint.version},
        format="json",
    )
    assert response.status_code == 400
    assert "outcome_note" in response.json()
    assert Goal.objects.get(pk=sprint.pk).sprint_verdict == ""


# Pages -------------------------------------------------------------------------------------


def test_the_verdict_form_offers_to_close_the_sprint_goal(team, sprint, browser_client):
    html = browser_client(team.member).get(f"/goals/{sprint.pk}/").content.decode()
    assert "Also close this sprint goal: as achieved if met, as missed if not" in html
    assert 'name="outcome_note"' in html


def test_the_verdict_form_closes_the_sprint_goal(team, sprint, browser_client):
    client = browser_client(team.member)
    response = client.post(
        f"/goals/{sprint.pk}/verdict/",
        {
            "sprint_verdict": "met",
            "close": "on",
            "outcome_note": "Families scan fridges.",
            "version": sprint.version,
        },
    )
    assert response.status_code == 302
    stored = Goal.objects.get(pk=sprint.pk)
    assert (stored.status, stored.sprint_verdict) == (Status.ACHIEVED, SprintVerdict.MET)
    html = client.get(f"/goals/{sprint.pk}/").content.decode()
    assert "Families scan fridges." in html
    assert "<dt>Next review</dt>" not in html


def test_the_verdict_form_asks_for_the_note_next_to_it(team, sprint, browser_client):
    response = browser_client(team.member).post(
        f"/goals/{sprint.pk}/verdict/",
        {"sprint_verdict": "met", "close": "on", "version": sprint.version},
    )
    assert response.status_code == 400
    assert 'id="id_outcome_note_error"' in response.content.decode()
    assert Goal.objects.get(pk=sprint.pk).sprint_verdict == ""


def test_a_closed_sprint_goals_verdict_form_offers_no_closing(team, sprint, browser_client):
    Goal.objects.filter(pk=sprint.pk).update(status=Status.MISSED, outcome_note="x")
    html = browser_client(team.member).get(f"/goals/{sprint.pk}/").content.decode()
    assert 'name="sprint_verdict"' in html
    assert 'name="close"' not in html


def test_the_review_meeting_lists_no_finished_goals(team, chain, browser_client):
    overdue = date(2026, 3, 10)
    Goal.objects.filter(pk=chain.product_goal.pk).update(next_review_on=overdue)
    judged = make_goal(
        team.product, Level.SPRINT, chain.product_goal, status=Status.AGREED,
        title="Judged sprint", sprint_verdict=SprintVerdict.NOT_MET, next_review_on=overdue,
    )  # fmt: skip
    make_goal(
        team.product, Level.PRODUCT, chain.user_goal, status=Status.ACHIEVED,
        title="Achieved goal", outcome_note="x", next_review_on=overdue,
    )  # fmt: skip
    html = browser_client(team.leader).get(f"/products/{team.product.pk}/reviews/").content
    sections = dict(re.findall(r'id="reviews-(\w+)-title">(.*?)</section>', html.decode(), re.S))
    assert chain.product_goal.title in sections["product"]
    assert "Achieved goal" not in sections["product"]
    assert judged.title not in sections["sprint"]


def test_the_goal_page_shows_no_review_due_for_a_judged_sprint(team, sprint, browser_client):
    Goal.objects.filter(pk=sprint.pk).update(
        sprint_verdict=SprintVerdict.MET, next_review_on=date(2026, 3, 10)
    )
    html = browser_client(team.member).get(f"/goals/{sprint.pk}/").content.decode()
    assert "overdue" not in html.lower()


def test_chain_health_does_not_call_a_judged_sprints_review_overdue(team, sprint, api):
    Goal.objects.filter(pk=sprint.pk).update(
        sprint_verdict=SprintVerdict.MET, next_review_on=date(2026, 3, 10)
    )
    findings = api(team.leader).get(f"/api/products/{team.product.pk}/health/").json()
    assert ("review_overdue", sprint.pk) not in {
        (f["code"], f["goal"]) for f in findings["findings"]
    }


def test_reopening_a_closed_goal_as_a_draft_keeps_it_out_of_the_loop(team, sprint):
    closed = goal_update(
        actor=team.leader,
        goal=sprint,
        data={"status": Status.DROPPED},
        version=sprint.version,
    )
    assert closed.next_review_on is None
    reopened = goal_update(
        actor=team.leader, goal=closed, data={"status": Status.DRAFT}, version=closed.version
    )
    assert reopened.next_review_on is None


def test_the_portfolio_counts_no_judged_sprint_as_overdue(team, sprint, browser_client):
    Goal.objects.filter(pk=sprint.pk).update(
        sprint_verdict=SprintVerdict.MET, next_review_on=date(2026, 3, 10)
    )
    Goal.objects.exclude(pk=sprint.pk).update(next_review_on=None)
    org = team.product.organization_id
    html = browser_client(team.member).get(f"/organizations/{org}/portfolio/").content.decode()
    assert '<span class="overdue">' not in html
    Goal.objects.filter(pk=sprint.pk).update(sprint_verdict="")
    html = browser_client(team.member).get(f"/organizations/{org}/portfolio/").content.decode()
    assert '<span class="overdue">1</span>' in html


def test_a_verdict_names_the_version_it_was_given_on(team, sprint, api):
    """Two people judging one sprint at once (met, not met) do not overwrite each other."""
    url = f"/api/goals/{sprint.pk}/sprint-verdict/"
    missing = api(team.member).put(url, {"sprint_verdict": "met"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["version"] == [VERSION_REQUIRED]
    first = api(team.member).put(
        url, {"sprint_verdict": "met", "version": sprint.version}, format="json"
    )
    assert first.status_code == 200
    second = api(team.leader).put(
        url, {"sprint_verdict": "not_met", "version": sprint.version}, format="json"
    )
    assert second.status_code == 409
    assert Goal.objects.get(pk=sprint.pk).sprint_verdict == SprintVerdict.MET


def test_the_verdict_form_carries_the_goals_version(team, sprint, browser_client):
    client = browser_client(team.member)
    html = client.get(f"/goals/{sprint.pk}/").content.decode()
    assert f'name="version" value="{sprint.version}"' in html
    response = client.post(f"/goals/{sprint.pk}/verdict/", {"sprint_verdict": "met"})
    assert response.status_code == 400
    assert Goal.objects.get(pk=sprint.pk).sprint_verdict == ""
