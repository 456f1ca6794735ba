"""Feedback rounds: a leader asks chosen people for feedback on a draft goal by a deadline;
reminders before it, the round closing at it, and the leader's summary, each exactly once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from goals.models import FeedbackRequest, FeedbackRound, Notification, ProductRole
from goals.services.agreement import goal_agreed_by_record
from goals.services.feedback import feedback_answer, feedback_close_due, feedback_round_open
from goals.tasks import run_feedback_rounds, send_feedback_summary
from tests.factories import OrganizationMembershipFactory, UserFactory, add_member
from tests.goals.conversations import kinds_of

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
MONDAY = date(2026, 3, 2)


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def rounds_url(goal) -> str:
    return f"/api/goals/{goal.pk}/feedback-rounds/"


@pytest.fixture
def asked(team, goal):
    """A round opened on Monday morning, answers due Friday, asking the member and stakeholder."""
    with time_machine.travel(at(MONDAY, 9), tick=False):
        return feedback_round_open(
            actor=team.leader,
            goal=goal,
            people=[team.member, team.stakeholder],
            deadline=MONDAY + timedelta(days=4),
            question="Is ten minutes realistic?",
        )


def test_a_leader_opens_a_round_and_the_people_asked_are_told(team, goal, api):
    response = api(team.leader).post(
        rounds_url(goal),
        {
            "people": [team.member.pk, team.stakeholder.pk],
            "deadline": (date.today() + timedelta(days=3)).isoformat(),
            "question": "Does this serve families?",
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["open"] is True
    assert {p["person"] for p in data["people"]} == {team.member.pk, team.stakeholder.pk}
    assert data["summary"] == {"support": 0, "concerns": 0, "object": 0, "no_answer": 2}
    assert {p["person"] for p in data["not_answered"]} == {team.member.pk, team.stakeholder.pk}
    assert kinds_of(team.member) == ["feedback_request"]
    assert kinds_of(team.stakeholder) == ["feedback_request"]
    request = Notification.objects.get(recipient=team.stakeholder)
    assert request.url == f"/feedback/{data['id']}/"
    assert request.excerpt == "Does this serve families?"


def test_only_leaders_open_rounds(team, goal, api):
    body = {"people": [team.stakeholder.pk], "deadline": date.today().isoformat()}
    assert api(team.member).post(rounds_url(goal), body).status_code == 403
    assert api(team.stakeholder).post(rounds_url(goal), body).status_code == 403
    assert api(team.outsider).post(rounds_url(goal), body).status_code == 404
    assert api(team.org_admin).post(rounds_url(goal), body).status_code == 201


def test_it_refuses_a_round_that_cannot_work(team, goal, api):
    client = api(team.leader)
    today = date.today()
    viewer = OrganizationMembershipFactory(organization=team.product.organization).user
    cases = {
        "deadline": {"people": [team.member.pk], "deadline": (today - timedelta(days=1))},
        "people": {"people": [], "deadline": today},
    }
    for field, body in cases.items():
        body["deadline"] = body["deadline"].isoformat()
        response = client.post(rounds_url(goal), body)
        assert response.status_code == 400, field
        assert field in response.json()
    for person in (team.outsider, viewer, team.leader):
        response = client.post(rounds_url(goal), {"people": [person.pk], "deadline": str(today)})
        assert response.status_code == 400
        assert "people" in response.json()
    assert not FeedbackRound.objects.exists()


def test_feedback_is_asked_on_drafts_only_and_one_round_at_a_time(team, goal, api):
    body = {"people": [team.member.pk], "deadline": date.today().isoformat()}
    client = api(team.leader)
    assert client.post(rounds_url(goal), body).status_code == 201
    assert client.post(rounds_url(goal), body).status_code == 409
    goal_agreed_by_record(
        actor=team.leader, goal=goal, agreed_by=[team.member], reason="Agreed at the offsite."
    )
    FeedbackRound.objects.update(closed_at=datetime.now(UTC))
    response = client.post(rounds_url(goal), body)
    assert response.status_code == 400
    assert "goal" in response.json()


def test_the_people_asked_answer_and_change_their_answer(team, asked, api):
    url = f"/api/feedback-rounds/{asked.pk}/answer/"
    client = api(team.stakeholder)
    with time_machine.travel(at(MONDAY, 10), tick=False):
        first = client.put(url, {"answer": "support"})
        assert first.status_code == 200, first.json()
        assert first.json()["answer"] == "support"
        changed = client.put(url, {"answer": "concerns", "comment": "Ten is tight."})
        assert changed.json()["answer"] == "concerns"
    request = FeedbackRequest.objects.get(round=asked, person=team.stakeholder)
    assert (request.answer, request.comment) == ("concerns", "Ten is tight.")


def test_answers_are_checked(team, asked, api):
    url = f"/api/feedback-rounds/{asked.pk}/answer/"
    with time_machine.travel(at(MONDAY, 10), tick=False):
        assert api(team.stakeholder).put(url, {"answer": "maybe"}).status_code == 400
        for answer in ("concerns", "object"):
            response = api(team.stakeholder).put(url, {"answer": answer, "comment": " "})
            assert response.status_code == 400
            assert "comment" in response.json()
        assert api(team.leader).put(url, {"answer": "support"}).status_code == 403
        assert api(team.org_admin).put(url, {"answer": "support"}).status_code == 403
        assert api(team.outsider).put(url, {"answer": "support"}).status_code == 404
    assert not FeedbackRequest.objects.exclude(answer="").exists()


def test_answers_are_final_after_the_deadline_day(team, asked, api):
    url = f"/api/feedback-rounds/{asked.pk}/answer/"
    friday = asked.deadline
    with time_machine.travel(at(friday, 23, 59), tick=False):
        assert api(team.member).put(url, {"answer": "support"}).status_code == 200
    with time_machine.travel(at(friday + timedelta(days=1), 0, 1), tick=False):
        response = api(team.member).put(url, {"answer": "object", "comment": "Changed my mind"})
        assert response.status_code == 409
    assert FeedbackRequest.objects.get(round=asked, person=team.member).answer == "support"


def test_the_leader_sees_who_answered_what_and_others_only_their_own(team, asked, api):
    with time_machine.travel(at(MONDAY, 10), tick=False):
        feedback_answer(actor=team.member, feedback_round=asked, answer="support", comment="Yes")
        url = f"/api/feedback-rounds/{asked.pk}/"
        leader = api(team.leader).get(url).json()
        assert leader["summary"] == {"support": 1, "concerns": 0, "object": 0, "no_answer": 1}
        assert [(a["name"], a["answer"]) for a in leader["answers"]] == [("Tom Team", "support")]
        assert [p["name"] for p in leader["not_answered"]] == ["Sam Stakeholder"]
        stakeholder = api(team.stakeholder).get(url).json()
        assert stakeholder["summary"] is None
        assert stakeholder["not_answered"] is None
        assert stakeholder["answers"] == []
        assert stakeholder["my_answer"]["answer"] == ""
        member = api(team.member).get(url).json()
        assert [a["name"] for a in member["answers"]] == ["Tom Team"]
        assert api(team.outsider).get(url).status_code == 404
        listed = api(team.leader).get(rounds_url(asked.goal)).json()
        assert listed["count"] == 1


def test_reminders_go_two_days_before_and_on_the_deadlines_morning_once_each(team, asked):
    wednesday, friday = MONDAY + timedelta(days=2), asked.deadline
    with time_machine.travel(at(wednesday, 7, 45), tick=False):
        run_feedback_rounds()
    assert kinds_of(team.member) == ["feedback_request"]
    with time_machine.travel(at(wednesday, 8, 0), tick=False):
        run_feedback_rounds()
        run_feedback_rounds()
        feedback_answer(actor=team.member, feedback_round=asked, answer="support")
    with time_machine.travel(at(wednesday, 14), tick=False):
        run_feedback_rounds()
    assert kinds_of(team.stakeholder) == ["feedback_request", "feedback_reminder"]
    assert kinds_of(team.member) == ["feedback_request", "feedback_reminder"]
    with time_machine.travel(at(friday, 8, 15), tick=False):
        run_feedback_rounds()
        run_feedback_rounds()
    assert kinds_of(team.stakeholder) == [
        "feedback_request",
        "feedback_reminder",
        "feedback_reminder",
    ]
    # The member answered: no second reminder.
    assert kinds_of(team.member) == ["feedback_request", "feedback_reminder"]
    texts = Notification.objects.filter(recipient=team.stakeholder, kind="feedback_reminder")
    assert [n.text for n in texts.order_by("id")] == [
        "Reminder: your feedback on “Plan meals fast” is due by 6 Mar 2026",
        "Reminder: your feedback on “Plan meals fast” is due today",
    ]


def test_a_round_opened_late_gets_only_the_reminders_still_ahead(team, goal):
    friday = MONDAY + timedelta(days=4)
    with time_machine.travel(at(friday - timedelta(days=1), 12), tick=False):
        late = feedback_round_open(
            actor=team.leader, goal=goal, people=[team.stakeholder], deadline=friday
        )
        run_feedback_rounds()
    with time_machine.travel(at(friday, 9), tick=False):
        run_feedback_rounds()
    assert kinds_of(team.stakeholder) == ["feedback_request", "feedback_reminder"]
    assert late.pk


def test_the_round_closes_at_the_deadline_and_the_leader_gets_one_summary(
    team, asked, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(MONDAY, 11), tick=False):
        feedback_answer(
            actor=team.stakeholder, feedback_round=asked, answer="object", comment="Too vague"
        )
    with time_machine.travel(at(asked.deadline, 23, 50), tick=False):
        run_feedback_rounds()
    assert FeedbackRound.objects.get(pk=asked.pk).closed_at is None
    saturday = asked.deadline + timedelta(days=1)
    with time_machine.travel(at(saturday, 0, 5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run_feedback_rounds()
        with django_capture_on_commit_callbacks(execute=True):
            run_feedback_rounds()
        send_feedback_summary(asked.pk)
    closed = FeedbackRound.objects.get(pk=asked.pk)
    assert closed.closed_at is not None
    assert closed.summary_sent_at is not None
    summaries = [m for m in mailoutbox if m.to == [team.leader.email]]
    assert len(summaries) == 1
    (summary,) = summaries
    assert summary.subject == "Feedback on “Plan meals fast”: 0 support, 0 concerns, 1 object"
    assert "Sam Stakeholder: Object" in summary.body
    assert "Too vague" in summary.body
    assert "Did not answer: Tom Team" in summary.body
    assert "Too vague" in summary.alternatives[0][0]
    assert "/notifications/unsubscribe/" in summary.body
    assert kinds_of(team.leader) == ["feedback_summary"]


def test_a_summary_lost_with_a_dead_worker_is_sent_by_the_next_run(team, asked, mailoutbox):
    # Closed, but the summary task queued on commit never ran.
    with time_machine.travel(at(asked.deadline + timedelta(days=1), 1), tick=False):
        assert feedback_close_due() == [asked.pk]
    assert FeedbackRound.objects.get(pk=asked.pk).summary_sent_at is None
    assert mailoutbox == []
    run_feedback_rounds()
    run_feedback_rounds()
    assert [m.to for m in mailoutbox] == [[team.leader.email]]


def test_a_leader_closes_a_round_early(team, asked, api, mailoutbox):
    url = f"/api/feedback-rounds/{asked.pk}/close/"
    assert api(team.member).post(url).status_code == 403
    assert api(team.outsider).post(url).status_code == 404
    response = api(team.leader).post(url)
    assert response.status_code == 200
    assert response.json()["open"] is False
    answer = api(team.member).put(f"/api/feedback-rounds/{asked.pk}/answer/", {"answer": "support"})
    assert answer.status_code == 409


def test_the_round_page_shows_the_form_to_the_asked_and_the_summary_to_the_leader(
    team, asked, browser_client
):
    with time_machine.travel(at(MONDAY, 10), tick=False):
        client = browser_client(team.stakeholder)
        html = client.get(f"/feedback/{asked.pk}/").content.decode()
        assert "Your feedback" in html
        assert "Is ten minutes realistic?" in html
        bad = client.post(f"/feedback/{asked.pk}/answer/", {"answer": "object", "comment": ""})
        assert bad.status_code == 400
        assert "Say why you object" in bad.content.decode()
        good = client.post(
            f"/feedback/{asked.pk}/answer/",
            {"answer": "concerns", "comment": "Ten minutes sounds tight"},
        )
        assert good.status_code == 302
        leader = browser_client(team.leader).get(f"/feedback/{asked.pk}/").content.decode()
        assert "1 with concerns" in leader
        assert "Tom Team" in leader  # not answered yet
        assert "Close the round now" in leader
    other = add_member(team.product, UserFactory(), ProductRole.TEAM)
    not_asked = browser_client(other).get(f"/feedback/{asked.pk}/").content.decode()
    assert "Your feedback" not in not_asked
    assert "Ten minutes sounds tight" not in not_asked
    assert browser_client(team.outsider).get(f"/feedback/{asked.pk}/").status_code == 404


def test_a_leader_asks_from_the_goal_page(team, goal, browser_client):
    client = browser_client(team.leader)
    html = client.get(f"/goals/{goal.pk}/").content.decode()
    assert "Ask for feedback on this draft" in html
    deadline = (date.today() + timedelta(days=5)).isoformat()
    bad = client.post(f"/goals/{goal.pk}/feedback/", {"deadline": deadline})
    assert bad.status_code == 400
    assert "Choose at least one person to ask." in bad.content.decode()
    response = client.post(
        f"/goals/{goal.pk}/feedback/",
        {"people": [team.stakeholder.pk], "deadline": deadline, "question": "Thoughts?"},
    )
    feedback_round = FeedbackRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/feedback/{feedback_round.pk}/"
    assert (
        browser_client(team.member)
        .post(
            f"/goals/{goal.pk}/feedback/", {"people": [team.stakeholder.pk], "deadline": deadline}
        )
        .status_code
        == 403
    )


def test_the_rounds_are_in_the_api_schema(team, api):
    schema = api(team.member).get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/goals/{id}/feedback-rounds/",
        "/api/feedback-rounds/{id}/",
        "/api/feedback-rounds/{id}/answer/",
        "/api/feedback-rounds/{id}/close/",
        "/api/goals/{id}/comments/",
        "/api/comments/{id}/",
        "/api/proposals/{id}/comments/",
        "/api/goals/{id}/insights/",
        "/api/notifications/",
        "/api/products/{id}/activity/",
    ):
        assert path in paths, path
    answer = paths["/api/feedback-rounds/{id}/answer/"]["put"]
    assert "FeedbackAnswerInput" in str(answer["requestBody"])
