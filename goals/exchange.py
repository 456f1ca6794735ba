"""Export and import of a whole product: a lossless JSON document, plus CSV and Markdown views.

The JSON document names goals by their id in the exporting installation (`ref`) and people
by email, so it can be read by a person, kept in version control and imported anywhere.
Importing checks the whole document against the chain's rules first, reports every problem
by its place in the document (`goals[3].parents`), and creates nothing unless all is well;
then it writes the new product in one transaction.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from goals import key_result_history
from goals.errors import Errors
from goals.markdown import render_markdown
from goals.models import (
    COMMENT_MAX_LENGTH,
    MAX_PARENTS,
    MEASURE_LIMIT,
    PARENT_LEVELS,
    AgreementWay,
    CheckIn,
    CheckInValue,
    Comment,
    Goal,
    GoalChange,
    GoalLink,
    Insight,
    InsightKind,
    KeyResult,
    Level,
    Organization,
    Product,
    ProductMembership,
    ProductRole,
    Retrospective,
    ReviewSchedule,
    SprintVerdict,
    Status,
    User,
)
from goals.quality import LABELS
from goals.rules import DATE_WINDOW_MESSAGE, in_date_window, timeframe_errors
from goals.schedule import Cadence
from goals.services.boards import MAX_LIVE_PRODUCT_GOALS_LIMIT
from goals.services.organizations import NAME_MAX_LENGTH, check_product_name_free, required_name
from goals.services.progress import recompute_progress
from goals.wording import amount, counted, plain_number
from workshops.models import Decision, Phase, Proposal, ProposalStatus, Workshop

FORMAT = "goalchain.product"
FORMAT_VERSION = 1
_CLOSED_WITH_NOTE = (Status.ACHIEVED, Status.MISSED)
# The Product Vision Board's own boxes, kept on the product.
_PRODUCT_TEXTS = ("target_group", "needs", "product_summary")
_LINKED_STATUSES = (Status.AGREED, Status.ACHIEVED, Status.MISSED)


# Export


def export_document(product: Product) -> dict[str, Any]:
    """Everything of a product as plain JSON values, in a fixed number of queries."""
    organization = product.organization
    goals = list(Goal.objects.filter(product=product).select_related("owner").order_by("id"))
    parents: dict[int, list[int]] = defaultdict(list)
    for child_id, parent_id in (
        GoalLink.objects.filter(child__product=product)
        .order_by("parent_id")
        .values_list("child_id", "parent_id")
    ):
        parents[child_id].append(parent_id)
    key_results = KeyResult.objects.filter(goal__product=product).select_related("owner")
    members = product.memberships.select_related("user").order_by("role", "user__email")
    changes = (
        GoalChange.objects.filter(goal__product=product)
        .select_related("by")
        .order_by("goal_id", "at", "id")
    )
    decisions = (
        Decision.objects.filter(goal__product=product)
        .select_related("workshop__facilitator", "proposal", "decided_by")
        .order_by("decided_at", "id")
    )
    comments = (
        Comment.objects.filter(goal__product=product)
        .select_related("author")
        .order_by("created_at", "id")
    )
    insights = (
        Insight.objects.filter(goal__product=product)
        .select_related("author")
        .order_by("created_at", "id")
    )
    check_ins = (
        CheckIn.objects.filter(goal__product=product)
        .select_related("author")
        .prefetch_related("values")
        .order_by("created_at", "id")
    )
    retrospectives = Retrospective.objects.filter(goal__product=product).select_related("author")
    schedule = ReviewSchedule.objects.filter(product=product).first() or ReviewSchedule()
    emails = {u.pk: u.email for u in User.objects.filter(product_memberships__product=product)}
    for goal in goals:
        if goal.owner is not None:
            emails[goal.owner.pk] = goal.owner.email
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": _datetime(timezone.now()),
        "organization": {
            "name": organization.name,
            "business_strategy": organization.business_strategy,
        },
        "product": {
            "name": product.name,
            "portfolio_strategy": product.portfolio_strategy,
            **{name: getattr(product, name) for name in _PRODUCT_TEXTS},
            "quality_rules_off": product.quality_rules_off,
            "max_live_product_goals": product.max_live_product_goals,
        },
        "members": [
            {"email": m.user.email, "name": m.user.display_name, "role": m.role} for m in members
        ],
        "goals": [
            {
                "ref": goal.pk,
                "level": goal.level,
                "title": goal.title,
                "description": goal.description,
                "status": goal.status,
                "owner": goal.owner.email if goal.owner else None,
                "parents": parents.get(goal.pk, []),
                "starts_on": _date(goal.starts_on),
                "ends_on": _date(goal.ends_on),
                "confidence": goal.confidence,
                "next_review_on": _date(goal.next_review_on),
                "outcome_note": goal.outcome_note,
                "sprint_verdict": goal.sprint_verdict,
                "progress": goal.progress,
                "created_at": _datetime(goal.created_at),
            }
            for goal in goals
        ],
        "key_results": [
            {
                "ref": kr.pk,
                "goal": kr.goal_id,
                "title": kr.title,
                "unit": kr.unit,
                "baseline": plain_number(kr.baseline),
                "target": plain_number(kr.target),
                "current": plain_number(kr.current),
                "owner": kr.owner.email,
                "due_on": _date(kr.due_on),
            }
            for kr in key_results
        ],
        "history": [
            {
                "goal": change.goal_id,
                "at": _datetime(change.at),
                "by": change.by.email if change.by else None,
                "reason": change.reason,
                "via": change.via,
                "changes": _portable_changes(change.changes, emails),
            }
            for change in changes
        ],
        "review_schedule": {
            **{level: schedule.cadence(level) for level in Level.values},
            "remind_days_before": schedule.remind_days_before,
            "reminder_hour": schedule.reminder_hour,
        },
        "check_ins": [
            {
                "goal": check_in.goal_id,
                "author": check_in.author.email if check_in.author else None,
                "confidence": check_in.confidence,
                "note": check_in.note,
                "created_at": _datetime(check_in.created_at),
                "next_review_on": _date(check_in.next_review_on),
                "values": [
                    {
                        "key_result": v.key_result_id,
                        "value": plain_number(v.value),
                        "previous": plain_number(v.previous),
                    }
                    for v in check_in.values.all()
                ],
            }
            for check_in in check_ins
        ],
        "retrospectives": [
            {
                "goal": retro.goal_id,
                "what_happened": retro.what_happened,
                "what_we_learned": retro.what_we_learned,
                "what_we_change": retro.what_we_change,
                "author": retro.author.email if retro.author else None,
                "created_at": _datetime(retro.created_at),
            }
            for retro in retrospectives.order_by("goal_id")
        ],
        "comments": [
            {
                "ref": comment.pk,
                "goal": comment.goal_id,
                "parent": comment.parent_id,
                "author": comment.author.email if comment.author else None,
                "body": "" if comment.deleted_at else comment.body,
                "created_at": _datetime(comment.created_at),
                "edited_at": _optional_datetime(comment.edited_at),
                "resolved_at": _optional_datetime(comment.resolved_at),
                "deleted_at": _optional_datetime(comment.deleted_at),
            }
            for comment in comments
        ],
        "insights": [
            {
                "goal": insight.goal_id,
                "kind": insight.kind,
                "summary": insight.summary,
                "source": insight.source,
                "value": None if insight.value is None else plain_number(insight.value),
                "unit": insight.unit,
                "author": insight.author.email if insight.author else None,
                "created_at": _datetime(insight.created_at),
            }
            for insight in insights
        ],
        "decisions": [
            {
                "goal": decision.goal_id,
                "workshop": decision.workshop.title,
                "facilitator": decision.workshop.facilitator.email,
                "proposal": decision.proposal.title,
                "round": decision.round,
                "rule": decision.rule,
                "voting_method": decision.voting_method,
                "tallies": decision.tallies,
                "objections": decision.objections,
                "decided_by": decision.decided_by.email if decision.decided_by else None,
                "decided_at": _datetime(decision.decided_at),
            }
            for decision in decisions
        ],
    }


def _portable_changes(changes: dict[str, Any], emails: dict[int, str]) -> dict[str, Any]:
    """A history entry with owners as emails; parents are goal ids, the document's refs."""
    if "owner" not in changes:
        return changes
    portable = dict(changes)
    portable["owner"] = [emails.get(v) if isinstance(v, int) else v for v in changes["owner"] or []]
    return portable


