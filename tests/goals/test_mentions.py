"""Mentions: @email or @display name of a product member; anything else is plain text."""

from __future__ import annotations

import pytest

from goals.models import ProductRole
from goals.rules.mentions import find_mentions, render_comment
from goals.selectors.notifications import is_watching
from goals.services.comments import comment_create, comment_update
from tests.factories import UserFactory, add_member
from tests.goals.conversations import inbox_of, kinds_of
from tests.workshops.conftest import make_room
from workshops.models import Phase

pytestmark = pytest.mark.django_db


def people(team):
    return [team.leader, team.member, team.stakeholder]


def test_it_finds_mentions_by_email_and_by_display_name(team):
    body = f"Ask @{team.member.email}, or @sam stakeholder. Thanks @Lea Leader!"
    found = [(m.person, m.text(body)) for m in find_mentions(body, people(team))]
    assert found == [
        (team.member, f"@{team.member.email}"),
        (team.stakeholder, "@sam stakeholder"),
        (team.leader, "@Lea Leader"),
    ]


def test_the_longest_name_wins_and_words_must_end(team):
    tom = add_member(team.product, UserFactory(display_name="Tom"), ProductRole.TEAM)
    members = [*people(team), tom]
    assert [m.person for m in find_mentions("@Tom Team please", members)] == [team.member]
    assert [m.person for m in find_mentions("@Tom, please", members)] == [tom]
    assert find_mentions("@Tomorrow maybe", members) == []
    assert find_mentions("mail me at x@Tom", members) == []


def test_a_name_two_members_share_mentions_nobody_but_their_emails_do(team):
    twin = add_member(team.product, UserFactory(display_name="Tom Team"), ProductRole.TEAM)
    members = [*people(team), twin]
    assert find_mentions("@Tom Team", members) == []
    assert [m.person for m in find_mentions(f"@{twin.email}", members)] == [twin]


def test_it_marks_mentions_in_the_html_and_keeps_the_rest_markdown(team):
    html, mentioned = render_comment("**Hi** @Tom Team and @Nobody Here", people(team))
    assert html == (
        '<p><strong>Hi</strong> <span class="mention">@Tom Team</span> and @Nobody Here</p>\n'
    )
    assert mentioned == [team.member]


def test_it_cannot_be_tricked_into_marking_text_as_a_mention(team):
    html, mentioned = render_comment("\ue0000\ue001 <b>@Tom Team</b>", people(team))
    assert mentioned == [team.member]
    assert html.count('class="mention"') == 1
    assert "<b>" not in html


def test_a_mentioned_member_is_notified_once_and_outsiders_never(team, goal):
    body = f"@Tom Team @{team.outsider.email} @Otto Outsider @Tom Team"
    comment = comment_create(actor=team.stakeholder, goal=goal, body=body)
    assert kinds_of(team.member) == ["mention"]
    assert inbox_of(team.member)[0][1] == "Sam Stakeholder mentioned you on “Plan meals fast”"
    assert kinds_of(team.outsider) == []
    assert list(comment.mentions.all()) == [team.member]
    assert f"@{team.outsider.email}" in comment.body_html  # plain text


def test_mentioning_yourself_notifies_nobody(team, goal):
    comment_create(actor=team.member, goal=goal, body="Note to self, @Tom Team")
    assert kinds_of(team.member) == []


def test_an_edit_notifies_only_people_mentioned_for_the_first_time(team, goal):
    comment = comment_create(actor=team.stakeholder, goal=goal, body="@Tom Team look")
    comment_update(actor=team.stakeholder, comment=comment, body="@Tom Team and @Lea Leader look")
    comment_update(actor=team.stakeholder, comment=comment, body="@Lea Leader look")
    comment_update(actor=team.stakeholder, comment=comment, body="@Tom Team @Lea Leader again")
    assert kinds_of(team.member) == ["mention"]
    assert kinds_of(team.leader) == ["mention"]


def test_mentioned_people_start_watching_the_goal(team, goal):
    comment_create(actor=team.member, goal=goal, body="@Sam Stakeholder what do you think?")
    assert is_watching(team.stakeholder, goal)


def test_on_a_proposal_only_people_in_the_room_can_be_mentioned(team):
    room = make_room(team)
    room.to(Phase.DRAFTING)
    proposal = room.propose()
    not_invited = add_member(team.product, UserFactory(display_name="Nina New"), ProductRole.TEAM)
    comment = comment_create(
        actor=room.voters[1], proposal=proposal, body="@Nina New @Sam Stakeholder thoughts?"
    )
    assert list(comment.mentions.all()) == [team.stakeholder]
    assert kinds_of(not_invited) == []
