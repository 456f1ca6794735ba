"""Notifications: who hears of what, exactly once; email by preference (right away, a daily
digest, or off) with an unsubscribe link; the inbox; watching."""

from __future__ import annotations

from datetime import date

import pytest

from goals.models import EmailFrequency, Notification, NotificationKind, User, Watch
from goals.selectors.notifications import is_watching, preferences_token, watcher_ids
from goals.services.comments import comment_create
from goals.services.notifications import mark_all_read, mark_read, notify
from goals.services.watching import watch_set
from goals.tasks import send_daily_digests, send_digest, send_notification_email
from tests.factories import OrganizationMembershipFactory
from tests.goals.conversations import HTMX, inbox_of, kinds_of
from tests.workshops.conftest import make_room
from workshops.models import Phase
from workshops.services.decisions import workshop_decide

pytestmark = pytest.mark.django_db


def prefer(user: User, frequency: str) -> None:
    User.objects.filter(pk=user.pk).update(email_notifications=frequency)


# Who hears of what -------------------------------------------------------------------------


def test_a_comment_fans_out_once_per_person_with_the_strongest_reason(team, goal):
    watch_set(user=team.leader, goal=goal, watching=True)
    first = comment_create(actor=team.stakeholder, goal=goal, body="Is this measurable?")
    # The goal's owner (the member) watches it; so does the leader by choice.
    assert kinds_of(team.member) == ["comment"]
    assert kinds_of(team.leader) == ["comment"]
    assert kinds_of(team.stakeholder) == []  # never told of their own comment

    comment_create(actor=team.member, goal=goal, body="Yes, @Lea Leader?", parent_id=first.pk)
    # The stakeholder started the thread: a reply. The leader is mentioned, not also told
    # of a comment on a goal they watch.
    assert kinds_of(team.stakeholder) == ["reply"]
    assert kinds_of(team.leader) == ["comment", "mention"]
    assert kinds_of(team.member) == ["comment"]
    assert kinds_of(team.outsider) == []
    assert Notification.objects.count() == 4


def test_commenting_makes_you_a_watcher_and_unwatching_sticks(team, goal):
    comment_create(actor=team.stakeholder, goal=goal, body="First")
    assert is_watching(team.stakeholder, goal)
    watch_set(user=team.stakeholder, goal=goal, watching=False)
    comment_create(actor=team.stakeholder, goal=goal, body="Second")
    assert not is_watching(team.stakeholder, goal)
    comment_create(actor=team.member, goal=goal, body="Third")
    assert kinds_of(team.stakeholder) == []


def test_the_owner_watches_until_they_unwatch(team, goal):
    assert watcher_ids(goal) == {team.member.pk}
    watch_set(user=team.member, goal=goal, watching=False)
    assert watcher_ids(goal) == set()
    comment_create(actor=team.stakeholder, goal=goal, body="Hello?")
    assert kinds_of(team.member) == []


def test_people_who_left_the_organisation_hear_nothing(team, goal):
    comment_create(actor=team.stakeholder, goal=goal, body="Start")
    team.stakeholder.org_memberships.all().delete()
    comment_create(actor=team.member, goal=goal, body="Reply", parent_id=goal.comments.get().pk)
    assert kinds_of(team.stakeholder) == []