_CSV_COLUMNS = [
    "kind", "ref", "goal", "level", "title", "status", "owner", "parents", "starts_on",
    "ends_on", "confidence", "progress", "unit", "baseline", "target", "current", "due_on",
    "changed_at", "changed_by", "change", "reason",
]  # fmt: skip
# Columns of people's own words: a spreadsheet must show them, never run them.
_CSV_TEXTS = ("title", "owner", "unit", "changed_by", "change", "reason")


@dataclass(frozen=True)
class _KeyResultChanges:
    """One history entry's changes of a goal's key results, in words."""

    at: str
    by: str
    reason: str
    changes: list[key_result_history.KeyResultChange]


def _key_result_changes(document: dict[str, Any]) -> dict[int, list[_KeyResultChanges]]:
    """Each goal's key result changes (agreed goals keep them with a reason), oldest first."""
    found: dict[int, list[_KeyResultChanges]] = defaultdict(list)
    for entry in document["history"]:
        told = [key_result_history.describe(k, v) for k, v in entry["changes"].items()]
        changes = [kr for kr in told if kr is not None]
        if changes:
            found[entry["goal"]].append(
                _KeyResultChanges(entry["at"], entry["by"] or "", entry["reason"], changes)
            )
    return found


def export_csv(document: dict[str, Any]) -> str:
    """One row per goal, each followed by its key results and their changes, for
    spreadsheets."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    key_results: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for kr in document["key_results"]:
        key_results[kr["goal"]].append(kr)
    key_result_changes = _key_result_changes(document)
    for goal in document["goals"]:
        writer.writerow(
            _csv_safe(
                {
                    "kind": "goal",
                    "ref": goal["ref"],
                    "level": goal["level"],
                    "title": goal["title"],
                    "status": goal["status"],
                    "owner": goal["owner"] or "",
                    "parents": " ".join(str(p) for p in goal["parents"]),
                    "starts_on": goal["starts_on"] or "",
                    "ends_on": goal["ends_on"] or "",
                    "confidence": goal["confidence"] or "",
                    "progress": goal["progress"],
                }
            )
        )
        for kr in key_results[goal["ref"]]:
            writer.writerow(
                _csv_safe(
                    {
                        "kind": "key_result",
                        "goal": goal["ref"],
                        "title": kr["title"],
                        "owner": kr["owner"],
                        "unit": kr["unit"],
                        "baseline": kr["baseline"],
                        "target": kr["target"],
                        "current": kr["current"],
                        "due_on": kr["due_on"] or "",
                    }
                )
            )
        for entry in key_result_changes[goal["ref"]]:
            for change in entry.changes:
                writer.writerow(
                    _csv_safe(
                        {
                            "kind": "key_result_change",
                            "goal": goal["ref"],
                            "title": change.title,
                            "changed_at": entry.at,
                            "changed_by": entry.by,
                            "change": change.sentence,
                            "reason": entry.reason,
                        }
                    )
                )
    return out.getvalue()


def _csv_safe(row: dict[str, Any]) -> dict[str, Any]:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a '."""
    return {
        key: f"'{value}"
        if isinstance(value, str) and key in _CSV_TEXTS and value[:1] in "=+-@\t\r"
        else value
        for key, value in row.items()
    }


