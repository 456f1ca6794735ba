"""Load the demo: the healthy-eating app's chain of goals, from its vision to two sprint goals.

Idempotent: what already exists is found (people by email, the organisation and product by
name, goals by level and title, key results by goal and title) and left as it is; only what
is missing is created, through the same services the pages and the API use. So a second run
creates nothing, and a run after someone deleted part of the demo puts the missing part back.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from goals.errors import DomainError
from goals.models import (
    MAX_PARENTS,
    FeedbackAnswer,
    Goal,
    HookKind,
    InsightKind,
    KeyResult,
    Level,
    Organization,
    OrganizationMembership,
    OrgRole,
    Product,
    ProductMembership,
    ProductRole,
    Status,
    User,
    Webhook,
)
from goals.rules.key_result_history import field_key
from goals.services.agreement import goal_agreed_by_feedback, goal_agreed_by_record
from goals.services.boards import vision_board_update
from goals.services.check_ins import Value, check_in_create
from goals.services.comments import comment_create
from goals.services.feedback import feedback_answer, feedback_round_close, feedback_round_open
from goals.services.goals import goal_create, goal_update
from goals.services.insights import insight_create
from goals.services.key_results import key_result_create
from goals.services.organizations import (
    organization_create,
    organization_update,
    product_create,
    product_update,
)

DEFAULT_PASSWORD = "goalchain-demo"
ORGANIZATION = "Healthy Eating Co."
PRODUCT = "Healthy-eating app"
BUSINESS_STRATEGY = """\
Become Europe's most trusted companion for everyday healthy eating.