def test_an_invited_person_hears_of_the_workshop_in_the_app_and_by_one_email(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        room = make_room(team)
    assert kinds_of(team.stakeholder) == ["workshop_invitation"]
    assert inbox_of(room.voters[0])[0][1] == (
        "Lea Leader invited you to the workshop “Roadmapping Q1” as a voter"
    )
    invitation = Notification.objects.get(recipient=team.stakeholder)
    assert invitation.url == f"/workshops/{room.workshop.pk}/"
    # The invitation email is the one email: the notification does not send another.
    assert invitation.emailed_at is not None
    assert [m.to for m in mailoutbox].count([team.stakeholder.email]) == 1


def test_watchers_of_the_parent_goal_hear_of_a_decision(team):
    room = make_room(team)
    watch_set(user=team.stakeholder, goal=room.parent, watching=True)
    room.to(Phase.DRAFTING)
    proposal = room.propose(title="Weekly planner")
    room.to(Phase.VOTING)
    for voter in room.voters:
        room.vote(voter, proposal, "agree")
    room.to(Phase.REVEALED)
    decision = workshop_decide(actor=team.leader, workshop=room.workshop, proposal=proposal)
    assert inbox_of(team.stakeholder)[-1] == (
        "decision",
        "“Roadmapping Q1” adopted “Weekly planner”",
    )
    assert kinds_of(room.voters[0])[-1] == "decision"  # the proposal's author
    notification = Notification.objects.get(recipient=team.stakeholder, kind="decision")
    assert notification.url == f"/goals/{decision.goal_id}/"


def test_a_failed_decision_is_told_too(team):
    room = make_room(team)
    watch_set(user=team.stakeholder, goal=room.parent, watching=True)
    room.to(Phase.DRAFTING)
    proposal = room.propose(title="Risky plan")
    room.to(Phase.VOTING)
    room.vote(room.voters[1], proposal, "object", reason="Too big")
    room.to(Phase.REVEALED)
    with pytest.raises(Exception, match="objection"):
        workshop_decide(actor=team.leader, workshop=room.workshop, proposal=proposal)
    assert inbox_of(team.stakeholder)[-1] == (
        "decision",
        "“Roadmapping Q1” did not adopt “Risky plan”",
    )


def test_announcing_the_same_event_twice_notifies_once(team, goal):
    args = {
        "recipients": [team.member.pk, team.stakeholder.pk],
        "kind": NotificationKind.COMMENT,
        "event": "comment:test",
        "actor": team.leader,
        "product_id": team.product.pk,
        "text": "Something",
        "url": "/",
    }
    assert len(notify(**args)) == 2
    assert notify(**args) == []
    assert Notification.objects.count() == 2


# Email by preference -----------------------------------------------------------------------


def test_an_immediate_email_goes_once_with_both_parts_and_an_unsubscribe_link(
    team, goal, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(actor=team.stakeholder, goal=goal, body="Hello **@Tom Team**")
    (email,) = mailoutbox
    assert email.to == [team.member.email]
    assert email.subject == "Sam Stakeholder mentioned you on “Plan meals fast”"
    html = email.alternatives[0][0]
    notification = Notification.objects.get(recipient=team.member)
    assert f"/goals/{goal.pk}/#comment-" in email.body
    assert "/notifications/unsubscribe/" in email.body
    assert "/notifications/unsubscribe/" in html
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notification.emailed_at is not None
    # The job running again sends nothing.
    send_notification_email(notification.pk)
    send_notification_email(notification.pk)
    assert len(mailoutbox) == 1


def test_no_immediate_email_for_a_notification_read_before_the_job_ran(team, goal, mailoutbox):
    comment_create(actor=team.stakeholder, goal=goal, body="@Tom Team hi")
    notification = Notification.objects.get(recipient=team.member)
    mark_read(user=team.member, notification=notification)
    send_notification_email(notification.pk)
    assert mailoutbox == []


@pytest.mark.parametrize("frequency", [EmailFrequency.DAILY, EmailFrequency.OFF])
def test_people_on_the_digest_or_off_get_no_immediate_email(
    team, goal, mailoutbox, django_capture_on_commit_callbacks, frequency
):
    prefer(team.member, frequency)
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(actor=team.stakeholder, goal=goal, body="@Tom Team hi")
    send_notification_email(Notification.objects.get(recipient=team.member).pk)
    assert mailoutbox == []
    assert kinds_of(team.member) == ["mention"]  # the inbox has it either way


def test_a_preference_changed_before_the_job_runs_is_honoured(team, goal, mailoutbox):
    comment_create(actor=team.stakeholder, goal=goal, body="@Tom Team hi")
    prefer(team.member, EmailFrequency.OFF)
    send_notification_email(Notification.objects.get(recipient=team.member).pk)
    assert mailoutbox == []


def test_the_daily_digest_goes_once_a_day_even_when_the_job_runs_twice(team, goal, mailoutbox):
    prefer(team.member, EmailFrequency.DAILY)
    prefer(team.leader, EmailFrequency.OFF)
    watch_set(user=team.leader, goal=goal, watching=True)
    comment_create(actor=team.stakeholder, goal=goal, body="One")
    comment_create(actor=team.stakeholder, goal=goal, body="Two @Tom Team")
    send_daily_digests()
    send_daily_digests()
    (digest,) = mailoutbox
    assert digest.to == [team.member.email]
    assert digest.subject == "Goal Chain: 2 new notifications"
    assert "Sam Stakeholder mentioned you on “Plan meals fast”" in digest.body
    assert "/notifications/unsubscribe/" in digest.alternatives[0][0]
    assert not Notification.objects.filter(recipient=team.member, emailed_at=None).exists()
    # Something new the same day waits for tomorrow's digest.
    comment_create(actor=team.stakeholder, goal=goal, body="Three")
    send_daily_digests()
    assert len(mailoutbox) == 1
    send_digest(team.member.pk, date(2099, 1, 1).isoformat())
    assert len(mailoutbox) == 2
    assert "1 new notification" in mailoutbox[1].subject


def test_the_digest_leaves_out_what_was_read_or_already_emailed(team, goal, mailoutbox):
    prefer(team.member, EmailFrequency.DAILY)
    comment_create(actor=team.stakeholder, goal=goal, body="Read it")
    mark_all_read(user=team.member)
    send_daily_digests()
    assert mailoutbox == []


def test_the_unsubscribe_link_works_without_signing_in(team, client):
    token = preferences_token(team.member)
    url = f"/notifications/unsubscribe/{token}/"
    page = client.get(url)
    assert page.status_code == 200
    assert team.member.email in page.content.decode()
    assert (
        User.objects.get(pk=team.member.pk).email_notifications == "immediately"
    )  # GET changes nothing
    assert client.post(url, {"email_notifications": "daily"}).status_code == 200
    assert User.objects.get(pk=team.member.pk).email_notifications == "daily"
    # One-click unsubscribe from a mail client (RFC 8058).
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert User.objects.get(pk=team.member.pk).email_notifications == "off"


def test_a_forged_unsubscribe_link_changes_nothing(team, client):
    token = preferences_token(team.member)
    forged = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    response = client.post(f"/notifications/unsubscribe/{forged}/", {"email_notifications": "off"})
    assert response.status_code == 404
    assert User.objects.get(pk=team.member.pk).email_notifications == "immediately"


def test_the_settings_page_saves_the_preference(team, browser_client):
    client = browser_client(team.member)
    assert client.get("/settings/notifications/").status_code == 200
    assert client.post(
        "/settings/notifications/", {"email_notifications": "bogus"}
    ).status_code == (400)
    response = client.post("/settings/notifications/", {"email_notifications": "daily"})
    assert response.status_code == 302
    assert User.objects.get(pk=team.member.pk).email_notifications == "daily"


# The inbox ---------------------------------------------------------------------------------


def test_the_header_shows_the_unread_count(team, goal, browser_client):
    client = browser_client(team.member)
    assert "unread-badge" not in client.get("/").content.decode()
    comment_create(actor=team.stakeholder, goal=goal, body="@Tom Team one")
    comment_create(actor=team.stakeholder, goal=goal, body="two")
    html = client.get("/").content.decode()
    assert (
        '<span class="unread-badge" data-unread-badge>2<span class="visually-hidden"> unread'
        in (html)
    )


def test_the_inbox_lists_and_marks_read(team, goal, browser_client):
    comment_create(actor=team.stakeholder, goal=goal, body="@Tom Team look")
    comment_create(actor=team.stakeholder, goal=goal, body="and this")
    first, second = Notification.objects.filter(recipient=team.member).order_by("id")
    client = browser_client(team.member)
    html = client.get("/notifications/").content.decode()
    assert html.count("is-unread") == 2
    assert "Sam Stakeholder mentioned you on “Plan meals fast”" in html
    response = client.post(f"/notifications/{first.pk}/read/")
    assert response.status_code == 302
    unread = client.get("/notifications/?show=unread").content.decode()
    assert "Sam Stakeholder commented on" in unread
    assert "mentioned you" not in unread
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=team.member, read_at=None).exists()
    assert second.pk


def test_following_a_notification_marks_it_read_and_leads_to_the_place(team, goal, browser_client):
    comment = comment_create(actor=team.stakeholder, goal=goal, body="@Tom Team here")
    notification = Notification.objects.get(recipient=team.member)
    response = browser_client(team.member).get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/goals/{goal.pk}/#comment-{comment.pk}"
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_nobody_sees_or_touches_another_persons_notifications(team, goal, browser_client, api):
    comment_create(actor=team.stakeholder, goal=goal, body="@Tom Team private")
    notification = Notification.objects.get(recipient=team.member)
    for person in (team.outsider, team.leader):
        client = browser_client(person)
        assert client.get(f"/notifications/{notification.pk}/").status_code == 404
        assert client.post(f"/notifications/{notification.pk}/read/").status_code == 404
        assert api(person).get(f"/api/notifications/{notification.pk}/").status_code == 404
        assert (
            api(person).patch(f"/api/notifications/{notification.pk}/", {"read": True}).status_code
            == 404
        )
        assert api(person).get("/api/notifications/").json()["count"] == 0
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_the_api_lists_marks_and_sets_the_preference(team, goal, api):
    comment_create(actor=team.stakeholder, goal=goal, body="@Tom Team one")
    comment_create(actor=team.stakeholder, goal=goal, body="two")
    client = api(team.member)
    listed = client.get("/api/notifications/").json()
    assert listed["count"] == 2
    newest = listed["results"][0]
    assert (newest["kind"], newest["read"], newest["actor_name"]) == (
        "comment",
        False,
        "Sam Stakeholder",
    )
    assert newest["url"].startswith(f"/goals/{goal.pk}/#comment-")
    marked = client.patch(f"/api/notifications/{newest['id']}/", {"read": True})
    assert marked.json()["read"] is True
    assert client.get("/api/notifications/?unread=true").json()["count"] == 1
    assert client.get("/api/notifications/?unread=maybe").status_code == 400
    assert client.post("/api/notifications/read-all/").json() == {"marked": 1}
    assert client.get("/api/notification-preferences/").json() == {
        "email_notifications": "immediately"
    }
    assert (
        client.patch(
            "/api/notification-preferences/", {"email_notifications": "weekly"}
        ).status_code
        == 400
    )
    changed = client.patch("/api/notification-preferences/", {"email_notifications": "off"})
    assert changed.json() == {"email_notifications": "off"}


def test_watching_through_the_api_and_the_page(team, goal, api, browser_client):
    viewer = OrganizationMembershipFactory(organization=team.product.organization).user
    assert api(viewer).get(f"/api/goals/{goal.pk}/watch/").json() == {"watching": False}
    assert api(viewer).put(f"/api/goals/{goal.pk}/watch/", {"watching": True}).json() == {
        "watching": True
    }
    assert (
        api(team.outsider).put(f"/api/goals/{goal.pk}/watch/", {"watching": True}).status_code
        == 404
    )
    client = browser_client(team.stakeholder)
    response = client.post(f"/goals/{goal.pk}/watch/", {"watching": "1"}, **HTMX)
    assert "Stop watching" in response.content.decode()
    assert Watch.objects.get(goal=goal, user=team.stakeholder).watching is True
    client.post(f"/goals/{goal.pk}/watch/", {"watching": "0"})
    assert Watch.objects.get(goal=goal, user=team.stakeholder).watching is False