_HEADINGS = {Level.VISION: 2, Level.USER: 3, Level.BUSINESS: 3, Level.PRODUCT: 4}


def export_markdown(document: dict[str, Any]) -> str:
    """The chain as a readable outline: strategies, then the tree from the vision down."""
    goals = {g["ref"]: g for g in document["goals"]}
    children: dict[int, list[int]] = defaultdict(list)
    for goal in document["goals"]:
        for parent in goal["parents"]:
            children[parent].append(goal["ref"])
    key_results: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for kr in document["key_results"]:
        key_results[kr["goal"]].append(kr)
    key_result_changes = _key_result_changes(document)
    lines = [f"# {document['product']['name']}", ""]
    for label, text in (
        ("Business strategy", document["organization"]["business_strategy"]),
        ("Portfolio strategy", document["product"]["portfolio_strategy"]),
    ):
        if text:
            lines += [f"**{label}.** {text.strip()}", ""]
    written: set[int] = set()

    def write(ref: int) -> None:
        goal = goals[ref]
        heading = _HEADINGS.get(goal["level"])
        facts = [Status(goal["status"]).label]
        if goal["owner"]:
            facts.append(f"owner {goal['owner']}")
        if goal["starts_on"] and goal["ends_on"]:
            facts.append(f"{goal['starts_on']} → {goal['ends_on']}")
        facts.append(f"progress {goal['progress']} %")
        title = f"{Level(goal['level']).label}: {goal['title']} ({', '.join(facts)})"
        if heading is None:  # sprint goals are items under their product goal
            lines.append(f"- {title}")
        else:
            lines.extend((f"{'#' * heading} {title}", ""))
            if goal["description"]:
                lines.extend((goal["description"].strip(), ""))
        for kr in key_results[ref]:
            lines.append(
                f"{'  ' if heading is None else ''}- Key result: {kr['title']}: "
                f"{amount(kr['baseline'])} → {amount(kr['target'])} {kr['unit']}, "
                f"now {amount(kr['current'])}".rstrip()
            )
        for entry in key_result_changes[ref]:
            changed = "; ".join(change.sentence for change in entry.changes)
            by = f" by {entry.by}" if entry.by else ""
            lines.append(
                f"{'  ' if heading is None else ''}- Changed {entry.at[:10]}{by}: {changed}. "
                f"Why: {entry.reason or '—'}"
            )
        if (key_results[ref] or key_result_changes[ref]) and heading is not None:
            lines.append("")
        if ref in written:
            return
        written.add(ref)
        for child in children[ref]:
            write(child)
        if heading == _HEADINGS[Level.PRODUCT] and children[ref]:
            lines.append("")

    roots = [g["ref"] for g in document["goals"] if not g["parents"]]
    for ref in roots:
        if goals[ref]["level"] == Level.VISION:
            write(ref)
    # Goals serving nothing get a section of their own, as on the chain page: under the
    # headings above they would read as serving the goal written last. Sprint goals are
    # list items, so they come first, where no heading can claim them.
    orphans = [ref for ref in roots if goals[ref]["level"] != Level.VISION]
    if orphans:
        lines += ["## Not linked into the chain", "", "These goals serve no goal one level up.", ""]
        for ref in sorted(orphans, key=lambda r: goals[r]["level"] != Level.SPRINT):
            write(ref)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# Import


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
    plan = _Plan.read(document)
    name = required_name(name or imported_name(plan.product_name))
    people = plan.people(organization)
    unmatched = sorted(plan.emails - people.keys())
    with transaction.atomic():
        check_product_name_free(organization, name)
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
        recompute_progress(new_ids.values())
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


