"""Comment threads, the inbox and the activity feed cost the same number of queries for 5 and
for 200 items."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goals.models import Comment, GoalChange, Insight, Notification

pytestmark = pytest.mark.django_db

SIZES = [5, 200]


def make_comments(team, goal, n: int) -> None:
    """`n` comments: every third one a reply, each mentioning the member."""
    start = timezone.now() - timedelta(days=1)
    roots = Comment.objects.bulk_create(
        Comment(
            product=team.product,
            goal=goal,
            author=team.stakeholder,
            body=f"Root {i} @Tom Team",
            body_html=f"<p>Root {i}</p>",
            created_at=start + timedelta(seconds=i),
        )
        for i in range(n - n // 3)
    )
    Comment.objects.bulk_create(
        Comment(
            product=team.product,
            goal=goal,
            parent=roots[i],
            author=team.member,
            body=f"Reply {i}",
            body_html=f"<p>Reply {i}</p>",
            created_at=start + timedelta(hours=1, seconds=i),
            edited_at=start + timedelta(hours=2),
        )
        for i in range(n // 3)
    )
    Comment.mentions.through.objects.bulk_create(
        Comment.mentions.through(comment_id=c.pk, user_id=team.member.pk) for c in roots
    )


@pytest.mark.parametrize("size", SIZES)
def test_it_lists_a_goals_comments_in_a_fixed_number_of_queries(
    team, goal, api, django_assert_num_queries, size
):
    make_comments(team, goal, size)
    client = api(team.stakeholder)
    # 1 the token and its user, 2 the goal with my roles, 3 the count,
    # 4 the page of comments with authors, 5 the people they mention.
    with django_assert_num_queries(5):
        response = client.get(f"/api/goals/{goal.pk}/comments/?page_size=500")
    assert len(response.json()["results"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_it_shows_a_thread_on_the_goal_page_in_a_fixed_number_of_queries(
    team, goal, browser_client, django_assert_num_queries, size
):
    make_comments(team, goal, size)
    client = browser_client(team.stakeholder)
    # 1 session, 2 user with unread count, 3 goal with my roles, 4 parents, 5 key results,
    # 6 feedback rounds, 7 comments with authors, 8 insights, 9 watching?, 10 children,
    # 11 history, 12 owners named in the history, 13 goals named in the history,
    # 14 check-ins, 15 the decision that adopted the goal.
    with django_assert_num_queries(15):
        response = client.get(f"/goals/{goal.pk}/")
    html = response.content.decode()
    assert html.count('class="comment"') == size
    assert html.count("edited</span>") == size // 3


@pytest.mark.parametrize("size", SIZES)
def test_it_redraws_the_discussion_in_a_fixed_number_of_queries(
    team, goal, browser_client, django_assert_num_queries, size
):
    make_comments(team, goal, size)
    client = browser_client(team.stakeholder)
    # 1 session, 2 user, 3 goal with my roles, 4 comments with authors.
    with django_assert_num_queries(4):
        response = client.get(f"/goals/{goal.pk}/comments/", HTTP_HX_REQUEST="true")
    assert response.content.decode().count('class="comment"') == size


def make_notifications(team, goal, n: int) -> None:
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=team.member,
            kind="comment",
            key=f"test:{i}",
            actor=team.stakeholder,
            product=team.product,
            goal=goal,
            text=f"Sam commented {i}",
            excerpt="Something",
            url=f"/goals/{goal.pk}/",
            created_at=now - timedelta(minutes=i),
            read_at=now if i % 2 else None,
        )
        for i in range(n)
    )


@pytest.mark.parametrize("size", SIZES)
def test_it_reads_the_inbox_in_a_fixed_number_of_queries(
    team, goal, browser_client, api, django_assert_num_queries, size
):
    make_notifications(team, goal, size)
    client = browser_client(team.member)
    # 1 session, 2 user with unread count, 3 the count, 4 the page with the actors.
    with django_assert_num_queries(4):
        response = client.get("/notifications/")
    assert response.content.decode().count('class="notification ') == min(size, 50)
    client = api(team.member)
    # 1 the token and its user, 2 the count, 3 the page with the actors.
    with django_assert_num_queries(3):
        listed = client.get("/api/notifications/?page_size=500")
    assert len(listed.json()["results"]) == size


def make_activity(team, goal, n: int) -> None:
    """About `n` items of the feed, the kinds taking turns so that every page has each."""
    now = timezone.now()
    third = n // 3 + 1

    def moment(i: int, turn: int):
        return now - timedelta(seconds=3 * i + turn)

    GoalChange.objects.bulk_create(
        GoalChange(goal=goal, by=team.member, changes={"title": ["a", "b"]}, at=moment(i, 0))
        for i in range(third)
    )
    Comment.objects.bulk_create(
        Comment(
            product=team.product,
            goal=goal,
            author=team.stakeholder,
            body=f"C{i}",
            created_at=moment(i, 1),
        )
        for i in range(third)
    )
    Insight.objects.bulk_create(
        Insight(
            goal=goal,
            kind="qualitative",
            summary=f"S{i}",
            source="x",
            author=team.member,
            created_at=moment(i, 2),
        )
        for i in range(n - 2 * third)
    )


@pytest.mark.parametrize("size", SIZES)
def test_it_reads_the_activity_feed_in_a_fixed_number_of_queries(
    team, goal, browser_client, api, django_assert_num_queries, size
):
    make_activity(team, goal, size)
    client = browser_client(team.member)
    # 1 session, 2 user, 3 product with my roles, 4 the count, 5 the page of ids and kinds,
    # then one query per kind on the page: 6 goal changes, 7 comments, 8 insights.
    with django_assert_num_queries(8):
        response = client.get(f"/products/{team.product.pk}/activity/")
    assert response.content.decode().count('class="feed-item') == min(size + 2, 50)
    client = api(team.member)
    # The same through the API, with the token instead of the session and the user.
    with django_assert_num_queries(7):
        listed = client.get(f"/api/products/{team.product.pk}/activity/?page_size=500")
    assert len(listed.json()["results"]) == size + 2  # and the two goals' creation