- **Where we play:** adults who want to eat better without counting every calorie.
- **How we win:** habits over diets; food logging that takes seconds; advice from dietitians.
- **How we make money:** a free app, and a Premium subscription for meal plans and coaching.
"""
# The Product Vision Board's boxes that the chain does not fill.
VISION_BOARD = {
    "target_group": "Adults who want to eat better without counting every calorie\n"
    "Busy parents who cook for a family",
    "needs": "Know what to eat this week without having to think about it\n"
    "Log a meal in seconds\nAdvice they can trust",
    "product_summary": "A mobile app to plan, log and learn about everyday meals\n"
    "Meal plans and coaching by dietitians in Premium",
}
PORTFOLIO_STRATEGY = """\
The healthy-eating app is our flagship and the entry point to Premium. This year it invests in
**planning** (meal plans that people follow) and **retention** (a first week that turns
sign-ups into daily loggers), ahead of new markets.
"""


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    product_role: str
    org_role: str = OrgRole.MEMBER


# The first person creates the organisation and the product: an org admin and a leader.
PEOPLE = (
    Person("leader@example.com", "Lea Leader", ProductRole.LEADER, OrgRole.ADMIN),
    Person("leader2@example.com", "Luis Lindqvist", ProductRole.LEADER),
    Person("team@example.com", "Tara Team", ProductRole.TEAM),
    Person("team2@example.com", "Tomás Torres", ProductRole.TEAM),
    Person("team3@example.com", "Tess Tanaka", ProductRole.TEAM),
    Person("stakeholder@example.com", "Sam Stakeholder", ProductRole.STAKEHOLDER),
    Person("stakeholder2@example.com", "Stella Sponsor", ProductRole.STAKEHOLDER),
)


@dataclass(frozen=True)
class KeyResultSpec:
    title: str
    unit: str
    baseline: str
    target: str
    current: str
    owner: str


@dataclass(frozen=True)
class GoalSpec:
    level: str
    title: str
    description: str
    owner: str
    # Titles of the goals one level up that this goal serves.
    parents: tuple[str, ...]
    # Timeframe in days, from the day the demo is first loaded.
    starts: int
    days: int
    confidence: int | None = None
    key_results: tuple[KeyResultSpec, ...] = ()


# Who agrees the demo's goals: a feedback round asks the other leader and the stakeholders
# about the strategic goals; leaders and team agree product and sprint goals at planning.
STRATEGIC_LEVELS = (Level.VISION, Level.USER, Level.BUSINESS)
ROUND_PEOPLE = ("leader2@example.com", "stakeholder@example.com", "stakeholder2@example.com")
PLANNING_PEOPLE = (
    "leader@example.com",
    "leader2@example.com",
    "team@example.com",
    "team2@example.com",
    "team3@example.com",
)

VISION = "Empowering people to make nutritious choices and lead healthier lives"
USER_GOAL = "Increase the number of users logging their meals daily by 20%"
BUSINESS_GOAL = "Achieve a 15% increase in subscription revenue"
MEAL_PLANNING = "Launch a new and improved meal planning feature"
RETENTION = "Improve the app's user retention rate by 10%"

# Top-down, so every goal's parents exist before it is created.
CHAIN = (
    GoalSpec(
        Level.VISION,
        VISION,
        "Healthy eating should be easy, enjoyable and within everyone's reach.",
        "leader@example.com",
        (),
        starts=-90,
        days=6 * 365,
    ),
    GoalSpec(
        Level.USER,
        USER_GOAL,
        "People who log what they eat every day learn what works for them. "
        "Daily logging is the habit that everything else builds on.",
        "leader2@example.com",
        (VISION,),
        starts=-60,
        days=2 * 365,
        key_results=(
            KeyResultSpec(
                "Users who log at least one meal every day",
                "users/day",
                "10000",
                "12000",
                "10800",
                "team@example.com",
            ),
        ),
    ),
    GoalSpec(
        Level.BUSINESS,
        BUSINESS_GOAL,
        "Premium pays for the free app. Grow it by making Premium worth keeping.",
        "leader@example.com",
        (VISION,),
        starts=-60,
        days=2 * 365,
        key_results=(
            KeyResultSpec(
                "Monthly recurring subscription revenue",
                "EUR/month",
                "200000",
                "230000",
                "209000",
                "leader@example.com",
            ),
            KeyResultSpec(
                "Trial-to-paid conversion", "%", "4", "5.5", "4.4", "leader2@example.com"
            ),
        ),
    ),
    GoalSpec(
        Level.PRODUCT,
        MEAL_PLANNING,
        "Weekly meal plans that fit people's tastes, budget and time, with a shopping list. "
        "It makes logging easier (plans log themselves) and is the heart of Premium.",
        "leader2@example.com",
        (USER_GOAL, BUSINESS_GOAL),
        starts=-30,
        days=120,
        key_results=(
            KeyResultSpec(
                "People who follow a meal plan for a whole week",
                "users/week",
                "0",
                "5000",
                "1200",
                "team@example.com",
            ),
            KeyResultSpec(
                "Meal plan satisfaction", "score of 5", "3.2", "4.2", "3.5", "team2@example.com"
            ),
        ),
    ),
    GoalSpec(
        Level.PRODUCT,
        RETENTION,
        "Too many people leave in their first week. Find out why and fix the first week.",
        "leader@example.com",
        (BUSINESS_GOAL,),
        starts=-14,
        days=150,
        key_results=(
            KeyResultSpec(
                "Users still active 30 days after sign-up",
                "%",
                "40",
                "44",
                "41",
                "team3@example.com",
            ),
        ),
    ),
    GoalSpec(
        Level.SPRINT,
        "Implement the new meal planning feature",
        "Plan a week, swap a meal, get the shopping list: the first version in people's hands.",
        "team@example.com",
        (MEAL_PLANNING,),
        starts=-7,
        days=14,
        confidence=4,
    ),
    GoalSpec(
        Level.SPRINT,
        "Optimize the onboarding flow to improve user retention",
        "Shorten sign-up to three steps and get people to their first logged meal in a minute.",
        "team2@example.com",
        (RETENTION,),
        starts=7,
        days=14,
        confidence=3,
    ),
)


class Command(BaseCommand):
    help = "Load the healthy-eating demo chain and its people (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo even with DEBUG off: its accounts share a published password.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "The demo accounts share a published password, so seed_demo runs only with "
                "DEBUG=1. Pass --force to load it anyway."
            )
        password = os.getenv("DEMO_PASSWORD") or DEFAULT_PASSWORD
        self.created: Counter[str] = Counter()
        self.password_hash = ""
        try:
            with transaction.atomic():
                self._seed(password)
        except DomainError as error:
            raise CommandError(f"The demo could not be loaded: {error.message}") from error
        if self.created:
            made = ", ".join(f"{count} {what}" for what, count in self.created.items())
            self.stdout.write(f"Demo loaded: created {made}.")
        else:
            self.stdout.write("Demo already loaded: nothing to create.")
        self._print_logins(password, all_new=self.created["accounts"] == len(PEOPLE))

    def _seed(self, password: str) -> None:
        users = {person.email: self._user(person, password) for person in PEOPLE}
        founder = users[PEOPLE[0].email]
        organization = self._organization(founder)
        for person in PEOPLE:
            self._org_member(organization, users[person.email], person.org_role)
        product = self._product(organization, founder)
        missing = {k: text for k, text in VISION_BOARD.items() if not getattr(product, k).strip()}
        if missing:
            vision_board_update(actor=founder, product=product, data=missing)
        for person in PEOPLE:
            self._product_member(product, users[person.email], person.product_role)
        today = timezone.localdate()
        goals: dict[str, Goal] = {}
        for spec in CHAIN:
            new = _find_goal(product, spec) is None
            goals[spec.title] = self._goal(product, founder, users, goals, spec, today)
            for kr in spec.key_results:
                self._key_result(goals[spec.title], founder, users, kr)
            if new:
                goals[spec.title] = self._agree(goals[spec.title], founder, users)
        self._conversation(goals[USER_GOAL], users)
        self._example_hook(product, founder)

    def _example_hook(self, product: Product, founder: User) -> None:
        """A Slack hook, switched off, so the integrations page shows what one looks like;
        its address is an example that goes nowhere."""
        if product.webhooks.exists():
            return
        Webhook.objects.create(
            product=product,
            url="https://hooks.slack.com/services/T00000000/B00000000/example",
            kind=HookKind.SLACK,
            events=["goal.agreed", "goal.closed", "workshop.decided"],
            active=False,
            created_by=founder,
        )
        self._note("example hook")

    def _conversation(self, goal: Goal, users: dict[str, User]) -> None:
        """A check-in, an insight and a question on the user goal, so its page has a life."""
        if not goal.check_ins.exists():
            key_result = goal.key_results.order_by("id").first()
            if key_result is not None:
                check_in_create(
                    actor=users["team@example.com"],
                    goal=goal,
                    values=[Value(key_result.pk, key_result.current)],
                    confidence=4,
                    note="Daily logging is up since the evening reminder shipped.",
                )
                self._note("check-ins")
        if not goal.insights.exists():
            insight_create(
                actor=users["stakeholder@example.com"],
                goal=goal,
                kind=InsightKind.QUALITATIVE,
                summary="Support hears every week that logging a home-cooked meal takes too "
                "many taps.",
                source="Customer service tickets, last quarter",
            )
            self._note("insights")
        if not goal.comments.exists():
            comment_create(
                actor=users["stakeholder@example.com"],
                goal=goal,
                body="Could quick-add from a photo help here, @team@example.com?",
            )
            self._note("comments")

    def _note(self, what: str) -> None:
        self.created[what] += 1

    def _user(self, person: Person, password: str) -> User:
        user = User.objects.filter(email__iexact=person.email).first()
        if user is None:
            user = User.objects.create_user(email=person.email, display_name=person.name)
            self._note("accounts")
        elif user.has_usable_password():
            return user
        # One hash for all demo accounts: hashing is slow on purpose, seven times over.
        self.password_hash = self.password_hash or make_password(password)
        user.password = self.password_hash
        user.save(update_fields=["password"])
        return user

    def _organization(self, founder: User) -> Organization:
        organization = Organization.objects.filter(name=ORGANIZATION).order_by("id").first()
        if organization is None:
            self._note("organisation")
            return organization_create(
                actor=founder, name=ORGANIZATION, business_strategy=BUSINESS_STRATEGY
            )
        if not organization.business_strategy.strip():
            organization = organization_update(
                actor=founder,
                organization=organization,
                data={"business_strategy": BUSINESS_STRATEGY},
            )
        return organization

    def _org_member(self, organization: Organization, user: User, role: str) -> None:
        if OrganizationMembership.objects.filter(organization=organization, user=user).exists():
            return
        # The demo's people join at once: adding someone otherwise invites them, and nobody
        # is there to accept.
        OrganizationMembership.objects.create(organization=organization, user=user, role=role)
        self._note("organisation memberships")

    def _product(self, organization: Organization, founder: User) -> Product:
        product = organization.products.filter(name=PRODUCT).order_by("id").first()
        if product is None:
            self._note("product")
            return product_create(
                actor=founder,
                organization=organization,
                name=PRODUCT,
                portfolio_strategy=PORTFOLIO_STRATEGY,
            )
        if not product.portfolio_strategy.strip():
            product = product_update(
                actor=founder, product=product, data={"portfolio_strategy": PORTFOLIO_STRATEGY}
            )
        return product

    def _product_member(self, product: Product, user: User, role: str) -> None:
        if ProductMembership.objects.filter(product=product, user=user).exists():
            return
        ProductMembership.objects.create(product=product, user=user, role=role)
        self._note("product memberships")

    def _goal(
        self,
        product: Product,
        founder: User,
        users: dict[str, User],
        goals: dict[str, Goal],
        spec: GoalSpec,
        today: date,
    ) -> Goal:
        parents = [goals[title] for title in spec.parents]
        existing = _find_goal(product, spec)
        if existing is None:
            starts_on = today + timedelta(days=spec.starts)
            self._note("goals")
            return goal_create(
                actor=founder,
                product=product,
                level=spec.level,
                title=spec.title,
                description=spec.description,
                owner=users[spec.owner],
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=spec.days),
                confidence=spec.confidence,
                parents=parents,
            )
        # Links the demo declares but that went missing (a parent was deleted and loaded
        # again) are put back, where the level allows it; other edits to the demo stay.
        linked = [p for p in existing.parents.all() if p.status != Status.DROPPED]
        missing = [p for p in parents if p.pk not in {q.pk for q in linked}]
        if missing and (not linked or len(linked) + len(missing) <= MAX_PARENTS[spec.level]):
            self._note("repaired goals")
            return goal_update(
                actor=founder,
                goal=existing,
                data={"parents": linked + missing},
                change_reason="The demo loader linked this goal back into the chain.",
            )
        return existing

    def _agree(self, goal: Goal, founder: User, users: dict[str, User]) -> Goal:
        """A new demo goal is agreed the way the method asks: the vision, user and business
        goals by a feedback round everyone asked supported, product and sprint goals by the
        team's planning, recorded with who agreed and why."""
        if goal.level in STRATEGIC_LEVELS:
            people = [users[email] for email in ROUND_PEOPLE]
            feedback_round = feedback_round_open(
                actor=founder,
                goal=goal,
                people=people,
                deadline=timezone.localdate(),
                question="Can you stand behind this goal?",
            )
            for person in people:
                feedback_answer(
                    actor=person, feedback_round=feedback_round, answer=FeedbackAnswer.SUPPORT
                )
            feedback_round_close(feedback_round_id=feedback_round.pk, actor=founder)
            self._note("feedback rounds")
            feedback_round.refresh_from_db()
            return goal_agreed_by_feedback(actor=founder, goal=goal, feedback_round=feedback_round)
        planning = "quarterly planning" if goal.level == Level.PRODUCT else "sprint planning"
        self._note("recorded agreements")
        return goal_agreed_by_record(
            actor=founder,
            goal=goal,
            agreed_by=[users[email] for email in PLANNING_PEOPLE],
            reason=f"Agreed by the leaders and the team at the {planning}.",
        )

    def _key_result(
        self, goal: Goal, founder: User, users: dict[str, User], spec: KeyResultSpec
    ) -> None:
        if KeyResult.objects.filter(goal=goal, title=spec.title).exists():
            return
        if goal.changes.filter(changes__has_key=field_key(spec.title, "title")).exists():
            return  # renamed in the app since: its goal's history says so
        key_result_create(
            actor=founder,
            goal=goal,
            title=spec.title,
            unit=spec.unit,
            baseline=Decimal(spec.baseline),
            target=Decimal(spec.target),
            current=Decimal(spec.current),
            owner=users[spec.owner],
            due_on=goal.ends_on,
        )
        self._note("key results")

    def _print_logins(self, password: str, *, all_new: bool) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins for {PRODUCT!r} (password for every account: {password}):")
        for person in PEOPLE:
            role = ProductRole(person.product_role).label.lower()
            if person.org_role == OrgRole.ADMIN:
                role += ", organisation admin"
            self.stdout.write(f"  {person.email:<26} {person.name:<16} {role}")
        if not all_new:
            self.stdout.write("  (accounts from an earlier run keep the password they had)")


def _find_goal(product: Product, spec: GoalSpec) -> Goal | None:
    goals = Goal.objects.filter(product=product, level=spec.level)
    if spec.level == Level.VISION:
        # One live vision per product: if someone renamed it, it is still the vision.
        return goals.exclude(status=Status.DROPPED).first()
    found = goals.filter(title=spec.title).order_by("id").first()
    if found is None:
        # Renamed since: its history says it once took the demo's title (a created goal's
        # first entry holds each field as [None, value]; an edit as [old, new]).
        found = goals.filter(changes__changes__title__1=spec.title).order_by("id").first()
    return found