class _Plan:
    """A document checked from top to bottom, its values parsed, ready to be written."""

    def __init__(self) -> None:
        self.errors = Errors()
        self.product_name = ""
        self.portfolio_strategy = ""
        self.roles: dict[str, str] = {}
        self.goals: list[dict[str, Any]] = []
        self.key_results: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.decisions: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.check_ins: list[dict[str, Any]] = []
        self.retrospectives: list[dict[str, Any]] = []
        self.review_schedule: dict[str, Any] = {}
        self.insights: list[dict[str, Any]] = []
        self.product_fields: dict[str, Any] = {}
        self.emails: set[str] = set()
        self.refs: dict[int, dict[str, Any]] = {}

    @classmethod
    def read(cls, document: Any) -> _Plan:
        plan = cls()
        plan._read(document)
        plan.errors.raise_if_any()
        return plan

    def people(self, organization: Organization) -> dict[str, User]:
        """The document's people who belong to the organisation, by the document's email."""
        found = User.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in={email.lower() for email in self.emails},
            org_memberships__organization=organization,
        )
        by_lower = {user.email.lower(): user for user in found}
        return {e: by_lower[e.lower()] for e in self.emails if e.lower() in by_lower}

    def _read(self, document: Any) -> None:
        add = self.errors.add
        if not isinstance(document, dict):
            add("document", "Send the JSON object that an export gave (it starts with {).")
            return
        if document.get("format") != FORMAT:
            add("document.format", f"This is not a Goal Chain product export (format {FORMAT!r}).")
            return
        if document.get("format_version") != FORMAT_VERSION:
            add(
                "document.format_version",
                f"This installation reads version {FORMAT_VERSION} of the format.",
            )
            return
        product = _object(document, "product", self.errors, "document")
        organization = _object(document, "organization", self.errors, "document")
        if product is not None:
            self.product_name = _text(product, "name", self.errors, "product", 200, required=True)
            self.portfolio_strategy = _text(
                product, "portfolio_strategy", self.errors, "product", 20000
            )
            self._read_product_fields(product)
        if organization is not None:
            _text(organization, "business_strategy", self.errors, "organization", 20000)
        for i, member in enumerate(_list(document, "members", self.errors)):
            where = f"members[{i}]"
            if not isinstance(member, dict):
                add(where, "Each member is an object with email and role.")
                continue
            email = self._email(member, "email", where, required=True)
            if member.get("role") not in ProductRole.values:
                add(f"{where}.role", f"Choose one of: {', '.join(ProductRole.values)}.")
            elif email:
                self.roles[email] = member["role"]
        self._read_goals(_list(document, "goals", self.errors))
        refs = self.refs = {row["ref"]: row for row in self.goals}
        self._read_key_results(_list(document, "key_results", self.errors), refs)
        self._read_history(_list(document, "history", self.errors, required=False), refs)
        self._read_decisions(_list(document, "decisions", self.errors, required=False), refs)
        self._read_comments(_list(document, "comments", self.errors, required=False), refs)
        self._read_review_schedule(document.get("review_schedule", {}))
        kr_refs = {row["ref"]: row for row in self.key_results}
        self._read_check_ins(_list(document, "check_ins", self.errors, required=False), kr_refs)
        self._read_retrospectives(
            _list(document, "retrospectives", self.errors, required=False), refs
        )
        self._read_insights(_list(document, "insights", self.errors, required=False), refs)

    def _read_product_fields(self, product: dict[str, Any]) -> None:
        for name in _PRODUCT_TEXTS:
            self.product_fields[name] = _text(product, name, self.errors, "product", 20000)
        off = product.get("quality_rules_off", [])
        if not isinstance(off, list) or not all(isinstance(c, str) and c in LABELS for c in off):
            self.errors.add(
                "product.quality_rules_off", f"Name rules among: {', '.join(sorted(LABELS))}."
            )
        else:
            self.product_fields["quality_rules_off"] = off
        limit = product.get("max_live_product_goals", 5)
        top = MAX_LIVE_PRODUCT_GOALS_LIMIT
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= top:
            self.errors.add("product.max_live_product_goals", f"A whole number from 1 to {top}.")
        else:
            self.product_fields["max_live_product_goals"] = limit

    def _read_review_schedule(self, schedule: Any) -> None:
        if not isinstance(schedule, dict):
            self.errors.add("review_schedule", "The review schedule is an object.")
            return
        defaults = ReviewSchedule()
        for level in Level.values:
            cadence = schedule.get(level, defaults.cadence(level))
            if cadence not in Cadence.values:
                self.errors.add(
                    f"review_schedule.{level}", f"Choose one of: {', '.join(Cadence.values)}."
                )
            self.review_schedule[f"{level}_cadence"] = cadence
        for key, top in (("remind_days_before", 30), ("reminder_hour", 23)):
            value = schedule.get(key, getattr(defaults, key))
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
                self.errors.add(f"review_schedule.{key}", f"A whole number from 0 to {top}.")
            self.review_schedule[key] = value

    def _read_check_ins(self, rows: list[Any], kr_refs: dict[int, dict[str, Any]]) -> None:
        add = self.errors.add
        for i, row in enumerate(rows):
            where = f"check_ins[{i}]"
            if not isinstance(row, dict) or not _is_ref(row.get("goal"), self.refs):
                add(where, "Each check-in is an object naming a goal ref.")
                continue
            confidence = row.get("confidence")
            if (
                not isinstance(confidence, int)
                or isinstance(confidence, bool)
                or not (1 <= confidence <= 5)
            ):
                add(f"{where}.confidence", "Confidence is a whole number from 1 to 5.")
            values = []
            for j, value in enumerate(_list(row, "values", self.errors, required=False)):
                at = f"{where}.values[{j}]"
                ref = value.get("key_result") if isinstance(value, dict) else None
                kr = kr_refs.get(ref) if isinstance(ref, int) else None
                if kr is None or kr["goal"] != row["goal"]:
                    add(at, "Each value names a key result of the check-in's goal.")
                    continue
                values.append(
                    {
                        "key_result": value["key_result"],
                        "value": _number(value, "value", self.errors, at),
                        "previous": _number(value, "previous", self.errors, at),
                    }
                )
            self.check_ins.append(
                {
                    "goal": row["goal"],
                    "author": self._email(row, "author", where, required=False),
                    "confidence": confidence,
                    "note": _text(row, "note", self.errors, where, 10000),
                    "created_at": _moment(row, "created_at", self.errors, where),
                    "next_review_on": _day(row, "next_review_on", self.errors, where),
                    "values": values,
                }
            )

    def _read_retrospectives(self, rows: list[Any], refs: dict[int, dict[str, Any]]) -> None:
        seen: set[int] = set()
        for i, row in enumerate(rows):
            where = f"retrospectives[{i}]"
            if (
                not isinstance(row, dict)
                or not _is_ref(row.get("goal"), refs)
                or row["goal"] in seen
            ):
                self.errors.add(where, "Each retrospective names its own missed goal's ref.")
                continue
            seen.add(row["goal"])
            self.retrospectives.append(
                {
                    "goal": row["goal"],
                    **{
                        key: _text(row, key, self.errors, where, 10000, required=True)
                        for key in ("what_happened", "what_we_learned", "what_we_change")
                    },
                    "author": self._email(row, "author", where, required=False),
                    "created_at": _moment(row, "created_at", self.errors, where),
                }
            )

    def _read_comments(self, rows: list[Any], refs: dict[int, dict[str, Any]]) -> None:
        seen: set[int] = set()
        for i, row in enumerate(rows):
            where = f"comments[{i}]"
            if not isinstance(row, dict) or not _is_ref(row.get("goal"), refs):
                self.errors.add(where, "Each comment is an object naming a goal ref.")
                continue
            ref, parent = row.get("ref"), row.get("parent")
            if not _is_whole(ref) or ref in seen:
                self.errors.add(f"{where}.ref", "Each comment needs its own whole-number ref.")
                continue
            if parent is not None and not _is_ref(parent, seen):
                self.errors.add(f"{where}.parent", "A reply follows the comment it answers.")
                continue
            seen.add(ref)
            deleted_at = _optional_moment(row, "deleted_at", self.errors, where)
            body = _text(row, "body", self.errors, where, COMMENT_MAX_LENGTH)
            if not body.strip() and deleted_at is None:
                self.errors.add(f"{where}.body", "A comment says something.")
            self.comments.append(
                {
                    "ref": ref,
                    "goal": row["goal"],
                    "parent": parent,
                    "author": self._email(row, "author", where, required=False),
                    "body": body,
                    "created_at": _moment(row, "created_at", self.errors, where),
                    "edited_at": _optional_moment(row, "edited_at", self.errors, where),
                    "resolved_at": _optional_moment(row, "resolved_at", self.errors, where),
                    "deleted_at": deleted_at,
                }
            )

    def _read_insights(self, rows: list[Any], refs: dict[int, dict[str, Any]]) -> None:
        for i, row in enumerate(rows):
            where = f"insights[{i}]"
            if not isinstance(row, dict) or not _is_ref(row.get("goal"), refs):
                self.errors.add(where, "Each insight is an object naming a goal ref.")
                continue
            kind = row.get("kind")
            if kind not in InsightKind.values:
                self.errors.add(f"{where}.kind", f"Choose one of: {', '.join(InsightKind.values)}.")
                continue
            value = None
            if row.get("value") is not None or kind == InsightKind.QUANTITATIVE:
                value = _number(row, "value", self.errors, where)
            self.insights.append(
                {
                    "goal": row["goal"],
                    "kind": kind,
                    "summary": _text(row, "summary", self.errors, where, 10000, required=True),
                    "source": _text(row, "source", self.errors, where, 500, required=True),
                    "value": value,
                    "unit": _text(row, "unit", self.errors, where, 40),
                    "author": self._email(row, "author", where, required=False),
                    "created_at": _moment(row, "created_at", self.errors, where),
                }
            )

    def _email(self, obj: dict[str, Any], key: str, where: str, *, required: bool) -> str | None:
        value = obj.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or "@" not in value or len(value) > 254:
            self.errors.add(f"{where}.{key}", "Give an email address.")
            return None
        self.emails.add(value)
        return value

    def _read_goals(self, rows: list[Any]) -> None:
        add = self.errors.add
        seen: set[int] = set()
        for i, row in enumerate(rows):
            where = f"goals[{i}]"
            if not isinstance(row, dict):
                add(where, "Each goal is an object.")
                continue
            ref = row.get("ref")
            if not isinstance(ref, int) or isinstance(ref, bool):
                add(f"{where}.ref", "Each goal needs a whole-number ref.")
                continue
            if ref in seen:
                add(f"{where}.ref", f"Ref {ref} is used by two goals.")
                continue
            seen.add(ref)
            level, status = row.get("level"), row.get("status", Status.DRAFT)
            if level not in Level.values:
                add(f"{where}.level", f"Choose one of: {', '.join(Level.values)}.")
                continue
            if status not in Status.values:
                add(f"{where}.status", f"Choose one of: {', '.join(Status.values)}.")
                continue
            parents = row.get("parents", [])
            if not isinstance(parents, list) or not all(
                isinstance(p, int) and not isinstance(p, bool) for p in parents
            ):
                add(f"{where}.parents", "Parents are a list of goal refs.")
                parents = []
            goal = {
                "ref": ref,
                "level": level,
                "status": status,
                "title": _text(row, "title", self.errors, where, 300, required=True),
                "description": _text(row, "description", self.errors, where, 20000),
                "owner": self._email(row, "owner", where, required=False),
                "parents": parents,
                "starts_on": _day(row, "starts_on", self.errors, where),
                "ends_on": _day(row, "ends_on", self.errors, where),
                "confidence": row.get("confidence"),
                "next_review_on": _day(row, "next_review_on", self.errors, where),
                "outcome_note": _text(row, "outcome_note", self.errors, where, 20000),
                "sprint_verdict": row.get("sprint_verdict") or "",
                "where": where,
            }
            confidence = goal["confidence"]
            if confidence is not None and (
                not isinstance(confidence, int) or isinstance(confidence, bool)
                or not 1 <= confidence <= 5
            ):  # fmt: skip
                add(f"{where}.confidence", "Confidence is a whole number from 1 to 5.")
            if goal["sprint_verdict"] and (
                level != Level.SPRINT or goal["sprint_verdict"] not in SprintVerdict.values
            ):
                add(f"{where}.sprint_verdict", "Only sprint goals are met or not met.")
            for message in timeframe_errors(level, goal["starts_on"], goal["ends_on"]):
                add(f"{where}.ends_on", message)
            if status in _CLOSED_WITH_NOTE and not goal["outcome_note"].strip():
                add(f"{where}.outcome_note", "A closed goal keeps its outcome note.")
            self.goals.append(goal)
        refs = {goal["ref"]: goal for goal in self.goals}
        for goal in self.goals:
            self._check_parents(goal, refs)
        live_visions = [
            g for g in self.goals if g["level"] == Level.VISION and g["status"] != Status.DROPPED
        ]
        if len(live_visions) > 1:
            add(
                live_visions[1]["where"] + ".level",
                f"A product has one live vision; goals {live_visions[0]['ref']} and "
                f"{live_visions[1]['ref']} both are.",
            )

    def _check_parents(self, goal: dict[str, Any], refs: dict[int, dict[str, Any]]) -> None:
        add, where, level = self.errors.add, goal["where"] + ".parents", goal["level"]
        label = Level(level).label.lower()
        allowed = PARENT_LEVELS[level]
        if len(set(goal["parents"])) != len(goal["parents"]):
            add(where, "Each parent goal may be named once.")
        for ref in goal["parents"]:
            parent = refs.get(ref)
            if parent is None:
                add(where, f"No goal in the document has ref {ref}.")
            elif parent["level"] not in allowed:
                wanted = " or ".join(Level(lv).label.lower() for lv in allowed) or "no goal"
                add(
                    where,
                    f"A {label} links to a {wanted}; “{parent['title']}” is a "
                    f"{Level(parent['level']).label.lower()}.",
                )
        if len(goal["parents"]) > MAX_PARENTS[level]:
            add(
                where,
                f"A {label} serves at most {counted(MAX_PARENTS[level], 'goal')} one level up.",
            )
        if level != Level.VISION and not goal["parents"] and goal["status"] in _LINKED_STATUSES:
            add(where, f"An agreed {label} must serve a goal one level up.")

    def _read_key_results(self, rows: list[Any], refs: dict[int, dict[str, Any]]) -> None:
        add = self.errors.add
        seen: set[int] = set()
        for i, row in enumerate(rows):
            where = f"key_results[{i}]"
            if not isinstance(row, dict):
                add(where, "Each key result is an object.")
                continue
            if not _is_ref(row.get("goal"), refs):
                add(f"{where}.goal", f"No goal in the document has ref {row.get('goal')!r}.")
                continue
            numbers = {
                key: _number(row, key, self.errors, where)
                for key in ("baseline", "target", "current")
            }
            if None not in numbers.values() and numbers["target"] == numbers["baseline"]:
                add(f"{where}.target", "The target must differ from the baseline.")
            ref = row.get("ref")
            if not _is_whole(ref) or ref in seen:
                add(f"{where}.ref", "Each key result needs its own whole-number ref.")
                continue
            seen.add(ref)
            self.key_results.append(
                {
                    "ref": ref,
                    "goal": row["goal"],
                    "title": _text(row, "title", self.errors, where, 300, required=True),
                    "unit": _text(row, "unit", self.errors, where, 40),
                    "owner": self._email(row, "owner", where, required=True),
                    "due_on": _day(row, "due_on", self.errors, where),
                    **numbers,
                }
            )

    def _read_history(self, rows: list[Any], refs: dict[int, dict[str, Any]]) -> None:
        for i, row in enumerate(rows):
            where = f"history[{i}]"
            if not isinstance(row, dict) or not _is_ref(row.get("goal"), refs):
                self.errors.add(where, "Each history entry is an object naming a goal ref.")
                continue
            if not isinstance(row.get("changes"), dict):
                self.errors.add(f"{where}.changes", "Changes are an object of fields.")
                continue
            if not self._check_changes(row["changes"], f"{where}.changes", refs):
                continue
            via = row.get("via", "")
            if via != "" and via not in AgreementWay.values:
                self.errors.add(
                    f"{where}.via",
                    f"How a goal was agreed is one of: {', '.join(AgreementWay.values)}.",
                )
                continue
            self.history.append(
                {
                    "goal": row["goal"],
                    "at": _moment(row, "at", self.errors, where),
                    "by": self._email(row, "by", where, required=False),
                    "reason": _text(row, "reason", self.errors, where, 20000),
                    "via": via,
                    "changes": row["changes"],
                }
            )

    def _check_changes(
        self, changes: dict[str, Any], where: str, refs: dict[int, dict[str, Any]]
    ) -> bool:
        """Each change is [old, new] of a field a goal's history keeps, with values of its
        kind, as the services write them; False (and the problem said) otherwise."""
        for key, pair in changes.items():
            at = f"{where}.{key}"
            if not isinstance(pair, list) or len(pair) != 2:
                self.errors.add(at, "Each change is a pair: the value before and after.")
                return False
            if key_result_history.is_key_result_change(key):
                fine = _key_result_change_fits(key, pair)
            elif key == "parents":
                fine = all(
                    side is None
                    or (isinstance(side, list) and all(_is_ref(ref, refs) for ref in side))
                    for side in pair
                )
            elif key in _HISTORY_VALUES:
                fine = all(value is None or _HISTORY_VALUES[key](value) for value in pair)
            else:
                self.errors.add(at, "A goal's history keeps changes of its own fields only.")
                return False
            if not fine:
                self.errors.add(at, "These values do not fit this field.")
                return False
        return True

    def _read_decisions(self, rows: list[Any], refs: dict[int, dict[str, Any]]) -> None:
        from workshops.models import DecisionRule, VotingMethod

        add = self.errors.add
        for i, row in enumerate(rows):
            where = f"decisions[{i}]"
            if not isinstance(row, dict) or not _is_ref(row.get("goal"), refs):
                add(where, "Each decision is an object naming the goal it adopted.")
                continue
            if row.get("rule") not in DecisionRule.values:
                add(f"{where}.rule", f"Choose one of: {', '.join(DecisionRule.values)}.")
            if row.get("voting_method") not in VotingMethod.values:
                add(f"{where}.voting_method", f"Choose one of: {', '.join(VotingMethod.values)}.")
            if row.get("voting_method") in VotingMethod.values and not _tallies_fit(
                row["voting_method"], row.get("tallies")
            ):
                add(
                    f"{where}.tallies",
                    "Tallies count voters, supporters and objectors in whole numbers, and "
                    "each ballot value of the voting method.",
                )
            if not _objections_fit(row.get("objections")):
                add(f"{where}.objections", "Objections are a list, each with its reason in words.")
            round_ = row.get("round", 1)
            if not isinstance(round_, int) or isinstance(round_, bool) or not 1 <= round_ <= 99:
                add(f"{where}.round", "The round is a whole number from 1.")
            self.decisions.append(
                {
                    "goal": row["goal"],
                    "workshop": _text(row, "workshop", self.errors, where, 200, required=True),
                    "proposal": _text(row, "proposal", self.errors, where, 300, required=True),
                    "facilitator": self._email(row, "facilitator", where, required=True),
                    "decided_by": self._email(row, "decided_by", where, required=False),
                    "decided_at": _moment(row, "decided_at", self.errors, where),
                    "round": round_,
                    "rule": row.get("rule"),
                    "voting_method": row.get("voting_method"),
                    "tallies": row.get("tallies"),
                    "objections": row.get("objections"),
                }
            )
        adopted = [row["goal"] for row in self.decisions]
        if len(set(adopted)) != len(adopted):
            add("decisions", "A goal is adopted by one decision.")


