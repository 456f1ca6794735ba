"""The importer: a new product made from a checked document, in one transaction.

People are matched by email among the organisation's members; goals, key results, their
history, check-ins, retrospectives, comments, insights and decisions are created with the
document's refs turned into the new product's ids. Nothing is made unless the whole
document reads well (`reader`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from goals.exchange.reader import Plan
from goals.markdown import render_markdown
from goals.models import (
    AgreementWay,
    CheckIn,
    CheckInValue,
    Comment,
    Goal,
    GoalChange,
    GoalLink,
    Insight,
    KeyResult,
    Organization,
    Product,
    ProductMembership,
    ProductRole,
    Retrospective,
    ReviewSchedule,
    Status,
    User,
)
from goals.services.organizations import NAME_MAX_LENGTH, check_product_name_free, required_name
from goals.services.progress import recompute_progress
from workshops.models import Decision, Phase, Proposal, ProposalStatus, Workshop


@dataclass
class Imported:
    """The new product, and the people of the document it could not seat."""

    product: Product
    unmatched_people: list[str] = field(default_factory=list)


IMPORTED_SUFFIX = " (imported)"


def imported_name(name: str) -> str:
    """The name an imported copy gets unless given one: "Meal planner (imported)"."""
    room = NAME_MAX_LENGTH - len(IMPORTED_SUFFIX)
    return name[:room].rstrip() + IMPORTED_SUFFIX


# Statuses a goal only reaches by being agreed; an import restores them as they were.
_WAS_AGREED = (Status.AGREED, Status.ACHIEVED, Status.MISSED)
RESTORED_REASON = "Restored from an export: its status is as exported, not a new decision."


def import_document(
    *, actor: User, organization: Organization, document: Any, name: str = ""
) -> Imported:
    """Create a new product in `organization` from an export; nothing at all on any problem.

    The product is called `name`, or else the exported name followed by "(imported)"; like
    every product's, its name is one the organisation does not use yet.

    People are matched by email among the organisation's members and keep their product
    role; goals and key results of anyone else are given to the importer, who leads the new
    product. The response names who was not found.
    """
    plan = Plan.read(document)
    name = required_name(name=name or imported_name(plan.product_name))
    people = plan.people(organization)
    unmatched = sorted(plan.emails - people.keys())
    with transaction.atomic():
        check_product_name_free(organization=organization, name=name)
        product = Product.objects.create(
            organization=organization,
            name=name,
            portfolio_strategy=plan.portfolio_strategy,
            portfolio_strategy_html=render_markdown(plan.portfolio_strategy),
            **plan.product_fields,
        )
        roles: dict[int, str] = {actor.pk: ProductRole.LEADER}
        for email, role in plan.roles.items():
            if email in people:
                roles.setdefault(people[email].pk, role)
        ProductMembership.objects.bulk_create(
            ProductMembership(product=product, user_id=user_id, role=role)
            for user_id, role in roles.items()
        )

        def person(email: str | None, *, required: bool = False) -> User | None:
            if email is None:
                return actor if required else None
            return people.get(email, actor)

        goals: dict[int, Goal] = {}
        for row in plan.goals:
            goals[row["ref"]] = Goal(
                product=product,
                level=row["level"],
                title=row["title"],
                description=row["description"],
                description_html=render_markdown(row["description"]),
                owner=person(row["owner"]),
                status=row["status"],
                starts_on=row["starts_on"],
                ends_on=row["ends_on"],
                confidence=row["confidence"],
                next_review_on=row["next_review_on"],
                outcome_note=row["outcome_note"],
                sprint_verdict=row["sprint_verdict"],
                # The status is restored as exported, not granted anew: history says so.
                agreed_via=AgreementWay.RESTORED if row["status"] in _WAS_AGREED else "",
                created_by=actor,
            )
        Goal.objects.bulk_create(goals.values(), batch_size=1000)
        GoalLink.objects.bulk_create(
            (
                GoalLink(child=goals[row["ref"]], parent=goals[parent])
                for row in plan.goals
                for parent in row["parents"]
            ),
            batch_size=2000,
        )
        key_results = {
            row["ref"]: KeyResult(
                goal=goals[row["goal"]],
                title=row["title"],
                unit=row["unit"],
                baseline=row["baseline"],
                target=row["target"],
                current=row["current"],
                owner=person(row["owner"], required=True),
                due_on=row["due_on"],
            )
            for row in plan.key_results
        }
        KeyResult.objects.bulk_create(key_results.values(), batch_size=2000)
        ReviewSchedule.objects.create(product=product, **plan.review_schedule)
        _import_check_ins(plan.check_ins, goals, key_results, people)
        Retrospective.objects.bulk_create(
            Retrospective(
                goal=goals[row["goal"]],
                what_happened=row["what_happened"],
                what_we_learned=row["what_we_learned"],
                what_we_change=row["what_we_change"],
                author=people.get(row["author"]) if row["author"] else None,
                created_at=row["created_at"],
            )
            for row in plan.retrospectives
        )
        new_ids = {ref: goal.pk for ref, goal in goals.items()}
        user_ids = {email: user.pk for email, user in people.items()}
        GoalChange.objects.bulk_create(
            (
                GoalChange(
                    goal=goals[row["goal"]],
                    at=row["at"],
                    by=people.get(row["by"]) if row["by"] else None,
                    by_name=row["by_name"],
                    reason=row["reason"],
                    via=row["via"],
                    changes=_local_changes(row["changes"], new_ids, user_ids),
                )
                for row in plan.history
            ),
            batch_size=2000,
        )
        restored_at = timezone.now()
        GoalChange.objects.bulk_create(
            (
                GoalChange(
                    goal=goal,
                    at=restored_at,
                    by=actor,
                    changes={"status": [None, goal.status]},
                    reason=RESTORED_REASON,
                    via=AgreementWay.RESTORED,
                )
                for goal in goals.values()
            ),
            batch_size=2000,
        )
        _import_comments(plan.comments, product, goals, people)
        Insight.objects.bulk_create(
            (
                Insight(
                    goal=goals[row["goal"]],
                    kind=row["kind"],
                    summary=row["summary"],
                    source=row["source"],
                    value=row["value"],
                    unit=row["unit"],
                    author=people.get(row["author"]) if row["author"] else None,
                    created_at=row["created_at"],
                )
                for row in plan.insights
            ),
            batch_size=2000,
        )
        parent_of = {row["ref"]: row["parents"][0] for row in plan.goals if row["parents"]}
        _import_decisions(plan.decisions, product, goals, parent_of, people, actor)
        recompute_progress(goal_ids=new_ids.values())
    return Imported(product, unmatched)


def _local_changes(
    changes: dict[str, Any], goal_ids: dict[int, int], user_ids: dict[str, int]
) -> dict[str, Any]:
    """A history entry with the document's refs and emails turned into this product's ids."""
    local = dict(changes)
    if isinstance(changes.get("owner"), list):
        local["owner"] = [user_ids.get(v) if isinstance(v, str) else v for v in changes["owner"]]
    if isinstance(changes.get("parents"), list):
        local["parents"] = [
            [goal_ids[ref] for ref in side] if isinstance(side, list) else side
            for side in changes["parents"]
        ]
    return local


def _import_check_ins(
    rows: list[dict[str, Any]],
    goals: dict[int, Goal],
    key_results: dict[int, KeyResult],
    people: dict[str, User],
) -> None:
    check_ins = CheckIn.objects.bulk_create(
        [
            CheckIn(
                goal=goals[row["goal"]],
                author=people.get(row["author"]) if row["author"] else None,
                confidence=row["confidence"],
                note=row["note"],
                created_at=row["created_at"],
                next_review_on=row["next_review_on"],
            )
            for row in rows
        ],
        batch_size=2000,
    )
    CheckInValue.objects.bulk_create(
        (
            CheckInValue(
                check_in=check_in,
                key_result=key_results[value["key_result"]],
                value=value["value"],
                previous=value["previous"],
            )
            for check_in, row in zip(check_ins, rows, strict=True)
            for value in row["values"]
        ),
        batch_size=2000,
    )


def _import_comments(
    rows: list[dict[str, Any]], product: Product, goals: dict[int, Goal], people: dict[str, User]
) -> None:
    """Threads come back in order, replies under their new first comment."""
    made: dict[int, Comment] = {}
    for row in rows:  # parents come first: the export is in order of writing
        made[row["ref"]] = Comment(
            product=product,
            goal=goals[row["goal"]],
            author=people.get(row["author"]) if row["author"] else None,
            body=row["body"],
            body_html=render_markdown(row["body"]),
            created_at=row["created_at"],
            edited_at=row["edited_at"],
            resolved_at=row["resolved_at"],
            deleted_at=row["deleted_at"],
        )
    Comment.objects.bulk_create(
        [made[row["ref"]] for row in rows if row["parent"] is None], batch_size=2000
    )
    replies = [made[row["ref"]] for row in rows if row["parent"] is not None]
    for row in rows:
        if row["parent"] is not None:
            made[row["ref"]].parent = made[row["parent"]]
    Comment.objects.bulk_create(replies, batch_size=2000)


def _import_decisions(
    rows: list[dict[str, Any]],
    product: Product,
    goals: dict[int, Goal],
    parent_of: dict[int, int],
    people: dict[str, User],
    actor: User,
) -> None:
    """Each adoption comes back as a closed workshop with its proposal and decision record."""
    for row in rows:
        goal = goals[row["goal"]]
        parent = goals[parent_of[row["goal"]]] if row["goal"] in parent_of else None
        workshop = Workshop.objects.create(
            product=product,
            title=row["workshop"],
            target_level=goal.level,
            parent_goal=parent,
            facilitator=people.get(row["facilitator"], actor),
            voting_method=row["voting_method"],
            decision_rule=row["rule"],
            phase=Phase.CLOSED,
            phase_started_at=row["decided_at"],
            round=row["round"],
            created_by=actor,
        )
        proposal = Proposal.objects.create(
            workshop=workshop,
            title=row["proposal"],
            description=goal.description,
            description_html=goal.description_html,
            starts_on=goal.starts_on,
            ends_on=goal.ends_on,
            author=goal.owner or actor,
            status=ProposalStatus.ADOPTED,
        )
        Decision.objects.create(
            workshop=workshop,
            proposal=proposal,
            round=row["round"],
            rule=row["rule"],
            voting_method=row["voting_method"],
            passed=True,
            tallies=row["tallies"],
            objections=row["objections"],
            goal=goal,
            decided_by=people.get(row["decided_by"]) if row["decided_by"] else None,
            decided_at=row["decided_at"],
        )
