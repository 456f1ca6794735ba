"""`manage.py seed_demo`: the healthy-eating demo chain, loaded once however often it runs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from goals.management.commands.seed_demo import (
    BUSINESS_GOAL,
    MEAL_PLANNING,
    RETENTION,
    USER_GOAL,
    VISION,
)
from goals.models import (
    AgreementWay,
    Goal,
    GoalAgreement,
    GoalLink,
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
from goals.selectors.chain import load_chain
from goals.services.goals import goal_update
from goals.services.key_results import key_result_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options: object) -> str:
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict[str, object]:
    """Everything the demo consists of, by name, so two states can be compared."""
    return {
        "users": sorted(User.objects.values_list("email", flat=True)),
        "organizations": sorted(Organization.objects.values_list("name", flat=True)),
        "org_members": sorted(
            OrganizationMembership.objects.values_list("organization__name", "user__email", "role")
        ),
        "products": sorted(Product.objects.values_list("name", flat=True)),
        "product_members": sorted(
            ProductMembership.objects.values_list("product__name", "user__email", "role")
        ),
        "goals": sorted(Goal.objects.values_list("level", "title", "status")),
        "links": sorted(GoalLink.objects.values_list("child__title", "parent__title")),
        "key_results": sorted(
            KeyResult.objects.values_list("goal__title", "title", "owner__email")
        ),
        "hooks": sorted(Webhook.objects.values_list("product__name", "kind", "active")),
    }


def goal(title: str) -> Goal:
    return Goal.objects.get(title=title)


def test_it_builds_the_healthy_eating_chain():
    output = seed()

    product = Product.objects.get(name="Healthy-eating app")
    assert product.organization.name == "Healthy Eating Co."
    assert product.organization.business_strategy.strip()
    assert product.portfolio_strategy.strip()
    titles = {
        level: sorted(product.goals.filter(level=level).values_list("title", flat=True))
        for level in Level.values
    }
    assert titles == {
        Level.VISION: [VISION],
        Level.USER: [USER_GOAL],
        Level.BUSINESS: [BUSINESS_GOAL],
        Level.PRODUCT: sorted([MEAL_PLANNING, RETENTION]),
        Level.SPRINT: [
            "Implement the new meal planning feature",
            "Optimize the onboarding flow to improve user retention",
        ],
    }
    assert set(product.goals.values_list("status", flat=True)) == {Status.AGREED}
    assert "leader@example.com" in output and "goalchain-demo" in output


def test_every_demo_goal_is_agreed_by_the_rule_and_says_how():
    seed()

    product = Product.objects.get(name="Healthy-eating app")
    ways = {
        g.level: (g.agreed_via, g.changes.get(via=g.agreed_via).reason) for g in product.goals.all()
    }
    assert ways[Level.VISION] == (
        AgreementWay.FEEDBACK_ROUND,
        "Agreed after feedback round (everyone asked supported).",
    )
    assert ways[Level.USER][0] == ways[Level.BUSINESS][0] == AgreementWay.FEEDBACK_ROUND
    assert ways[Level.PRODUCT][0] == ways[Level.SPRINT][0] == AgreementWay.RECORD
    assert ways[Level.SPRINT][1].endswith("the leaders and the team at the sprint planning.")
    assert "agreed_outside_workshop" not in {f.code for f in load_chain(product).findings}
    # A second run agrees nothing again.
    before = GoalAgreement.objects.count()
    seed()
    assert GoalAgreement.objects.count() == before == product.goals.count()


def test_it_links_each_goal_one_level_up():
    seed()

    assert list(goal(USER_GOAL).parents.all()) == [goal(VISION)]
    assert list(goal(BUSINESS_GOAL).parents.all()) == [goal(VISION)]
    assert set(goal(MEAL_PLANNING).parents.all()) == {goal(USER_GOAL), goal(BUSINESS_GOAL)}
    assert list(goal(RETENTION).parents.all()) == [goal(BUSINESS_GOAL)]
    meal_sprint = goal("Implement the new meal planning feature")
    onboarding_sprint = goal("Optimize the onboarding flow to improve user retention")
    assert list(meal_sprint.parents.all()) == [goal(MEAL_PLANNING)]
    assert list(onboarding_sprint.parents.all()) == [goal(RETENTION)]
    for sprint in (meal_sprint, onboarding_sprint):
        assert sprint.starts_on and sprint.ends_on
        assert (sprint.ends_on - sprint.starts_on).days == 14


def test_the_chain_has_no_orphans_and_nothing_for_chain_health_to_flag():
    seed()

    chain = load_chain(Product.objects.get(name="Healthy-eating app"))
    assert len(chain.goals) == 7
    assert chain.orphans == []
    assert chain.findings == []
    assert chain.score == 100


def test_measured_goals_have_key_results_with_an_owner_baseline_target_and_unit():
    seed()

    for title in (USER_GOAL, BUSINESS_GOAL, MEAL_PLANNING, RETENTION):
        key_results = list(goal(title).key_results.all())
        assert key_results, title
        for key_result in key_results:
            assert key_result.owner_id is not None
            assert key_result.unit
            assert key_result.target != key_result.baseline
    assert goal(MEAL_PLANNING).progress > 0


def test_it_gives_every_role_its_people():
    seed()

    product = Product.objects.get(name="Healthy-eating app")
    roles = sorted(product.memberships.values_list("role", flat=True))
    assert roles.count(ProductRole.LEADER) == 2
    assert roles.count(ProductRole.TEAM) == 3
    assert roles.count(ProductRole.STAKEHOLDER) == 2
    admin = OrganizationMembership.objects.get(role=OrgRole.ADMIN)
    assert admin.user.email == "leader@example.com"
    assert product.memberships.get(user=admin.user).role == ProductRole.LEADER
    assert User.objects.get(email="stakeholder@example.com").check_password("goalchain-demo")


def test_it_takes_the_demo_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-password")

    output = seed()

    assert "another-demo-password" in output
    assert User.objects.get(email="team@example.com").check_password("another-demo-password")


def test_the_integrations_page_has_one_example_hook_that_sends_nothing():
    seed()
    (hook,) = Webhook.objects.all()
    assert (hook.product.name, hook.kind, hook.active) == ("Healthy-eating app", "slack", False)
    assert hook.events == ["goal.agreed", "goal.closed", "workshop.decided"]


def test_it_creates_nothing_the_second_time():
    seed()
    first = snapshot()

    output = seed()

    assert snapshot() == first
    assert "nothing to create" in output


def test_it_puts_back_what_was_deleted():
    seed()
    complete = snapshot()
    goal(BUSINESS_GOAL).delete()  # takes its key results and links along
    goal("Implement the new meal planning feature").delete()
    ProductMembership.objects.get(user__email="team3@example.com").delete()

    seed()

    assert snapshot() == complete
    chain = load_chain(Product.objects.get(name="Healthy-eating app"))
    assert chain.orphans == []


def test_it_keeps_what_people_changed_in_the_demo():
    seed()
    vision = goal(VISION)
    Goal.objects.filter(pk=vision.pk).update(title="Healthy food for everyone, every day")

    seed()

    assert Goal.objects.filter(level=Level.VISION).count() == 1
    assert Goal.objects.get(pk=vision.pk).title == "Healthy food for everyone, every day"


def test_a_demo_goal_renamed_in_the_app_is_not_loaded_again():
    seed()
    leader = User.objects.get(email="leader@example.com")
    planning = goal(MEAL_PLANNING)
    goal_update(
        actor=leader,
        goal=planning,
        data={"title": "Ship the weekly meal planner"},
        change_reason="Narrowed after the workshop",
        version=planning.version,
    )
    before = snapshot()

    seed()

    assert not Goal.objects.filter(title=MEAL_PLANNING).exists()
    assert snapshot() == before


def test_a_demo_key_result_renamed_in_the_app_is_not_loaded_again():
    seed()
    leader = User.objects.get(email="leader@example.com")
    daily = KeyResult.objects.get(title="Users who log at least one meal every day")
    key_result_update(
        actor=leader,
        key_result=daily,
        data={"title": "People who log a meal every day"},
        version=daily.version,
        change_reason="Counts people, not accounts",
    )
    before = snapshot()

    seed()

    assert not KeyResult.objects.filter(title="Users who log at least one meal every day")
    assert snapshot() == before


def test_it_refuses_to_publish_its_password_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())

    assert not User.objects.exists()


def test_the_user_goal_has_a_check_in_an_insight_and_a_question_once():
    seed()
    seed()
    goal = Goal.objects.get(title=USER_GOAL)
    assert goal.check_ins.count() == 1
    assert goal.insights.count() == 1
    comment = goal.comments.get()
    assert [u.email for u in comment.mentions.all()] == ["team@example.com"]