def _is_whole(value: Any, low: int | None = None, high: int | None = None) -> TypeGuard[int]:
    """A whole number (not a flag), within [low, high] when given."""
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _is_ref(value: Any, refs: Collection[int]) -> bool:
    """One of the document's refs; anything else, a list included, is not (and never hashed)."""
    return _is_whole(value) and value in refs


def _is_day(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return Decimal(str(value)).is_finite() and abs(value) < MEASURE_LIMIT


# What each goal field kept in the history holds (besides nothing, which each may).
_HISTORY_VALUES: dict[str, Callable[[Any], bool]] = {
    "title": lambda v: isinstance(v, str) and len(v) <= 300,
    "description": lambda v: isinstance(v, str) and len(v) <= 20000,
    "outcome_note": lambda v: isinstance(v, str) and len(v) <= 20000,
    "owner": lambda v: isinstance(v, str) and "@" in v and len(v) <= 254,
    "status": lambda v: isinstance(v, str) and v in Status.values,
    "sprint_verdict": lambda v: isinstance(v, str) and v in ("", *SprintVerdict.values),
    "starts_on": _is_day,
    "ends_on": _is_day,
    "next_review_on": _is_day,
    "confidence": lambda v: _is_whole(v, 1, 5),
}

# What a key result kept whole in the history holds.
_KEY_RESULT_KEPT: dict[str, Callable[[Any], bool]] = {
    "title": lambda v: isinstance(v, str) and 0 < len(v) <= 300,
    "unit": lambda v: isinstance(v, str) and len(v) <= 40,
    "baseline": _is_number,
    "target": _is_number,
    "due_on": lambda v: v is None or _is_day(v),
}


def _key_result_change_fits(key: str, pair: list[Any]) -> bool:
    """A key result added or removed whole, or one promised field of it changed."""
    old, new = pair
    if old is None or new is None:
        kept = new if old is None else old
        if isinstance(kept, dict):
            return kept.keys() == _KEY_RESULT_KEPT.keys() and all(
                fits(kept[name]) for name, fits in _KEY_RESULT_KEPT.items()
            )
    field_name = key.rpartition(".")[2]
    if field_name not in key_result_history.PROMISED_FIELDS:
        return False
    fits = _KEY_RESULT_KEPT[field_name]
    return all((value is None and field_name == "due_on") or fits(value) for value in pair)


def _tallies_fit(method: str, tallies: Any) -> bool:
    """Tallies as a decision keeps them: counts of voters, supporters and objectors, the
    count of each ballot value of the method, and the dots (dot voting) or average."""
    from workshops.rules import BALLOT_CHOICES

    if not isinstance(tallies, dict):
        return False
    if not {"voters", "supporters", "objectors", "counts"} <= tallies.keys() <= {
        "voters", "supporters", "objectors", "counts", "dots", "average"
    }:  # fmt: skip
        return False
    if not all(_is_whole(tallies[key], 0) for key in ("voters", "supporters", "objectors")):
        return False
    if "dots" in tallies and not _is_whole(tallies["dots"], 0):
        return False
    if tallies.get("average") is not None and not _is_number(tallies["average"]):
        return False
    counts = tallies["counts"]
    if method in BALLOT_CHOICES:
        values = {value for value, _ in BALLOT_CHOICES[method]}
        value_fits: Callable[[str], bool] = values.__contains__
    else:  # dot voting counts voters by how many dots they gave
        value_fits = lambda key: key.isascii() and key.isdigit() and len(key) <= 3  # noqa: E731
    return isinstance(counts, dict) and all(
        value_fits(key) and _is_whole(n, 0) for key, n in counts.items()
    )


def _objections_fit(objections: Any) -> bool:
    """A list of objections, each with its reason, and who raised it unless anonymous."""
    if not isinstance(objections, list):
        return False
    for objection in objections:
        if not isinstance(objection, dict) or not objection.keys() <= {"voter", "name", "reason"}:
            return False
        reason, name, voter = (
            objection.get("reason"),
            objection.get("name", ""),
            objection.get("voter"),
        )
        if not isinstance(reason, str) or len(reason) > 10000:
            return False
        if not isinstance(name, str) or len(name) > 300:
            return False
        if voter is not None and not _is_whole(voter):
            return False
    return True


def _object(obj: dict[str, Any], key: str, errors: Errors, where: str) -> dict[str, Any] | None:
    value = obj.get(key)
    if not isinstance(value, dict):
        errors.add(f"{where}.{key}", "This part of the document is missing.")
        return None
    return value


def _list(obj: dict[str, Any], key: str, errors: Errors, *, required: bool = True) -> list[Any]:
    value = obj.get(key, None if required else [])
    if not isinstance(value, list):
        errors.add(key, "This part of the document must be a list.")
        return []
    return value


def _text(
    obj: dict[str, Any], key: str, errors: Errors, where: str, limit: int, *, required: bool = False
) -> str:
    value = obj.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(f"{where}.{key}", "This must be text.")
        return ""
    if required and not value.strip():
        errors.add(f"{where}.{key}", "This must not be empty.")
    elif len(value) > limit:
        errors.add(f"{where}.{key}", f"Keep this under {limit:,} characters.")
    return value.strip() if required else value


def _day(obj: dict[str, Any], key: str, errors: Errors, where: str) -> date | None:
    value = obj.get(key)
    if value is None:
        return None
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        errors.add(f"{where}.{key}", "Write dates as YYYY-MM-DD.")
    elif not in_date_window(day):
        errors.add(f"{where}.{key}", DATE_WINDOW_MESSAGE)
        day = None
    return day


def _moment(obj: dict[str, Any], key: str, errors: Errors, where: str) -> datetime:
    value = obj.get(key)
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or moment.tzinfo is None:
        errors.add(f"{where}.{key}", "Write times as ISO 8601 with a zone.")
        return timezone.now()
    if not in_date_window(moment.date()):
        errors.add(f"{where}.{key}", DATE_WINDOW_MESSAGE)
        return timezone.now()
    return moment


def _optional_moment(obj: dict[str, Any], key: str, errors: Errors, where: str) -> datetime | None:
    return None if obj.get(key) is None else _moment(obj, key, errors, where)


def _number(obj: dict[str, Any], key: str, errors: Errors, where: str) -> Decimal | None:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        errors.add(f"{where}.{key}", "This must be a number.")
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.add(f"{where}.{key}", "This must be a number.")
        return None
    if not number.is_finite() or abs(number) >= MEASURE_LIMIT:
        errors.add(f"{where}.{key}", "This number is out of range.")
        return None
    return number


def _optional_datetime(value: datetime | None) -> str | None:
    return _datetime(value) if value else None


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
