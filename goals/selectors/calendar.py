"""Calendar feeds: whose feed an address opens, and the events it holds.

A feed holds what the person owns or takes part in, in the products they are still a member
of, and nothing they could not see there: it is read in six queries (the feed, the person's
products, review days, sprint ends, workshops, feedback rounds) whatever their number.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.tokens import hash_key
from goals.models import (
    IN_REVIEW_LOOP,
    OPEN_STATUSES,
    CalendarFeed,
    FeedbackRequest,
    FeedbackRound,
    Goal,
    Level,
    ProductMembership,
    ProductRole,
    User,
)
from goals.rules.calendar import (
    FeedEvent,
    Site,
    feed_ical,
    feed_name,
    feedback_event,
    review_event,
    sprint_end_event,
    workshop_event,
)
from workshops.models import Participant, Phase, Workshop

# The roles whose sprint ends are theirs even on sprint goals they do not own.
SPRINT_ROLES = (ProductRole.LEADER, ProductRole.TEAM)


def site() -> Site:
    return Site(
        root=settings.SITE_URL, host=urlsplit(settings.SITE_URL).hostname or "goalchain.localhost"
    )


def feed_url(secret: str) -> str:
    """The absolute address of the feed with this secret."""
    return site().link(reverse("calendar-feed", args=[secret]))


def feed_of(person: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=person).first()


def feed_person(secret: str) -> User | None:
    """The active person whose feed has this secret, or None (unknown, replaced, stopped)."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(key_hash=hash_key(secret), user__is_active=True)
        .first()
    )
    return feed.user if feed is not None else None


def feed_events(person: User, *, now: datetime | None = None) -> list[FeedEvent]:
    """Review days of goals the person owns; the workshops they facilitate or take part in,
    planned or running (cancelled ones still ahead say so); the deadlines of open feedback
    rounds they opened or were asked in and have not answered; the ends of open sprints they
    own, or of the products they lead or are on the team of."""
    now = now or timezone.now()
    here = site()
    roles = dict(
        ProductMembership.objects.filter(
            user=person, product__organization__memberships__user=person
        ).values_list("product_id", "role")
    )
    products = list(roles)
    on_team = [pk for pk, role in roles.items() if role in SPRINT_ROLES]
    events: list[FeedEvent] = []

    reviews = Goal.objects.filter(
        IN_REVIEW_LOOP, owner=person, product_id__in=products, next_review_on__isnull=False
    ).select_related("product")
    events += [review_event(goal, _link(here, "goal", goal.pk), here) for goal in reviews]

    sprints = (
        Goal.objects.filter(
            level=Level.SPRINT,
            status__in=OPEN_STATUSES,
            product_id__in=products,
            ends_on__isnull=False,
        )
        .filter(Q(owner=person) | Q(product_id__in=on_team))
        .select_related("product")
    )
    events += [sprint_end_event(goal, _link(here, "goal", goal.pk), here) for goal in sprints]

    seated = Participant.objects.filter(workshop=OuterRef("pk"), user=person)
    workshops = (
        Workshop.objects.filter(product_id__in=products, scheduled_at__isnull=False)
        .filter(Q(facilitator=person) | Exists(seated))
        .exclude(phase=Phase.CLOSED)
        .exclude(phase=Phase.CANCELLED, scheduled_at__lt=now)
        .select_related("product__organization", "facilitator")
    )
    events += [
        workshop_event(
            workshop, workshop.scheduled_at, _link(here, "workshop-room", workshop.pk), here
        )
        for workshop in workshops
        if workshop.scheduled_at is not None
    ]

    unanswered = FeedbackRequest.objects.filter(round=OuterRef("pk"), person=person, answer="")
    rounds = (
        FeedbackRound.objects.filter(closed_at__isnull=True, goal__product_id__in=products)
        .filter(Q(requested_by=person) | Exists(unanswered))
        .select_related("goal__product", "requested_by")
    )
    events += [feedback_event(r, person, _link(here, "feedback-round", r.pk), here) for r in rounds]
    return events


def feed_calendar(person: User, *, now: datetime | None = None) -> bytes:
    """The person's feed as iCalendar text."""
    now = now or timezone.now()
    return feed_ical(
        name=feed_name(person),
        uid=site().uid(f"calendar-{person.pk}"),
        events=feed_events(person, now=now),
        stamp=now,
    )


def _link(here: Site, name: str, pk: int) -> str:
    return here.link(reverse(name, args=[pk]))
